package dev.byhand.bench.vector;

import dev.byhand.vector.ExactIndex;
import dev.byhand.vector.Metric;
import dev.byhand.vector.SearchResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 3's side-by-side run: byhand's HNSW and exact scan beside Lucene, JVector, hnswlib-core
 * (Java) in this JVM and hnswlib and FAISS (Debian's Python) in a child process, on the same
 * vectors, with the same m and efConstruction. Reports build time (1 and 2 threads), recall@10
 * against single-thread queries per second over an ef sweep, heap and disk bytes per vector, and
 * exact-scan throughput; writes a Markdown report and a recall–QPS plot.
 *
 * <p>Data ({@link Dataset}, cached under {@code bench/cache/vector/} with the exact top-100 of
 * every query): {@code --dataset clustered} (default), seeded clustered unit vectors (n × d, n/1000
 * clusters, {@link ClusteredDataset}); {@code --dataset wordnet}, the distinct WordNet glosses
 * embedded by byhand's all-MiniLM-L6-v2 (about 117k × 384, {@link WordNetDataset}; {@code --n} and
 * {@code --dim} do not apply). {@code --prep-threads} caps the threads that embed and compute the
 * ground truth when the cache is cold (default: all cores).
 *
 * <p>Usage: {@code VectorBench [--dataset clustered|wordnet] [--n 100000] [--dim 128] [--queries
 * 1000] [--m 16] [--ef-construction 100] [--ef 10,20,40,80,160] [--peers
 * byhand,byhand-int8,byhand-binary,lucene,jvector,jelmerk,python] [--prep-threads N]
 * [--build-threads 2,1] [--out bench/results/vector.md]}; the default report is {@code vector.md}
 * for the default clustered set and {@code vector-NAME.md} for any other.
 */
public final class VectorBench {

  private record Sweep(String system, int ef, double recall, double qps) {}

  /** Timed passes over all queries per ef; the figure is their median. */
  static final int PASSES = 5;

