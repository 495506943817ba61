package dev.byhand.server;

import static dev.byhand.server.ServerApiTest.j;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets a JSON error naming the field, with the right 4xx status; never a 500. */
class ServerErrorsTest {

  @TempDir Path dir;
  ByhandServer server;
  Http http;

  @BeforeEach
  void start() {
    server =
        ByhandServer.start(
            ServerConfig.of(dir.resolve("data"))
                .withAddress("127.0.0.1", 0)
                .withMaxBodyBytes(64 * 1024));
    http = new Http(server.url(), null);
    http.put("/collections/v", j("{'vectors': {'size': 3, 'distance': 'Cosine'}}")).result();
    http.put(
            "/collections/v/points",
            j("{'points': [{'id': 'a', 'vector': [1, 2, 3], 'payload': {'k': 'v'}}]}"))
        .result();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** Checks status, code and field of an error answer. */
  private static void fails(Http.Answer a, int status, String code, String field) {
    assertThat(a.status()).as(a.body()).isEqualTo(status);
    assertThat(a.contentType()).startsWith("application/json");
    JsonNode e = a.error();
    assertThat(e.get("code").asText()).isEqualTo(code);
    if (field == null) {
      assertThat(e.get("field").isNull()).as(a.body()).isTrue();
    } else {
      assertThat(e.get("field").asText()).as(a.body()).isEqualTo(field);
    }
    assertThat(a.body()).doesNotContain("\tat ").doesNotContain("Exception");
  }

  @Test
  void malformedJson() {
    fails(
        http.post("/collections/v/points/search", "{\"vector\": [1, 2"),
        400,
        "bad_request",
        "body");
    fails(http.post("/collections/v/points/search", "[1, 2, 3]"), 400, "bad_request", "body");
    fails(http.post("/collections/v/points/search", ""), 400, "bad_request", "body");
    fails(http.post("/collections/v/points/search", "{} {}"), 400, "bad_request", "body");
    fails(
        http.post("/collections/v/points/search", "{\"k\": 1, \"k\": 2}"),
        400,
        "bad_request",
        "body");
    fails(
        http.post("/collections/v/points/search", "{\"vector\": [NaN, 1, 2]}"),
        400,
        "bad_request",
        "body");
  }

  @Test
  void wrongTypesAndRanges() {
    fails(
        http.post("/collections/v/points/search", j("{'vector': [1, 'x', 2]}")),
        400,
        "bad_request",
        "vector[1]");
    fails(
        http.post("/collections/v/points/search", j("{'vector': [1, 1e400, 2]}")),
        400,
        "bad_request",
        "vector[1]");
    fails(
        http.post("/collections/v/points/search", j("{'vector': [1, 1e39, 2]}")),
        400,
        "bad_request",
        "vector[1]");
    fails(
        http.post("/collections/v/points/search", j("{'vector': [1, 2]}")),
        400,
        "bad_request",
        "vector");
    fails(
        http.post("/collections/v/points/search", j("{'vector': [1, 2, 3], 'limit': 1001}")),
        400,
        "bad_request",
        "limit");
    fails(
        http.post(
            "/collections/v/points/search",
            j("{'vector': [1, 2, 3], 'limit': 99999999999999999999}")),
        400,
        "bad_request",
        "limit");
    fails(
        http.post("/collections/v/points/search", j("{'vector': [1, 2, 3], 'limit': 2.5}")),
        400,
        "bad_request",
        "limit");
    fails(
        http.post("/collections/v/points/search", j("{'vector': [1, 2, 3], 'k': 1}")),
        400,
        "bad_request",
        "k"); // byhand's old name for limit: Qdrant's dialect only
    fails(
        http.post("/collections/v/points/search", j("{'vector': [1, 2, 3], 'ef': 5000}")),
        400,
        "bad_request",
        "ef");
    fails(
        http.post("/collections/v/points/search", j("{'vector': [1, 2, 3], 'with_payload': 3}")),
        400,
        "bad_request",
        "with_payload");
    fails(
        http.post("/collections/v/points/search", j("{'vector': [1, 2, 3], 'colour': 1}")),
        400,
        "bad_request",
        "colour");
    fails(
        http.post("/collections/v/points/search", j("{'limit': 3}")), 400, "bad_request", "vector");
    fails(
        http.post(
            "/collections/v/points/search", j("{'vector': [1, 2, 3], 'filter': {'must': 5}}")),
        400,
        "bad_request",
        "filter.must");
    fails(
        http.post(
            "/collections/v/points/search/batch",
            j("{'searches': [{'vector': [1, 2, 3]}, {'vector': [1, 2, 3], 'limit': 0}]}")),
        400,
        "bad_request",
        "searches[1].limit");
    fails(
        http.put("/collections/v/points", j("{'points': [{'id': 'b', 'vector': [0, 0, 0]}]}")),
        400,
        "bad_request",
        "points[0].vector");
    fails(
        http.put("/collections/v/points", j("{'points': [{'id': {}, 'vector': [1, 0, 0]}]}")),
        400,
        "bad_request",
        "points[0].id");
    fails(
        http.put("/collections/v/points", j("{'points': [{'id': -1, 'vector': [1, 0, 0]}]}")),
        400,
        "bad_request",
        "points[0].id");
    fails(
        http.put(
            "/collections/v/points",
            j("{'points': [{'id': '" + "x".repeat(300) + "', 'vector': [1, 0, 0]}]}")),
        400,
        "bad_request",
        "points[0].id");
    fails(
        http.put(
            "/collections/v/points",
            j("{'points': [{'id': 'b', 'vector': [1, 0, 0], 'payload': [1]}]}")),
        400,
        "bad_request",
        "points[0].payload");
    fails(
        http.put("/collections/v/points", j("{'points': [{'id': 'b', 'text': 'no encoder'}]}")),
        400,
        "bad_request",
        "points[0].text");
    // found only when the search runs, on a search thread: still a JSON 400 naming the field
    fails(
        http.post("/collections/v/points/search", j("{'text': 'no encoder'}")),
        400,
        "bad_request",
        "text");
    fails(
        http.post(
            "/collections/v/points/search/batch",
            j("{'searches': [{'vector': [1, 2, 3]}, {'text': 'no encoder'}]}")),
        400,
        "bad_request",
        "text");
    fails(
        http.put("/collections/x", j("{'vectors': {'size': 0, 'distance': 'Cosine'}}")),
        400,
        "bad_request",
        "vectors.size");
    fails(
        http.put("/collections/x", j("{'vectors': {'size': '3', 'distance': 'Cosine'}}")),
        400,
        "bad_request",
        "vectors.size");
    fails(http.put("/collections/x", j("{}")), 400, "bad_request", "vectors");
    fails(
        http.put("/collections/x", j("{'vectors': {'size': 3}}")),
        400,
        "bad_request",
        "vectors.distance");
    fails(
        http.put("/collections/x", j("{'vectors': {'size': 3, 'distance': 'Manhattan'}}")),
        400,
        "bad_request",
        "vectors.distance");
    fails(http.put("/collections/x", j("{'encoder': 'gpt'}")), 400, "bad_request", "encoder");
    fails(
        http.put(
            "/collections/x",
            j("{'encoder': 'seed', 'vectors': {'size': 5, 'distance': 'Cosine'}}")),
        400,
        "bad_request",
        "vectors.size");
    fails(
        http.put(
            "/collections/x",
            j("{'vectors': {'size': 3, 'distance': 'Cosine'}, 'hnsw_config': {'m': 1}}")),
        400,
        "bad_request",
        "hnsw_config.m");
    fails(
        http.post(
            "/collections/v/points/search",
            j("{'vector': [1, 2, 3], 'params': {'hnsw_ef': 5000}}")),
        400,
        "bad_request",
        "params.hnsw_ef");
    fails(
        http.post("/collections/v/points/query", j("{'query': {'recommend': {}}}")),
        400,
        "bad_request",
        "query");
    fails(
        http.post("/collections/v/points/scroll", j("{'limit': 0}")), 400, "bad_request", "limit");
    fails(
        http.post("/collections/v/points/payload", j("{'points': ['a']}")),
        400,
        "bad_request",
        "payload");
    fails(
        http.post("/collections/v/points/payload/delete", j("{'points': ['a'], 'keys': [1]}")),
        400,
        "bad_request",
        "keys[0]");
  }

  @Test
  void deepNesting() {
    String deep = "[".repeat(5000) + "]".repeat(5000);
    fails(
        http.put("/collections/v/points", "{\"points\": " + deep + "}"),
        400,
        "bad_request",
        "body");
    String payload = "{\"a\":".repeat(35) + "1" + "}".repeat(35);
    fails(
        http.put(
            "/collections/v/points",
            "{\"points\": [{\"id\": \"b\", \"vector\": [1, 0, 0], \"payload\": " + payload + "}]}"),
        400,
        "bad_request",
        "points[0].payload");
  }

  @Test
  void limits() {
    fails(
        http.put("/collections/v/points", "{\"points\": [" + "1,".repeat(40_000) + "1]}"),
        413,
        "too_large",
        "body");
    StringBuilder many = new StringBuilder("{\"points\": [");
    for (int i = 0; i <= Requests.MAX_IDS; i++) {
      many.append(i == 0 ? "" : ",").append(i);
    }
    fails(
        http.post("/collections/v/points/delete", many.append("]}").toString()),
        413,
        "too_large",
        "points");
    StringBuilder searches = new StringBuilder("{\"searches\": [");
    for (int i = 0; i <= ServerConfig.DEFAULT_MAX_BATCH_SEARCHES; i++) {
      searches.append(i == 0 ? "" : ",").append("{\"vector\": [1, 2, 3]}");
    }
    fails(
        http.post("/collections/v/points/search/batch", searches.append("]}").toString()),
        413,
        "too_large",
        "searches");
  }

  @Test
  void namesAndRoutes() {
    fails(http.get("/collections/" + "n".repeat(65)), 400, "bad_request", "name");
    fails(http.get("/collections/a.b"), 400, "bad_request", "name");
    fails(http.get("/collections/%2e%2e"), 400, "bad_request", "name");
    fails(
        http.post("/collections/v/snapshots/..%2F..%2Fv/restore", j("{'collection': 'w'}")),
        400,
        "bad_request",
        "snapshot");
    fails(
        http.post("/collections/v/snapshots/x/restore", j("{'collection': '../w'}")),
        400,
        "bad_request",
        "name");
    fails(http.get("/no/such/route"), 404, "not_found", null);
    fails(
        http.get("/collections/docs%00"),
        400,
        "bad_request",
        null); // refused by Jetty itself, still JSON
    fails(http.send("PATCH", "/collections/v", "{}"), 404, "not_found", null);
    fails(
        http.post("/collections/missing/points/search", j("{'vector': [1, 2, 3]}")),
        404,
        "not_found",
        "collection");
    // the data is as it was
    assertThat(http.post("/collections/v/points/count", null).result().get("count").asLong())
        .isEqualTo(1);
    assertThat(http.get("/collections/v/points/a").result().get("payload").toString())
        .isEqualTo(j("{'k':'v'}"));
  }
}
