package dev.byhand.vector;

import java.util.Arrays;

/**
 * Int8 scalar quantisation: each value x becomes {@code q = round((x − c)/δ)} clipped to [−127,
 * 127], with centre c and step δ learnt once from a sample, so {@code x ≈ c + δ·q}.
 *
 * <p>Scores from codes alone, in integer kernels: for the dot product, {@code Σ(c+δa)(c+δb) =
 * δ²·Σab + (c·δ·Σa + d·c²/2) + (c·δ·Σb + d·c²/2)}, the bracketed terms stored per vector as one
 * float correction; for L2, {@code −δ²·Σ(a−b)²}. Queries are quantised the same way.
 */
final class Int8Vectors implements AppendableVectors {

  private final int dimension;
  private final Metric metric;
  final float centre;
  final float step;
  private final VectorOps ops = VectorOps.get();
  private volatile byte[][] codes = new byte[4][];
  private volatile float[][] corrections = new float[4][];
  private final int chunkShift;
  private final int chunkMask;
  private volatile int size;

  Int8Vectors(int dimension, Metric metric, float centre, float step) {
    this.dimension = dimension;
    this.metric = metric;
    this.centre = centre;
    this.step = step;
    this.chunkShift = Vectors.chunkShift(dimension);
    this.chunkMask = (1 << chunkShift) - 1;
  }

  static Int8Vectors train(int dimension, Metric metric, float[][] prepared) {
    // the 0.1 % and 99.9 % quantiles: clipping a few outliers keeps resolution for the rest
    float lo = Compression.quantile(prepared, 0.001);
    float hi = Compression.quantile(prepared, 0.999);
    if (!(hi > lo)) {
      hi = lo + 1;
    }
    return new Int8Vectors(dimension, metric, (lo + hi) / 2, (hi - lo) / 254);
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public long bytesPerVector() {
    return dimension + Float.BYTES;
  }

  /** Quantises {@code v} into {@code out} at {@code offset}; returns the dot correction. */
  float encode(float[] v, byte[] out, int offset) {
    long sum = 0;
    for (int i = 0; i < dimension; i++) {
      int q = Math.round((v[i] - centre) / step);
      q = Math.max(-127, Math.min(127, q));
      out[offset + i] = (byte) q;
      sum += q;
    }
    return centre * step * sum + dimension * centre * centre / 2;
  }

  @Override
  public int append(float[] prepared) {
    int ordinal = size;
    int chunk = ordinal >>> chunkShift;
    byte[][] c = codes;
    float[][] k = corrections;
    if (chunk >= c.length) {
      c = Arrays.copyOf(c, c.length * 2);
      k = Arrays.copyOf(k, k.length * 2);
    }
    if (c[chunk] == null) {
      c[chunk] = new byte[(chunkMask + 1) * dimension];
      k[chunk] = new float[chunkMask + 1];
    }
    k[chunk][ordinal & chunkMask] = encode(prepared, c[chunk], (ordinal & chunkMask) * dimension);
    codes = c;
    corrections = k;
    size = ordinal + 1;
    return ordinal;
  }

  private float score(byte[] a, int aOff, float aCorr, byte[] b, int bOff, float bCorr) {
    if (metric == Metric.L2) {
      return -step * step * ops.squaredDistanceInt8(a, aOff, b, bOff, dimension);
    }
    return step * step * ops.dotInt8(a, aOff, b, bOff, dimension) + aCorr + bCorr;
  }

  @Override
  public float similarity(int a, int b) {
    byte[][] c = codes;
    float[][] k = corrections;
    return score(
        c[a >>> chunkShift],
        (a & chunkMask) * dimension,
        k[a >>> chunkShift][a & chunkMask],
        c[b >>> chunkShift],
        (b & chunkMask) * dimension,
        k[b >>> chunkShift][b & chunkMask]);
  }

  @Override
  public VectorScorer scorer(float[] query) {
    byte[] q = new byte[dimension];
    float corr = encode(query, q, 0);
    return ordinal -> {
      byte[][] c = codes;
      return score(
          q,
          0,
          corr,
          c[ordinal >>> chunkShift],
          (ordinal & chunkMask) * dimension,
          corrections[ordinal >>> chunkShift][ordinal & chunkMask]);
    };
  }

  @Override
  public VectorScorer scorer(int ordinal) {
    return other -> similarity(ordinal, other);
  }
}
