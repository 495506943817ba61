package dev.byhand.bench.vector;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Seeded clustered unit vectors: {@code n} base vectors and {@code nq} held-out queries from the
 * same {@code max(10, n / 1000)} clusters, cached in {@code bench/cache/vector/clustered-NxD-qQ}.
 * At 1,000,000 × 128 the vectors take 512 MB of heap (one {@code float[]} per row, generated in
 * place), the ground truth's exact index another 512 MB while it is computed.
 */
final class ClusteredDataset {

  /** Bump when {@link #clustered} changes what it generates: every cached set becomes stale. */
  private static final String GENERATOR = "clustered-v1";

  private static final long SEED = 20261126L;

  private ClusteredDataset() {}

  static Dataset load(Path cacheRoot, int n, int dim, int nq, int threads) throws IOException {
    int clusters = Math.max(10, n / 1000);
    Path dir = cacheRoot.resolve("clustered-" + n + "x" + dim + "-q" + nq);
    String name = "clustered-" + n + "x" + dim;
    String description =
        String.format(
            Locale.ROOT,
            "%,d clustered unit vectors × %d (seeded: %,d centres uniform in [−1, 1)^d, each point a"
                + " centre plus N(0, 0.3²) per value, normalised), %,d held-out queries from the same"
                + " clusters, inner product",
            n,
            dim,
            clusters,
            nq);
    Map<String, String> keys = new TreeMap<>();
    keys.put("generator", GENERATOR);
    keys.put("seed", Long.toString(SEED));
    keys.put("clusters", Integer.toString(clusters));
    keys.put("truth.method", "byhand ExactIndex, dot, top " + Dataset.TRUTH_K);
    Dataset cached = Dataset.loadCached(dir, name, description, keys);
    if (cached != null
        && cached.base().length == n
        && cached.base()[0].length == dim
        && cached.queries().length == nq) {
      return cached;
    }
    long start = System.nanoTime();
    System.err.printf(
        Locale.ROOT, "data: generating %,d + %,d clustered vectors × %d…%n", n, nq, dim);
    float[][] all = clustered(SEED, n + nq, dim, clusters);
    float[][] base = Arrays.copyOf(all, n);
    float[][] queries = Arrays.copyOfRange(all, n, n + nq);
    System.err.printf(
        Locale.ROOT, "data: generated in %.1f s%n", (System.nanoTime() - start) / 1e9);
    int[][] truth = Dataset.groundTruth(base, queries, threads);
    return Dataset.store(dir, name, description, keys, base, queries, truth);
  }

  /** Clustered unit vectors: centres uniform in [−1, 1)^d, points centre + N(0, 0.3²) per value. */
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
      double norm = 0;
      for (int j = 0; j < d; j++) {
        v[j] = c[j] + (float) (0.3 * gaussian(random));
        norm += v[j] * (double) v[j];
      }
      float inv = (float) (1 / Math.sqrt(norm));
      for (int j = 0; j < d; j++) {
        v[j] *= inv;
      }
    }
    return out;
  }

  private static double gaussian(SplittableRandom random) {
    double u, v, s;
    do {
      u = 2 * random.nextDouble() - 1;
      v = 2 * random.nextDouble() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s == 0);
    return u * Math.sqrt(-2 * Math.log(s) / s);
  }
}
