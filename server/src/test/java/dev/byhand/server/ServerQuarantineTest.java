package dev.byhand.server;

import static dev.byhand.server.ServerApiTest.j;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.byhand.store.CollectionConfig;
import dev.byhand.store.Database;
import dev.byhand.store.Point;
import dev.byhand.store.Snapshots;
import dev.byhand.vector.Metric;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 defect 6 over HTTP: a server whose folder holds a damaged collection starts, serves the
 * others, shows the damaged one as failed (list, info, health, metrics), answers every other use of
 * it with 503 naming it and the reason, and lets an admin drop it or restore a snapshot over it.
 */
class ServerQuarantineTest {

  @TempDir Path dir;

  private Path data() {
    return dir.resolve("data");
  }

  /** {@code good} and {@code bad}, two points each, a snapshot of {@code bad}; then damage. */
  private String damagedFolder() throws IOException {
    String snap;
    try (Database db = Database.open(data())) {
      for (String name : List.of("good", "bad")) {
        db.create(CollectionConfig.of(name, 2, Metric.DOT))
            .upsert(
                List.of(
                    Point.of("a", new float[] {1, 0}, null),
                    Point.of("b", new float[] {0, 1}, null)));
      }
      snap = Snapshots.create(db, "bad");
    }
    Path points = only(data().resolve("collections/bad"), "segment-*.points");
    try (RandomAccessFile raf = new RandomAccessFile(points.toFile(), "rw")) {
      long at = raf.length() / 2;
      raf.seek(at);
      int b = raf.read();
      raf.seek(at);
      raf.write(b ^ 0x5A);
    }
    return snap;
  }

