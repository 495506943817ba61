package dev.byhand.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What qdrant-client (Python, 1.18) requires of every answer byhand sends, and the requests that
 * LangChain-Python, LlamaIndex and Haystack send through it. The Python client cannot be installed
 * here; the required fields are those its pydantic models in {@code
 * qdrant_client/http/models/models.py} declare with {@code Field(...)} (no default):
 *
 * <ul>
 *   <li>every answer: {@code result}, {@code status}, {@code time} (InlineResponse200…); an error:
 *       {@code status.error} (ErrorResponse, ErrorResponseStatus)
 *   <li>VersionInfo: {@code title}, {@code version}
 *   <li>CollectionsResponse: {@code collections[].name}; CollectionExistence: {@code exists}
 *   <li>CollectionInfo: {@code status}, {@code optimizer_status}, {@code segments_count}, {@code
 *       config}, {@code payload_schema}; CollectionConfig: {@code params}, {@code hnsw_config},
 *       {@code optimizer_config}; HnswConfig: {@code m}, {@code ef_construct}, {@code
 *       full_scan_threshold}; OptimizersConfig: {@code default_segment_number}, {@code
 *       flush_interval_sec}; WalConfig: {@code wal_capacity_mb}, {@code wal_segments_ahead};
 *       VectorParams: {@code size}, {@code distance}; PayloadIndexInfo: {@code data_type}, {@code
 *       points}
 *   <li>UpdateResult: {@code status}; ScoredPoint: {@code id}, {@code version}, {@code score};
 *       Record: {@code id}; ScrollResult: {@code points}; CountResult: {@code count};
 *       QueryResponse: {@code points}; SnapshotDescription: {@code name}, {@code size}
 * </ul>
 */
class QdrantPythonShapesTest {

  @TempDir Path dir;
  private ByhandServer server;
  private Http http;

