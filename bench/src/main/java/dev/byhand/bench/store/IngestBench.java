package dev.byhand.bench.store;

import dev.byhand.store.Collection;
import dev.byhand.store.CollectionConfig;
import dev.byhand.store.Database;
import dev.byhand.store.Point;
import dev.byhand.store.ScoredPoint;
import dev.byhand.store.SearchRequest;
import dev.byhand.vector.ExactIndex;
import dev.byhand.vector.Metric;
import dev.byhand.vector.SearchResult;
import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Ingest at scale, byhand's embedded database beside LanceDB (npm {@code @lancedb/lancedb}, an
 * embedded vector database) in the same run on the same data: N clustered unit vectors ingested in
 * batches, durable, indexed; then reopened and searched single-threaded for recall@10 and QPS.
 *
 * <p>Usage: {@code bench/run ingest [--points N] [--dim D] [--queries Q] [--skip-lancedb]
 * [--skip-byhand]}. Vectors, queries and the exact top-10 are cached under {@code bench/cache/}.
 */
public final class IngestBench {

  public static void main(String[] args) throws Exception {
    int n = 1_000_000;
    int dim = 384;
    int queries = 1000;
    boolean lance = true;
    boolean ours = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--points" -> n = Integer.parseInt(args[++i]);
        case "--dim" -> dim = Integer.parseInt(args[++i]);
        case "--queries" -> queries = Integer.parseInt(args[++i]);
        case "--skip-lancedb" -> lance = false;
        case "--skip-byhand" -> ours = false;
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Path cache = Path.of("bench", "cache");
    Files.createDirectories(cache);
    String tag = n + "x" + dim;
    Path data = cache.resolve("clustered-" + tag + ".f32");
    Path queryFile = cache.resolve("clustered-" + tag + "-queries.f32");
    Path truth = cache.resolve("clustered-" + tag + "-top10.i32");
    if (!Files.exists(truth)) {
      generate(n, dim, queries, data, queryFile, truth);
    }
    float[] q = readFloats(queryFile);
    int[] gt = readInts(truth);
    queries = q.length / dim;
    System.out.printf(
        Locale.ROOT,
        "ingest %d × %d clustered unit vectors (cosine), batches of 10,000 (both systems), then %d queries, k = 10, %d cores%n",
        n,
        dim,
        queries,
        Runtime.getRuntime().availableProcessors());

    System.out.printf(
        Locale.ROOT,
        "%-8s %12s %10s %12s %12s %10s %10s %10s%n",
        "system",
        "points/s",
        "ingest s",
        "peak heap",
        "peak RSS",
        "reopen s",
        "recall@10",
        "QPS (1t)");
    if (ours) {
      runByhand(n, dim, queries, data, q, gt);
    }
    if (lance) {
      runLanceDb(dim, data, queryFile, truth);
    }
  }

  private static void runByhand(int n, int dim, int queries, Path data, float[] q, int[] gt)
      throws IOException {
    Path dir = Files.createTempDirectory("byhand-ingest-");
    long t0 = System.nanoTime();
    long[] peakHeap = {0};
    Thread sampler = heapSampler(peakHeap);
    try (Database db = Database.open(dir)) {
      Collection c = db.create(CollectionConfig.of("bench", dim, Metric.COSINE));
      try (FileChannel ch = FileChannel.open(data, StandardOpenOption.READ)) {
        int batch = 10_000;
        ByteBuffer buf = ByteBuffer.allocate(batch * dim * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int from = 0; from < n; from += batch) {
          int count = Math.min(batch, n - from);
          buf.clear().limit(count * dim * 4);
          while (buf.hasRemaining()) {
            ch.read(buf);
          }
          buf.flip();
          FloatBuffer fb = buf.asFloatBuffer();
          List<Point> points = new ArrayList<>(count);
          for (int i = 0; i < count; i++) {
            float[] v = new float[dim];
            fb.get(v);
            points.add(Point.of(Integer.toString(from + i), v, null));
          }
          c.upsert(points);
          if ((from / batch) % 5 == 0) {
            double s = (System.nanoTime() - t0) / 1e9;
            System.err.printf(
                Locale.ROOT,
                "\rbyhand: %d/%d points, %.0f points/s   ",
                from + count,
                n,
                (from + count) / s);
          }
        }
      }
    }
    long ingestNanos = System.nanoTime() - t0;
    System.err.println();
    long t1 = System.nanoTime();
    double recall;
    double qps;
    try (Database db = Database.open(dir)) {
      long openNanos = System.nanoTime() - t1;
      Collection c = db.collection("bench");
      // Warm up on a tenth of the queries, then time all of them on this one thread.
      for (int i = 0; i < queries / 10; i++) {
        c.search(SearchRequest.vector(slice(q, i, dim), 10).withPayload(false, null).withEf(100));
      }
      long hits = 0;
      long s0 = System.nanoTime();
      for (int i = 0; i < queries; i++) {
        List<ScoredPoint> r =
            c.search(
                SearchRequest.vector(slice(q, i, dim), 10).withPayload(false, null).withEf(100));
        for (ScoredPoint p : r) {
          int id = Integer.parseInt(p.id());
          for (int j = 0; j < 10; j++) {
            if (gt[i * 10 + j] == id) {
              hits++;
              break;
            }
          }
        }
      }
      qps = queries / ((System.nanoTime() - s0) / 1e9);
      recall = hits / (10.0 * queries);
      sampler.interrupt();
      System.out.printf(
          Locale.ROOT,
          "%-8s %12.0f %10.1f %11.2fG %11.2fG %10.1f %10.3f %10.0f%n",
          "byhand",
          n / (ingestNanos / 1e9),
          ingestNanos / 1e9,
          peakHeap[0] / 1e9,
          peakRss() / 1e9,
          openNanos / 1e9,
          recall,
          qps);
    }
    deleteTree(dir);
  }

