package dev.byhand.vector;

/**
 * The distance kernels every index scores with: float dot product and squared distance, their int8
 * forms for scalar-quantised codes, and Hamming distance for binary codes. Kernels do not check
 * their arguments: callers (the indexes) check dimensions once, at their public boundary.
 *
 * <p>Two implementations exist: plain Java and one on {@code jdk.incubator.vector} (Panama), used
 * when the JVM was started with {@code --add-modules jdk.incubator.vector}. {@link #get()} returns
 * the one chosen once for this process; {@link #plain()} always returns the plain one.
 */
public interface VectorOps {

  /** Σ a[aOff+i]·b[bOff+i] for i in [0, length). */
  float dot(float[] a, int aOff, float[] b, int bOff, int length);

  /** Σ (a[aOff+i] − b[bOff+i])² for i in [0, length). */
  float squaredDistance(float[] a, int aOff, float[] b, int bOff, int length);

  /** Rows in one panel of {@link #panelScores}. */
  int PANEL_ROWS = 16;

  /**
   * One step of the exact scan's blocked matrix product (seed step [10]): the scores of {@code
   * queries} queries (1 to 6, stored one after another, {@code length} floats each from {@code q0})
   * against {@code panelCount} panels of {@link #PANEL_ROWS} rows each. A panel holds its rows
   * interleaved, element by element (element {@code k} of row {@code r} of panel {@code p} at
   * {@code p0 + p·16·length + 16·k + r}), so one vector load reads one element of 16 rows and a
   * query element is broadcast against it: no per-pair reduction, as in a BLAS kernel.
   *
   * <p>{@code out[i · panelCount · 16 + r]} is the score of query {@code i} and row {@code r}: the
   * dot product, or the squared distance when {@code l2}. Each score is summed in element order,
   * one multiply-add an element, whatever the number of queries or panels, so a batch of queries
   * ranks exactly as the same queries one by one.
   */
  default void panelScores(
      float[] q,
      int q0,
      int queries,
      int length,
      float[] panels,
      int p0,
      int panelCount,
      boolean l2,
      float[] out) {
    int rows = panelCount * PANEL_ROWS;
    for (int i = 0; i < queries; i++) {
      int qi = q0 + i * length;
      for (int r = 0; r < rows; r++) {
        int e = p0 + (r / PANEL_ROWS) * PANEL_ROWS * length + r % PANEL_ROWS;
        float s = 0;
        for (int k = 0; k < length; k++, e += PANEL_ROWS) {
          float x = q[qi + k], y = panels[e];
          s += l2 ? (y - x) * (y - x) : x * y;
        }
        out[i * rows + r] = s;
      }
    }
  }

  /** Σ a[aOff+i]·b[bOff+i] over signed bytes, for i in [0, length); exact in int arithmetic. */
  int dotInt8(byte[] a, int aOff, byte[] b, int bOff, int length);

  /** Σ (a[aOff+i] − b[bOff+i])² over signed bytes, for i in [0, length); exact. */
  int squaredDistanceInt8(byte[] a, int aOff, byte[] b, int bOff, int length);

  /** Number of differing bits between {@code words} 64-bit words of a and b. */
  int hamming(long[] a, int aOff, long[] b, int bOff, int words);

  /** A short name for logs: {@code plain} or {@code panama-<bits>}. */
  String name();

  /** The implementation chosen for this process (Panama when available, otherwise plain). */
  static VectorOps get() {
    return VectorOpsHolder.INSTANCE;
  }

  /** The plain-Java implementation, whatever the process chose. */
  static VectorOps plain() {
    return PlainVectorOps.INSTANCE;
  }
}
