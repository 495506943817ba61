package dev.byhand.vector;

/**
 * The distance kernels every index scores with. Kernels do not check their arguments: callers
 * (the indexes) check dimensions once, at their public boundary.
 */
public interface VectorOps {

  /** Σ a[aOff+i]·b[bOff+i] for i in [0, length). */
  float dot(float[] a, int aOff, float[] b, int bOff, int length);

  /** Σ (a[aOff+i] − b[bOff+i])² for i in [0, length). */
  float squaredDistance(float[] a, int aOff, float[] b, int bOff, int length);

  /** The implementation chosen for this process. */
  static VectorOps get() {
    return PlainVectorOps.INSTANCE;
  }
}
