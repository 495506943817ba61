package dev.byhand.server;

import static dev.byhand.server.ServerApiTest.j;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.byhand.store.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests a page on another site can make a browser send are refused, over real HTTP: bodies that
 * are not declared JSON (415), a foreign {@code Origin} (403), and on a keyless server any {@code
 * Host} but a loopback name (403, DNS rebinding). The server's own page and plain clients still
 * pass.
 */
class ServerCrossSiteTest {

  static final String DELETE_ALL = "{\"filter\":{\"must\":[]}}";

  @TempDir Path dir;
  ByhandServer server;
  Http http;
  final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void start() {
    server = ByhandServer.start(ServerConfig.of(dir.resolve("data")).withAddress("127.0.0.1", 0));
    http = new Http(server.url(), null);
    http.put("/collections/t", j("{'vectors': {'size': 2, 'distance': 'Cosine'}}")).result();
    http.put(
            "/collections/t/points",
            j("{'points': [{'id': 'a', 'vector': [1, 0]}, {'id': 'b', 'vector': [0, 1]}]}"))
        .result();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  long count() {
    return http.post("/collections/t/points/count", null).result().get("count").asLong();
  }

  /** A request with the headers given (name, value, name, value…) and no others but Host. */
  Http.Answer send(String method, String path, String body, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(30));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    try {
      HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Http.Answer(
          r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * A request written by hand on a socket, for what Java's client will not send (a Host of our
   * choosing).
   */
  static Http.Answer raw(int port, String method, String path, String host, String body) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(30_000);
      byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
      String head =
          method
              + " "
              + path
              + " HTTP/1.1\r\nHost: "
              + host
              + "\r\nConnection: close\r\n"
              + (body == null
                  ? ""
                  : "Content-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n")
              + "\r\n";
      OutputStream out = s.getOutputStream();
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      out.write(bytes);
      out.flush();
      InputStream in = s.getInputStream();
      String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int status = Integer.parseInt(all.substring(9, 12));
      int split = all.indexOf("\r\n\r\n");
      String headers = all.substring(0, split).toLowerCase();
      String type =
          headers.contains("content-type: application/json") ? "application/json" : "other";
      return new Http.Answer(status, all.substring(split + 4), type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void refused(Http.Answer a, int status, String code, String field) {
    assertThat(a.status()).as(a.body()).isEqualTo(status);
    JsonNode e = a.error();
    assertThat(e.get("code").asText()).isEqualTo(code);
    assertThat(e.get("field").asText()).isEqualTo(field);
  }

  @Test
  void theReportedAttackDeletesNothing() {
    Http.Answer a =
        send(
            "POST",
            "/collections/t/points/delete",
            DELETE_ALL,
            "Content-Type",
            "text/plain",
            "Origin",
            "http://evil.example");
    assertThat(a.status()).as(a.body()).isIn(403, 415);
    assertThat(count()).isEqualTo(2);
  }

  @Test
  void bodiesMustBeDeclaredJson() {
    for (String type :
        List.of(
            "text/plain",
            "text/plain;charset=UTF-8",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/json; charset=iso-8859-1",
            "application/jsonx")) {
      refused(
          send("POST", "/collections/t/points/delete", DELETE_ALL, "Content-Type", type),
          415,
          "unsupported_media_type",
          "Content-Type");
    }
    // A body with no type at all.
    refused(
        send("POST", "/collections/t/points/delete", DELETE_ALL),
        415,
        "unsupported_media_type",
        "Content-Type");
    refused(
        send(
            "PUT",
            "/collections/u",
            "{\"vectors\":{\"size\":2,\"distance\":\"Cosine\"}}",
            "Content-Type",
            "text/plain"),
        415,
        "unsupported_media_type",
        "Content-Type");
    assertThat(count()).isEqualTo(2);
    assertThat(http.get("/collections/u").status()).isEqualTo(404);

    // JSON, with or without a UTF-8 charset, in any case.
    for (String type :
        List.of(
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON;charset=\"UTF-8\"")) {
      Http.Answer ok =
          send(
              "POST",
              "/collections/t/points/count",
              "{\"filter\":{\"must\":[]}}",
              "Content-Type",
              type);
      assertThat(ok.status()).as(type + ": " + ok.body()).isEqualTo(200);
    }
    // No body and no type: nothing to misread (a snapshot, a count of everything).
    assertThat(send("POST", "/collections/t/points/count", null).status()).isEqualTo(200);
    assertThat(send("POST", "/collections/t/snapshots", null).status()).isEqualTo(200);
    assertThat(send("DELETE", "/collections/t/index/nothing", null).status()).isEqualTo(404);
  }

  @Test
  void onlyTheServersOwnPageMayCallItFromABrowser() {
    String own = server.url(); // http://127.0.0.1:PORT, where the web page is served
    int port = server.port();
    for (String foreign :
        List.of(
            "http://evil.example",
            "http://evil.example:" + port,
            "http://localhost:" + port, // another origin than the one in Host
            "http://127.0.0.1:" + (port == 65535 ? 1 : port + 1),
            "https://127.0.0.1:" + port + "x",
            "null",
            "file://")) {
      refused(
          send(
              "POST",
              "/collections/t/points/delete",
              DELETE_ALL,
              "Content-Type",
              "application/json",
              "Origin",
              foreign),
          403,
          "forbidden",
          "Origin");
      refused(send("GET", "/collections", null, "Origin", foreign), 403, "forbidden", "Origin");
    }
    assertThat(count()).isEqualTo(2);

    // The page's own origin, as a browser sends it with every fetch the page makes.
    Http.Answer mine =
        send(
            "POST",
            "/collections/t/points/count",
            "{}",
            "Content-Type",
            "application/json",
            "Origin",
            own);
    assertThat(mine.status()).as(mine.body()).isEqualTo(200);
    assertThat(send("GET", "/collections", null, "Origin", own).status()).isEqualTo(200);
    // The page itself and its script are served to anyone (they hold no data).
    assertThat(send("GET", "/dashboard/", null, "Origin", "http://evil.example").status())
        .isEqualTo(200);
  }

  @Test
  void aKeylessServerAnswersOnlyLoopbackNames() {
    int port = server.port();
    for (String host :
        List.of(
            "evil.example:" + port,
            "evil.example",
            "127.0.0.1.evil.example:" + port,
            "localhost.:" + port,
            "192.168.1.10:" + port,
            "[::2]:" + port,
            "")) {
      refused(
          raw(port, "POST", "/collections/t/points/delete", host, DELETE_ALL),
          403,
          "forbidden",
          "Host");
      // Reads too: a rebound page could otherwise read every collection.
      refused(raw(port, "GET", "/collections", host, null), 403, "forbidden", "Host");
    }
    assertThat(count()).isEqualTo(2);
    for (String host :
        List.of(
            "127.0.0.1:" + port,
            "localhost:" + port,
            "LOCALHOST:" + port,
            "[::1]:" + port,
            "localhost")) {
      Http.Answer a = raw(port, "POST", "/collections/t/points/count", host, "{}");
      assertThat(a.status()).as(host + ": " + a.body()).isEqualTo(200);
      assertThat(a.json().get("result").get("count").asLong()).isEqualTo(2);
    }
  }

  @Test
  void withAKeyAnyHostIsServedButForeignOriginsStillAreNot() {
    server.close();
    String key = "admin-key-0123456789";
    server =
        ByhandServer.start(
            ServerConfig.of(dir.resolve("data"))
                .withAddress("127.0.0.1", 0)
                .withKeys(ApiKeys.of(List.of(key), List.of())));
    int port = server.port();
    Http.Answer viaProxy =
        rawWithKey(port, "db.example.com", key, "/collections/t/points/count", "{}");
    assertThat(viaProxy.status()).as(viaProxy.body()).isEqualTo(200);
    Http.Answer foreign =
        send(
            "POST",
            "/collections/t/points/delete",
            DELETE_ALL,
            "Content-Type",
            "application/json",
            "api-key",
            key,
            "Origin",
            "http://evil.example");
    refused(foreign, 403, "forbidden", "Origin");
    Http keyed = new Http(server.url(), key);
    assertThat(keyed.post("/collections/t/points/count", null).result().get("count").asLong())
        .isEqualTo(2);
  }

  private static Http.Answer rawWithKey(
      int port, String host, String key, String path, String body) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(30_000);
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      String head =
          "POST "
              + path
              + " HTTP/1.1\r\nHost: "
              + host
              + "\r\napi-key: "
              + key
              + "\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: "
              + bytes.length
              + "\r\n\r\n";
      s.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().write(bytes);
      String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return new Http.Answer(
          Integer.parseInt(all.substring(9, 12)),
          all.substring(all.indexOf("\r\n\r\n") + 4),
          "application/json");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void theClientsThatShipSendJson() throws Exception {
    // The web page's fetches, the CLI's and LangChain4j's clients all declare JSON; the two Java
    // clients are tested end to end in their modules, the page's script is checked here.
    String js = http.get("/dashboard/byhand.js").body();
    assertThat(js).contains("\"Content-Type\": \"application/json\"");
    assertThat(Json.MAPPER.readTree(http.get("/openapi.json").body()).get("openapi").asText())
        .startsWith("3.");
  }
}
