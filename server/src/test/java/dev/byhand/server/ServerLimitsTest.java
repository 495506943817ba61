package dev.byhand.server;

import static dev.byhand.server.ServerApiTest.j;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every request has a bounded cost, and past a bound the answer is a clear JSON error naming the
 * field and the limit: filters by size (413), answers by bytes (413, before anything is sent),
 * batches by hits (413, before searching), and scans by a deadline (503, nothing changed).
 */
class ServerLimitsTest {

  /** One hour, in nanoseconds: far past any deadline. */
  static final long LATE = 3_600_000_000_000L;

  @TempDir Path dir;
  ByhandServer server;
  Http http;

  /**
   * The class whose calls read the clock an hour late (null: none), so a test can put a deadline in
   * the past at exactly one place: in the queue, or in the middle of a filter's scan.
   */
  volatile String lateIn;

  long clock() {
    String late = lateIn;
    if (late != null
        && StackWalker.getInstance()
            .walk(frames -> frames.anyMatch(f -> f.getClassName().equals(late)))) {
      return LATE;
    }
    return 0;
  }

  void start(ServerConfig config) {
    server = ByhandServer.start(config.withAddress("127.0.0.1", 0), this::clock);
    http = new Http(server.url(), null);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** Ten points, each with 8,000 characters of text in its payload. */
  void bigPayloads() {
    http.put("/collections/t", j("{'vectors': {'size': 2, 'distance': 'Cosine'}}")).result();
    StringBuilder points = new StringBuilder("{\"points\":[");
    for (int i = 0; i < 10; i++) {
      points
          .append(i == 0 ? "" : ",")
          .append("{\"id\":\"p")
          .append(i)
          .append("\",\"vector\":[1,")
          .append(i)
          .append("],\"payload\":{\"n\":")
          .append(i)
          .append(",\"text\":\"")
          .append("x".repeat(8000))
          .append("\"}}");
    }
    http.put("/collections/t/points", points.append("]}").toString()).result();
  }

  static void fails(Http.Answer a, int status, String code, String field) {
    assertThat(a.status()).as(a.body()).isEqualTo(status);
    assertThat(a.contentType()).startsWith("application/json");
    JsonNode e = a.error();
    assertThat(e.get("code").asText()).as(a.body()).isEqualTo(code);
    if (field == null) {
      assertThat(e.get("field").isNull()).as(a.body()).isTrue();
    } else {
      assertThat(e.get("field").asText()).as(a.body()).isEqualTo(field);
    }
  }

  static String exists(int n) {
    StringBuilder sb = new StringBuilder("{\"must\":[");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"exists\":{\"key\":\"n\"}}");
    }
    return sb.append("]}").toString();
  }

  static String ids(String name, int n) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",").append('"').append(name).append(i).append('"');
    }
    return sb.append(']').toString();
  }

  @Test
  void filtersAreBoundedWhenParsed() {
    start(ServerConfig.of(dir.resolve("data")));
    bigPayloads();
    assertThat(
            http.post("/collections/t/points/count", "{\"filter\":" + exists(1023) + "}")
                .result()
                .get("count")
                .asLong())
        .isEqualTo(10); // 1,024 conditions: the limit
    Http.Answer tooMany =
        http.post("/collections/t/points/count", "{\"filter\":" + exists(1024) + "}");
    fails(tooMany, 413, "too_large", "filter.must[1023]");
    assertThat(tooMany.error().get("message").asText()).contains("the limit is 1024");

    String any = "{\"key\":\"n\",\"match\":{\"any\":" + ids("v", 10_001) + "}}";
    fails(
        http.post("/collections/t/points/search", "{\"vector\":[1,0],\"filter\":" + any + "}"),
        413,
        "too_large",
        "filter.match.any");
    fails(
        http.post(
            "/collections/t/points/search/batch",
            "{\"searches\":[{\"vector\":[1,0]},{\"vector\":[1,0],\"filter\":"
                + exists(1024)
                + "}]}"),
        413,
        "too_large",
        "searches[1].filter.must[1023]");
    String hasIds = "{\"has_id\":" + ids("p", 10_001) + "}";
    fails(
        http.post("/collections/t/points/delete", "{\"filter\":" + hasIds + "}"),
        413,
        "too_large",
        "filter.has_id");
    assertThat(http.post("/collections/t/points/count", null).result().get("count").asLong())
        .isEqualTo(10);
  }

  @Test
  void answersAreBoundedBeforeTheyAreSent() {
    start(ServerConfig.of(dir.resolve("data")).withMaxResponseBytes(64 * 1024));
    bigPayloads(); // 10 × 8 kB of payload: 80 kB in all, over the 64 kB budget

    Http.Answer search =
        http.post(
            "/collections/t/points/search",
            j("{'vector': [1, 0], 'limit': 10, 'with_payload': true}"));
    fails(search, 413, "too_large", "limit");
    assertThat(search.error().get("message").asText())
        .contains("larger than the limit of 65536 bytes")
        .contains("with_payload");
    // Ask for less and it fits: fewer hits, some payload keys, or none.
    assertThat(
            http.post("/collections/t/points/search", j("{'vector': [1, 0], 'limit': 5}"))
                .result()
                .size())
        .isEqualTo(5);
    JsonNode keys =
        http.post(
                "/collections/t/points/search",
                j("{'vector': [1, 0], 'limit': 10, 'with_payload': ['n']}"))
            .result();
    assertThat(keys.size()).isEqualTo(10);
    assertThat(keys.get(0).get("payload").has("text")).isFalse();
    assertThat(
            http.post(
                    "/collections/t/points/search",
                    j("{'vector': [1, 0], 'limit': 10, 'with_payload': false}"))
                .result()
                .size())
        .isEqualTo(10);

    fails(
        http.post(
            "/collections/t/points/search/batch",
            j(
                "{'searches': [{'vector': [1, 0], 'limit': 5, 'with_payload': true},"
                    + " {'vector': [0, 1], 'limit': 5, 'with_payload': true}]}")),
        413,
        "too_large",
        "searches");
    fails(http.post("/collections/t/points/scroll", j("{'limit': 10}")), 413, "too_large", "limit");
    assertThat(
            http.post("/collections/t/points/scroll", j("{'limit': 5}"))
                .result()
                .get("points")
                .size())
        .isEqualTo(5);
    fails(
        http.post("/collections/t/points", "{\"ids\":" + ids("p", 10) + "}"),
        413,
        "too_large",
        "ids");
    assertThat(http.post("/collections/t/points", "{\"ids\":[\"p1\"]}").result().size())
        .isEqualTo(1);
  }

  @Test
  void aBatchAsksForABoundedNumberOfHitsWithData() {
    start(ServerConfig.of(dir.resolve("data")));
    bigPayloads();
    StringBuilder withData = new StringBuilder("{\"searches\":[");
    StringBuilder idsOnly = new StringBuilder("{\"searches\":[");
    for (int i = 0; i < 11; i++) {
      withData
          .append(i == 0 ? "" : ",")
          .append("{\"vector\":[1,0],\"limit\":1000,\"with_payload\":true}");
      idsOnly
          .append(i == 0 ? "" : ",")
          .append("{\"vector\":[1,0],\"limit\":1000,\"with_payload\":false}");
    }
    Http.Answer refused =
        http.post("/collections/t/points/search/batch", withData.append("]}").toString());
    fails(refused, 413, "too_large", "searches");
    assertThat(refused.error().get("message").asText())
        .contains("11000 hits")
        .contains("the limit is 10000");
    JsonNode answered =
        http.post("/collections/t/points/search/batch", idsOnly.append("]}").toString()).result();
    assertThat(answered.size()).isEqualTo(11);
    assertThat(answered.get(10).size()).isEqualTo(10);
  }

  @Test
  void scansStopAtTheirDeadlineAndChangeNothing() {
    start(ServerConfig.of(dir.resolve("data")).withRequestTimeoutMillis(10_000));
    bigPayloads();
    String filter = "{'filter': {'must': [{'key': 'n', 'range': {'gte': 5}}]}}";

    // Past the deadline when a core comes free: refused before running.
    lateIn = SearchQueue.class.getName();
    for (String path : new String[] {"count", "scroll", "delete"}) {
      Http.Answer a = http.post("/collections/t/points/" + path, j(filter));
      fails(a, 503, "timeout", null);
      assertThat(a.error().get("message").asText()).contains("deadline of 10000 ms");
    }
    fails(
        http.post(
            "/collections/t/points/payload",
            j("{'filter': {'must': []}, 'payload': {'seen': true}}")),
        503,
        "timeout",
        null);
    fails(http.post("/collections/t/points/search", j("{'vector': [1, 0]}")), 503, "timeout", null);
    // A count of everything scans nothing: it is answered at once.
    assertThat(http.post("/collections/t/points/count", null).result().get("count").asLong())
        .isEqualTo(10);

    // Past the deadline in the middle of testing points against the filter.
    lateIn = "dev.byhand.store.Filter$WithDeadline";
    for (String path : new String[] {"count", "scroll", "delete"}) {
      Http.Answer a = http.post("/collections/t/points/" + path, j(filter));
      fails(a, 503, "timeout", "filter");
      assertThat(a.error().get("message").asText()).contains("nothing was changed");
    }
    fails(
        http.post(
            "/collections/t/points/payload/delete",
            j("{'filter': {'must': []}, 'keys': ['text']}")),
        503,
        "timeout",
        "filter");
    fails(
        http.post(
            "/collections/t/points/search",
            j("{'vector': [1, 0], 'filter': {'must': [{'key': 'n', 'range': {'gte': 5}}]}}")),
        503,
        "timeout",
        "filter");

    lateIn = null;
    assertThat(http.post("/collections/t/points/count", j(filter)).result().get("count").asLong())
        .isEqualTo(5);
    assertThat(
            http.post(
                    "/collections/t/points/count",
                    j("{'filter': {'must': [{'exists': {'key': 'seen'}}]}}"))
                .result()
                .get("count")
                .asLong())
        .isZero();
    assertThat(http.post("/collections/t/points/delete", j(filter)).result().get("status").asText())
        .isEqualTo("completed");
    assertThat(http.post("/collections/t/points/count", j(filter)).result().get("count").asLong())
        .isZero();
  }
}
