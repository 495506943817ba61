package dev.byhand.bench.vector;

import dev.byhand.vector.ExactIndex;
import dev.byhand.vector.Metric;
import dev.byhand.vector.SearchResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One data set of the vector benchmark as every peer sees it: unit base vectors (row i is ordinal
 * i), held-out unit queries, and the exact top-{@value #TRUTH_K} of each query by byhand's exact
 * scan (inner product), best first. The Java peers get the arrays; the Python peers read the same
 * three {@code .npy} files.
 *
 * <p>A cached data set is a folder with {@code base.npy}, {@code queries.npy}, {@code truth.npy}
 * and {@code dataset.properties}, written last: every key that decides the content (generator and
 * seed, or source checksum and encoder) plus the three shapes. A folder whose keys differ from the
 * ones asked for, or whose files' headers disagree with the recorded shapes, is stale and rebuilt.
 *
 * @param name short name for file names and the report ({@code clustered-1000000x128}, {@code
 *     wordnet-minilm})
 * @param description one sentence for the report: what the vectors are
 */
record Dataset(
    String name,
    String description,
    float[][] base,
    float[][] queries,
    int[][] truth,
    Path basePath,
    Path queryPath,
    Path truthPath) {

  /** Neighbours kept per query in the ground truth. */
  static final int TRUTH_K = 100;

  static final String MANIFEST = "dataset.properties";

  /** The first {@code k} columns of the ground truth. */
  int[][] truth(int k) {
    int[][] out = new int[truth.length][];
    for (int i = 0; i < out.length; i++) {
      out[i] = Arrays.copyOf(truth[i], k);
    }
    return out;
  }

  /**
   * The cached data set in {@code dir} if its manifest holds exactly {@code keys} and its files
   * match the shapes it records; otherwise {@code null}, with the reason on stderr.
   */
  static Dataset loadCached(Path dir, String name, String description, Map<String, String> keys)
      throws IOException {
    Path manifest = dir.resolve(MANIFEST);
    if (!Files.exists(manifest)) {
      return null;
    }
    Map<String, String> found = readManifest(manifest);
    Map<String, String> identity = new TreeMap<>(found);
    identity.keySet().removeAll(List.of("base", "queries", "truth"));
    if (!identity.equals(new TreeMap<>(keys))) {
      System.err.println("cache " + dir + " is stale (made with " + identity + "), rebuilding");
      return null;
    }
    try {
      int[] b = shape(found.get("base"));
      int[] q = shape(found.get("queries"));
      int[] t = shape(found.get("truth"));
      Path bp = dir.resolve("base.npy");
      Path qp = dir.resolve("queries.npy");
      Path tp = dir.resolve("truth.npy");
      long start = System.nanoTime();
      float[][] base = Npy.readFloats(bp, b[0], b[1]);
      float[][] queries = Npy.readFloats(qp, q[0], q[1]);
      int[][] truth = Npy.readInts(tp, t[0], t[1]);
      if (q[1] != b[1] || t[0] != q[0] || t[1] != TRUTH_K) {
        throw new IOException("shapes do not fit together: " + found);
      }
      System.err.printf(
          Locale.ROOT,
          "data: cached %s (%,d × %d, %,d queries), read in %.1f s%n",
          dir,
          b[0],
          b[1],
          q[0],
          (System.nanoTime() - start) / 1e9);
      return new Dataset(name, description, base, queries, truth, bp, qp, tp);
    } catch (IOException | RuntimeException e) {
      System.err.println("cache " + dir + " is unreadable (" + e.getMessage() + "), rebuilding");
      return null;
    }
  }

  /**
   * Writes a data set to {@code dir}: the three matrices, then the manifest ({@code keys} and the
   * shapes). Files of older cache layouts in {@code dir} are removed first.
   */
  static Dataset store(
      Path dir,
      String name,
      String description,
      Map<String, String> keys,
      float[][] base,
      float[][] queries,
      int[][] truth)
      throws IOException {
    Files.createDirectories(dir);
    for (String old : List.of(MANIFEST, "base.f32", "queries.f32", "truth.i32")) {
      Files.deleteIfExists(dir.resolve(old));
    }
    Path bp = dir.resolve("base.npy");
    Path qp = dir.resolve("queries.npy");
    Path tp = dir.resolve("truth.npy");
    Npy.writeFloats(bp, base);
    Npy.writeFloats(qp, queries);
    Npy.writeInts(tp, truth);
    Map<String, String> manifest = new TreeMap<>(keys);
    manifest.put("base", base.length + "x" + base[0].length);
    manifest.put("queries", queries.length + "x" + queries[0].length);
    manifest.put("truth", truth.length + "x" + truth[0].length);
    writeManifest(dir.resolve(MANIFEST), manifest);
    return new Dataset(name, description, base, queries, truth, bp, qp, tp);
  }

  /**
   * The exact top-{@value #TRUTH_K} of every query over {@code base} by inner product, with
   * byhand's blocked multi-threaded exact scan on {@code threads} threads, in slices of 100 queries
   * so that progress can be shown.
   */
  static int[][] groundTruth(float[][] base, float[][] queries, int threads) {
    ExactIndex exact = new ExactIndex(base[0].length, Metric.DOT);
    for (float[] v : base) {
      exact.add(v);
    }
    exact.setThreads(threads);
    int[][] truth = new int[queries.length][];
    long start = System.nanoTime();
    long last = start;
    for (int from = 0; from < queries.length; from += 100) {
      int to = Math.min(queries.length, from + 100);
      List<List<SearchResult>> r = exact.search(Arrays.copyOfRange(queries, from, to), TRUTH_K);
      for (int i = from; i < to; i++) {
        truth[i] = r.get(i - from).stream().mapToInt(SearchResult::ordinal).toArray();
      }
      long now = System.nanoTime();
      if (now - last > 5e9 || to == queries.length) {
        last = now;
        Progress.report(
            "ground truth (exact scan, " + threads + " thread(s))", to, queries.length, start);
      }
    }
    return truth;
  }

  private static int[] shape(String s) {
    String[] f = s.split("x");
    return new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])};
  }

  static Map<String, String> readManifest(Path path) throws IOException {
    Map<String, String> out = new TreeMap<>();
    for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
      int eq = line.indexOf('=');
      if (!line.startsWith("#") && eq > 0) {
        out.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return out;
  }

  /** Sorted {@code key=value} lines, written to a temporary file and renamed into place. */
  static void writeManifest(Path path, Map<String, String> keys) throws IOException {
    StringBuilder s =
        new StringBuilder("# bench/run vector data set cache; stale when any key differs\n");
    for (Map.Entry<String, String> e : new TreeMap<>(keys).entrySet()) {
      if (e.getValue().contains("\n") || e.getKey().contains("=")) {
        throw new IllegalArgumentException("manifest entry " + e);
      }
      s.append(e.getKey()).append('=').append(e.getValue()).append('\n');
    }
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    Files.writeString(tmp, s, StandardCharsets.UTF_8);
    Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Count, rate and time left of a long step, one line on stderr. */
  static final class Progress {

    private Progress() {}

    static void report(String what, long done, long total, long startNanos) {
      double seconds = (System.nanoTime() - startNanos) / 1e9;
      double rate = done / Math.max(1e-9, seconds);
      long left = done >= total ? 0 : Math.round((total - done) / Math.max(1e-9, rate));
      System.err.printf(
          Locale.ROOT,
          "%s: %,d / %,d (%.0f%%), %,.0f/s, %s elapsed, %s left%n",
          what,
          done,
          total,
          100.0 * done / total,
          rate,
          clock(Math.round(seconds)),
          clock(left));
    }

    private static String clock(long s) {
      return s >= 3600
          ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
          : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
  }
}
