package dev.byhand.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Panama kernels against the plain ones and against a double-precision reference, over odd
 * sizes and offsets. Surefire runs the suite twice (SIMD chosen, then plain forced); {@link
 * #chosenImplementationFollowsTheProperty} proves that the two runs really differ.
 */
class VectorOpsTest {

  private static final int[] SIZES = {1, 3, 13, 31, 384, 1021, 1536};
  private static final long SEED = 0x5EED_0001L;

  private final VectorOps plain = VectorOps.plain();

  @Test
  void chosenImplementationFollowsTheProperty() {
    boolean forcedPlain = Boolean.getBoolean(VectorOpsHolder.FORCE_PLAIN_PROPERTY);
    boolean moduleReadable = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    System.out.println("vector kernels in this run: " + VectorOps.get().name());
    if (forcedPlain || !moduleReadable) {
      assertThat(VectorOps.get().name()).isEqualTo("plain");
    } else {
      assertThat(VectorOps.get().name()).startsWith("panama-");
    }
  }

  @Test
  void plainFloatKernelsMatchDoubleReference() {
    checkFloatKernels(plain);
  }

  @Test
  void panamaFloatKernelsMatchPlainAndReference() {
    VectorOps panama = VectorOpsHolder.panamaOrNull();
    assumeTrue(panama != null, "jdk.incubator.vector not readable in this JVM");
    checkFloatKernels(panama);
  }

  @Test
  void plainInt8AndHammingKernelsAreExact() {
    checkExactKernels(plain);
  }

  @Test
  void panamaInt8AndHammingKernelsAreExact() {
    VectorOps panama = VectorOpsHolder.panamaOrNull();
    assumeTrue(panama != null, "jdk.incubator.vector not readable in this JVM");
    checkExactKernels(panama);
  }

  private void checkFloatKernels(VectorOps ops) {
    SplittableRandom random = new SplittableRandom(SEED);
    System.out.println("VectorOpsTest seed " + SEED + " on " + ops.name());
    float[] out = new float[4];
    for (int size : SIZES) {
      for (int trial = 0; trial < 5; trial++) {
        int aOff = random.nextInt(5);
        int bOff = random.nextInt(5);
        float[] a = randomFloats(random, aOff + size);
        float[] b = randomFloats(random, bOff + 4 * size + 3);
        double dot = 0, dist = 0, abs = 0;
        for (int i = 0; i < size; i++) {
          dot += (double) a[aOff + i] * b[bOff + i];
          double d = (double) a[aOff + i] - b[bOff + i];
          dist += d * d;
          abs += Math.abs((double) a[aOff + i] * b[bOff + i]);
        }
        // float rounding error of a sum of n terms grows at most like n·ε·Σ|terms|.
        double tolerance = 1e-6 * size * Math.max(1, abs);
        double distTolerance = 1e-6 * size * Math.max(1, dist);
        float fastDot = ops.dot(a, aOff, b, bOff, size);
        float fastDist = ops.squaredDistance(a, aOff, b, bOff, size);
        assertThat((double) fastDot).as("dot size %d", size).isCloseTo(dot, within(tolerance));
        assertThat((double) fastDist)
            .as("squaredDistance size %d", size)
            .isCloseTo(dist, within(distTolerance));
        assertThat((double) fastDot)
            .as("dot vs plain size %d", size)
            .isCloseTo(plain.dot(a, aOff, b, bOff, size), within(tolerance));

        int[] rows = {bOff, bOff + size, bOff + 2 * size + 1, bOff + 3 * size + 3};
        ops.dot4(a, aOff, b, rows[0], rows[1], rows[2], rows[3], size, out);
        for (int j = 0; j < 4; j++) {
          double ref = 0;
          double refAbs = 0;
          for (int i = 0; i < size; i++) {
            ref += (double) a[aOff + i] * b[rows[j] + i];
            refAbs += Math.abs((double) a[aOff + i] * b[rows[j] + i]);
          }
          assertThat((double) out[j])
              .as("dot4 row %d size %d", j, size)
              .isCloseTo(ref, within(1e-6 * size * Math.max(1, refAbs)));
        }
        ops.squaredDistance4(a, aOff, b, rows[0], rows[1], rows[2], rows[3], size, out);
        for (int j = 0; j < 4; j++) {
          double ref = 0;
          for (int i = 0; i < size; i++) {
            double d = (double) a[aOff + i] - b[rows[j] + i];
            ref += d * d;
          }
          assertThat((double) out[j])
              .as("squaredDistance4 row %d size %d", j, size)
              .isCloseTo(ref, within(1e-6 * size * Math.max(1, ref)));
        }
      }
    }
  }

  @Test
  void blockKernelsEqualFourRowKernelsBitForBit() {
    VectorOps panama = VectorOpsHolder.panamaOrNull();
    for (VectorOps ops : panama == null ? new VectorOps[] {plain} : new VectorOps[] {plain, panama}) {
      SplittableRandom random = new SplittableRandom(SEED + 2);
      float[] four = new float[4];
      float[] sixteen = new float[16];
      for (int size : SIZES) {
        int aOff = random.nextInt(3);
        int bOff = random.nextInt(3);
        float[] a = randomFloats(random, aOff + 4 * size);
        float[] b = randomFloats(random, bOff + 4 * size);
        ops.dot4x4(a, aOff, b, bOff, size, sixteen);
        for (int i = 0; i < 4; i++) {
          int ai = aOff + i * size;
          ops.dot4(a, ai, b, bOff, bOff + size, bOff + 2 * size, bOff + 3 * size, size, four);
          for (int j = 0; j < 4; j++) {
            assertThat(sixteen[4 * i + j]).as("%s dot4x4 size %d [%d][%d]", ops.name(), size, i, j).isEqualTo(four[j]);
          }
        }
        ops.squaredDistance4x4(a, aOff, b, bOff, size, sixteen);
        for (int i = 0; i < 4; i++) {
          int ai = aOff + i * size;
          ops.squaredDistance4(a, ai, b, bOff, bOff + size, bOff + 2 * size, bOff + 3 * size, size, four);
          for (int j = 0; j < 4; j++) {
            assertThat(sixteen[4 * i + j]).as("%s l2 4x4 size %d [%d][%d]", ops.name(), size, i, j).isEqualTo(four[j]);
          }
        }
      }
    }
  }

  private void checkExactKernels(VectorOps ops) {
    SplittableRandom random = new SplittableRandom(SEED + 1);
    for (int size : SIZES) {
      for (int trial = 0; trial < 5; trial++) {
        int aOff = random.nextInt(7);
        int bOff = random.nextInt(7);
        byte[] a = new byte[aOff + size];
        byte[] b = new byte[bOff + size];
        for (int i = 0; i < a.length; i++) {
          a[i] = (byte) random.nextInt(256);
        }
        for (int i = 0; i < b.length; i++) {
          b[i] = (byte) random.nextInt(256);
        }
        // extremes on purpose: −128·−128 must not overflow any intermediate lane
        a[aOff] = -128;
        b[bOff] = -128;
        long dot = 0, dist = 0;
        for (int i = 0; i < size; i++) {
          dot += a[aOff + i] * b[bOff + i];
          long d = a[aOff + i] - b[bOff + i];
          dist += d * d;
        }
        assertThat(ops.dotInt8(a, aOff, b, bOff, size)).as("dotInt8 size %d", size).isEqualTo(dot);
        assertThat(ops.squaredDistanceInt8(a, aOff, b, bOff, size))
            .as("squaredDistanceInt8 size %d", size)
            .isEqualTo(dist);

        long[] x = new long[aOff + size];
        long[] y = new long[bOff + size];
        for (int i = 0; i < x.length; i++) {
          x[i] = random.nextLong();
        }
        for (int i = 0; i < y.length; i++) {
          y[i] = random.nextLong();
        }
        int hamming = 0;
        for (int i = 0; i < size; i++) {
          for (int bit = 0; bit < 64; bit++) {
            if (((x[aOff + i] >>> bit) & 1) != ((y[bOff + i] >>> bit) & 1)) {
              hamming++;
            }
          }
        }
        assertThat(ops.hamming(x, aOff, y, bOff, size)).as("hamming size %d", size).isEqualTo(hamming);
      }
    }
  }

  private static float[] randomFloats(SplittableRandom random, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (random.nextDouble() * 2 - 1);
    }
    return v;
  }

  private static org.assertj.core.data.Offset<Double> within(double tolerance) {
    return org.assertj.core.data.Offset.offset(tolerance);
  }
}
