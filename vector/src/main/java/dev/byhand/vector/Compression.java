package dev.byhand.vector;

import java.util.Arrays;

/**
 * How an index keeps the vectors its searches navigate with: full floats, or a compressed form
 * whose candidates are re-ranked against the full-precision vectors (the graph itself is built on
 * full precision). Choose one in {@link HnswIndex.Builder#compression}.
 *
 * <ul>
 *   <li>{@link #none()}: 4·d bytes a vector, exact scores;
 *   <li>{@link #int8}: scalar quantisation to one signed byte a dimension plus a 4-byte correction
 *       (d + 4 bytes), scored by integer kernels;
 *   <li>{@link #binary}: one bit a dimension, the sign after subtracting the mean (d/8 bytes
 *       rounded up to whole 64-bit words), scored by Hamming distance;
 *   <li>{@link #projection}: seed step [5], a random projection to r dimensions (4·r bytes).
 * </ul>
 */
public final class Compression {

  enum Kind {
    NONE,
    INT8,
    BINARY,
    PROJECTION
  }

  final Kind kind;
  private final float[][] sample;
  final Projection projection;

  private Compression(Kind kind, float[][] sample, Projection projection) {
    this.kind = kind;
    this.sample = sample;
    this.projection = projection;
  }

  /** Full-precision floats; no re-ranking needed. */
  public static Compression none() {
    return new Compression(Kind.NONE, null, null);
  }

  /**
   * Int8 scalar quantisation with its range learnt from {@code sample} (the 0.1 % and 99.9 %
   * quantiles of all values, so a few outliers do not waste the 255 levels).
   */
  public static Compression int8(float[][] sample) {
    return new Compression(Kind.INT8, checkSample(sample), null);
  }

  /** Binary quantisation around the per-dimension mean of {@code sample}. */
  public static Compression binary(float[][] sample) {
    return new Compression(Kind.BINARY, checkSample(sample), null);
  }

  /** Vectors projected by {@code projection} (seed step [5]), compared by the index's metric. */
  public static Compression projection(Projection projection) {
    if (projection == null) {
      throw new IllegalArgumentException("projection: must not be null");
    }
    return new Compression(Kind.PROJECTION, null, projection);
  }

  /** A compression read back from a file, its trained state held by the loaded store. */
  static Compression restored(Kind kind, Projection projection) {
    return new Compression(kind, null, projection);
  }

  private static float[][] checkSample(float[][] sample) {
    if (sample == null || sample.length == 0) {
      throw new IllegalArgumentException("sample: needs at least one vector");
    }
    return sample;
  }

  /** A short name for reports: none, int8, binary, projection-r. */
  public String name() {
    return kind == Kind.PROJECTION
        ? "projection-" + projection.outputDimension()
        : kind.name().toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public String toString() {
    return name();
  }

  /** The navigation store for vectors of {@code dimension} under {@code metric}, trained here. */
  AppendableVectors newStore(int dimension, Metric metric, FloatVectors full) {
    switch (kind) {
      case NONE:
        return full;
      case PROJECTION:
        if (projection.inputDimension() != dimension) {
          throw new IllegalArgumentException(
              "projection: input dimension "
                  + projection.inputDimension()
                  + " does not match the index dimension "
                  + dimension);
        }
        return new ProjectedVectors(dimension, metric, projection);
      default:
        float[][] prepared = new float[sample.length][];
        for (int i = 0; i < sample.length; i++) {
          prepared[i] = Vectors.prepare(sample[i], dimension, metric, "sample[" + i + "]");
        }
        return kind == Kind.INT8
            ? Int8Vectors.train(dimension, metric, prepared)
            : BinaryVectors.train(dimension, metric, prepared);
    }
  }

  /** The q-quantile of all values in {@code sample}, for q in [0, 1]. */
  static float quantile(float[][] sample, double q) {
    int d = sample[0].length;
    float[] all = new float[sample.length * d];
    for (int i = 0; i < sample.length; i++) {
      System.arraycopy(sample[i], 0, all, i * d, d);
    }
    Arrays.sort(all);
    return all[(int) Math.min(all.length - 1, Math.round(q * (all.length - 1)))];
  }
}
