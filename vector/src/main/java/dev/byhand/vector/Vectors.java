package dev.byhand.vector;

/** Argument checks and preparation shared by the indexes' public boundaries. */
final class Vectors {

  private Vectors() {}

  /**
   * Checks {@code v} and returns it ready to store or search: a normalised copy for {@link
   * Metric#COSINE}, the array itself otherwise. See {@link VectorCheck}.
   */
  static float[] prepare(float[] v, int dimension, Metric metric, String field) {
    return VectorCheck.prepare(v, dimension, metric, field);
  }

  /**
   * log2 of how many vectors of {@code bytesPerVector} fit a storage chunk of at most 256 KiB.
   * Chunks stay well under half a G1 region (1 MiB regions on small heaps): a larger array is
   * "humongous", takes whole regions, and wasted about half of each one (measured: 1,434 heap bytes
   * a 128-d vector with 2 MiB chunks, of which ~500 were waste).
   */
  static int chunkShift(long bytesPerVector) {
    int ceilLog2 = 64 - Long.numberOfLeadingZeros(Math.max(1, bytesPerVector) - 1);
    return Math.max(0, 18 - ceilLog2);
  }

  static void checkDimension(int dimension) {
    if (dimension < 1 || dimension > 65536) {
      throw new IllegalArgumentException("dimension: must be in [1, 65536], got " + dimension);
    }
  }

  static void checkMetric(Metric metric) {
    if (metric == null) {
      throw new IllegalArgumentException("metric: must be dot, cosine or l2, got null");
    }
  }
}
