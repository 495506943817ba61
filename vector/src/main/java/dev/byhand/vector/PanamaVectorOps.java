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
