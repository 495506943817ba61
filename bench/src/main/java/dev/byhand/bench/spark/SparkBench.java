package dev.byhand.bench.spark;

import dev.byhand.bench.Stats;
import dev.byhand.bench.store.IngestBench;
import dev.byhand.spark.EmbedJob;
import dev.byhand.spark.ExecutorEncoders;
import dev.byhand.spark.IndexJob;
import dev.byhand.store.Collection;
import dev.byhand.store.CollectionConfig;
import dev.byhand.store.Database;
import dev.byhand.store.Point;
import dev.byhand.store.ScoredPoint;
import dev.byhand.store.SearchRequest;
import dev.byhand.store.ShardBuilder;
import dev.byhand.store.ShardManifest;
import dev.byhand.store.ShardedCollection;
import dev.byhand.vector.Compression;
import dev.byhand.vector.HnswIndex;
import dev.byhand.vector.Metric;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code bench/run spark MODE [--points N] [...]}: the Spark module beside one process doing the
 * same work, on the cached clustered set of {@code bench/run ingest} (1 M × 384 by default).
 *
 * <ul>
 *   <li>{@code index}: the index job in local[2] (2 shards, one per core) against one process
 *       building one collection of the same points; wall time, and recall@10 at equal ef.
 *   <li>{@code shards}: S = 1, 2, 4, 8, 16 hash shards: global recall@10 and the CPU a query costs
 *       summed over its shards (scatter-gather on one thread), and one shard's latency
 *       distribution, from which the tail over S shards is simulated.
 *   <li>{@code embed}: the embed job in local[2] against {@code byhand embed --file} on the same
 *       texts; texts a second net of start-up (two sizes, the difference).
 *   <li>{@code scale}: heap and disk bytes per vector at several shard sizes (store collections,
 *       and HNSW indexes at each compression), a least-squares fit, and the table of what 100 M and
 *       1 B vectors need.
 * </ul>
 *
 * Every figure it prints is measured in that run, except the scale table's, which is arithmetic on
 * the figures measured just before it (and says so).
 */
public final class SparkBench {

