package dev.byhand.vector;

/**
 * The distance kernels every index scores with: float dot product and squared distance, their
 * int8 forms for scalar-quantised codes, and Hamming distance for binary codes. Kernels do not
 * check their arguments: callers (the indexes) check dimensions once, at their public boundary.
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

  /**
   * Four dot products sharing one left operand: {@code out[j] = a·b[bOff_j ..]} for the four row
   * offsets {@code b0..b3}. Loading {@code a} once for four rows is the inner step of the exact
   * scan's blocked matrix product.
   */
  default void dot4(
      float[] a, int aOff, float[] b, int b0, int b1, int b2, int b3, int length, float[] out) {
    out[0] = dot(a, aOff, b, b0, length);
    out[1] = dot(a, aOff, b, b1, length);
    out[2] = dot(a, aOff, b, b2, length);
    out[3] = dot(a, aOff, b, b3, length);
  }

  /** Four squared distances sharing one left operand, as {@link #dot4}. */
  default void squaredDistance4(
      float[] a, int aOff, float[] b, int b0, int b1, int b2, int b3, int length, float[] out) {
    out[0] = squaredDistance(a, aOff, b, b0, length);
    out[1] = squaredDistance(a, aOff, b, b1, length);
    out[2] = squaredDistance(a, aOff, b, b2, length);
    out[3] = squaredDistance(a, aOff, b, b3, length);
  }

  /**
   * The 4 × 4 block of the matrix product: {@code out[4·i + j] = a_i · b_j}, where {@code a_i}
   * starts at {@code a0 + i·length} and {@code b_j} at {@code b0 + j·length}. Each of the 16
   * results is bit-for-bit the value {@link #dot4} gives for that pair, so a batch of queries
   * ranks exactly as the same queries one by one.
   */
  default void dot4x4(float[] a, int a0, float[] b, int b0, int length, float[] out) {
    float[] four = new float[4];
    for (int i = 0; i < 4; i++) {
      dot4(a, a0 + i * length, b, b0, b0 + length, b0 + 2 * length, b0 + 3 * length, length, four);
      System.arraycopy(four, 0, out, 4 * i, 4);
    }
  }

  /** The 4 × 4 block of squared distances, as {@link #dot4x4} (bit-for-bit {@link #squaredDistance4}). */
  default void squaredDistance4x4(float[] a, int a0, float[] b, int b0, int length, float[] out) {
    float[] four = new float[4];
    for (int i = 0; i < 4; i++) {
      squaredDistance4(
          a, a0 + i * length, b, b0, b0 + length, b0 + 2 * length, b0 + 3 * length, length, four);
      System.arraycopy(four, 0, out, 4 * i, 4);
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
