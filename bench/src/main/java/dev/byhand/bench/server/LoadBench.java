package dev.byhand.bench.server;

import dev.byhand.server.ByhandServer;
import dev.byhand.server.ServerConfig;
import dev.byhand.store.Collection;
import dev.byhand.store.CollectionConfig;
import dev.byhand.store.Database;
import dev.byhand.store.Point;
import dev.byhand.store.SearchRequest;
import dev.byhand.vector.Metric;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Search load on the server over loopback, beside the same searches through the embedded API in the
 * same run: requests/second and p50/p99 latency at several concurrencies, with and without 10%
 * upserts mixed in. The embedded cells run first, in this JVM; then the server runs in a JVM of its
 * own on the same folder and is loaded over loopback (HTTP/1.1 keep-alive, one connection per unit
 * of concurrency) by one of two generators:
 *
 * <ul>
 *   <li>{@code wrk} (the default; Debian package {@code wrk}) in a process of its own, with few
 *       threads ({@code --wrk-threads}, 1 by default) and the script {@code bench/wrk/search.lua}:
 *       it costs the shared cores far less CPU per request than a JVM client;
 *   <li>{@code java}: threads of this JVM sending through {@code java.net.http}, about 160 µs of
 *       CPU a request on the same cores.
 * </ul>
 *
 * <p>Both send the same 1,000 search bodies; the upserts are single new points with Gaussian
 * vectors. Beside wall clock rates it reports CPU time per request, of the server process alone: on
 * a shared machine the fair comparison with the embedded API; and the server's heap allocation per
 * request and its collection time per second, which set how often a pause lands in the p99.
 *
 * <p>{@code java … dev.byhand.bench.server.LoadBench [--points 100000] [--dim 384] [--seconds 10]
 * [--k 10] [--generator wrk|java] [--wrk-threads 1] [--concurrency 1,8,32] [--data DIR] [--out
 * FILE]}
 */
public final class LoadBench {

  /**
   * One cell: {@code cpuMicrosPerRequest} is this process's CPU per request (the searching threads
   * when embedded, the load generator when not); {@code serverCpuMicrosPerRequest} the server
   * process's, or NaN.
   */
  private record Result(
      String mode,
      int concurrency,
      boolean mixed,
      long requests,
      double seconds,
      double p50,
      double p99,
      double cpuMicrosPerRequest,
      double serverCpuMicrosPerRequest,
      double serverKilobytesPerRequest,
      double serverGcMillisPerSecond) {
    double qps() {
      return requests / seconds;
    }

    Result withServerMemory(ServerStats before, ServerStats after) {
      return new Result(
          mode,
          concurrency,
          mixed,
          requests,
          seconds,
          p50,
          p99,
          cpuMicrosPerRequest,
          serverCpuMicrosPerRequest,
          (after.allocatedBytes() - before.allocatedBytes()) / 1e3 / requests,
          (after.gcMillis() - before.gcMillis()) / seconds);
    }
  }

  /**
   * What the server process reports of its heap: bytes allocated by its live threads (Jetty's pool
   * keeps its workers through a cell), and collections and their time so far (for G1's young
   * collections, pauses).
   */
  private record ServerStats(long allocatedBytes, long gcCount, long gcMillis) {}

  private interface Op {
    void search(int query) throws Exception;

