package dev.byhand.vector;

import java.util.Arrays;

/**
 * Binary quantisation: bit i of a vector is set when its value i is above the sample mean of
 * dimension i, packed 64 to a word. The score is minus the Hamming distance (larger is nearer),
 * which tracks the angle between the centred vectors; it is coarse, and meant to be followed by an
 * exact re-rank of several times more candidates than wanted.
 */
final class BinaryVectors implements AppendableVectors {

  private final int dimension;
  private final int words;
  final float[] mean;
  private final VectorOps ops = VectorOps.get();
  private volatile long[][] codes = new long[4][];
  private final int chunkShift;
  private final int chunkMask;
  private volatile int size;

  BinaryVectors(int dimension, float[] mean) {
    this.dimension = dimension;
    this.words = (dimension + 63) >>> 6;
    this.mean = mean;
    this.chunkShift = Vectors.chunkShift((long) words * Long.BYTES);
    this.chunkMask = (1 << chunkShift) - 1;
  }

  static BinaryVectors train(int dimension, Metric metric, float[][] prepared) {
    float[] mean = new float[dimension];
    for (float[] v : prepared) {
      for (int i = 0; i < dimension; i++) {
        mean[i] += v[i];
      }
    }
    for (int i = 0; i < dimension; i++) {
      mean[i] /= prepared.length;
    }
    return new BinaryVectors(dimension, mean);
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
    return (long) words * Long.BYTES;
  }

  void encode(float[] v, long[] out, int offset) {
    Arrays.fill(out, offset, offset + words, 0L);
    for (int i = 0; i < dimension; i++) {
      if (v[i] > mean[i]) {
        out[offset + (i >>> 6)] |= 1L << i;
      }
    }
  }

  @Override
  public int append(float[] prepared) {
    int ordinal = size;
    int chunk = ordinal >>> chunkShift;
    long[][] c = codes;
    if (chunk >= c.length) {
      c = Arrays.copyOf(c, c.length * 2);
    }
    if (c[chunk] == null) {
      c[chunk] = new long[(chunkMask + 1) * words];
    }
    encode(prepared, c[chunk], (ordinal & chunkMask) * words);
    codes = c;
    size = ordinal + 1;
    return ordinal;
  }

  @Override
  public float similarity(int a, int b) {
    long[][] c = codes;
    return -ops.hamming(
        c[a >>> chunkShift],
        (a & chunkMask) * words,
        c[b >>> chunkShift],
        (b & chunkMask) * words,
        words);
  }

  @Override
  public VectorScorer scorer(float[] query) {
    long[] q = new long[words];
    encode(query, q, 0);
    return ordinal ->
        -ops.hamming(q, 0, codes[ordinal >>> chunkShift], (ordinal & chunkMask) * words, words);
  }

  @Override
  public VectorScorer scorer(int ordinal) {
    return other -> similarity(ordinal, other);
  }
}