  private static Path only(Path folder, String glob) throws IOException {
    List<Path> all = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(folder, glob)) {
      s.forEach(all::add);
    }
    assertThat(all).hasSize(1);
    return all.get(0);
  }

  private static void isQuarantined(Http.Answer a) {
    assertThat(a.status()).as(a.body()).isEqualTo(503);
    JsonNode e = a.error();
    assertThat(e.get("code").asText()).isEqualTo("collection_failed");
    assertThat(e.get("message").asText())
        .contains("'bad'")
        .contains("segment-")
        .contains("checksum")
        .doesNotContain("\n")
        .doesNotContain("\tat ");
  }

  @Test
  void aDamagedCollectionIsShownAsFailedAndEveryUseOfItIs503() throws IOException {
    damagedFolder();
    try (ByhandServer server =
        ByhandServer.start(ServerConfig.of(data()).withAddress("127.0.0.1", 0))) {
      Http http = new Http(server.url(), null);

      // The others are served.
      assertThat(http.post("/collections/good/points/count", null).result().get("count").asLong())
          .isEqualTo(2);

      JsonNode list = http.get("/collections").result().get("collections");
      assertThat(list.findValuesAsText("name")).containsExactly("bad", "good");
      assertThat(list.get(0).get("status").asText()).isEqualTo("failed");
      assertThat(list.get(0).get("failure").asText()).isEqualTo("damaged_file");
      assertThat(list.get(0).get("reason").asText()).contains("segment-").contains("checksum");
      assertThat(list.get(1).get("status").asText()).isEqualTo("green");

      JsonNode info = http.get("/collections/bad").result();
      assertThat(info.get("status").asText()).isEqualTo("failed");
      assertThat(info.get("reason").asText()).contains(".points").contains("checksum");

      JsonNode health = http.get("/healthz").result();
      assertThat(health.get("status").asText()).isEqualTo("degraded");
      assertThat(health.get("failed_collections").asInt()).isEqualTo(1);
      assertThat(health.get("failed").findValuesAsText("name")).containsExactly("bad");

      String metrics = http.get("/metrics").body();
      assertThat(metrics)
          .contains("byhand_collections_failed 1")
          .contains("byhand_collection_failed{collection=\"bad\",kind=\"damaged_file\"} 1")
          .contains("byhand_points{collection=\"good\"} 2")
          .doesNotContain("byhand_points{collection=\"bad\"}");

      isQuarantined(http.post("/collections/bad/points/count", null));
      isQuarantined(
          http.post(
              "/collections/bad/points/search",
              j("{'vector': [1, 0], 'limit': 1, 'with_payload': true}")));
      isQuarantined(
          http.post(
              "/collections/bad/points/search/batch",
              j("{'searches': [{'vector': [1, 0], 'limit': 1, 'with_payload': true}]}")));
      isQuarantined(
          http.put("/collections/bad/points", j("{'points': [{'id': 'c', 'vector': [1, 1]}]}")));
      isQuarantined(http.post("/collections/bad/points", j("{'ids': ['a']}")));
      isQuarantined(http.get("/collections/bad/points/a"));
      isQuarantined(http.post("/collections/bad/points/delete", j("{'points': ['a']}")));
      isQuarantined(http.post("/collections/bad/points/scroll", null));
      isQuarantined(http.post("/collections/bad/snapshots", null));
      isQuarantined(http.post("/collections/bad/explain", j("{'text': 'x'}")));
      isQuarantined(http.delete("/collections/bad/index/k"));
      isQuarantined(
          http.put("/collections/bad/index", j("{'field_name': 'k', 'field_schema': 'keyword'}")));
      Http.Answer create =
          http.put("/collections/bad", j("{'vectors': {'size': 2, 'distance': 'Cosine'}}"));
      assertThat(create.status()).isEqualTo(409);
      assertThat(create.error().get("message").asText()).contains("failed to open");
    }
  }

  @Test
  void anAdminRestoresASnapshotOverAQuarantinedCollectionOrDropsIt() throws IOException {
    String snap = damagedFolder();
    try (ByhandServer server =
        ByhandServer.start(ServerConfig.of(data()).withAddress("127.0.0.1", 0))) {
      Http http = new Http(server.url(), null);
      assertThat(http.get("/collections/bad/snapshots").result().findValuesAsText("name"))
          .containsExactly(snap);
      JsonNode restored =
          http.post("/collections/bad/snapshots/" + snap + "/restore", j("{'collection': 'bad'}"))
              .result();
      assertThat(restored.get("status").asText()).isEqualTo("green");
      assertThat(restored.get("points_count").asLong()).isEqualTo(2);
      assertThat(http.post("/collections/bad/points/count", null).result().get("count").asLong())
          .isEqualTo(2);
      JsonNode health = http.get("/healthz").result();
      assertThat(health.get("status").asText()).isEqualTo("ok");
      assertThat(health.get("failed_collections").asInt()).isZero();
      assertThat(http.get("/metrics").body()).contains("byhand_collections_failed 0");
    }
  }

  @Test
  void aQuarantinedCollectionCanBeDropped() throws IOException {
    damagedFolder();
    try (ByhandServer server =
        ByhandServer.start(ServerConfig.of(data()).withAddress("127.0.0.1", 0))) {
      Http http = new Http(server.url(), null);
      assertThat(http.delete("/collections/bad").result().asBoolean()).isTrue();
      assertThat(http.get("/collections/bad").status()).isEqualTo(404);
      assertThat(http.get("/collections").result().get("collections").findValuesAsText("name"))
          .containsExactly("good");
      assertThat(data().resolve("collections/bad")).doesNotExist();
      assertThat(
              http.put("/collections/bad", j("{'vectors': {'size': 3, 'distance': 'Cosine'}}"))
                  .status())
          .isEqualTo(200);
    }
  }

  @Test
  void healthNamesTheFailedOnlyToACallerWithAKey() throws IOException {
    damagedFolder();
    ApiKeys keys =
        ApiKeys.load(
            null,
            Map.of(
                "BYHAND_ADMIN_KEY", ServerSecurityTest.ADMIN,
                "BYHAND_READ_KEY", ServerSecurityTest.READER));
    try (ByhandServer server =
        ByhandServer.start(ServerConfig.of(data()).withAddress("127.0.0.1", 0).withKeys(keys))) {
      Http anonymous = new Http(server.url(), null);
      Http.Answer open = anonymous.get("/healthz");
      assertThat(open.status()).isEqualTo(200);
      assertThat(open.result().get("status").asText()).isEqualTo("degraded");
      assertThat(open.result().get("failed_collections").asInt()).isEqualTo(1);
      assertThat(open.result().has("failed")).isFalse();
      assertThat(open.body()).doesNotContain("bad");
      JsonNode keyed = anonymous.withKey(ServerSecurityTest.READER).get("/healthz").result();
      assertThat(keyed.get("failed").findValuesAsText("name")).containsExactly("bad");
    }
  }
}
