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
   * Widest vectors used, in bits (system property {@code byhand.vector.maxBits}, default 256). On
   * the AVX-512 machine this was measured on, 256-bit kernels searched HNSW 13 % faster than
   * 512-bit ones (10,100 against 8,900 queries/s, 100k × 128): rows of a Java float[] start 16
   * bytes into a cache line, so every 64-byte load splits across two lines, and wide units clock
   * lower.
   */
  static final int MAX_BITS = Integer.getInteger("byhand.vector.maxBits", 256);

  private static final VectorSpecies<Float> FLOATS =
      capped(FloatVector.SPECIES_PREFERRED, float.class);
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

  /**
   * Six queries against 16-row panels, one 6 × 16 tile of scores a panel: twelve accumulators with
   * 8 lanes, two panel loads and six broadcast query elements a step for twelve multiply-adds, and
   * no lane reductions (a lane is a row). One query goes four panels at a time (eight independent
   * accumulators keep the multiply-add units busy), then one. Every score is a single multiply-add
   * chain in element order, the same in every kernel here.
   */
  @Override
  public void panelScores(
      float[] q,
      int q0,
      int queries,
      int length,
      float[] panels,
      int p0,
      int panelCount,
      boolean l2,
      float[] out) {
    if (F != 8) {
      VectorOps.super.panelScores(q, q0, queries, length, panels, p0, panelCount, l2, out);
      return;
    }
    int stride = PANEL_ROWS * length;
    int rows = panelCount * PANEL_ROWS;
    if (queries == 6) {
      for (int p = 0; p < panelCount; p++) {
        if (l2) {
          l2Six(q, q0, length, panels, p0 + p * stride, out, p * PANEL_ROWS, rows);
        } else {
          dotSix(q, q0, length, panels, p0 + p * stride, out, p * PANEL_ROWS, rows);
        }
      }
      return;
    }
    for (int i = 0; i < queries; i++) {
      int qi = q0 + i * length;
      int o = i * rows;
      int p = 0;
      for (; p + 4 <= panelCount; p += 4) {
        oneFour(q, qi, length, panels, p0 + p * stride, l2, out, o + p * PANEL_ROWS);
      }
      for (; p < panelCount; p++) {
        oneOne(q, qi, length, panels, p0 + p * stride, l2, out, o + p * PANEL_ROWS);
      }
    }
  }

  private static void dotSix(
      float[] q, int q0, int d, float[] p, int p0, float[] out, int o, int rows) {
    FloatVector c00 = FloatVector.zero(FLOATS),
        c01 = FloatVector.zero(FLOATS),
        c10 = FloatVector.zero(FLOATS),
        c11 = FloatVector.zero(FLOATS);
    FloatVector c20 = FloatVector.zero(FLOATS),
        c21 = FloatVector.zero(FLOATS),
        c30 = FloatVector.zero(FLOATS),
        c31 = FloatVector.zero(FLOATS);
    FloatVector c40 = FloatVector.zero(FLOATS),
        c41 = FloatVector.zero(FLOATS),
        c50 = FloatVector.zero(FLOATS),
        c51 = FloatVector.zero(FLOATS);
    int q1 = q0 + d, q2 = q1 + d, q3 = q2 + d, q4 = q3 + d, q5 = q4 + d;
    for (int k = 0, e = p0; k < d; k++, e += PANEL_ROWS) {
      FloatVector y0 = load(p, e);
      FloatVector y1 = load(p, e + 8);
      FloatVector x = FloatVector.broadcast(FLOATS, q[q0 + k]);
      c00 = x.fma(y0, c00);
      c01 = x.fma(y1, c01);
      x = FloatVector.broadcast(FLOATS, q[q1 + k]);
      c10 = x.fma(y0, c10);
      c11 = x.fma(y1, c11);
      x = FloatVector.broadcast(FLOATS, q[q2 + k]);
      c20 = x.fma(y0, c20);
      c21 = x.fma(y1, c21);
      x = FloatVector.broadcast(FLOATS, q[q3 + k]);
      c30 = x.fma(y0, c30);
      c31 = x.fma(y1, c31);
      x = FloatVector.broadcast(FLOATS, q[q4 + k]);
      c40 = x.fma(y0, c40);
      c41 = x.fma(y1, c41);
      x = FloatVector.broadcast(FLOATS, q[q5 + k]);
      c50 = x.fma(y0, c50);
      c51 = x.fma(y1, c51);
    }
    storeSix(out, o, rows, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
  }

  private static void l2Six(
      float[] q, int q0, int d, float[] p, int p0, float[] out, int o, int rows) {
    FloatVector c00 = FloatVector.zero(FLOATS),
        c01 = FloatVector.zero(FLOATS),
        c10 = FloatVector.zero(FLOATS),
        c11 = FloatVector.zero(FLOATS);
    FloatVector c20 = FloatVector.zero(FLOATS),
        c21 = FloatVector.zero(FLOATS),
        c30 = FloatVector.zero(FLOATS),
        c31 = FloatVector.zero(FLOATS);
    FloatVector c40 = FloatVector.zero(FLOATS),
        c41 = FloatVector.zero(FLOATS),
        c50 = FloatVector.zero(FLOATS),
        c51 = FloatVector.zero(FLOATS);
    int q1 = q0 + d, q2 = q1 + d, q3 = q2 + d, q4 = q3 + d, q5 = q4 + d;
    for (int k = 0, e = p0; k < d; k++, e += PANEL_ROWS) {
      FloatVector y0 = load(p, e);
      FloatVector y1 = load(p, e + 8);
      FloatVector x = FloatVector.broadcast(FLOATS, q[q0 + k]);
      FloatVector u = y0.sub(x), v = y1.sub(x);
      c00 = u.fma(u, c00);
      c01 = v.fma(v, c01);
      x = FloatVector.broadcast(FLOATS, q[q1 + k]);
      u = y0.sub(x);
      v = y1.sub(x);
      c10 = u.fma(u, c10);
      c11 = v.fma(v, c11);
      x = FloatVector.broadcast(FLOATS, q[q2 + k]);
      u = y0.sub(x);
      v = y1.sub(x);
      c20 = u.fma(u, c20);
      c21 = v.fma(v, c21);
      x = FloatVector.broadcast(FLOATS, q[q3 + k]);
      u = y0.sub(x);
      v = y1.sub(x);
      c30 = u.fma(u, c30);
      c31 = v.fma(v, c31);
      x = FloatVector.broadcast(FLOATS, q[q4 + k]);
      u = y0.sub(x);
      v = y1.sub(x);
      c40 = u.fma(u, c40);
      c41 = v.fma(v, c41);
      x = FloatVector.broadcast(FLOATS, q[q5 + k]);
      u = y0.sub(x);
      v = y1.sub(x);
      c50 = u.fma(u, c50);
      c51 = v.fma(v, c51);
    }
    storeSix(out, o, rows, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
  }

  /** Writes a 6 × 16 tile of scores: query i's 16 rows at {@code o + i·rows}. */
  private static void storeSix(
      float[] out,
      int o,
      int rows,
      FloatVector c00,
      FloatVector c01,
      FloatVector c10,
      FloatVector c11,
      FloatVector c20,
      FloatVector c21,
      FloatVector c30,
      FloatVector c31,
      FloatVector c40,
      FloatVector c41,
      FloatVector c50,
      FloatVector c51) {
    c00.intoArray(out, o);
    c01.intoArray(out, o + 8);
    c10.intoArray(out, o + rows);
    c11.intoArray(out, o + rows + 8);
    c20.intoArray(out, o + 2 * rows);
    c21.intoArray(out, o + 2 * rows + 8);
    c30.intoArray(out, o + 3 * rows);
    c31.intoArray(out, o + 3 * rows + 8);
    c40.intoArray(out, o + 4 * rows);
    c41.intoArray(out, o + 4 * rows + 8);
    c50.intoArray(out, o + 5 * rows);
    c51.intoArray(out, o + 5 * rows + 8);
  }

  /** One query, four panels (64 rows). */
  private static void oneFour(
      float[] q, int q0, int d, float[] p, int p0, boolean l2, float[] out, int o) {
    int s = PANEL_ROWS * d;
    FloatVector c0 = FloatVector.zero(FLOATS),
        c1 = FloatVector.zero(FLOATS),
        c2 = FloatVector.zero(FLOATS),
        c3 = FloatVector.zero(FLOATS);
    FloatVector c4 = FloatVector.zero(FLOATS),
        c5 = FloatVector.zero(FLOATS),
        c6 = FloatVector.zero(FLOATS),
        c7 = FloatVector.zero(FLOATS);
    for (int k = 0, e = p0; k < d; k++, e += PANEL_ROWS) {
      FloatVector x = FloatVector.broadcast(FLOATS, q[q0 + k]);
      FloatVector y0 = load(p, e),
          y1 = load(p, e + 8),
          y2 = load(p, e + s),
          y3 = load(p, e + s + 8);
      FloatVector y4 = load(p, e + 2 * s),
          y5 = load(p, e + 2 * s + 8),
          y6 = load(p, e + 3 * s),
          y7 = load(p, e + 3 * s + 8);
      if (l2) {
        y0 = y0.sub(x);
        y1 = y1.sub(x);
        y2 = y2.sub(x);
        y3 = y3.sub(x);
        y4 = y4.sub(x);
        y5 = y5.sub(x);
        y6 = y6.sub(x);
        y7 = y7.sub(x);
        c0 = y0.fma(y0, c0);
        c1 = y1.fma(y1, c1);
        c2 = y2.fma(y2, c2);
        c3 = y3.fma(y3, c3);
        c4 = y4.fma(y4, c4);
        c5 = y5.fma(y5, c5);
        c6 = y6.fma(y6, c6);
        c7 = y7.fma(y7, c7);
      } else {
        c0 = x.fma(y0, c0);
        c1 = x.fma(y1, c1);
        c2 = x.fma(y2, c2);
        c3 = x.fma(y3, c3);
        c4 = x.fma(y4, c4);
        c5 = x.fma(y5, c5);
        c6 = x.fma(y6, c6);
        c7 = x.fma(y7, c7);
      }
    }
    c0.intoArray(out, o);
    c1.intoArray(out, o + 8);
    c2.intoArray(out, o + 16);
    c3.intoArray(out, o + 24);
    c4.intoArray(out, o + 32);
    c5.intoArray(out, o + 40);
    c6.intoArray(out, o + 48);
    c7.intoArray(out, o + 56);
  }

  /** One query, one panel. */
  private static void oneOne(
      float[] q, int q0, int d, float[] p, int p0, boolean l2, float[] out, int o) {
    FloatVector c0 = FloatVector.zero(FLOATS), c1 = FloatVector.zero(FLOATS);
    for (int k = 0, e = p0; k < d; k++, e += PANEL_ROWS) {
      FloatVector x = FloatVector.broadcast(FLOATS, q[q0 + k]);
      FloatVector y0 = load(p, e), y1 = load(p, e + 8);
      if (l2) {
        y0 = y0.sub(x);
        y1 = y1.sub(x);
        c0 = y0.fma(y0, c0);
        c1 = y1.fma(y1, c1);
      } else {
        c0 = x.fma(y0, c0);
        c1 = x.fma(y1, c1);
      }
    }
    c0.intoArray(out, o);
    c1.intoArray(out, o + 8);
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
