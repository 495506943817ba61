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
 * Search load on the server over loopback, beside the same searches through the embedded API in
 * the same run: requests/second and p50/p99 latency at several concurrencies, with and without 10%
 * upserts mixed in. The embedded cells run first, in this JVM; then the server runs in a JVM of its
 * own on the same folder and this one loads it (java.net.http, HTTP/1.1 keep-alive). Beside wall
 * clock rates it reports CPU time per request, of the server process alone: on a shared machine the
 * fair comparison with the embedded API.
 *
 * <p>{@code java … dev.byhand.bench.server.LoadBench [--points 100000] [--dim 384] [--seconds 10]
 * [--k 10] [--data DIR] [--out FILE]}
 */
public final class LoadBench {

  /**
   * One cell: {@code cpuMicrosPerRequest} is this process's CPU per request (the searching threads
   * when embedded, the load generator when not); {@code serverCpuMicrosPerRequest} the server
   * process's, or NaN.
   */
  private record Result(
      String mode, int concurrency, boolean mixed, long requests, double seconds, double p50, double p99, double cpuMicrosPerRequest, double serverCpuMicrosPerRequest) {
    double qps() {
      return requests / seconds;
    }
  }

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
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--points" -> points = Integer.parseInt(args[++i]);
        case "--dim" -> dim = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--k" -> k = Integer.parseInt(args[++i]);
        case "--data" -> data = Path.of(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
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
        System.err.printf(Locale.ROOT, "%nbench: ingested %d x %d in %.1f s%n", points, dim, (System.nanoTime() - t0) / 1e9);
      }
    }
    float[][] queries = new float[1000][];
    String[] bodies = new String[queries.length];
    for (int i = 0; i < queries.length; i++) {
      queries[i] = gaussian(random, dim);
      bodies[i] = "{\"vector\":" + Arrays.toString(queries[i]) + ",\"k\":" + k + ",\"with_payload\":false}";
    }
    int[] concurrencies = {1, 8, 32};
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
              if (c.search(SearchRequest.vector(queries[q], kk).withPayload(false, null)).size() != kk) {
                throw new IllegalStateException("fewer than k results");
              }
            }

            @Override
            public void upsert(String id, float[] vector) {
              c.upsert(List.of(Point.of(id, vector, null)));
            }
          };
      run("embedded", embedded, 8, false, 5, queries.length, dim, ids, null); // JIT warm-up, not reported
      for (boolean mixed : loads) {
        for (int concurrency : concurrencies) {
          embeddedResults.add(report(run("embedded", embedded, concurrency, mixed, seconds, queries.length, dim, ids, null)));
        }
      }
    }
    // 3. the server, in a JVM of its own (so its CPU time is its own), loaded from this one over loopback
    List<Result> serverResults = new ArrayList<>();
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx3g", "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), Serve.class.getName(), data.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try {
      String url = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)).readLine();
      if (url == null || !url.startsWith("http")) {
        throw new IllegalStateException("the server process did not start (it said: " + url + ")");
      }
      long pid = child.pid();
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
      URI search = URI.create(url + "/collections/" + name + "/points/search");
      URI upsert = URI.create(url + "/collections/" + name + "/points");
      Op http =
          new Op() {
            @Override
            public void search(int q) throws IOException, InterruptedException {
              HttpResponse<String> r =
                  client.send(HttpRequest.newBuilder(search).POST(HttpRequest.BodyPublishers.ofString(bodies[q])).header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() != 200) {
                throw new IllegalStateException("search answered " + r.statusCode() + ": " + r.body());
              }
            }

            @Override
            public void upsert(String id, float[] vector) throws IOException, InterruptedException {
              String body = "{\"points\":[{\"id\":\"" + id + "\",\"vector\":" + Arrays.toString(vector) + "}]}";
              HttpResponse<String> r =
                  client.send(HttpRequest.newBuilder(upsert).PUT(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() != 200) {
                throw new IllegalStateException("upsert answered " + r.statusCode() + ": " + r.body());
              }
            }
          };
      run("server", http, 8, false, 10, queries.length, dim, ids, null); // the new JVM's JIT warm-up, not reported
      for (boolean mixed : loads) {
        for (int concurrency : concurrencies) {
          serverResults.add(report(run("server", http, concurrency, mixed, seconds, queries.length, dim, ids, () -> processCpuNanos(pid))));
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
      for (int i = 0; i < added.size(); i += 10_000) {
        c.delete(added.subList(i, Math.min(added.size(), i + 10_000)));
      }
    }
    List<Result> results = new ArrayList<>();
    for (int i = 0; i < embeddedResults.size(); i++) {
      results.add(embeddedResults.get(i));
      results.add(serverResults.get(i));
    }
    String table = table(results, points, dim, k, seconds);
    System.out.println(table);
    if (out != null) {
      Files.writeString(out, table);
    }
  }

  /** The server process's main: serves the folder on a free loopback port, prints its URL, waits for SIGTERM. */
  public static final class Serve {
    private Serve() {}

    public static void main(String[] args) throws InterruptedException {
      ByhandServer server = ByhandServer.start(ServerConfig.of(Path.of(args[0])).withAddress("127.0.0.1", 0));
      Runtime.getRuntime().addShutdownHook(new Thread(server::close));
      System.out.println(server.url());
      System.out.flush();
      Thread.currentThread().join();
    }
  }

  private static Result report(Result r) {
    System.err.printf(Locale.ROOT, "bench: %-8s c=%-2d %-12s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  CPU µs/req %6.0f here, %6.0f server%n",
        r.mode(), r.concurrency(), r.mixed() ? "10% upserts" : "search", r.qps(), r.p50(), r.p99(), r.cpuMicrosPerRequest(), r.serverCpuMicrosPerRequest());
    return r;
  }

  /** CPU time (user + system) of another process, from /proc (Linux; clock ticks of 10 ms). */
  private static long processCpuNanos(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L; // utime, stime: fields 14 and 15
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Result run(String mode, Op op, int concurrency, boolean mixed, int seconds, int queries, int dim, AtomicLong ids, java.util.function.LongSupplier serverCpu)
      throws InterruptedException {
    // a short warm-up so the JIT and the connection pool are ready
    long warmEnd = System.nanoTime() + 1_000_000_000L;
    List<long[]> latencies = new ArrayList<>();
    Thread[] threads = new Thread[concurrency];
    long[] counts = new long[concurrency];
    Throwable[] failure = new Throwable[1];
    long start = warmEnd;
    long end = start + seconds * 1_000_000_000L;
    // CPU time of the whole process over the cell, warm-up included, per request (warm-up included):
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
    double serverMicros = serverCpu == null ? Double.NaN : (serverCpu.getAsLong() - serverCpu0) / 1e3 / done.get();
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
    return new Result(mode, concurrency, mixed, total, seconds, all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6, (cpu[1] - cpu[0]) / 1e3 / done.get(), serverMicros);
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
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

  private static String table(List<Result> results, int points, int dim, int k, int seconds) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%d points x %d dims (cosine, HNSW m=16 efConstruction=100), k = %d, ef = 64, %d s a cell after 1 s warm-up (and 5 s / 10 s of JIT warm-up before the embedded / server cells); CPU per request includes each cell's warm-up second; %d cores, Java %s%n%n",
        points, dim, k, seconds, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version")));
    sb.append("| load | concurrency | embedded req/s | server req/s | server / embedded | embedded p50 / p99 ms | server p50 / p99 ms | CPU µs/req embedded | CPU µs/req server process | CPU µs/req load generator |\n");
    sb.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (int i = 0; i < results.size(); i += 2) {
      Result e = results.get(i);
      Result s = results.get(i + 1);
      sb.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.0f%% | %.2f / %.2f | %.2f / %.2f | %.0f | %.0f | %.0f |%n",
          e.mixed() ? "search + 10% upserts" : "search", e.concurrency(), e.qps(), s.qps(), 100 * s.qps() / e.qps(), e.p50(), e.p99(), s.p50(), s.p99(),
          e.cpuMicrosPerRequest(), s.serverCpuMicrosPerRequest(), s.cpuMicrosPerRequest()));
    }
    return sb.toString();
  }
}