    void upsert(String id, float[] vector) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    int points = 100_000;
    int dim = 384;
    int seconds = 10;
    int k = 10;
    Path data = Path.of("bench/cache/server-load");
    Path out = null;
    String generator = "wrk";
    int wrkThreads = 1;
    int[] concurrencies = {1, 8, 32};
    Path wrkScript = Path.of("bench/wrk/search.lua");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--points" -> points = Integer.parseInt(args[++i]);
        case "--dim" -> dim = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--k" -> k = Integer.parseInt(args[++i]);
        case "--data" -> data = Path.of(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        case "--generator" -> generator = args[++i];
        case "--wrk-threads" -> wrkThreads = Integer.parseInt(args[++i]);
        case "--wrk-script" -> wrkScript = Path.of(args[++i]);
        case "--concurrency" ->
            concurrencies =
                Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (!generator.equals("wrk") && !generator.equals("java")) {
      throw new IllegalArgumentException("--generator: wrk or java, got " + generator);
    }
    String wrkVersion = null;
    if (generator.equals("wrk")) {
      if (!Files.isReadable(wrkScript)) {
        throw new IllegalArgumentException(
            "--wrk-script: cannot read " + wrkScript + " (run from the repository root)");
      }
      wrkVersion = wrkVersion();
    }
    long seed = 42;
    SplittableRandom random = new SplittableRandom(seed);
    String name = "load" + points + "x" + dim;
    // 1. the collection, built once and kept in the cache folder
    try (Database db = Database.open(data)) {
      if (db.find(name).isEmpty() || db.collection(name).info().points() != points) {
        db.find(name).ifPresent(c -> db.drop(name));
        Collection c = db.create(CollectionConfig.of(name, dim, Metric.COSINE));
        long t0 = System.nanoTime();
        List<Point> batch = new ArrayList<>();
        for (int i = 0; i < points; i++) {
          batch.add(Point.of("p" + i, gaussian(random, dim), null));
          if (batch.size() == 5000 || i == points - 1) {
            c.upsert(batch);
            batch.clear();
            System.err.printf(Locale.ROOT, "\rbench: ingest %d/%d", i + 1, points);
          }
        }
        c.checkpoint();
        System.err.printf(
            Locale.ROOT,
            "%nbench: ingested %d x %d in %.1f s%n",
            points,
            dim,
            (System.nanoTime() - t0) / 1e9);
      }
    }
    float[][] queries = new float[1000][];
    String[] bodies = new String[queries.length];
    for (int i = 0; i < queries.length; i++) {
      queries[i] = gaussian(random, dim);
      bodies[i] =
          "{\"vector\":"
              + Arrays.toString(queries[i])
              + ",\"limit\":"
              + k
              + ",\"with_payload\":false}";
    }
    boolean[] loads = {false, true};
    AtomicLong ids = new AtomicLong();
    final int kk = k;
    // 2. the embedded API, in this process
    List<Result> embeddedResults = new ArrayList<>();
    try (Database db = Database.open(data)) {
      Collection c = db.collection(name);
      Op embedded =
          new Op() {
            @Override
            public void search(int q) {
              if (c.search(SearchRequest.vector(queries[q], kk).withPayload(false, null)).size()
                  != kk) {
                throw new IllegalStateException("fewer than k results");
              }
            }

            @Override
            public void upsert(String id, float[] vector) {
              c.upsert(List.of(Point.of(id, vector, null)));
            }
          };
      run(
          "embedded",
          embedded,
          8,
          false,
          5,
          queries.length,
          dim,
          ids,
          null); // JIT warm-up, not reported
      for (boolean mixed : loads) {
        for (int concurrency : concurrencies) {
          embeddedResults.add(
              report(
                  run(
                      "embedded",
                      embedded,
                      concurrency,
                      mixed,
                      seconds,
                      queries.length,
                      dim,
                      ids,
                      null)));
        }
      }
    }
    // 3. the server, in a JVM of its own (so its CPU time is its own), loaded from this one over
    // loopback
    List<Result> serverResults = new ArrayList<>();
    List<String> wrkIds = new ArrayList<>(); // the points the wrk upserts added
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx3g",
                "--add-modules",
                "jdk.incubator.vector",
                "-cp",
                System.getProperty("java.class.path"),
                Serve.class.getName(),
                data.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try {
      java.io.BufferedReader childOut =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      java.io.PrintStream childIn =
          new java.io.PrintStream(child.getOutputStream(), true, StandardCharsets.UTF_8);
      String url = childOut.readLine();
      if (url == null || !url.startsWith("http")) {
        throw new IllegalStateException("the server process did not start (it said: " + url + ")");
      }
      long pid = child.pid();
      java.util.concurrent.Callable<ServerStats> stats =
          () -> {
            childIn.println("stats");
            String[] f = childOut.readLine().split(" ");
            return new ServerStats(
                Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]));
          };
      if (generator.equals("wrk")) {
        Path bodyFile = Files.createTempFile("byhand-load-queries", ".jsonl");
        try {
          Files.write(bodyFile, List.of(bodies), StandardCharsets.UTF_8);
          Wrk wrk = new Wrk(wrkScript, wrkThreads, url, name, bodyFile, dim);
          wrk.run(8, false, 10, "warm-"); // the new JVM's JIT warm-up, not reported
          int cell = 0;
          for (boolean mixed : loads) {
            for (int concurrency : concurrencies) {
              String prefix = "wrk" + (cell++) + "-";
              wrk.run(
                  concurrency,
                  mixed,
                  1,
                  prefix + "w"); // as the Java cells: 1 s warm-up, new connections
              ServerStats s0 = stats.call();
              long cpu0 = processCpuNanos(pid);
              WrkRun r = wrk.run(concurrency, mixed, seconds, prefix);
              double serverMicros = (processCpuNanos(pid) - cpu0) / 1e3 / r.requests();
              Result result =
                  new Result(
                      "server",
                      concurrency,
                      mixed,
                      r.requests(),
                      r.seconds(),
                      r.p50(),
                      r.p99(),
                      r.cpuNanos() / 1e3 / r.requests(),
                      serverMicros,
                      Double.NaN,
                      Double.NaN);
              serverResults.add(report(result.withServerMemory(s0, stats.call())));
            }
          }
          wrkIds.addAll(wrk.upserted);
        } finally {
          Files.deleteIfExists(bodyFile);
        }
      } else {
        HttpClient client =
            HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        URI search = URI.create(url + "/collections/" + name + "/points/search");
        URI upsert = URI.create(url + "/collections/" + name + "/points");
        Op http =
            new Op() {
              @Override
              public void search(int q) throws IOException, InterruptedException {
                HttpResponse<String> r =
                    client.send(
                        HttpRequest.newBuilder(search)
                            .POST(HttpRequest.BodyPublishers.ofString(bodies[q]))
                            .header("Content-Type", "application/json")
                            .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                  throw new IllegalStateException(
                      "search answered " + r.statusCode() + ": " + r.body());
                }
              }

              @Override
              public void upsert(String id, float[] vector)
                  throws IOException, InterruptedException {
                String body =
                    "{\"points\":[{\"id\":\""
                        + id
                        + "\",\"vector\":"
                        + Arrays.toString(vector)
                        + "}]}";
                HttpResponse<String> r =
                    client.send(
                        HttpRequest.newBuilder(upsert)
                            .PUT(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                            .header("Content-Type", "application/json")
                            .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                  throw new IllegalStateException(
                      "upsert answered " + r.statusCode() + ": " + r.body());
                }
              }
            };
        run(
            "server",
            http,
            8,
            false,
            10,
            queries.length,
            dim,
            ids,
            null); // the new JVM's JIT warm-up, not reported
        for (boolean mixed : loads) {
          for (int concurrency : concurrencies) {
            ServerStats s0 = stats.call(); // (includes the cell's warm-up second, as its CPU does)
            Result result =
                run(
                    "server",
                    http,
                    concurrency,
                    mixed,
                    seconds,
                    queries.length,
                    dim,
                    ids,
                    () -> processCpuNanos(pid));
            serverResults.add(report(result.withServerMemory(s0, stats.call())));
          }
        }
      }
    } finally {
      child.destroy(); // SIGTERM: the server drains and closes the database
      child.waitFor();
    }
    // 4. remove the points the mixed runs added, so the next run starts from the same collection
    try (Database db = Database.open(data)) {
      Collection c = db.collection(name);
      List<String> added = new ArrayList<>();
      for (long i = 0; i < ids.get(); i++) {
        added.add("new" + i);
      }
      added.addAll(wrkIds);
      for (int i = 0; i < added.size(); i += 10_000) {
        c.delete(added.subList(i, Math.min(added.size(), i + 10_000)));
      }
    }
    List<Result> results = new ArrayList<>();
    for (int i = 0; i < embeddedResults.size(); i++) {
      results.add(embeddedResults.get(i));
      results.add(serverResults.get(i));
    }
    String how =
        generator.equals("wrk")
            ? String.format(
                Locale.ROOT,
                "%s in its own process (-t%d, bench/wrk/search.lua), one keep-alive connection per unit of concurrency",
                wrkVersion,
                wrkThreads)
            : "the Java load generator (java.net.http in the bench JVM, one thread and keep-alive connection per unit of concurrency)";
    String table = table(results, points, dim, k, seconds, how);
    System.out.println(table);
    if (out != null) {
      Files.writeString(out, table);
    }
  }