  private SparkBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      throw new IllegalArgumentException(
          "usage: bench/run spark index|shards|embed|scale [--points N] …");
    }
    String mode = args[0];
    Map<String, String> opt = new LinkedHashMap<>();
    for (int i = 1; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value, got " + args[i]);
      }
      opt.put(args[i].substring(2), args[i + 1]);
    }
    int n = Integer.parseInt(opt.getOrDefault("points", "1000000"));
    int dim = Integer.parseInt(opt.getOrDefault("dim", "384"));
    int queries = Integer.parseInt(opt.getOrDefault("queries", "1000"));
    Path work = Path.of("bench", "target", "spark-bench");
    Files.createDirectories(work);
    switch (mode) {
      case "index" -> index(work, n, dim, queries, opt);
      case "shards" -> shards(work, n, dim, queries, opt);
      case "embed" -> embed(work, opt);
      case "scale" -> scale(work, dim, opt);
      default -> throw new IllegalArgumentException("unknown mode " + mode);
    }
  }

  // ---- data ----------------------------------------------------------------------------------

  /** The cached set of bench/run ingest (made on first use): vectors, queries, exact top 10. */
  record DataSet(Path vectors, int n, int dim, float[] queries, int[] truth) {
    float[] query(int i) {
      return IngestBench.slice(queries, i, dim);
    }
  }

  static DataSet dataSet(int n, int dim, int queries) throws IOException {
    Path cache = Path.of("bench", "cache");
    Files.createDirectories(cache);
    String tag = n + "x" + dim;
    Path data = cache.resolve("clustered-" + tag + ".f32");
    Path queryFile = cache.resolve("clustered-" + tag + "-queries.f32");
    Path truth = cache.resolve("clustered-" + tag + "-top10.i32");
    if (!Files.exists(truth)) {
      IngestBench.generate(n, dim, queries, data, queryFile, truth);
    }
    return new DataSet(
        data, n, dim, IngestBench.readFloats(queryFile), IngestBench.readInts(truth));
  }

  /** Vector i of the cached file. */
  static float[] read(RandomAccessFile f, int i, int dim) throws IOException {
    byte[] b = new byte[dim * 4];
    f.seek((long) i * dim * 4);
    f.readFully(b);
    float[] v = new float[dim];
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
    return v;
  }

  /** The cached vectors as Parquet (id "i", vector, no payload), written once, by 8 tasks. */
  static Path parquet(SparkSession spark, DataSet d) {
    Path out =
        Path.of("bench", "cache", "spark", "clustered-" + d.n() + "x" + d.dim() + ".parquet");
    if (Files.exists(out.resolve("_SUCCESS"))) {
      return out;
    }
    List<Integer> parts = new ArrayList<>();
    for (int p = 0; p < 8; p++) {
      parts.add(p);
    }
    String file = d.vectors().toAbsolutePath().toString();
    int n = d.n();
    int dim = d.dim();
    var rows =
        JavaSparkContext.fromSparkContext(spark.sparkContext())
            .parallelize(parts, parts.size())
            .flatMap(
                p -> {
                  List<Row> out2 = new ArrayList<>();
                  try (RandomAccessFile f = new RandomAccessFile(file, "r")) {
                    for (int i = p; i < n; i += 8) {
                      float[] v = read(f, i, dim);
                      Float[] boxed = new Float[dim];
                      for (int j = 0; j < dim; j++) {
                        boxed[j] = v[j];
                      }
                      out2.add(RowFactory.create(Integer.toString(i), boxed, null));
                    }
                  }
                  return out2.iterator();
                });
    StructType schema =
        new StructType()
            .add("id", DataTypes.StringType, false)
            .add("vector", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add("payload", DataTypes.StringType, true);
    spark.createDataFrame(rows, schema).write().mode(SaveMode.Overwrite).parquet(out.toString());
    return out;
  }

  static SparkSession spark() {
    SparkSession s =
        SparkSession.builder()
            .appName("byhand spark bench")
            .master("local[2]")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "8")
            .getOrCreate();
    s.sparkContext().setLogLevel("WARN");
    return s;
  }

  static double recall(List<ScoredPoint> hits, DataSet d, int q) {
    Set<String> want = new HashSet<>();
    for (int j = 0; j < 10; j++) {
      want.add(Integer.toString(d.truth()[q * 10 + j]));
    }
    int hit = 0;
    for (ScoredPoint h : hits) {
      hit += want.contains(h.id()) ? 1 : 0;
    }
    return hit / 10.0;
  }

  // ---- index: the job against one process ----------------------------------------------------

  static void index(Path work, int n, int dim, int queries, Map<String, String> opt)
      throws IOException {
    DataSet d = dataSet(n, dim, queries);
    int ef = Integer.parseInt(opt.getOrDefault("ef", "100"));
    // Warm-up, not counted: the HNSW build's code compiled before either run is timed.
    Path warm = work.resolve("warm-up");
    delete(warm);
    try (RandomAccessFile f = new RandomAccessFile(d.vectors().toFile(), "r")) {
      ShardBuilder.build(
          warm,
          0,
          CollectionConfig.of("docs", dim, Metric.COSINE),
          Map.of(),
          points(f, 0, Math.min(n, 5_000), dim));
    }
    delete(warm);
    SparkSession spark = spark();
    Path vectors = parquet(spark, d);
    Path out = work.resolve("index-2");
    delete(out);
    long t0 = System.nanoTime();
    IndexJob.run(
        spark,
        IndexJob.Options.of(vectors.toString(), out.toString(), 2, "hash")
            .withMetric("cosine", "none"));
    double sparkSeconds = (System.nanoTime() - t0) / 1e9;
    spark.stop();

    Path single = work.resolve("single");
    delete(single);
    CollectionConfig config = CollectionConfig.of("docs", dim, Metric.COSINE);
    t0 = System.nanoTime();
    try (RandomAccessFile f = new RandomAccessFile(d.vectors().toFile(), "r")) {
      Iterator<Point> points = points(f, 0, n, dim);
      ShardBuilder.build(single, 0, config, Map.of(), points);
    }
    double oneSeconds = (System.nanoTime() - t0) / 1e9;

    double rSpark;
    try (ShardedCollection s = ShardedCollection.open(out.resolve(ShardManifest.FILE))) {
      rSpark = meanRecall(s::search, d, ef);
    }
    double rOne;
    try (Database db = Database.open(single)) {
      Collection c = db.collection("docs");
      rOne = meanRecall(c::search, d, ef);
    }
    System.out.printf(
        Locale.ROOT,
        "index %d x %d, 2 cores: spark index job local[2] (2 hash shards) %.1f s (%.0f points/s),"
            + " recall@10 %.3f at ef %d | one process, one collection %.1f s (%.0f points/s),"
            + " recall@10 %.3f at ef %d | job/one-process time %.2fx%n",
        n,
        dim,
        sparkSeconds,
        n / sparkSeconds,
        rSpark,
        ef,
        oneSeconds,
        n / oneSeconds,
        rOne,
        ef,
        sparkSeconds / oneSeconds);
  }

  static Iterator<Point> points(RandomAccessFile f, int from, int to, int dim) {
    return new Iterator<>() {
      int i = from;

      @Override
      public boolean hasNext() {
        return i < to;
      }

      @Override
      public Point next() {
        try {
          float[] v = read(f, i, dim);
          return Point.of(Integer.toString(i++), v, null);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    };
  }

  interface Searcher {
    List<ScoredPoint> search(SearchRequest r);
  }

  static double meanRecall(Searcher s, DataSet d, int ef) {
    int q = d.queries().length / d.dim();
    double sum = 0;
    for (int i = 0; i < q; i++) {
      sum +=
          recall(
              s.search(SearchRequest.vector(d.query(i), 10).withEf(ef).withPayload(false, null)),
              d,
              i);
    }
    return sum / q;
  }

  // ---- shards: recall, CPU per query, tail ---------------------------------------------------

  static void shards(Path work, int n, int dim, int queries, Map<String, String> opt)
      throws IOException {
    DataSet d = dataSet(n, dim, queries);
    int ef = Integer.parseInt(opt.getOrDefault("ef", "100"));
    int[] counts =
        Arrays.stream(opt.getOrDefault("shards", "1,2,4,8,16").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    SparkSession spark = spark();
    Path vectors = parquet(spark, d);
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    System.out.printf(
        Locale.ROOT,
        "%d x %d, k 10, ef %d per shard, %d queries, scatter-gather on one thread%n",
        n,
        dim,
        ef,
        d.queries().length / dim);
    System.out.printf(
        Locale.ROOT,
        "%7s %10s %14s %14s %16s %16s%n",
        "shards",
        "recall@10",
        "CPU/query ms",
        "one shard p50",
        "one shard p99",
        "sim. p99 over S");
    for (int s : counts) {
      Path out = work.resolve("shards-" + s);
      if (!Files.exists(out.resolve(ShardManifest.FILE))) {
        delete(out);
        IndexJob.run(
            spark,
            IndexJob.Options.of(vectors.toString(), out.toString(), s, "hash")
                .withMetric("cosine", "none"));
      }
      try (ShardedCollection c =
          ShardedCollection.open(out.resolve(ShardManifest.FILE), false, 1)) {
        int q = d.queries().length / dim;
        // Warm-up: a pass that is not counted.
        for (int i = 0; i < Math.min(q, 200); i++) {
          c.search(SearchRequest.vector(d.query(i), 10).withEf(ef).withPayload(false, null));
        }
        double recall = 0;
        long cpuNanos = 0;
        double[] shard0 = new double[q];
        for (int i = 0; i < q; i++) {
          SearchRequest r =
              SearchRequest.vector(d.query(i), 10).withEf(ef).withPayload(false, null);
          long c0 = cpu.getCurrentThreadCpuTime();
          List<ScoredPoint> hits = c.search(r);
          cpuNanos += cpu.getCurrentThreadCpuTime() - c0;
          recall += recall(hits, d, i);
          long t0 = System.nanoTime();
          c.shard(0).search(r);
          shard0[i] = (System.nanoTime() - t0) / 1e6;
        }
        double[] sorted = shard0.clone();
        Arrays.sort(sorted);
        System.out.printf(
            Locale.ROOT,
            "%7d %10.3f %14.3f %14.3f %16.3f %16.3f%n",
            s,
            recall / q,
            cpuNanos / 1e6 / q,
            Stats.median(shard0),
            sorted[(int) Math.floor(0.99 * (sorted.length - 1))],
            simulatedTail(shard0, s, 0.99));
      }
    }
    spark.stop();
    // The tail of scatter-gather over more shards than were built, from the last shard size's
    // latencies (each shard is as big as that one).
    System.out.println(
        "simulated p99 of the slowest of S shards, each drawing from the last one-shard latencies above:");
    for (int s : new int[] {1, 2, 4, 8, 16, 32, 64, 128, 256}) {
      System.out.printf(
          Locale.ROOT,
          "  S %4d: p50 %.3f ms, p99 %.3f ms%n",
          s,
          simulatedTailLast(s, 0.5),
          simulatedTailLast(s, 0.99));
    }
  }

  private static double[] lastLatencies;

  /**
   * The {@code p} quantile of the slowest of {@code s} independent draws from {@code latencies} (a
   * query waits for its slowest shard), by Monte Carlo with a fixed seed.
   */
  static double simulatedTail(double[] latencies, int s, double p) {
    lastLatencies = latencies;
    SplittableRandom r = new SplittableRandom(7);
    int trials = 100_000;
    double[] worst = new double[trials];
    for (int t = 0; t < trials; t++) {
      double w = 0;
      for (int i = 0; i < s; i++) {
        w = Math.max(w, latencies[r.nextInt(latencies.length)]);
      }
      worst[t] = w;
    }
    Arrays.sort(worst);
    return worst[(int) Math.floor(p * (trials - 1))];
  }

  static double simulatedTailLast(int s, double p) {
    return simulatedTail(lastLatencies, s, p);
  }

  // ---- embed: the job against byhand embed --file --------------------------------------------

  static void embed(Path work, Map<String, String> opt) throws Exception {
    int big = Integer.parseInt(opt.getOrDefault("texts", "20000"));
    int small = Math.max(1, big / 10);
    String encoder = opt.getOrDefault("encoder", "minilm");
    List<String> corpus = Files.readAllLines(Path.of("demo", "corpus.txt"), StandardCharsets.UTF_8);
    Path bigFile = work.resolve("texts-" + big + ".txt");
    Path smallFile = work.resolve("texts-" + small + ".txt");
    Files.write(bigFile, repeat(corpus, big), StandardCharsets.UTF_8);
    Files.write(smallFile, repeat(corpus, small), StandardCharsets.UTF_8);

    cli(encoder, smallFile); // not counted: ./byhand rebuilds itself first if its sources changed
    double cliBig = cli(encoder, bigFile);
    double cliSmall = cli(encoder, smallFile);
    SparkSession spark = spark();
    // Warm-up, not counted: the session, the executors' model session and the JIT, which a
    // cluster pays once per application and each CLI run pays in both of its timings alike.
    job(spark, encoder, smallFile, work.resolve("embed-warm-up"));
    double jobSmall = job(spark, encoder, smallFile, work.resolve("embed-small"));
    double jobBig = job(spark, encoder, bigFile, work.resolve("embed-big"));
    spark.stop();
    double cliRate = (big - small) / (cliBig - cliSmall);
    double jobRate = (big - small) / (jobBig - jobSmall);
    System.out.printf(
        Locale.ROOT,
        "embed %s, demo corpus lines repeated (%d and %d texts, rate from the difference):"
            + " spark embed job local[2] %.0f texts/s | byhand embed --file %.0f texts/s |"
            + " job/cli %.2fx (target 0.9x)%n",
        encoder,
        small,
        big,
        jobRate,
        cliRate,
        jobRate / cliRate);
  }

  static List<String> repeat(List<String> lines, int n) {
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String s = lines.get(i % lines.size());
      out.add(i < lines.size() ? s : s + " (" + (i / lines.size()) + ")");
    }
    return out;
  }

  static double cli(String encoder, Path file) throws Exception {
    long t0 = System.nanoTime();
    Process p =
        new ProcessBuilder("./byhand", "embed", "--encoder", encoder, "--file", file.toString())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException("./byhand embed failed");
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  static double job(SparkSession spark, String encoder, Path file, Path out) throws IOException {
    delete(out);
    long t0 = System.nanoTime();
    EmbedJob.run(
        spark,
        new EmbedJob.Options(
            file.toString(), "text", "id", "text", null, spec(encoder), 2, out.toString()));
    return (System.nanoTime() - t0) / 1e9;
  }

  /** The embed job's defaults for an encoder, as {@code spark/run embed --encoder} gives them. */
  static ExecutorEncoders.Spec spec(String encoder) {
    return new ExecutorEncoders.Spec(encoder, null, null, "truncate", 32);
  }

  // ---- scale: bytes per vector, fitted, and the table ----------------------------------------

  static void scale(Path work, int dim, Map<String, String> opt) throws IOException {
    int[] sizes =
        Arrays.stream(opt.getOrDefault("sizes", "250000,500000,1000000,2000000,4000000").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    int max = Arrays.stream(sizes).max().orElseThrow();
    DataSet d =
        dataSet(Integer.parseInt(opt.getOrDefault("points", Integer.toString(max))), dim, 100);
    if (d.n() < max) {
      throw new IllegalArgumentException("--points must be at least the largest size, " + max);
    }
    System.out.printf(
        Locale.ROOT, "bytes per vector, %d dimensions, m 16, ef_construction 100%n", dim);
    System.out.printf(
        Locale.ROOT, "%-22s %10s %14s %14s%n", "what", "points", "heap B/vector", "disk B/vector");
    Map<String, double[][]> samples = new LinkedHashMap<>(); // what -> [n, heap, disk] rows
    try (RandomAccessFile f = new RandomAccessFile(d.vectors().toFile(), "r")) {
      for (int size : sizes) {
        // A store collection: what a shard of the index job is.
        Path dir = work.resolve("scale-" + size);
        delete(dir);
        ShardBuilder.build(
            dir,
            0,
            CollectionConfig.of("docs", dim, Metric.COSINE),
            Map.of(),
            points(f, 0, size, dim));
        long disk = folderBytes(dir);
        // Heap: used heap (after GCs) with the shard open, minus the same right after closing it.
        long open;
        try (Database db = Database.open(dir)) {
          db.collection("docs").count(null);
          open = usedHeap();
        }
        record(samples, "store collection", size, open - usedHeap(), disk);
        delete(dir);
        // The HNSW index alone at each compression (the store keeps floats today).
        for (String c : List.of("none", "int8", "binary")) {
          float[][] sample = new float[Math.min(size, 10_000)][];
          for (int i = 0; i < sample.length; i++) {
            sample[i] = read(f, i, dim);
          }
          Compression comp =
              switch (c) {
                case "int8" -> Compression.int8(sample);
                case "binary" -> Compression.binary(sample);
                default -> Compression.none();
              };
          HnswIndex index =
              HnswIndex.builder(dim, Metric.COSINE)
                  .m(16)
                  .efConstruction(100)
                  .compression(comp)
                  .build();
          float[][] batch = new float[10_000][];
          for (int i = 0; i < size; i += batch.length) {
            int len = Math.min(batch.length, size - i);
            float[][] b = len == batch.length ? batch : new float[len][];
            for (int j = 0; j < len; j++) {
              b[j] = read(f, i + j, dim);
            }
            index.addBatch(b);
          }
          Path file = work.resolve("scale-" + size + "-" + c + ".hnsw");
          index.save(file);
          record(
              samples, "hnsw index, " + c, size, index.bytesPerVector() * size, Files.size(file));
          Files.delete(file);
        }
      }
    }
    System.out.println();
    System.out.println("least-squares fit bytes(n) = fixed + per_vector * n:");
    Map<String, double[]> fits = new LinkedHashMap<>();
    for (var e : samples.entrySet()) {
      double[] heap = fit(e.getValue(), 1);
      double[] disk = fit(e.getValue(), 2);
      fits.put(e.getKey(), new double[] {heap[1], disk[1]});
      System.out.printf(
          Locale.ROOT,
          "  %-22s heap %.1f B/vector (+ %.0f B), disk %.1f B/vector (+ %.0f B)%n",
          e.getKey(),
          heap[1],
          heap[0],
          disk[1],
          disk[0]);
    }
    double embedRate = Double.parseDouble(opt.getOrDefault("embed-rate-per-core", "0"));
    double indexRate = Double.parseDouble(opt.getOrDefault("index-rate-per-core", "0"));
    System.out.println();
    System.out.print(
        table(
            fits,
            embedRate,
            indexRate,
            Integer.parseInt(opt.getOrDefault("shard-points", "4000000"))));
  }

  static void record(
      Map<String, double[][]> samples, String what, int n, double heap, double disk) {
    double[][] old = samples.getOrDefault(what, new double[0][]);
    double[][] now = Arrays.copyOf(old, old.length + 1);
    now[old.length] = new double[] {n, heap, disk};
    samples.put(what, now);
    System.out.printf(Locale.ROOT, "%-22s %10d %14.1f %14.1f%n", what, n, heap / n, disk / n);
  }

  /** Least squares of column {@code col} against n: {fixed, per vector}. */
  static double[] fit(double[][] rows, int col) {
    int m = rows.length;
    if (m == 1) {
      return new double[] {0, rows[0][col] / rows[0][0]};
    }
    double sx = 0;
    double sy = 0;
    double sxx = 0;
    double sxy = 0;
    for (double[] r : rows) {
      sx += r[0];
      sy += r[col];
      sxx += r[0] * r[0];
      sxy += r[0] * r[col];
    }
    double b = (m * sxy - sx * sy) / (m * sxx - sx * sx);
    return new double[] {(sy - b * sx) / m, b};
  }

  /**
   * What 100 M and 1 B vectors need, by arithmetic on fitted bytes per vector: nodes of 128 GB of
   * which 96 GB hold shards (the rest: OS, page cache, JVM overhead), shards of {@code
   * shardPoints}, and core-hours from the measured per-core rates (0: not given).
   */
  static String table(
      Map<String, double[]> fits, double embedPerCore, double indexPerCore, int shardPoints) {
    StringBuilder b = new StringBuilder();
    b.append("| vectors | layout | heap | disk | shards of ")
        .append(String.format(Locale.ROOT, "%,d", shardPoints))
        .append(
            " | nodes of 128 GB (96 GB for shards) | core-hours to embed | core-hours to index |\n");
    b.append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (long total : new long[] {100_000_000L, 1_000_000_000L}) {
      for (var e : fits.entrySet()) {
        double heap = e.getValue()[0] * total;
        double disk = e.getValue()[1] * total;
        long shards = (total + shardPoints - 1) / shardPoints;
        long nodes = (long) Math.ceil(heap / 96e9);
        b.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %.0f GB | %.0f GB | %,d | %,d | %s | %s |%n",
                total == 100_000_000L ? "100 M" : "1 B",
                e.getKey(),
                heap / 1e9,
                disk / 1e9,
                shards,
                nodes,
                embedPerCore > 0
                    ? String.format(Locale.ROOT, "%,.0f", total / embedPerCore / 3600)
                    : "—",
                indexPerCore > 0
                    ? String.format(Locale.ROOT, "%,.0f", total / indexPerCore / 3600)
                    : "—"));
      }
    }
    return b.toString();
  }

  static long usedHeap() {
    Runtime r = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return r.totalMemory() - r.freeMemory();
  }

  static long folderBytes(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  static void delete(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(x);
      }
    }
  }
}
