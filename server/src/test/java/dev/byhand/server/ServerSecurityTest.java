package dev.byhand.server;

import static dev.byhand.server.ServerApiTest.j;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** API keys: admin may do all, read-only may read; no key or a wrong one gets 401. */
class ServerSecurityTest {

  static final String ADMIN = "admin-key-0123456789";
  static final String READER = "read-key-0123456789ab";

  @TempDir Path dir;

  @Test
  void keysGuardEveryRouteButHealth() throws Exception {
    Path keyFile = dir.resolve("keys");
    Files.writeString(keyFile, "# byhand keys\nadmin=" + ADMIN + "\n\nread=" + READER + "\n");
    ApiKeys keys = ApiKeys.load(keyFile, Map.of());
    try (ByhandServer server =
        ByhandServer.start(
            ServerConfig.of(dir.resolve("data")).withAddress("127.0.0.1", 0).withKeys(keys))) {
      Http anonymous = new Http(server.url(), null);
      Http admin = anonymous.withKey(ADMIN);
      Http reader = anonymous.withKey(READER);

      assertThat(anonymous.get("/healthz").status()).isEqualTo(200);
      assertThat(anonymous.get("/openapi.json").status()).isEqualTo(200);
      assertThat(anonymous.get("/").status()).isEqualTo(200);
      Http.Answer none = anonymous.get("/collections");
      assertThat(none.status()).isEqualTo(401);
      assertThat(none.error().get("field").asText()).isEqualTo("api-key");
      assertThat(anonymous.get("/metrics").status()).isEqualTo(401);
      assertThat(anonymous.withKey("wrong-key-0123456789").get("/collections").status())
          .isEqualTo(401);

      assertThat(
              admin
                  .put("/collections/v", j("{'vectors': {'size': 2, 'distance': 'Cosine'}}"))
                  .status())
          .isEqualTo(200);
      Http.Answer forbidden =
          reader.put("/collections/w", j("{'vectors': {'size': 2, 'distance': 'Cosine'}}"));
      assertThat(forbidden.status()).isEqualTo(403);
      assertThat(forbidden.error().get("code").asText()).isEqualTo("forbidden");
      assertThat(
              reader
                  .put("/collections/v/points", j("{'points': [{'id': 'a', 'vector': [1, 0]}]}"))
                  .status())
          .isEqualTo(403);
      assertThat(
              admin
                  .put("/collections/v/points", j("{'points': [{'id': 'a', 'vector': [1, 0]}]}"))
                  .status())
          .isEqualTo(200);
      assertThat(reader.post("/collections/v/points/delete", j("{'points': ['a']}")).status())
          .isEqualTo(403);
      assertThat(reader.delete("/collections/v").status()).isEqualTo(403);
      assertThat(reader.post("/collections/v/snapshots", null).status()).isEqualTo(403);

      assertThat(
              reader
                  .post(
                      "/collections/v/points/search",
                      j("{'vector': [1, 0], 'limit': 1, 'with_payload': true}"))
                  .result()
                  .get(0)
                  .get("id")
                  .asText())
          .isEqualTo("a");
      assertThat(reader.post("/collections/v/points/count", null).result().get("count").asLong())
          .isEqualTo(1);
      assertThat(reader.get("/metrics").status()).isEqualTo(200);
      // Bearer works as well as the api-key header.
      var client = java.net.http.HttpClient.newHttpClient();
      var r =
          client.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create(server.url() + "/collections"))
                  .header("Authorization", "Bearer " + READER)
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
    }
  }

  @Test
  void refusesToExposeAnOpenServer() {
    assertThatThrownBy(
            () ->
                ByhandServer.start(ServerConfig.of(dir.resolve("data")).withAddress("0.0.0.0", 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("refusing to listen on 0.0.0.0 without an API key");
    // with a key it may listen everywhere
    try (ByhandServer s =
        ByhandServer.start(
            ServerConfig.of(dir.resolve("data"))
                .withAddress("0.0.0.0", 0)
                .withKeys(ApiKeys.of(List.of(ADMIN), List.of())))) {
      assertThat(s.port()).isPositive();
    }
  }

  @Test
  void keyFilesAndEnvironment() throws Exception {
    Path bad = dir.resolve("bad");
    Files.writeString(bad, "admin=" + ADMIN + "\nroot=" + ADMIN + "\n");
    assertThatThrownBy(() -> ApiKeys.load(bad, Map.of())).hasMessageContaining("line 2");
    assertThatThrownBy(() -> ApiKeys.load(null, Map.of("BYHAND_ADMIN_KEY", "short")))
        .hasMessageContaining("at least 16");
    ApiKeys env =
        ApiKeys.load(
            null,
            Map.of("BYHAND_ADMIN_KEY", ADMIN + ",second-admin-key-xyz", "BYHAND_READ_KEY", READER));
    assertThat(env.access("second-admin-key-xyz")).isEqualTo(ApiKeys.Access.ADMIN);
    assertThat(env.access(READER)).isEqualTo(ApiKeys.Access.READ);
    assertThat(env.access(ADMIN + "x")).isEqualTo(ApiKeys.Access.NONE);
    assertThat(env.access(null)).isEqualTo(ApiKeys.Access.NONE);
    assertThat(ApiKeys.none().access(null)).isEqualTo(ApiKeys.Access.ADMIN);
  }
}