  @BeforeEach
  void start() {
    server = ByhandServer.start(ServerConfig.of(dir.resolve("data")).withAddress("127.0.0.1", 0));
    http = new Http(server.url(), null);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static String j(String s) {
    return s.replace('\'', '"');
  }

  /** The envelope every successful answer has; its result. */
  private static JsonNode ok(Http.Answer a) {
    assertThat(a.status()).as(a.body()).isEqualTo(200);
    JsonNode json = a.json();
    assertThat(json.get("status").asText()).isEqualTo("ok");
    assertThat(json.get("time").isNumber()).isTrue();
    assertThat(json.has("result")).isTrue();
    return json.get("result");
  }

  private static void has(JsonNode n, String... fields) {
    for (String f : fields) {
      assertThat(n.has(f)).as("%s has %s", n, f).isTrue();
      assertThat(n.get(f).isNull()).as("%s.%s is not null", n, f).isFalse();
    }
  }

  private static void isId(JsonNode id) {
    assertThat(id.isIntegralNumber() || id.isTextual()).as("ExtendedPointId: " + id).isTrue();
  }

  private static void scoredPoints(JsonNode points) {
    assertThat(points.isArray()).isTrue();
    for (JsonNode p : points) {
      has(p, "id", "version", "score");
      isId(p.get("id"));
      assertThat(p.get("version").isIntegralNumber()).isTrue();
    }
  }

  private static void records(JsonNode points) {
    assertThat(points.isArray()).isTrue();
    for (JsonNode p : points) {
      has(p, "id");
      isId(p.get("id"));
    }
  }

  @Test
  void everyAnswerHasWhatQdrantClientsModelsRequire() {
    JsonNode version = http.get("/").json();
    has(version, "title", "version");

    // Haystack and LangChain-Python call collection_exists first.
    assertThat(ok(http.get("/collections/docs/exists")).get("exists").asBoolean()).isFalse();
    assertThat(
            ok(http.put(
                    "/collections/docs",
                    j(
                        "{'vectors': {'size': 3, 'distance': 'Cosine'}, 'shard_number': 1,"
                            + " 'replication_factor': 1, 'on_disk_payload': true,"
                            + " 'optimizers_config': {'default_segment_number': 2},"
                            + " 'wal_config': {'wal_capacity_mb': 32}}")))
                .asBoolean())
        .isTrue();
    assertThat(ok(http.get("/collections/docs/exists")).get("exists").asBoolean()).isTrue();
    for (JsonNode c : ok(http.get("/collections")).get("collections")) {
      has(c, "name");
    }

    JsonNode upsert =
        ok(
            http.put(
                "/collections/docs/points?wait=true",
                j(
                    "{'points': [{'id': 1, 'vector': [1, 0, 0], 'payload': {'page_content': 'a',"
                        + " 'metadata': {'source': 'x'}}}, {'id':"
                        + " 'b0a3f2f6-5b8e-4d6b-9c58-9b9c3ad0e2a1', 'vector': [0, 1, 0],"
                        + " 'payload': {'page_content': 'b', 'metadata': {'source': 'y'}}}]}")));
    has(upsert, "status");
    assertThat(upsert.get("status").asText()).isIn("acknowledged", "completed");

    JsonNode index =
        ok(
            http.put(
                "/collections/docs/index",
                j("{'field_name': 'metadata.source', 'field_schema': {'type': 'keyword'}}")));
    has(index, "status");

    JsonNode info = ok(http.get("/collections/docs"));
    has(info, "status", "optimizer_status", "segments_count", "config", "payload_schema");
    JsonNode config = info.get("config");
    has(config, "params", "hnsw_config", "optimizer_config");
    has(config.get("params").get("vectors"), "size", "distance");
    has(config.get("hnsw_config"), "m", "ef_construct", "full_scan_threshold");
    has(config.get("optimizer_config"), "default_segment_number", "flush_interval_sec");
    has(config.get("wal_config"), "wal_capacity_mb", "wal_segments_ahead");
    has(info.get("payload_schema").get("metadata.source"), "data_type", "points");
    assertThat(info.get("status").asText()).isIn("green", "yellow", "grey", "red");
    assertThat(info.get("optimizer_status").isTextual()).isTrue(); // "ok" or {"error": …}

    // query_points: what qdrant-client >= 1.16 uses for every search
    JsonNode query =
        ok(
            http.post(
                "/collections/docs/points/query",
                j(
                    "{'query': [1, 0, 0], 'limit': 4, 'with_payload': true, 'filter': {'must':"
                        + " [{'key': 'metadata.source', 'match': {'value': 'x'}}]}}")));
    has(query, "points");
    scoredPoints(query.get("points"));
    assertThat(query.get("points").get(0).get("id").asInt()).isEqualTo(1);

    JsonNode batch =
        ok(
            http.post(
                "/collections/docs/points/query/batch",
                j("{'searches': [{'query': [1, 0, 0]}, {'query': [0, 1, 0], 'limit': 1}]}")));
    for (JsonNode r : batch) {
      has(r, "points");
      scoredPoints(r.get("points"));
    }
    scoredPoints(
        ok(http.post("/collections/docs/points/search", j("{'vector': [1, 0, 0], 'limit': 2}"))));
    for (JsonNode hits :
        ok(
            http.post(
                "/collections/docs/points/search/batch",
                j("{'searches': [{'vector': [1, 0, 0], 'limit': 2}]}")))) {
      scoredPoints(hits);
    }

    records(ok(http.post("/collections/docs/points", j("{'ids': [1], 'with_payload': true}"))));
    has(ok(http.get("/collections/docs/points/1")), "id");
    JsonNode scroll = ok(http.post("/collections/docs/points/scroll", j("{'limit': 1}")));
    has(scroll, "points");
    records(scroll.get("points"));
    assertThat(scroll.has("next_page_offset")).isTrue();
    has(ok(http.post("/collections/docs/points/count", j("{'exact': true}"))), "count");

    for (String write :
        List.of(
            "POST /collections/docs/points/payload {'points': [1], 'payload': {'k': 1}}",
            "PUT /collections/docs/points/payload {'points': [1], 'payload': {'k': 2}}",
            "POST /collections/docs/points/payload/delete {'points': [1], 'keys': ['k']}",
            "POST /collections/docs/points/payload/clear {'points': [1]}",
            "POST /collections/docs/points/delete {'filter': {'must': [{'has_id': [1]}]}}")) {
      String[] parts = write.split(" ", 3);
      has(ok(http.send(parts[0], parts[1], j(parts[2]))), "status");
    }

    JsonNode snapshot = ok(http.post("/collections/docs/snapshots", null));
    has(snapshot, "name", "size");
    for (JsonNode s : ok(http.get("/collections/docs/snapshots"))) {
      has(s, "name", "size");
    }

    // errors: ErrorResponse.status.error
    JsonNode missing = http.get("/collections/nope").json();
    assertThat(missing.get("status").get("error").isTextual()).isTrue();
    assertThat(missing.get("time").isNumber()).isTrue();
    assertThat(ok(http.delete("/collections/docs")).asBoolean()).isTrue();
  }

  /** LangChain-Python's QdrantVectorStore with vector_name "" and retrieval_mode DENSE. */
  @Test
  void langchainPythonSendsTheUnnamedVectorByName() {
    ok(http.put("/collections/lc", j("{'vectors': {'': {'size': 2, 'distance': 'Cosine'}}}")));
    ok(
        http.put(
            "/collections/lc/points?wait=true",
            j(
                "{'points': [{'id': '3f2504e0-4f89-11d3-9a0c-0305e82c3301', 'vector': {'': [1,"
                    + " 0]}, 'payload': {'page_content': 'one', 'metadata': {'n': 1}}}, {'id':"
                    + " '3f2504e0-4f89-11d3-9a0c-0305e82c3302', 'vector': {'': [0, 1]},"
                    + " 'payload': {'page_content': 'two', 'metadata': {'n': 2}}}]}")));
    JsonNode hits =
        ok(
            http.post(
                "/collections/lc/points/query",
                j(
                    "{'query': [1, 0.1], 'using': '', 'limit': 1, 'with_payload': true,"
                        + " 'score_threshold': 0.5}")));
    assertThat(hits.get("points").get(0).get("id").asText())
        .isEqualTo("3f2504e0-4f89-11d3-9a0c-0305e82c3301");
    assertThat(hits.get("points").get(0).get("payload").get("page_content").asText())
        .isEqualTo("one");
  }

  /** LlamaIndex's QdrantVectorStore names its dense vector "text-dense" (hybrid off). */
  @Test
  void llamaIndexSendsTextDense() {
    ok(
        http.put(
            "/collections/li",
            j("{'vectors': {'text-dense': {'size': 2, 'distance': 'Cosine'}}}")));
    ok(
        http.put(
            "/collections/li/points",
            j(
                "{'points': [{'id': 'a1b2c3d4-0000-4000-8000-000000000001', 'vector':"
                    + " {'text-dense': [1, 0]}, 'payload': {'_node_content': '{}', 'doc_id':"
                    + " 'd1'}}]}")));
    JsonNode hits =
        ok(
            http.post(
                "/collections/li/points/query",
                j(
                    "{'query': [1, 0], 'using': 'text-dense', 'limit': 2, 'with_payload': true,"
                        + " 'filter': {'must': [{'key': 'doc_id', 'match': {'any': ['d1']}}]}}")));
    assertThat(hits.get("points").size()).isEqualTo(1);
    // the older search form with a NamedVector
    JsonNode old =
        ok(
            http.post(
                "/collections/li/points/search",
                j("{'vector': {'name': 'text-dense', 'vector': [1, 0]}, 'limit': 1}")));
    assertThat(old.get(0).get("id").asText()).isEqualTo("a1b2c3d4-0000-4000-8000-000000000001");
    // delete by a payload filter, as ref_doc deletion does
    ok(
        http.post(
            "/collections/li/points/delete",
            j("{'filter': {'must': [{'key': 'doc_id', 'match': {'value': 'd1'}}]}}")));
    assertThat(ok(http.post("/collections/li/points/count", "{}")).get("count").asInt()).isZero();
  }

  /** Haystack's QdrantDocumentStore pages with scroll until next_page_offset is null. */
  @Test
  void haystackScrollsEveryPointOnce() {
    ok(http.put("/collections/hs", j("{'vectors': {'size': 2, 'distance': 'Dot'}}")));
    StringBuilder points = new StringBuilder("{\"points\": [");
    for (int i = 0; i < 23; i++) {
      points
          .append(i == 0 ? "" : ",")
          .append("{\"id\": ")
          .append(i)
          .append(", \"vector\": [1, ")
          .append(i)
          .append("], \"payload\": {\"content\": \"d")
          .append(i)
          .append("\"}}");
    }
    ok(http.put("/collections/hs/points", points.append("]}").toString()));
    Set<String> seen = new HashSet<>();
    JsonNode offset = null;
    int pages = 0;
    do {
      String body =
          "{\"limit\": 5, \"with_payload\": true, \"with_vector\": true"
              + (offset == null ? "" : ", \"offset\": " + offset)
              + "}";
      JsonNode page = ok(http.post("/collections/hs/points/scroll", body));
      for (JsonNode p : page.get("points")) {
        assertThat(seen.add(p.get("id").asText())).as("seen once: " + p.get("id")).isTrue();
        assertThat(p.get("vector").size()).isEqualTo(2);
      }
      offset = page.get("next_page_offset");
      pages++;
    } while (offset != null && !offset.isNull());
    assertThat(seen).hasSize(23);
    assertThat(pages).isEqualTo(5);
    // integer offsets come back as integers, as Qdrant's do
    JsonNode first = ok(http.post("/collections/hs/points/scroll", "{\"limit\": 5}"));
    assertThat(first.get("next_page_offset").isIntegralNumber()).isTrue();
  }

  /** Euclid scores are distances, ascending, and score_threshold is the farthest distance kept. */
  @Test
  void euclidScoresAreDistances() {
    ok(http.put("/collections/e", j("{'vectors': {'size': 2, 'distance': 'Euclid'}}")));
    ok(
        http.put(
            "/collections/e/points",
            j("{'points': [{'id': 1, 'vector': [0, 0]}, {'id': 2, 'vector': [3, 4]}]}")));
    JsonNode hits = ok(http.post("/collections/e/points/query", j("{'query': [0, 0]}")));
    assertThat(hits.get("points").findValuesAsText("id")).containsExactly("1", "2");
    assertThat(hits.get("points").get(0).get("score").doubleValue()).isZero();
    assertThat(hits.get("points").get(1).get("score").doubleValue()).isEqualTo(5.0);
    JsonNode near =
        ok(
            http.post(
                "/collections/e/points/query", j("{'query': [0, 0], 'score_threshold': 4.5}")));
    assertThat(near.get("points").findValuesAsText("id")).containsExactly("1");
  }
}