  private static void runLanceDb(int dim, Path data, Path queryFile, Path truth)
      throws IOException, InterruptedException {
    Path script = Path.of("bench", "lancedb", "ingest.mjs");
    Process p =
        new ProcessBuilder(
                "node",
                script.toString(),
                data.toString(),
                queryFile.toString(),
                truth.toString(),
                Integer.toString(dim))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
      for (String line; (line = r.readLine()) != null; ) {
        System.out.println(line);
      }
    }
    if (p.waitFor() != 0) {
      System.out.println("lancedb: the run failed (exit " + p.exitValue() + ")");
    }
  }

  private static Thread heapSampler(long[] peak) {
    Thread t =
        new Thread(
            () -> {
              var mem = ManagementFactory.getMemoryMXBean();
              while (!Thread.currentThread().isInterrupted()) {
                peak[0] = Math.max(peak[0], mem.getHeapMemoryUsage().getUsed());
                try {
                  Thread.sleep(200);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** VmHWM: the process's peak resident memory, from /proc. */
  static long peakRss() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }

  public static float[] slice(float[] all, int i, int dim) {
    float[] v = new float[dim];
    System.arraycopy(all, i * dim, v, 0, dim);
    return v;
  }

  /** Clustered unit vectors: 1,000 random centres, each point a centre plus noise, normalised. */
  public static void generate(int n, int dim, int queries, Path data, Path queryFile, Path truth)
      throws IOException {
    System.err.println(
        "generating "
            + n
            + " × "
            + dim
            + " vectors and their exact top-10 (cached in bench/cache)…");
    SplittableRandom r = new SplittableRandom(20261126L);
    int centres = 1000;
    float[][] c = new float[centres][dim];
    for (float[] row : c) {
      for (int j = 0; j < dim; j++) {
        row[j] = (float) gauss(r);
      }
    }
    ExactIndex exact = new ExactIndex(dim, Metric.COSINE);
    try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(data))) {
      ByteBuffer b = ByteBuffer.allocate(dim * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < n; i++) {
        float[] v = point(r, c, dim);
        exact.add(v);
        b.clear();
        b.asFloatBuffer().put(v);
        out.write(b.array());
      }
    }
    float[][] qs = new float[queries][];
    try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(queryFile))) {
      ByteBuffer b = ByteBuffer.allocate(dim * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < queries; i++) {
        qs[i] = point(r, c, dim);
        b.clear();
        b.asFloatBuffer().put(qs[i]);
        out.write(b.array());
      }
    }
    exact.setThreads(Runtime.getRuntime().availableProcessors());
    List<List<SearchResult>> top = exact.search(qs, 10);
    ByteBuffer b = ByteBuffer.allocate(queries * 10 * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (List<SearchResult> t : top) {
      for (SearchResult s : t) {
        b.putInt(s.ordinal());
      }
    }
    Files.write(truth, b.array());
  }

  private static float[] point(SplittableRandom r, float[][] c, int dim) {
    float[] centre = c[r.nextInt(c.length)];
    float[] v = new float[dim];
    double s = 0;
    for (int j = 0; j < dim; j++) {
      v[j] = centre[j] + (float) (0.6 * gauss(r));
      s += (double) v[j] * v[j];
    }
    float inv = (float) (1 / Math.sqrt(s));
    for (int j = 0; j < dim; j++) {
      v[j] *= inv;
    }
    return v;
  }

  private static double gauss(SplittableRandom r) {
    double u;
    double v;
    double s;
    do {
      u = 2 * r.nextDouble() - 1;
      v = 2 * r.nextDouble() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s == 0);
    return u * Math.sqrt(-2 * Math.log(s) / s);
  }

  public static float[] readFloats(Path f) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[b.remaining() / 4];
    b.asFloatBuffer().get(out);
    return out;
  }

  public static int[] readInts(Path f) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
    int[] out = new int[b.remaining() / 4];
    b.asIntBuffer().get(out);
    return out;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
