package dev.byhand.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.byhand.store.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every endpoint once on the happy path, on a server on a free loopback port. */
class ServerApiTest {

  @TempDir Path dir;
  ByhandServer server;
  Http http;

  /** JSON written with single quotes, for readability. */
  static String j(String s) {
    return s.replace('\'', '"');
  }

  @BeforeEach
  void start() {
    server = ByhandServer.start(ServerConfig.of(dir.resolve("data")).withAddress("127.0.0.1", 0));
    http = new Http(server.url(), null);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private void vectors() {
    assertThat(
            http.put("/collections/v", j("{'vectors': {'size': 3, 'distance': 'Dot'}}")).status())
        .isEqualTo(200);
    Http.Answer a =
        http.put(
            "/collections/v/points",
            j(
                "{'points': ["
                    + "{'id': 'a', 'vector': [1, 0, 0], 'payload': {'color': 'red', 'n': 1}},"
                    + "{'id': 'b', 'vector': [0, 1, 0], 'payload': {'color': 'blue', 'n': 2}},"
                    + "{'id': 'c', 'vector': [0, 0, 1], 'payload': {'color': 'red', 'n': 3, 'deep': {'x': true}}},"
                    + "{'id': 7, 'vector': [0.5, 0.5, 0]}]}"));
    assertThat(a.result().get("status").asText()).isEqualTo("completed");
  }

  @Test
  void healthAndPage() {
    assertThat(http.get("/healthz").result().get("status").asText()).isEqualTo("ok");
    // Qdrant's answer at /: clients check the version; the web page moved to /dashboard.
    JsonNode version = http.get("/").json();
    assertThat(version.get("title").asText()).contains("byhand");
    assertThat(version.get("version").asText()).isEqualTo(Qdrant.API_VERSION);
    Http.Answer page = http.get("/dashboard/");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.contentType()).startsWith("text/html");
    assertThat(page.body()).contains("<title>byhand</title>").contains("/dashboard/byhand.js");
    assertThat(http.get("/dashboard/byhand.js").body()).contains("/explain");
  }

  @Test
  void openApiDescribesEveryRoute() {
    JsonNode doc = http.get("/openapi.json").json();
    assertThat(doc.get("openapi").asText()).startsWith("3.");
    List<String> described = new ArrayList<>();
    for (Iterator<String> p = doc.get("paths").fieldNames(); p.hasNext(); ) {
      String path = p.next();
      for (Iterator<String> m = doc.get("paths").get(path).fieldNames(); m.hasNext(); ) {
        String method = m.next();
        if (!method.equals("parameters")) {
          described.add(method.toUpperCase() + " " + path);
        }
      }
    }
    assertThat(described).containsExactlyInAnyOrderElementsOf(server.routes());
  }

  @Test
  void collections() {
    // Qdrant's create answers true; the info has Qdrant's shape with byhand's extras.
    assertThat(
            http.put(
                    "/collections/docs",
                    j("{'encoder': 'seed', 'hnsw_config': {'m': 8, 'ef_construct': 40}}"))
                .result()
                .asBoolean())
        .isTrue();
    JsonNode created = http.get("/collections/docs").result();
    assertThat(created.at("/config/params/vectors/size").asInt()).isEqualTo(4);
    assertThat(created.get("encoder").asText()).isEqualTo("seed");
    assertThat(created.at("/config/hnsw_config/m").asInt()).isEqualTo(8);
    assertThat(created.at("/config/hnsw_config/ef_construct").asInt()).isEqualTo(40);
    assertThat(
            http.put(
                    "/collections/plain",
                    j(
                        "{'vectors': {'size': 16, 'distance': 'Euclid'}, 'durability': 'interval', 'sync_interval_ms': 50}"))
                .status())
        .isEqualTo(200);
    JsonNode info = http.get("/collections/plain").result();
    assertThat(info.at("/config/params/vectors/distance").asText()).isEqualTo("Euclid");
    assertThat(info.get("durability").asText()).isEqualTo("interval");
    assertThat(info.get("sync_interval_ms").asInt()).isEqualTo(50);
    assertThat(info.get("points_count").asLong()).isZero();

    Http.Answer again =
        http.put("/collections/docs", j("{'vectors': {'size': 4, 'distance': 'Cosine'}}"));
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.error().get("code").asText()).isEqualTo("conflict");

    JsonNode list = http.get("/collections").result().get("collections");
    assertThat(list.findValuesAsText("name")).containsExactlyInAnyOrder("docs", "plain");

