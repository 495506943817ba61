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

        checkPanels(ops, random, a, aOff, size);
      }
    }
  }

  /**
   * The panel kernel against a double-precision reference: {@code queries} = 6, packed rows that
   * are not a multiple of 16.
   */
  private void checkPanels(VectorOps ops, SplittableRandom random, float[] a, int aOff, int size) {
    int rows = 1 + random.nextInt(3 * VectorOps.PANEL_ROWS + 5);
    int panelCount = (rows + VectorOps.PANEL_ROWS - 1) / VectorOps.PANEL_ROWS;
    float[] data = randomFloats(random, 2 + rows * size);
    float[] panels = new float[panelCount * VectorOps.PANEL_ROWS * size];
    for (int r = 0; r < rows; r++) { // panel layout, as ExactIndex stores its rows; the rest zeros
      for (int k = 0; k < size; k++) {
        panels[
                (r / VectorOps.PANEL_ROWS) * VectorOps.PANEL_ROWS * size
                    + VectorOps.PANEL_ROWS * k
                    + r % VectorOps.PANEL_ROWS] =
            data[2 + r * size + k];
      }
    }
    float[] q = randomFloats(random, 6 * size);
    System.arraycopy(a, aOff, q, 0, size);
    float[] out = new float[6 * panelCount * VectorOps.PANEL_ROWS];
    for (boolean l2 : new boolean[] {false, true}) {
      ops.panelScores(q, 0, 6, size, panels, 0, panelCount, l2, out);
      for (int i = 0; i < 6; i++) {
        for (int r = 0; r < panelCount * VectorOps.PANEL_ROWS; r++) {
          double ref = 0, refAbs = 0;
          for (int k = 0; k < size; k++) {
            double x = r < rows ? data[2 + r * size + k] : 0; // rows past the end are zeros
            double t = l2 ? (x - q[i * size + k]) * (x - q[i * size + k]) : x * q[i * size + k];
            ref += t;
            refAbs += Math.abs(t);
          }
          assertThat((double) out[i * panelCount * VectorOps.PANEL_ROWS + r])
              .as(
                  "%s panel %s query %d row %d of %d, size %d",
                  ops.name(), l2 ? "l2" : "dot", i, r, rows, size)
              .isCloseTo(ref, within(1e-6 * size * Math.max(1, refAbs)));
        }
      }
    }
  }

  @Test
  void panelScoresAreTheSameForAnyNumberOfQueries() {
    VectorOps panama = VectorOpsHolder.panamaOrNull();
    for (VectorOps ops :
        panama == null ? new VectorOps[] {plain} : new VectorOps[] {plain, panama}) {
      SplittableRandom random = new SplittableRandom(SEED + 2);
      for (int size : SIZES) {
        int panelCount = 1 + random.nextInt(9); // 1 to 9 panels: the four-panel and one-panel paths
        int width = panelCount * VectorOps.PANEL_ROWS;
        float[] panels = randomFloats(random, 3 + width * size);
        float[] q = randomFloats(random, 1 + 6 * size);
        for (boolean l2 : new boolean[] {false, true}) {
          float[] six = new float[6 * width];
          ops.panelScores(q, 1, 6, size, panels, 3, panelCount, l2, six);
          for (int n = 1; n <= 5; n++) {
            for (int first = 0; first + n <= 6; first += n) {
              float[] some = new float[n * width];
              ops.panelScores(q, 1 + first * size, n, size, panels, 3, panelCount, l2, some);
              for (int i = 0; i < n; i++) {
                for (int r = 0; r < width; r++) {
                  assertThat(some[i * width + r])
                      .as(
                          "%s %s size %d: query %d of %d vs of 6, row %d",
                          ops.name(), l2 ? "l2" : "dot", size, first + i, n, r)
                      .isEqualTo(six[(first + i) * width + r]);
                }
              }
            }
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
        assertThat(ops.hamming(x, aOff, y, bOff, size))
            .as("hamming size %d", size)
            .isEqualTo(hamming);
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