  /**
   * The server process's main: serves the folder on a free loopback port, prints its URL, waits for
   * SIGTERM.
   */
  public static final class Serve {
    private Serve() {}

    public static void main(String[] args) throws InterruptedException, IOException {
      ByhandServer server =
          ByhandServer.start(ServerConfig.of(Path.of(args[0])).withAddress("127.0.0.1", 0));
      Runtime.getRuntime().addShutdownHook(new Thread(server::close));
      System.out.println(server.url());
      System.out.flush();
      // each line "stats" on stdin is answered with "stats ALLOCATED_BYTES GC_COUNT GC_MILLIS"
      java.io.BufferedReader in =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8));
      com.sun.management.ThreadMXBean threads =
          (com.sun.management.ThreadMXBean)
              java.lang.management.ManagementFactory.getThreadMXBean();
      for (String line; (line = in.readLine()) != null; ) {
        if (line.equals("stats")) {
          long allocated = 0;
          for (long a : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            allocated += Math.max(0, a);
          }
          long count = 0;
          long millis = 0;
          for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
          }
          System.out.println("stats " + allocated + " " + count + " " + millis);
          System.out.flush();
        }
      }
      Thread.currentThread().join();
    }
  }

  private static Result report(Result r) {
    System.err.printf(
        Locale.ROOT,
        "bench: %-8s c=%-2d %-12s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  CPU µs/req %6.0f here, %6.0f server;  server heap %5.1f kB/req, GC %4.1f ms/s%n",
        r.mode(),
        r.concurrency(),
        r.mixed() ? "10% upserts" : "search",
        r.qps(),
        r.p50(),
        r.p99(),
        r.cpuMicrosPerRequest(),
        r.serverCpuMicrosPerRequest(),
        r.serverKilobytesPerRequest(),
        r.serverGcMillisPerSecond());
    return r;
  }

  /** CPU time (user + system) of another process, from /proc (Linux; clock ticks of 10 ms). */
  private static long processCpuNanos(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12]))
          * 10_000_000L; // utime, stime: fields 14 and 15
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Result run(
      String mode,
      Op op,
      int concurrency,
      boolean mixed,
      int seconds,
      int queries,
      int dim,
      AtomicLong ids,
      java.util.function.LongSupplier serverCpu)
      throws InterruptedException {
    // a short warm-up so the JIT and the connection pool are ready
    long warmEnd = System.nanoTime() + 1_000_000_000L;
    List<long[]> latencies = new ArrayList<>();
    Thread[] threads = new Thread[concurrency];
    long[] counts = new long[concurrency];
    Throwable[] failure = new Throwable[1];
    long start = warmEnd;
    long end = start + seconds * 1_000_000_000L;
    // CPU time of the whole process over the cell, warm-up included, per request (warm-up
    // included):
    // on a shared machine the fair cost of a request, since wall-clock rates depend on what else
    // runs. The server rows include the load generator's own CPU.
    long[] cpu = {processCpuNanos(), 0};
    long serverCpu0 = serverCpu == null ? 0 : serverCpu.getAsLong();
    AtomicLong done = new AtomicLong();
    for (int t = 0; t < concurrency; t++) {
      long[] lat = new long[4_000_000];
      latencies.add(lat);
      int thread = t;
      threads[t] =
          new Thread(
              () -> {
                SplittableRandom r = new SplittableRandom(1000 + thread);
                int n = 0;
                try {
                  while (true) {
                    long t0 = System.nanoTime();
                    if (t0 >= end) {
                      break;
                    }
                    if (mixed && r.nextInt(10) == 0) {
                      op.upsert("new" + ids.getAndIncrement(), gaussian(r, dim));
                    } else {
                      op.search(r.nextInt(queries));
                    }
                    long t1 = System.nanoTime();
                    done.incrementAndGet();
                    if (t0 >= start && n < lat.length) {
                      lat[n++] = t1 - t0;
                    }
                  }
                } catch (Throwable e) {
                  failure[0] = e;
                }
                counts[thread] = n;
              });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    cpu[1] = processCpuNanos();
    double serverMicros =
        serverCpu == null ? Double.NaN : (serverCpu.getAsLong() - serverCpu0) / 1e3 / done.get();
    if (failure[0] != null) {
      throw new IllegalStateException(mode + " run failed", failure[0]);
    }
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    long[] all = new long[(int) total];
    int at = 0;
    for (int t = 0; t < concurrency; t++) {
      System.arraycopy(latencies.get(t), 0, all, at, (int) counts[t]);
      at += (int) counts[t];
    }
    Arrays.sort(all);
    return new Result(
        mode,
        concurrency,
        mixed,
        total,
        seconds,
        all[all.length / 2] / 1e6,
        all[(int) (all.length * 0.99)] / 1e6,
        (cpu[1] - cpu[0]) / 1e3 / done.get(),
        serverMicros,
        Double.NaN,
        Double.NaN);
  }

  /** What one wrk run measured; {@code cpuNanos} is wrk's own CPU time (user + system). */
  private record WrkRun(long requests, double seconds, double p50, double p99, long cpuNanos) {}

  /** Runs wrk against the server with {@code bench/wrk/search.lua}, one run a call. */
  private static final class Wrk {
    private final Path script;
    private final int threads;
    private final String url;
    private final String collection;
    private final Path bodies;
    private final int dim;

    /**
     * The ids of every point the mixed runs may have added (sent; some answers may be cut off at
     * the end).
     */
    final List<String> upserted = new ArrayList<>();

    Wrk(Path script, int threads, String url, String collection, Path bodies, int dim) {
      this.script = script;
      this.threads = threads;
      this.url = url;
      this.collection = collection;
      this.bodies = bodies;
      this.dim = dim;
    }

    WrkRun run(int concurrency, boolean mixed, int seconds, String idPrefix)
        throws IOException, InterruptedException {
      int t = Math.min(threads, concurrency); // wrk needs at least one connection a thread
      // sh reports wrk's CPU time: once wrk has been waited for, its user and system times are in
      // the
      // shell's own cutime and cstime (/proc/self/stat, fields 16 and 17).
      List<String> command =
          List.of(
              "sh",
              "-c",
              "wrk \"$@\"; s=$?; echo \"wrk-stat $(cat /proc/$$/stat)\"; exit $s",
              "sh",
              "-t" + t,
              "-c" + concurrency,
              "-d" + seconds + "s",
              "--timeout",
              "10s",
              "--latency",
              "-s",
              script.toString(),
              url,
              "--",
              collection,
              bodies.toString(),
              mixed ? "10" : "0",
              idPrefix,
              Integer.toString(dim));
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new IllegalStateException(
            "wrk failed (" + String.join(" ", command) + "):\n" + output);
      }
      long requests = -1;
      double seconds0 = Double.NaN;
      double p50 = Double.NaN;
      double p99 = Double.NaN;
      long cpu = -1;
      for (String line : output.split("\n")) {
        String[] f = line.trim().split("\\s+");
        if (line.startsWith("wrk-stat ")) {
          String stat = line.substring(line.lastIndexOf(')') + 2);
          String[] g = stat.split(" ");
          cpu =
              (Long.parseLong(g[13]) + Long.parseLong(g[14]))
                  * 10_000_000L; // cutime, cstime: fields 16 and 17
        } else if (f[0].equals("wrk-result")) {
          switch (f[1]) {
            case "requests" -> requests = Long.parseLong(f[2]);
            case "duration_us" -> seconds0 = Long.parseLong(f[2]) / 1e6;
            case "p50_us" -> p50 = Long.parseLong(f[2]) / 1e3;
            case "p99_us" -> p99 = Long.parseLong(f[2]) / 1e3;
            case "errors" -> {
              long errors = 0;
              for (int i = 2; i < f.length; i++) {
                errors += Long.parseLong(f[i]);
              }
              if (errors > 0) {
                throw new IllegalStateException(
                    "wrk saw errors (connect read write status timeout: "
                        + line.substring(18)
                        + "):\n"
                        + output);
              }
            }
            case "upserts" -> {
              for (long n = 0; n < Long.parseLong(f[3]); n++) {
                upserted.add(idPrefix + f[2] + "-" + n);
              }
            }
            default -> {}
          }
        }
      }
      if (requests <= 0 || cpu < 0 || Double.isNaN(p99)) {
        throw new IllegalStateException("could not read wrk's results:\n" + output);
      }
      return new WrkRun(requests, seconds0, p50, p99, cpu);
    }
  }

  /** wrk's version line, e.g. {@code wrk 4.1.0}. */
  private static String wrkVersion() throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "wrk is not installed (Debian package wrk; bench/run load installs it), or use --generator java",
          e);
    }
    String first =
        new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
            .lines()
            .findFirst()
            .orElse("wrk");
    p.waitFor();
    // "wrk debian/4.1.0-3+b2 [epoll] Copyright …"
    String[] f = first.split(" ");
    return f.length > 1 ? "wrk " + f[1] : "wrk";
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static float[] gaussian(SplittableRandom r, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      double u = r.nextDouble(1e-12, 1);
      double w = r.nextDouble();
      v[i] = (float) (Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w));
    }
    return v;
  }

  private static String table(
      List<Result> results, int points, int dim, int k, int seconds, String generator) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "%d points x %d dims (cosine, HNSW m=16 efConstruction=100), k = %d, ef = 64, %d s a cell after 1 s warm-up (and 5 s / 10 s of JIT warm-up before the embedded / server cells); %d cores, Java %s%n%n",
            points,
            dim,
            k,
            seconds,
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version")));
    sb.append("Server cells loaded over loopback by ")
        .append(generator)
        .append(
            generator.startsWith("the Java")
                ? "; CPU and server heap per request include each cell's warm-up second"
                : "; CPU and server heap per request over the measured seconds only")
        .append(".\n\n");
    sb.append(
        "| load | concurrency | embedded req/s | server req/s | server / embedded | embedded p50 / p99 ms | server p50 / p99 ms | CPU µs/req embedded | CPU µs/req server process | CPU µs/req load generator | server heap kB/req, GC ms/s |\n");
    sb.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (int i = 0; i < results.size(); i += 2) {
      Result e = results.get(i);
      Result s = results.get(i + 1);
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %.0f | %.0f | %.0f%% | %.2f / %.2f | %.2f / %.2f | %.0f | %.0f | %.0f | %.1f, %.1f |%n",
              e.mixed() ? "search + 10% upserts" : "search",
              e.concurrency(),
              e.qps(),
              s.qps(),
              100 * s.qps() / e.qps(),
              e.p50(),
              e.p99(),
              s.p50(),
              s.p99(),
              e.cpuMicrosPerRequest(),
              s.serverCpuMicrosPerRequest(),
              s.cpuMicrosPerRequest(),
              s.serverKilobytesPerRequest(),
              s.serverGcMillisPerSecond()));
    }
    return sb.toString();
  }
}