  public static void main(String[] args) throws Exception {
    int n = 100_000;
    int dim = 128;
    int nq = 1000;
    int m = 16;
    int efc = 100;
    int[] efs = {10, 20, 40, 80, 160};
    String peers = "byhand,lucene,jvector,jelmerk,python";
    Path out = null;
    String dataset = "clustered";
    int prepThreads = Runtime.getRuntime().availableProcessors();
    int[] buildThreads = {2, 1};
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--n" -> n = Integer.parseInt(args[++i]);
        case "--dim" -> dim = Integer.parseInt(args[++i]);
        case "--queries" -> nq = Integer.parseInt(args[++i]);
        case "--m" -> m = Integer.parseInt(args[++i]);
        case "--ef-construction" -> efc = Integer.parseInt(args[++i]);
        case "--ef" -> {
          String[] f = args[++i].split(",");
          efs = new int[f.length];
          for (int j = 0; j < f.length; j++) {
            efs[j] = Integer.parseInt(f[j]);
          }
        }
        case "--peers" -> peers = args[++i];
        case "--out" -> out = Path.of(args[++i]);
        case "--dataset" -> dataset = args[++i];
        case "--prep-threads" -> prepThreads = Integer.parseInt(args[++i]);
        case "--build-threads" -> {
          // most threads first: the last build, the one searched, must be single-threaded (its
          // ordinals follow the rows only then)
          buildThreads =
              java.util.Arrays.stream(args[++i].split(","))
                  .mapToInt(Integer::parseInt)
                  .boxed()
                  .sorted(java.util.Comparator.reverseOrder())
                  .mapToInt(Integer::intValue)
                  .toArray();
          if (buildThreads[buildThreads.length - 1] != 1) {
            throw new IllegalArgumentException("--build-threads must include 1, got " + args[i]);
          }
        }
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    String command = "bench/run vector " + String.join(" ", args);
    Path cacheRoot = Path.of("bench/cache/vector");

    // 1. data and ground truth (cached)
    Dataset ds =
        switch (dataset) {
          case "clustered" -> ClusteredDataset.load(cacheRoot, n, dim, nq, prepThreads);
          case "wordnet" ->
              WordNetDataset.load(cacheRoot, WordNetGlosses.DEBIAN_DIR, nq, prepThreads);
          default ->
              throw new IllegalArgumentException("--dataset: clustered or wordnet, got " + dataset);
        };
    float[][] data = ds.base();
    float[][] queries = ds.queries();
    int[][] truth = ds.truth(10);
    n = data.length;
    dim = data[0].length;
    if (out == null) {
      out =
          Path.of(
              dataset.equals("clustered") && n == 100_000 && dim == 128
                  ? "bench/results/vector.md"
                  : "bench/results/vector-" + ds.name() + ".md");
    }
    System.out.printf(Locale.ROOT, "data: %s, %,d × %d, %,d queries%n", ds.name(), n, dim, nq);
    Files.createDirectories(cacheRoot);
    Path scratch = Files.createTempDirectory(cacheRoot, "scratch");
    ExactIndex exact = new ExactIndex(dim, Metric.DOT);
    for (float[] v : data) {
      exact.add(v);
    }

    Map<String, Double> figures = new LinkedHashMap<>();
    List<Sweep> sweeps = new ArrayList<>();
    Map<String, String> notes = new LinkedHashMap<>();

    // 2. exact scan, byhand: single queries and one batch, 1 thread and 2
    for (int threads : new int[] {1, 2}) {
      exact.setThreads(threads);
      // warm-up: two whole batches. The JIT needs them (FAISS does not): on 100k x 128 the first
      // two
      // two-thread batches ran at 4,000 q/s and every later one at 6,700-7,300.
      exact.search(queries, 10);
      exact.search(queries, 10);
      long t = System.nanoTime();
      int single = Math.min(nq, 200);
      for (int i = 0; i < single; i++) {
        exact.search(queries[i], 10);
      }
      figures.put("byhand exact|single_qps|" + threads, single / ((System.nanoTime() - t) / 1e9));
      int[][] found = null;
      double[] passes = new double[3];
      for (int pass = 0; pass < passes.length; pass++) {
        t = System.nanoTime();
        found = ordinals(exact.search(queries, 10));
        passes[pass] = nq / ((System.nanoTime() - t) / 1e9);
      }
      figures.put("byhand exact|batch_qps|" + threads, dev.byhand.bench.Stats.median(passes));
      figures.put("byhand exact|recall|" + threads, recall(truth, found));
    }

    exact = null; // 512 MB at 1M x 128: give it back before the peers build

    // 3. JVM peers
    List<Peer> jvm = new ArrayList<>();
    for (String p : peers.split(",")) {
      switch (p) {
        case "byhand" -> jvm.add(new ByhandPeer("none"));
        case "byhand-int8" -> jvm.add(new ByhandPeer("int8"));
        case "byhand-binary" -> jvm.add(new ByhandPeer("binary"));
        case "lucene" -> jvm.add(new LucenePeer(scratch));
        case "jvector" -> jvm.add(new JVectorPeer());
        case "jelmerk" -> jvm.add(new JelmerkPeer());
        case "python" -> {}
        default -> throw new IllegalArgumentException("unknown peer " + p);
      }
    }
    for (Peer peer : jvm) {
      try (peer) {
        System.out.println(peer.name() + ":");
        boolean first = true;
        for (int threads : buildThreads) {
          if (!peer.supportsThreads(threads)) {
            continue;
          }
          // heap is measured around the first build only, while no earlier index is held
          long before = first ? usedHeapAfterGc() : 0;
          long t = System.nanoTime();
          peer.build(data, m, efc, threads);
          double seconds = (System.nanoTime() - t) / 1e9;
          if (first) {
            long after = usedHeapAfterGc();
            figures.put(peer.name() + "|heap_bytes_per_vector|", (after - before) / (double) n);
            first = false;
          }
          figures.put(peer.name() + "|build_s|" + threads, seconds);
          System.out.printf(Locale.ROOT, "  build, %d thread(s): %.1f s%n", threads, seconds);
        }
        for (int ef : efs) {
          // warm-up: the first ef also pays for JIT compilation (200 queries were too few)
          int warm = ef == efs[0] ? 3 * nq : Math.min(nq, 200);
          for (int i = 0; i < warm; i++) {
            peer.search(queries[i % nq], 10, ef);
          }
          // the median of PASSES timed passes over all queries: one pass is a fraction of a
          // second, and a shared machine's hiccups otherwise decide the figure
          int[][] found = new int[nq][];
          double[] passes = new double[PASSES];
          for (int pass = 0; pass < PASSES; pass++) {
            long t = System.nanoTime();
            for (int i = 0; i < nq; i++) {
              found[i] = peer.search(queries[i], 10, ef);
            }
            passes[pass] = nq / ((System.nanoTime() - t) / 1e9);
          }
          double qps = dev.byhand.bench.Stats.median(passes);
          double r = recall(truth, found);
          sweeps.add(new Sweep(peer.name(), ef, r, qps));
          System.out.printf(Locale.ROOT, "  ef %4d: recall@10 %.4f, %8.0f q/s%n", ef, r, qps);
        }
        long disk = peer.diskBytes(scratch);
        if (disk >= 0) {
          figures.put(peer.name() + "|disk_bytes_per_vector|", disk / (double) n);
        }
      }
    }

    // 4. native peers
    if (peers.contains("python")) {
      System.out.println("hnswlib and FAISS (python3):");
      List<PythonPeers.Line> lines =
          PythonPeers.run(
              ds.basePath(), ds.queryPath(), ds.truthPath(), n, dim, nq, m, efc, efs, scratch);
      for (PythonPeers.Line l : lines) {
        switch (l.what()) {
          case "qps", "recall" -> {}
          case "disk_bytes" -> figures.put(l.system() + "|disk_bytes_per_vector|", l.value() / n);
          case "build_s", "exact_single_qps", "exact_batch_qps", "exact_recall" ->
              figures.put(l.system() + "|" + l.what() + "|" + l.parameter(), l.value());
          case "missing" ->
              notes.put(l.system(), "not installed (apt-get install python3-" + l.system() + ")");
          default -> {}
        }
      }
      // pair qps and recall lines per (system, ef)
      Map<String, double[]> pairs = new LinkedHashMap<>();
      for (PythonPeers.Line l : lines) {
        if (!l.what().equals("qps") && !l.what().equals("recall")) {
          continue;
        }
        pairs
                .computeIfAbsent(l.system() + "|" + l.parameter(), k -> new double[2])[
                l.what().equals("qps") ? 0 : 1] =
            l.value();
      }
      for (Map.Entry<String, double[]> e : pairs.entrySet()) {
        String[] k = e.getKey().split("\\|");
        sweeps.add(new Sweep(k[0], Integer.parseInt(k[1]), e.getValue()[1], e.getValue()[0]));
      }
    }
    deleteTree(scratch);

    Report.write(
        out,
        command,
        ds.description(),
        n,
        dim,
        nq,
        m,
        efc,
        figures,
        sweeps.stream()
            .map(s -> new Report.Point(s.system(), s.ef(), s.recall(), s.qps()))
            .toList(),
        notes);
    System.out.println("wrote " + out + " and " + Report.plotPath(out));
  }

  static double recall(int[][] truth, int[][] found) {
    long hit = 0;
    long total = 0;
    for (int i = 0; i < truth.length; i++) {
      for (int t : truth[i]) {
        total++;
        for (int f : found[i]) {
          if (f == t) {
            hit++;
            break;
          }
        }
      }
    }
    return hit / (double) total;
  }

  private static int[][] ordinals(List<List<SearchResult>> results) {
    int[][] out = new int[results.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = results.get(i).stream().mapToInt(SearchResult::ordinal).toArray();
    }
    return out;
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(50);
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
