package dev.byhand.server;

import dev.byhand.store.CollectionInfo;
import dev.byhand.store.Database;
import dev.byhand.store.FailedCollection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request counters and latency histograms, written in the Prometheus text format (version 0.0.4)
 * together with each collection's point count and log size.
 */
final class Metrics {

  /**
   * Latency bucket bounds in seconds: 1 ms to 10 s, the range from a cached search to a large
   * upsert.
   */
  private static final double[] BUCKETS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10
  };

  private record Key(String method, String route, int status) {}

  private static final class Histogram {
    final LongAdder[] counts = new LongAdder[BUCKETS.length];
    final LongAdder count = new LongAdder();
    final LongAdder sumNanos = new LongAdder();

    Histogram() {
      for (int i = 0; i < counts.length; i++) {
        counts[i] = new LongAdder();
      }
    }
  }

  private final Map<Key, LongAdder> requests = new ConcurrentHashMap<>();
  private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
  final AtomicInteger inFlight = new AtomicInteger();

  /** Records one finished request. */
  void record(String method, String route, int status, long nanos) {
    requests.computeIfAbsent(new Key(method, route, status), k -> new LongAdder()).increment();
    Histogram h = latency.computeIfAbsent(route, r -> new Histogram());
    double seconds = nanos / 1e9;
    for (int i = 0; i < BUCKETS.length; i++) {
      if (seconds <= BUCKETS[i]) {
        h.counts[i].increment(); // buckets are stored non-cumulative, summed when written
        break;
      }
    }
    h.count.increment();
    h.sumNanos.add(nanos);
  }

  /** The whole exposition. */
  String render(Database db, int searchesWaiting) {
    StringBuilder sb = new StringBuilder(4096);
    sb.append(
        "# HELP byhand_http_requests_total HTTP requests answered, by method, route and status.\n");
    sb.append("# TYPE byhand_http_requests_total counter\n");
    new TreeMap<String, Long>(sortedRequests())
        .forEach((k, v) -> sb.append(k).append(' ').append(v).append('\n'));
    sb.append("# HELP byhand_http_request_duration_seconds Time to answer a request, by route.\n");
    sb.append("# TYPE byhand_http_request_duration_seconds histogram\n");
    new TreeMap<>(latency)
        .forEach(
            (route, h) -> {
              long cumulative = 0;
              for (int i = 0; i < BUCKETS.length; i++) {
                cumulative += h.counts[i].sum();
                sb.append(
                    String.format(
                        Locale.ROOT,
                        "byhand_http_request_duration_seconds_bucket{route=\"%s\",le=\"%s\"} %d%n",
                        escape(route),
                        bound(BUCKETS[i]),
                        cumulative));
              }
              sb.append(
                  String.format(
                      Locale.ROOT,
                      "byhand_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %d%n",
                      escape(route),
                      h.count.sum()));
              sb.append(
                  String.format(
                      Locale.ROOT,
                      "byhand_http_request_duration_seconds_sum{route=\"%s\"} %.6f%n",
                      escape(route),
                      h.sumNanos.sum() / 1e9));
              sb.append(
                  String.format(
                      Locale.ROOT,
                      "byhand_http_request_duration_seconds_count{route=\"%s\"} %d%n",
                      escape(route),
                      h.count.sum()));
            });
    sb.append("# HELP byhand_http_in_flight Requests being answered now.\n");
    sb.append("# TYPE byhand_http_in_flight gauge\n");
    sb.append("byhand_http_in_flight ").append(inFlight.get()).append('\n');
    sb.append("# HELP byhand_searches_waiting Searches queued for a core (503 beyond ")
        .append(SearchQueue.MAX_QUEUED)
        .append(").\n");
    sb.append("# TYPE byhand_searches_waiting gauge\n");
    sb.append("byhand_searches_waiting ").append(searchesWaiting).append('\n');
    StringBuilder points = new StringBuilder();
    StringBuilder wal = new StringBuilder();
    for (String name : db.list()) {
      CollectionInfo info;
      try {
        info = db.collection(name).info();
      } catch (RuntimeException e) {
        continue; // dropped since list(): nothing to report
      }
      points
          .append("byhand_points{collection=\"")
          .append(name)
          .append("\"} ")
          .append(info.points())
          .append('\n');
      wal.append("byhand_wal_bytes{collection=\"")
          .append(name)
          .append("\"} ")
          .append(info.walBytes())
          .append('\n');
    }
    sb.append("# HELP byhand_points Live points per collection.\n# TYPE byhand_points gauge\n")
        .append(points);
    sb.append("# HELP byhand_wal_bytes Write-ahead log bytes not yet folded into a segment.\n");
    sb.append("# TYPE byhand_wal_bytes gauge\n").append(wal);
    List<FailedCollection> failed = db.failed();
    sb.append("# HELP byhand_collections_failed Collections that failed to open and are")
        .append(" quarantined (the others are served): alert on > 0.\n")
        .append("# TYPE byhand_collections_failed gauge\n")
        .append("byhand_collections_failed ")
        .append(failed.size())
        .append('\n');
    sb.append("# HELP byhand_collection_failed 1 for each quarantined collection, by kind of")
        .append(" failure; GET /collections/{name} says why.\n")
        .append("# TYPE byhand_collection_failed gauge\n");
    for (FailedCollection f : failed) {
      sb.append("byhand_collection_failed{collection=\"")
          .append(f.name())
          .append("\",kind=\"")
          .append(f.kind().label())
          .append("\"} 1\n");
    }
    return sb.toString();
  }

  private Map<String, Long> sortedRequests() {
    Map<String, Long> out = new TreeMap<>();
    requests.forEach(
        (k, v) ->
            out.put(
                "byhand_http_requests_total{method=\""
                    + k.method()
                    + "\",route=\""
                    + escape(k.route())
                    + "\",status=\""
                    + k.status()
                    + "\"}",
                v.sum()));
    return out;
  }

  private static String bound(double b) {
    return b == Math.rint(b) ? String.valueOf((long) b) : String.valueOf(b);
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