    assertThat(http.delete("/collections/plain").result().asBoolean()).isTrue();
    Http.Answer gone = http.get("/collections/plain");
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.error().get("code").asText()).isEqualTo("not_found");
    assertThat(http.delete("/collections/plain").status()).isEqualTo(404);
  }

  @Test
  void pointsGetCountScrollDelete() {
    vectors();
    JsonNode got =
        http.post("/collections/v/points", j("{'ids': ['c', 'zz', 'a'], 'with_vector': true}"))
            .result();
    assertThat(got.findValuesAsText("id")).containsExactly("c", "a");
    assertThat(got.get(0).get("vector").toString()).isEqualTo("[0.0,0.0,1.0]");
    assertThat(got.get(0).get("payload").get("deep").get("x").asBoolean()).isTrue();

    JsonNode one = http.get("/collections/v/points/7").result();
    assertThat(one.get("id").asText()).isEqualTo("7");
    assertThat(one.get("id").isIntegralNumber()).isTrue(); // given as an integer, answered as one
    // Qdrant's GET of one point carries its vector unless asked not to
    assertThat(http.get("/collections/v/points/7?with_vector=false").result().has("vector"))
        .isFalse();
    assertThat(http.get("/collections/v/points/7").result().get("vector").size()).isEqualTo(3);
    Http.Answer missing = http.get("/collections/v/points/nope");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.error().get("field").asText()).isEqualTo("id");

    assertThat(http.post("/collections/v/points/count", null).result().get("count").asLong())
        .isEqualTo(4);
    String red = "{'filter': {'must': [{'key': 'color', 'match': {'value': 'red'}}]}}";
    assertThat(http.post("/collections/v/points/count", j(red)).result().get("count").asLong())
        .isEqualTo(2);

    JsonNode page1 =
        http.post("/collections/v/points/scroll", j("{'limit': 3, 'with_payload': true}")).result();
    assertThat(page1.get("points").findValuesAsText("id")).containsExactly("7", "a", "b");
    String next = page1.get("next_page_offset").asText();
    JsonNode page2 =
        http.post("/collections/v/points/scroll", j("{'limit': 3, 'offset': '" + next + "'}"))
            .result();
    assertThat(page2.get("points").findValuesAsText("id")).containsExactly("c");
    assertThat(page2.get("next_page_offset").isNull()).isTrue();

    assertThat(
            http.post("/collections/v/points/delete", j("{'points': ['a', 'missing']}"))
                .result()
                .get("status")
                .asText())
        .isEqualTo("completed");
    assertThat(http.post("/collections/v/points/count", "{}").result().get("count").asLong())
        .isEqualTo(3);
    assertThat(http.post("/collections/v/points/delete", j(red)).result().get("status").asText())
        .isEqualTo("completed");
    assertThat(http.post("/collections/v/points/count", "{}").result().get("count").asLong())
        .isEqualTo(2);
    Http.Answer both =
        http.post("/collections/v/points/delete", j("{'points': ['b'], 'filter': {}}"));
    assertThat(both.status()).isEqualTo(400);
    assertThat(both.error().get("field").asText()).isEqualTo("points");
  }

  @Test
  void payloads() {
    vectors();
    http.post("/collections/v/points/payload", j("{'points': ['a'], 'payload': {'tag': 'x'}}"))
        .result();
    JsonNode a = http.get("/collections/v/points/a").result().get("payload");
    assertThat(a.get("tag").asText()).isEqualTo("x");
    assertThat(a.get("color").asText()).isEqualTo("red");

    JsonNode byFilter =
        http.post(
                "/collections/v/points/payload",
                j(
                    "{'filter': {'must': [{'key': 'n', 'range': {'gte': 2}}]}, 'payload': {'big': true}}"))
            .result();
    assertThat(byFilter.get("status").asText()).isEqualTo("completed");
    assertThat(http.get("/collections/v/points/b").result().get("payload").get("big").asBoolean())
        .isTrue();
    assertThat(http.get("/collections/v/points/c").result().get("payload").get("big").asBoolean())
        .isTrue();

    http.put("/collections/v/points/payload", j("{'points': ['b'], 'payload': {'only': 1}}"))
        .result();
    assertThat(http.get("/collections/v/points/b").result().get("payload").toString())
        .isEqualTo(j("{'only':1}"));

    http.post("/collections/v/points/payload/delete", j("{'points': ['a'], 'keys': ['tag', 'n']}"))
        .result();
    assertThat(http.get("/collections/v/points/a").result().get("payload").toString())
        .isEqualTo(j("{'color':'red'}"));
    JsonNode keysByFilter =
        http.post(
                "/collections/v/points/payload/delete",
                j(
                    "{'filter': {'must': [{'key': 'big', 'match': {'value': true}}]}, 'keys': ['big']}"))
            .result();
    assertThat(keysByFilter.get("status").asText()).isEqualTo("completed");
    assertThat(http.get("/collections/v/points/c").result().get("payload").has("big")).isFalse();
  }

  @Test
  void payloadIndexes() {
    vectors();
    assertThat(
            http.put(
                    "/collections/v/index", j("{'field_name': 'color', 'field_schema': 'keyword'}"))
                .result()
                .get("status")
                .asText())
        .isEqualTo("completed");
    http.put("/collections/v/index", j("{'field_name': 'n', 'field_schema': 'integer'}")).result();
    JsonNode schema = http.get("/collections/v").result().get("payload_schema");
    assertThat(schema.get("color").get("data_type").asText()).isEqualTo("keyword");
    assertThat(schema.get("n").get("data_type").asText()).isEqualTo("integer");
    assertThat(schema.size()).isEqualTo(2);
    // the same answers through the index
    String red = "{'filter': {'must': [{'key': 'color', 'match': {'value': 'red'}}]}}";
    assertThat(http.post("/collections/v/points/count", j(red)).result().get("count").asLong())
        .isEqualTo(2);
    assertThat(
            http.put("/collections/v/index", j("{'field_name': 'color', 'field_schema': 'float'}"))
                .status())
        .isEqualTo(409);
    assertThat(
            http.put("/collections/v/index", j("{'field_name': 'x', 'field_schema': 'vector'}"))
                .status())
        .isEqualTo(400);
    assertThat(http.delete("/collections/v/index/color").result().get("status").asText())
        .isEqualTo("completed");
    assertThat(http.delete("/collections/v/index/color").status()).isEqualTo(404);
    JsonNode left = http.get("/collections/v").result().get("payload_schema");
    assertThat(left.size()).isEqualTo(1);
    assertThat(left.get("n").get("data_type").asText()).isEqualTo("integer");
  }

  @Test
  void searchAndBatchSearch() {
    vectors();
    JsonNode hits =
        http.post(
                "/collections/v/points/search",
                j("{'vector': [1, 0.2, 0], 'limit': 2, 'with_payload': true}"))
            .result();
    assertThat(hits.findValuesAsText("id")).containsExactly("a", "7");
    assertThat(hits.get(0).get("score").floatValue()).isEqualTo(1.0f);
    assertThat(hits.get(0).get("payload").get("color").asText()).isEqualTo("red");

    JsonNode filtered =
        http.post(
                "/collections/v/points/search",
                j(
                    "{'vector': [1, 0.2, 0], 'limit': 5, 'params': {'hnsw_ef': 16}, 'filter': {'must': [{'key': 'color', 'match': {'value': 'blue'}}]}}"))
            .result();
    assertThat(filtered.findValuesAsText("id")).containsExactly("b");

    JsonNode thresholded =
        http.post(
                "/collections/v/points/search",
                j("{'vector': [1, 0, 0], 'limit': 10, 'score_threshold': 0.4}"))
            .result();
    assertThat(thresholded.findValuesAsText("id")).containsExactly("a", "7");

    JsonNode bare =
        http.post(
                "/collections/v/points/search",
                j("{'vector': [0, 0, 1], 'limit': 1, 'with_payload': false, 'with_vector': true}"))
            .result();
    assertThat(bare.get(0).has("payload")).isFalse();
    assertThat(bare.get(0).get("vector").toString()).isEqualTo("[0.0,0.0,1.0]");
    JsonNode fields =
        http.post(
                "/collections/v/points/search",
                j("{'vector': [0, 0, 1], 'limit': 1, 'with_payload': ['n']}"))
            .result();
    assertThat(fields.get(0).get("payload").toString()).isEqualTo(j("{'n':3}"));

    JsonNode batch =
        http.post(
                "/collections/v/points/search/batch",
                j(
                    "{'searches': [{'vector': [0, 1, 0], 'limit': 1, 'with_payload': true}, {'vector': [0, 0, 1], 'limit': 2, 'with_payload': true}]}"))
            .result();
    assertThat(batch.size()).isEqualTo(2);
    assertThat(batch.get(0).findValuesAsText("id")).containsExactly("b");
    assertThat(batch.get(1).get(0).get("id").asText()).isEqualTo("c");
    assertThat(
            http.post("/collections/v/points/search/batch", j("{'searches': []}")).result().size())
        .isZero();
  }

  @Test
  void textSearchAndExplainByHand() {
    http.put("/collections/seed", j("{'encoder': 'seed'}")).result();
    http.put(
            "/collections/seed/points",
            j(
                "{'points': [{'id': 'how', 'text': 'how are you'}, {'id': 'who', 'text': 'who are you'}, {'id': 'am', 'text': 'who am I'}]}"))
        .result();
    JsonNode hits =
        http.post(
                "/collections/seed/points/search",
                j("{'text': 'am I you', 'limit': 3, 'with_payload': true}"))
            .result();
    assertThat(hits.get(0).get("id").asText()).isEqualTo("am"); // the seed's answer, step [10]
    assertThat(hits.get(0).get("payload").get("text").asText()).isEqualTo("who am I");

    JsonNode x = http.post("/collections/seed/explain", j("{'text': 'am I you', 'k': 3}")).result();
    assertThat(x.get("encoder").asText()).isEqualTo("seed");
    assertThat(x.get("tokens").size()).isEqualTo(x.get("token_vectors").size());
    assertThat(x.get("index_vector").size()).isEqualTo(4);
    assertThat(x.get("hits").get(0).get("id").asText()).isEqualTo("am");
    for (JsonNode h : x.get("hits")) {
      double dot = 0;
      for (int i = 0; i < 4; i++) {
        dot += x.get("index_vector").get(i).doubleValue() * h.get("vector").get(i).doubleValue();
      }
      assertThat(h.get("dot").doubleValue())
          .isCloseTo(dot, org.assertj.core.data.Offset.offset(1e-6));
      assertThat(h.get("score").doubleValue())
          .isCloseTo(dot, org.assertj.core.data.Offset.offset(1e-4)); // metric dot
    }
    vectors();
    Http.Answer noEncoder = http.post("/collections/v/explain", j("{'text': 'who'}"));
    assertThat(noEncoder.status()).isEqualTo(400);
    assertThat(noEncoder.error().get("field").asText()).isEqualTo("text");
    assertThat(http.post("/collections/v/points/search", j("{'text': 'who'}")).status())
        .isEqualTo(400);
  }

  @Test
  void snapshotsAndRestore() {
    vectors();
    JsonNode snap = http.post("/collections/v/snapshots", null).result();
    String name = snap.get("name").asText(); // Qdrant's SnapshotDescription
    assertThat(snap.get("size").asLong()).isPositive();
    assertThat(name).startsWith("v-");
    http.put("/collections/v/points", j("{'points': [{'id': 'later', 'vector': [1, 1, 1]}]}"))
        .result();
    assertThat(http.get("/collections/v/snapshots").result().findValuesAsText("name"))
        .containsExactly(name);

    JsonNode restored =
        http.post("/collections/v/snapshots/" + name + "/restore", j("{'collection': 'v2'}"))
            .result();
    assertThat(restored.get("name").asText()).isEqualTo("v2");
    assertThat(restored.get("points_count").asLong())
        .isEqualTo(4); // the snapshot's moment, without 'later'
    assertThat(http.get("/collections/v2/points/later").status()).isEqualTo(404);
    assertThat(http.get("/collections/v2/points/c").result().get("payload").get("n").asInt())
        .isEqualTo(3);

    assertThat(
            http.post("/collections/v/snapshots/" + name + "/restore", j("{'collection': 'v2'}"))
                .status())
        .isEqualTo(409);
    Http.Answer unknown =
        http.post("/collections/v/snapshots/nope/restore", j("{'collection': 'v3'}"));
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.error().get("field").asText()).isEqualTo("snapshot");
    assertThat(http.get("/collections/missing/snapshots").status()).isEqualTo(404);
    assertThat(http.delete("/collections/v/snapshots/" + name).result().asBoolean()).isTrue();
    assertThat(http.get("/collections/v/snapshots").result().size()).isZero();
    assertThat(http.delete("/collections/v/snapshots/" + name).status()).isEqualTo(404);
  }

  @Test
  void metricsInPrometheusText() {
    vectors();
    http.post(
            "/collections/v/points/search",
            j("{'vector': [1, 0, 0], 'limit': 1, 'with_payload': true}"))
        .result();
    http.get("/collections/nope");
    Http.Answer m = http.get("/metrics");
    assertThat(m.status()).isEqualTo(200);
    assertThat(m.contentType()).startsWith("text/plain");
    assertThat(m.body())
        .contains("# TYPE byhand_http_requests_total counter")
        .contains(
            "byhand_http_requests_total{method=\"POST\",route=\"/collections/{name}/points/search\",status=\"200\"} 1")
        .contains(
            "byhand_http_requests_total{method=\"GET\",route=\"/collections/{name}\",status=\"404\"} 1")
        .contains(
            "byhand_http_request_duration_seconds_count{route=\"/collections/{name}/points/search\"} 1")
        .contains(
            "byhand_http_request_duration_seconds_bucket{route=\"/collections/{name}/points/search\",le=\"+Inf\"} 1")
        .contains("byhand_points{collection=\"v\"} 4")
        .contains("byhand_wal_bytes{collection=\"v\"} ")
        .contains("byhand_http_in_flight 1") // this very request
        .contains("byhand_searches_waiting 0");
  }

  @Test
  void dataSurvivesRestart() {
    vectors();
    server.close();
    server = ByhandServer.start(ServerConfig.of(dir.resolve("data")).withAddress("127.0.0.1", 0));
    http = new Http(server.url(), null);
    assertThat(http.post("/collections/v/points/count", null).result().get("count").asLong())
        .isEqualTo(4);
    assertThat(Json.MAPPER.createObjectNode()).isNotNull();
  }
}
