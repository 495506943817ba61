package dev.byhand.vector;

/**
 * Plain-Java kernels. Four independent accumulators let the JIT keep four multiply-adds in flight
 * instead of waiting on one running sum.
 */
final class PlainVectorOps implements VectorOps {

  static final PlainVectorOps INSTANCE = new PlainVectorOps();

  private PlainVectorOps() {}

  @Override
  public String name() {
    return "plain";
  }

  @Override
  public float dot(float[] a, int aOff, float[] b, int bOff, int length) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (int bound = length & ~3; i < bound; i += 4) {
      s0 += a[aOff + i] * b[bOff + i];
      s1 += a[aOff + i + 1] * b[bOff + i + 1];
      s2 += a[aOff + i + 2] * b[bOff + i + 2];
      s3 += a[aOff + i + 3] * b[bOff + i + 3];
    }
    for (; i < length; i++) {
      s0 += a[aOff + i] * b[bOff + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public float squaredDistance(float[] a, int aOff, float[] b, int bOff, int length) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (int bound = length & ~3; i < bound; i += 4) {
      float d0 = a[aOff + i] - b[bOff + i];
      float d1 = a[aOff + i + 1] - b[bOff + i + 1];
      float d2 = a[aOff + i + 2] - b[bOff + i + 2];
      float d3 = a[aOff + i + 3] - b[bOff + i + 3];
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    for (; i < length; i++) {
      float d = a[aOff + i] - b[bOff + i];
      s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public int dotInt8(byte[] a, int aOff, byte[] b, int bOff, int length) {
    int s0 = 0, s1 = 0;
    int i = 0;
    for (int bound = length & ~1; i < bound; i += 2) {
      s0 += a[aOff + i] * b[bOff + i];
      s1 += a[aOff + i + 1] * b[bOff + i + 1];
    }
    if (i < length) {
      s0 += a[aOff + i] * b[bOff + i];
    }
    return s0 + s1;
  }

  @Override
  public int squaredDistanceInt8(byte[] a, int aOff, byte[] b, int bOff, int length) {
    int s = 0;
    for (int i = 0; i < length; i++) {
      int d = a[aOff + i] - b[bOff + i];
      s += d * d;
    }
    return s;
  }

  @Override
  public int hamming(long[] a, int aOff, long[] b, int bOff, int words) {
    int s = 0;
    for (int i = 0; i < words; i++) {
      s += Long.bitCount(a[aOff + i] ^ b[bOff + i]);
    }
    return s;
  }
}
