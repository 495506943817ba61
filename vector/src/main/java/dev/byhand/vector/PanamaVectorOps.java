package dev.byhand.vector;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on {@code jdk.incubator.vector}, at the platform's preferred vector width. Loaded only by
 * {@link VectorOpsHolder} after it checked that the incubator module is readable, so the rest of
 * the module never links against it.
 *
 * <p>Shape of every float kernel (as Lucene's {@code dotProductBody}): vectorise only above two
 * vector lengths, four independent accumulators, then a one-vector tail, a scalar tail, and one
 * {@code reduceLanes} at the end. Int8 kernels widen bytes to int lanes, so sums are exact.
 */
final class PanamaVectorOps implements VectorOps {

  /**
   * Widest vectors used, in bits (system property {@code byhand.vector.maxBits}, default 256).
   * On the AVX-512 machine this was measured on, 256-bit kernels searched HNSW 13 % faster than
   * 512-bit ones (10,100 against 8,900 queries/s, 100k × 128): rows of a Java float[] start 16
   * bytes into a cache line, so every 64-byte load splits across two lines, and wide units clock
   * lower.
   */
  static final int MAX_BITS = Integer.getInteger("byhand.vector.maxBits", 256);

  private static final VectorSpecies<Float> FLOATS = capped(FloatVector.SPECIES_PREFERRED, float.class);
  private static final int F = FLOATS.length();
  private static final VectorSpecies<Integer> INTS = capped(IntVector.SPECIES_PREFERRED, int.class);
  /** As many bytes as there are int lanes, so one byte load widens into one int vector. */
  private static final VectorSpecies<Byte> BYTES =
      VectorSpecies.of(byte.class, VectorShape.forBitSize(INTS.length() * Byte.SIZE));
  private static final int B = BYTES.length();

  PanamaVectorOps() {}

  private static <E> VectorSpecies<E> capped(VectorSpecies<E> preferred, Class<E> type) {
    if (preferred.vectorBitSize() <= MAX_BITS) {
      return preferred;
    }
    return VectorSpecies.of(type, VectorShape.forBitSize(Math.max(128, MAX_BITS)));
  }

  /** Whether the preferred shape is wide enough to beat plain Java (at least 4 floats, 8 bytes). */
  static boolean usable() {
    return F >= 4 && INTS.length() >= 8;
  }

  @Override
  public String name() {
    return "panama-" + FLOATS.vectorBitSize();
  }

  @Override
  public float dot(float[] a, int aOff, float[] b, int bOff, int length) {
    int i = 0;
    float sum = 0;
    if (length >= 2 * F) {
      FloatVector acc0 = FloatVector.zero(FLOATS);
      FloatVector acc1 = FloatVector.zero(FLOATS);
      FloatVector acc2 = FloatVector.zero(FLOATS);
      FloatVector acc3 = FloatVector.zero(FLOATS);
      for (int bound = length - 4 * F; i <= bound; i += 4 * F) {
        acc0 = load(a, aOff + i).fma(load(b, bOff + i), acc0);
        acc1 = load(a, aOff + i + F).fma(load(b, bOff + i + F), acc1);
        acc2 = load(a, aOff + i + 2 * F).fma(load(b, bOff + i + 2 * F), acc2);
        acc3 = load(a, aOff + i + 3 * F).fma(load(b, bOff + i + 3 * F), acc3);
      }
      for (int bound = length - F; i <= bound; i += F) {
        acc0 = load(a, aOff + i).fma(load(b, bOff + i), acc0);
      }
      sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
    }
    for (; i < length; i++) {
      sum += a[aOff + i] * b[bOff + i];
    }
    return sum;
  }

  @Override
  public float squaredDistance(float[] a, int aOff, float[] b, int bOff, int length) {
    int i = 0;
    float sum = 0;
    if (length >= 2 * F) {
      FloatVector acc0 = FloatVector.zero(FLOATS);
      FloatVector acc1 = FloatVector.zero(FLOATS);
      FloatVector acc2 = FloatVector.zero(FLOATS);
      FloatVector acc3 = FloatVector.zero(FLOATS);
      for (int bound = length - 4 * F; i <= bound; i += 4 * F) {
        FloatVector d0 = load(a, aOff + i).sub(load(b, bOff + i));
        FloatVector d1 = load(a, aOff + i + F).sub(load(b, bOff + i + F));
        FloatVector d2 = load(a, aOff + i + 2 * F).sub(load(b, bOff + i + 2 * F));
        FloatVector d3 = load(a, aOff + i + 3 * F).sub(load(b, bOff + i + 3 * F));
        acc0 = d0.fma(d0, acc0);
        acc1 = d1.fma(d1, acc1);
        acc2 = d2.fma(d2, acc2);
        acc3 = d3.fma(d3, acc3);
      }
      for (int bound = length - F; i <= bound; i += F) {
        FloatVector d = load(a, aOff + i).sub(load(b, bOff + i));
        acc0 = d.fma(d, acc0);
      }
      sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
    }
    for (; i < length; i++) {
      float d = a[aOff + i] - b[bOff + i];
      sum += d * d;
    }
    return sum;
  }

  @Override
  public void dot4(
      float[] a, int aOff, float[] b, int b0, int b1, int b2, int b3, int length, float[] out) {
    if (length < 2 * F) {
      VectorOps.super.dot4(a, aOff, b, b0, b1, b2, b3, length, out);
      return;
    }
    FloatVector acc0 = FloatVector.zero(FLOATS);
    FloatVector acc1 = FloatVector.zero(FLOATS);
    FloatVector acc2 = FloatVector.zero(FLOATS);
    FloatVector acc3 = FloatVector.zero(FLOATS);
    int i = 0;
    for (int bound = length - F; i <= bound; i += F) {
      FloatVector x = load(a, aOff + i);
      acc0 = x.fma(load(b, b0 + i), acc0);
      acc1 = x.fma(load(b, b1 + i), acc1);
      acc2 = x.fma(load(b, b2 + i), acc2);
      acc3 = x.fma(load(b, b3 + i), acc3);
    }
    float s0 = acc0.reduceLanes(VectorOperators.ADD);
    float s1 = acc1.reduceLanes(VectorOperators.ADD);
    float s2 = acc2.reduceLanes(VectorOperators.ADD);
    float s3 = acc3.reduceLanes(VectorOperators.ADD);
    for (; i < length; i++) {
      float x = a[aOff + i];
      s0 += x * b[b0 + i];
      s1 += x * b[b1 + i];
      s2 += x * b[b2 + i];
      s3 += x * b[b3 + i];
    }
    out[0] = s0;
    out[1] = s1;
    out[2] = s2;
    out[3] = s3;
  }

  @Override
  public void squaredDistance4(
      float[] a, int aOff, float[] b, int b0, int b1, int b2, int b3, int length, float[] out) {
    if (length < 2 * F) {
      VectorOps.super.squaredDistance4(a, aOff, b, b0, b1, b2, b3, length, out);
      return;
    }
    FloatVector acc0 = FloatVector.zero(FLOATS);
    FloatVector acc1 = FloatVector.zero(FLOATS);
    FloatVector acc2 = FloatVector.zero(FLOATS);
    FloatVector acc3 = FloatVector.zero(FLOATS);
    int i = 0;
    for (int bound = length - F; i <= bound; i += F) {
      FloatVector x = load(a, aOff + i);
      FloatVector d0 = x.sub(load(b, b0 + i));
      FloatVector d1 = x.sub(load(b, b1 + i));
      FloatVector d2 = x.sub(load(b, b2 + i));
      FloatVector d3 = x.sub(load(b, b3 + i));
      acc0 = d0.fma(d0, acc0);
      acc1 = d1.fma(d1, acc1);
      acc2 = d2.fma(d2, acc2);
      acc3 = d3.fma(d3, acc3);
    }
    float s0 = acc0.reduceLanes(VectorOperators.ADD);
    float s1 = acc1.reduceLanes(VectorOperators.ADD);
    float s2 = acc2.reduceLanes(VectorOperators.ADD);
    float s3 = acc3.reduceLanes(VectorOperators.ADD);
    for (; i < length; i++) {
      float x = a[aOff + i];
      float d0 = x - b[b0 + i];
      float d1 = x - b[b1 + i];
      float d2 = x - b[b2 + i];
      float d3 = x - b[b3 + i];
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    out[0] = s0;
    out[1] = s1;
    out[2] = s2;
    out[3] = s3;
  }

  /**
   * Sixteen accumulators, one per (query, row) pair, each updated exactly as in {@link #dot4}
   * (same lanes, same order, same reduction and tail), so every result equals dot4's bit for bit;
   * eight loads feed sixteen multiply-adds instead of five loads feeding four.
   */
  @Override
  public void dot4x4(float[] a, int a0, float[] b, int b0, int length, float[] out) {
    if (length < 2 * F) {
      VectorOps.super.dot4x4(a, a0, b, b0, length, out);
      return;
    }
    int a1 = a0 + length, a2 = a1 + length, a3 = a2 + length;
    int b1 = b0 + length, b2 = b1 + length, b3 = b2 + length;
    FloatVector c00 = FloatVector.zero(FLOATS), c01 = FloatVector.zero(FLOATS), c02 = FloatVector.zero(FLOATS), c03 = FloatVector.zero(FLOATS);
    FloatVector c10 = FloatVector.zero(FLOATS), c11 = FloatVector.zero(FLOATS), c12 = FloatVector.zero(FLOATS), c13 = FloatVector.zero(FLOATS);
    FloatVector c20 = FloatVector.zero(FLOATS), c21 = FloatVector.zero(FLOATS), c22 = FloatVector.zero(FLOATS), c23 = FloatVector.zero(FLOATS);
    FloatVector c30 = FloatVector.zero(FLOATS), c31 = FloatVector.zero(FLOATS), c32 = FloatVector.zero(FLOATS), c33 = FloatVector.zero(FLOATS);
    int k = 0;
    for (int bound = length - F; k <= bound; k += F) {
      FloatVector y0 = load(b, b0 + k);
      FloatVector y1 = load(b, b1 + k);
      FloatVector y2 = load(b, b2 + k);
      FloatVector y3 = load(b, b3 + k);
      FloatVector x0 = load(a, a0 + k);
      c00 = x0.fma(y0, c00);
      c01 = x0.fma(y1, c01);
      c02 = x0.fma(y2, c02);
      c03 = x0.fma(y3, c03);
      FloatVector x1 = load(a, a1 + k);
      c10 = x1.fma(y0, c10);
      c11 = x1.fma(y1, c11);
      c12 = x1.fma(y2, c12);
      c13 = x1.fma(y3, c13);
      FloatVector x2 = load(a, a2 + k);
      c20 = x2.fma(y0, c20);
      c21 = x2.fma(y1, c21);
      c22 = x2.fma(y2, c22);
      c23 = x2.fma(y3, c23);
      FloatVector x3 = load(a, a3 + k);
      c30 = x3.fma(y0, c30);
      c31 = x3.fma(y1, c31);
      c32 = x3.fma(y2, c32);
      c33 = x3.fma(y3, c33);
    }
    float s00 = c00.reduceLanes(VectorOperators.ADD);
    float s01 = c01.reduceLanes(VectorOperators.ADD);
    float s02 = c02.reduceLanes(VectorOperators.ADD);
    float s03 = c03.reduceLanes(VectorOperators.ADD);
    float s10 = c10.reduceLanes(VectorOperators.ADD);
    float s11 = c11.reduceLanes(VectorOperators.ADD);
    float s12 = c12.reduceLanes(VectorOperators.ADD);
    float s13 = c13.reduceLanes(VectorOperators.ADD);
    float s20 = c20.reduceLanes(VectorOperators.ADD);
    float s21 = c21.reduceLanes(VectorOperators.ADD);
    float s22 = c22.reduceLanes(VectorOperators.ADD);
    float s23 = c23.reduceLanes(VectorOperators.ADD);
    float s30 = c30.reduceLanes(VectorOperators.ADD);
    float s31 = c31.reduceLanes(VectorOperators.ADD);
    float s32 = c32.reduceLanes(VectorOperators.ADD);
    float s33 = c33.reduceLanes(VectorOperators.ADD);
    for (; k < length; k++) {
      float x0 = a[a0 + k];
      float x1 = a[a1 + k];
      float x2 = a[a2 + k];
      float x3 = a[a3 + k];
      s00 += x0 * b[b0 + k];
      s01 += x0 * b[b1 + k];
      s02 += x0 * b[b2 + k];
      s03 += x0 * b[b3 + k];
      s10 += x1 * b[b0 + k];
      s11 += x1 * b[b1 + k];
      s12 += x1 * b[b2 + k];
      s13 += x1 * b[b3 + k];
      s20 += x2 * b[b0 + k];
      s21 += x2 * b[b1 + k];
      s22 += x2 * b[b2 + k];
      s23 += x2 * b[b3 + k];
      s30 += x3 * b[b0 + k];
      s31 += x3 * b[b1 + k];
      s32 += x3 * b[b2 + k];
      s33 += x3 * b[b3 + k];
    }
    out[0] = s00;
    out[1] = s01;
    out[2] = s02;
    out[3] = s03;
    out[4] = s10;
    out[5] = s11;
    out[6] = s12;
    out[7] = s13;
    out[8] = s20;
    out[9] = s21;
    out[10] = s22;
    out[11] = s23;
    out[12] = s30;
    out[13] = s31;
    out[14] = s32;
    out[15] = s33;
  }

  /** As {@link #dot4x4}, bit for bit {@link #squaredDistance4}. */
  @Override
  public void squaredDistance4x4(float[] a, int a0, float[] b, int b0, int length, float[] out) {
    if (length < 2 * F) {
      VectorOps.super.squaredDistance4x4(a, a0, b, b0, length, out);
      return;
    }
    int a1 = a0 + length, a2 = a1 + length, a3 = a2 + length;
    int b1 = b0 + length, b2 = b1 + length, b3 = b2 + length;
    FloatVector c00 = FloatVector.zero(FLOATS), c01 = FloatVector.zero(FLOATS), c02 = FloatVector.zero(FLOATS), c03 = FloatVector.zero(FLOATS);
    FloatVector c10 = FloatVector.zero(FLOATS), c11 = FloatVector.zero(FLOATS), c12 = FloatVector.zero(FLOATS), c13 = FloatVector.zero(FLOATS);
    FloatVector c20 = FloatVector.zero(FLOATS), c21 = FloatVector.zero(FLOATS), c22 = FloatVector.zero(FLOATS), c23 = FloatVector.zero(FLOATS);
    FloatVector c30 = FloatVector.zero(FLOATS), c31 = FloatVector.zero(FLOATS), c32 = FloatVector.zero(FLOATS), c33 = FloatVector.zero(FLOATS);
    int k = 0;
    for (int bound = length - F; k <= bound; k += F) {
      FloatVector y0 = load(b, b0 + k);
      FloatVector y1 = load(b, b1 + k);
      FloatVector y2 = load(b, b2 + k);
      FloatVector y3 = load(b, b3 + k);
      FloatVector x0 = load(a, a0 + k);
      FloatVector d00 = x0.sub(y0);
      c00 = d00.fma(d00, c00);
      FloatVector d01 = x0.sub(y1);
      c01 = d01.fma(d01, c01);
      FloatVector d02 = x0.sub(y2);
      c02 = d02.fma(d02, c02);
      FloatVector d03 = x0.sub(y3);
      c03 = d03.fma(d03, c03);
      FloatVector x1 = load(a, a1 + k);
      FloatVector d10 = x1.sub(y0);
      c10 = d10.fma(d10, c10);
      FloatVector d11 = x1.sub(y1);
      c11 = d11.fma(d11, c11);
      FloatVector d12 = x1.sub(y2);
      c12 = d12.fma(d12, c12);
      FloatVector d13 = x1.sub(y3);
      c13 = d13.fma(d13, c13);
      FloatVector x2 = load(a, a2 + k);
      FloatVector d20 = x2.sub(y0);
      c20 = d20.fma(d20, c20);
      FloatVector d21 = x2.sub(y1);
      c21 = d21.fma(d21, c21);
      FloatVector d22 = x2.sub(y2);
      c22 = d22.fma(d22, c22);
      FloatVector d23 = x2.sub(y3);
      c23 = d23.fma(d23, c23);
      FloatVector x3 = load(a, a3 + k);
      FloatVector d30 = x3.sub(y0);
      c30 = d30.fma(d30, c30);
      FloatVector d31 = x3.sub(y1);
      c31 = d31.fma(d31, c31);
      FloatVector d32 = x3.sub(y2);
      c32 = d32.fma(d32, c32);
      FloatVector d33 = x3.sub(y3);
      c33 = d33.fma(d33, c33);
    }
    float s00 = c00.reduceLanes(VectorOperators.ADD);
    float s01 = c01.reduceLanes(VectorOperators.ADD);
    float s02 = c02.reduceLanes(VectorOperators.ADD);
    float s03 = c03.reduceLanes(VectorOperators.ADD);
    float s10 = c10.reduceLanes(VectorOperators.ADD);
    float s11 = c11.reduceLanes(VectorOperators.ADD);
    float s12 = c12.reduceLanes(VectorOperators.ADD);
    float s13 = c13.reduceLanes(VectorOperators.ADD);
    float s20 = c20.reduceLanes(VectorOperators.ADD);
    float s21 = c21.reduceLanes(VectorOperators.ADD);
    float s22 = c22.reduceLanes(VectorOperators.ADD);
    float s23 = c23.reduceLanes(VectorOperators.ADD);
    float s30 = c30.reduceLanes(VectorOperators.ADD);
    float s31 = c31.reduceLanes(VectorOperators.ADD);
    float s32 = c32.reduceLanes(VectorOperators.ADD);
    float s33 = c33.reduceLanes(VectorOperators.ADD);
    for (; k < length; k++) {
      float x0 = a[a0 + k];
      float x1 = a[a1 + k];
      float x2 = a[a2 + k];
      float x3 = a[a3 + k];
      float e00 = x0 - b[b0 + k];
      s00 += e00 * e00;
      float e01 = x0 - b[b1 + k];
      s01 += e01 * e01;
      float e02 = x0 - b[b2 + k];
      s02 += e02 * e02;
      float e03 = x0 - b[b3 + k];
      s03 += e03 * e03;
      float e10 = x1 - b[b0 + k];
      s10 += e10 * e10;
      float e11 = x1 - b[b1 + k];
      s11 += e11 * e11;
      float e12 = x1 - b[b2 + k];
      s12 += e12 * e12;
      float e13 = x1 - b[b3 + k];
      s13 += e13 * e13;
      float e20 = x2 - b[b0 + k];
      s20 += e20 * e20;
      float e21 = x2 - b[b1 + k];
      s21 += e21 * e21;
      float e22 = x2 - b[b2 + k];
      s22 += e22 * e22;
      float e23 = x2 - b[b3 + k];
      s23 += e23 * e23;
      float e30 = x3 - b[b0 + k];
      s30 += e30 * e30;
      float e31 = x3 - b[b1 + k];
      s31 += e31 * e31;
      float e32 = x3 - b[b2 + k];
      s32 += e32 * e32;
      float e33 = x3 - b[b3 + k];
      s33 += e33 * e33;
    }
    out[0] = s00;
    out[1] = s01;
    out[2] = s02;
    out[3] = s03;
    out[4] = s10;
    out[5] = s11;
    out[6] = s12;
    out[7] = s13;
    out[8] = s20;
    out[9] = s21;
    out[10] = s22;
    out[11] = s23;
    out[12] = s30;
    out[13] = s31;
    out[14] = s32;
    out[15] = s33;
  }

  @Override
  public int dotInt8(byte[] a, int aOff, byte[] b, int bOff, int length) {
    int i = 0;
    int sum = 0;
    if (length >= 2 * B) {
      IntVector acc0 = IntVector.zero(INTS);
      IntVector acc1 = IntVector.zero(INTS);
      for (int bound = length - 2 * B; i <= bound; i += 2 * B) {
        acc0 = acc0.add(widen(a, aOff + i).mul(widen(b, bOff + i)));
        acc1 = acc1.add(widen(a, aOff + i + B).mul(widen(b, bOff + i + B)));
      }
      for (int bound = length - B; i <= bound; i += B) {
        acc0 = acc0.add(widen(a, aOff + i).mul(widen(b, bOff + i)));
      }
      sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }
    for (; i < length; i++) {
      sum += a[aOff + i] * b[bOff + i];
    }
    return sum;
  }

  @Override
  public int squaredDistanceInt8(byte[] a, int aOff, byte[] b, int bOff, int length) {
    int i = 0;
    int sum = 0;
    if (length >= 2 * B) {
      IntVector acc0 = IntVector.zero(INTS);
      IntVector acc1 = IntVector.zero(INTS);
      for (int bound = length - 2 * B; i <= bound; i += 2 * B) {
        IntVector d0 = widen(a, aOff + i).sub(widen(b, bOff + i));
        IntVector d1 = widen(a, aOff + i + B).sub(widen(b, bOff + i + B));
        acc0 = acc0.add(d0.mul(d0));
        acc1 = acc1.add(d1.mul(d1));
      }
      for (int bound = length - B; i <= bound; i += B) {
        IntVector d = widen(a, aOff + i).sub(widen(b, bOff + i));
        acc0 = acc0.add(d.mul(d));
      }
      sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }
    for (; i < length; i++) {
      int d = a[aOff + i] - b[bOff + i];
      sum += d * d;
    }
    return sum;
  }

  /**
   * Hamming distance stays scalar: {@code Long.bitCount} is already a POPCNT intrinsic, and the
   * lane-wise bit count operator arrived only after JDK 17.
   */
  @Override
  public int hamming(long[] a, int aOff, long[] b, int bOff, int words) {
    return PlainVectorOps.INSTANCE.hamming(a, aOff, b, bOff, words);
  }

  private static FloatVector load(float[] x, int offset) {
    return FloatVector.fromArray(FLOATS, x, offset);
  }

  private static IntVector widen(byte[] x, int offset) {
    return (IntVector) ByteVector.fromArray(BYTES, x, offset).castShape(INTS, 0);
  }
}
