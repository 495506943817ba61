package dev.byhand.vector;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Seeded test vectors and a double-precision brute-force reference. */
final class TestData {

  private TestData() {}

  /** Uniform in [−1, 1)^d. */
  static float[][] random(long seed, int n, int d) {
    SplittableRandom random = new SplittableRandom(seed);
    float[][] out = new float[n][d];
    for (float[] v : out) {
      for (int j = 0; j < d; j++) {
        v[j] = (float) random.nextDouble(-1, 1);
      }
    }
    return out;
  }

  /**
   * Gaussian blobs around {@code clusters} random centres, spread 0.15 against centres in [−1,1).
   */
  static float[][] clustered(long seed, int n, int d, int clusters) {
    SplittableRandom random = new SplittableRandom(seed);
    float[][] centres = new float[clusters][d];
    for (float[] c : centres) {
      for (int j = 0; j < d; j++) {
        c[j] = (float) random.nextDouble(-1, 1);
      }
    }
    float[][] out = new float[n][d];
    for (float[] v : out) {
      float[] c = centres[random.nextInt(clusters)];
      for (int j = 0; j < d; j++) {
        v[j] = c[j] + (float) (0.15 * gaussian(random));
      }
    }
    return out;
  }

  static double gaussian(SplittableRandom random) {
    double u, v, s;
    do {
      u = 2 * random.nextDouble() - 1;
      v = 2 * random.nextDouble() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s == 0);
    return u * Math.sqrt(-2 * Math.log(s) / s);
  }

  /** Score in double precision under {@code metric}; cosine normalises both sides. */
  static double score(Metric metric, float[] q, float[] v) {
    double s = 0, qq = 0, vv = 0;
    for (int j = 0; j < v.length; j++) {
      if (metric == Metric.L2) {
        double diff = (double) q[j] - v[j];
        s -= diff * diff;
      } else {
        s += (double) q[j] * v[j];
      }
      qq += (double) q[j] * q[j];
      vv += (double) v[j] * v[j];
    }
    return metric == Metric.COSINE ? s / Math.sqrt(qq * vv) : s;
  }

  /** Ordinals of the k best among those {@code live[i]} (null: all), best first. */
  static int[] bruteForce(Metric metric, float[][] data, boolean[] live, float[] q, int k) {
    Integer[] idx = new Integer[data.length];
    double[] s = new double[data.length];
    int n = 0;
    for (int i = 0; i < data.length; i++) {
      if (data[i] != null && (live == null || live[i])) {
        s[i] = score(metric, q, data[i]);
        idx[n++] = i;
      }
    }
    Integer[] sorted = Arrays.copyOf(idx, n);
    Arrays.sort(
        sorted, (a, b) -> s[a] != s[b] ? Double.compare(s[b], s[a]) : Integer.compare(a, b));
    int[] out = new int[Math.min(k, n)];
    for (int i = 0; i < out.length; i++) {
      out[i] = sorted[i];
    }
    return out;
  }

  /** |found ∩ truth| / |truth|. */
  static double recall(int[] truth, int[] found) {
    int hit = 0;
    for (int t : truth) {
      for (int f : found) {
        if (f == t) {
          hit++;
          break;
        }
      }
    }
    return truth.length == 0 ? 1 : (double) hit / truth.length;
  }
}
