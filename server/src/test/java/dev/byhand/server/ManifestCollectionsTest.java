package dev.byhand.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.store.Collection;
import dev.byhand.store.CollectionConfig;
import dev.byhand.store.Database;
import dev.byhand.store.Json;
import dev.byhand.store.PayloadIndexType;
import dev.byhand.store.Point;
import dev.byhand.store.ShardBuilder;
import dev.byhand.store.ShardManifest;
import dev.byhand.vector.Metric;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server started with a manifest serves its sharded collection as it serves one collection
 * holding the same points: the same answers, JSON for JSON, on every read route.
 */
class ManifestCollectionsTest {

  @TempDir Path dir;
  ByhandServer server;
  Http http;

  static final int N = 900;

  static String j(String s) {
    return s.replace('\'', '"');
  }

  @BeforeEach
  void start() {
    SplittableRandom r = new SplittableRandom(11);
    List<Point> points = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      float[] v = new float[6];
      for (int d = 0; d < v.length; d++) {
        v[d] = (float) r.nextDouble(-1, 1);
      }
      ObjectNode payload =
          Json.parsePayload(
              "p", "{\"color\":\"" + (i % 3 == 0 ? "red" : "blue") + "\",\"n\":" + i + "}");
      points.add(Point.of("id-" + i, v, payload));
    }
    CollectionConfig config = CollectionConfig.of("docs", 6, Metric.COSINE);
    ShardBuilder.buildAll(
        dir.resolve("index"),
        config,
        ShardManifest.Partitioner.hash(),
        4,
        Map.of("color", PayloadIndexType.KEYWORD),
        points);
    try (Database db = Database.open(dir.resolve("data"))) {
      Collection one = db.create(config.withName("one"));
      one.createPayloadIndex("color", PayloadIndexType.KEYWORD);
      one.upsert(points);
    }
    server =
        ByhandServer.start(
            ServerConfig.of(dir.resolve("data")).withAddress("127.0.0.1", 0),
            List.of(dir.resolve("index/manifest.json")));
    http = new Http(server.url(), null);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** The same request on the sharded collection and on the single one: equal results. */
  private JsonNode same(String method, String route, String body) {
    Http.Answer sharded = http.send(method, "/collections/docs" + route, body);
    Http.Answer single = http.send(method, "/collections/one" + route, body);
    assertThat(sharded.status()).as(sharded.body()).isEqualTo(single.status()).isEqualTo(200);
    assertThat(sharded.result()).isEqualTo(single.result());
    return sharded.result();
  }

  @Test
  void readsAnswerLikeOneCollection() {
    SplittableRandom r = new SplittableRandom(5);
    for (int q = 0; q < 10; q++) {
      StringBuilder v = new StringBuilder("[");
      for (int d = 0; d < 6; d++) {
        v.append(d == 0 ? "" : ",").append((float) r.nextDouble(-1, 1));
      }
      v.append("]");
      // ef above the collection's size: both answers are exact, so they can be compared.
      JsonNode hits =
          same(
              "POST",
              "/points/search",
              j("{'vector': " + v + ", 'limit': 7, 'params': {'hnsw_ef': 1000}}"));
      assertThat(hits).hasSize(7);
      same(
          "POST",
          "/points/query",
          j("{'query': " + v + ", 'limit': 6, 'params': {'hnsw_ef': 1000}}"));
      same(
          "POST",
          "/points/search",
          j(
              "{'vector': "
                  + v
                  + ", 'limit': 5, 'params': {'hnsw_ef': 1000}, 'with_vector': true,"
                  + " 'with_payload': ['n'],"
                  + " 'filter': {'must': [{'key': 'color', 'match': {'value': 'red'}}]}}"));
      same(
          "POST",
          "/points/search/batch",
          j(
              "{'searches': [{'vector': "
                  + v
                  + ", 'limit': 3, 'params': {'hnsw_ef': 1000}}, {'vector': "
                  + v
                  + ", 'limit': 4, 'params': {'hnsw_ef': 1000}}]}"));
    }
    assertThat(same("POST", "/points/count", "").get("count").asInt()).isEqualTo(N);
    assertThat(
            same(
                    "POST",
                    "/points/count",
                    j("{'filter': {'must': [{'key': 'color', 'match': {'value': 'red'}}]}}"))
                .get("count")
                .asInt())
        .isEqualTo(N / 3);
    same("POST", "/points", j("{'ids': ['id-3', 'nope', 'id-1'], 'with_vector': true}"));
    same("GET", "/points/id-42", null);
    String offset = null;
    int seen = 0;
    do {
      String body =
          j(
              "{'limit': 50, 'filter': {'must_not': [{'key': 'color', 'match': {'value': 'red'}}]}"
                  + (offset == null ? "" : ", 'offset': '" + offset + "'")
                  + "}");
      JsonNode page = same("POST", "/points/scroll", body);
      seen += page.get("points").size();
      offset = page.get("next_page_offset").isNull() ? null : page.get("next_page_offset").asText();
    } while (offset != null);
    assertThat(seen).isEqualTo(N - N / 3);

    JsonNode info = http.get("/collections/docs").result();
    assertThat(info.get("points_count").asInt()).isEqualTo(N);
    assertThat(info.get("payload_schema").get("color").get("data_type").asText())
        .isEqualTo("keyword");
    assertThat(http.get("/collections/docs/exists").result().get("exists").asBoolean()).isTrue();
    assertThat(http.get("/collections").result().get("collections"))
        .extracting(n -> n.get("name").asText())
        .containsExactly("docs", "one");
  }

  @Test
  void writesAreRefusedAndOtherErrorsAreTheUsualOnes() {
    Http.Answer upsert =
        http.put(
            "/collections/docs/points", j("{'points': [{'id': 'x', 'vector': [1,0,0,0,0,0]}]}"));
    assertThat(upsert.status()).isEqualTo(409);
    upsert.error(); // the shape every error has
    assertThat(upsert.body()).contains("read_only").contains("read-only");
    assertThat(http.delete("/collections/docs").status()).isEqualTo(409);
    assertThat(
            http.put("/collections/docs", j("{'vectors': {'size': 6, 'distance': 'Cosine'}}"))
                .status())
        .isEqualTo(409);
    assertThat(http.post("/collections/docs/points/delete", j("{'points': ['id-1']}")).status())
        .isEqualTo(409);
    assertThat(http.get("/collections/docs/points/nope").status()).isEqualTo(404);
    Http.Answer bad =
        http.post("/collections/docs/points/search", j("{'vector': [1, 2], 'limit': 3}"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(http.post("/collections/docs/points/count", "").result().get("count").asInt())
        .isEqualTo(N);
    // The database's own collections are untouched by it.
    assertThat(
            http.put("/collections/other", j("{'vectors': {'size': 3, 'distance': 'Cosine'}}"))
                .status())
        .isEqualTo(200);
  }

  @Test
  void aManifestWhoseNameIsTakenIsRefused() {
    server.close();
    try (Database db = Database.open(dir.resolve("data"))) {
      db.create(CollectionConfig.of("docs", 6, Metric.COSINE));
    }
    assertThatThrownBy(
            () ->
                ByhandServer.start(
                    ServerConfig.of(dir.resolve("data")).withAddress("127.0.0.1", 0),
                    List.of(dir.resolve("index"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'docs'");
    server = ByhandServer.start(ServerConfig.of(dir.resolve("data")).withAddress("127.0.0.1", 0));
  }
}
