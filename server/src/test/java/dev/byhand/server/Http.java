package dev.byhand.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.byhand.store.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small test client: JSON in, status and JSON out. */
final class Http {

  /** One answer. */
  record Answer(int status, String body, String contentType) {
    JsonNode json() {
      try {
        return Json.MAPPER.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (status " + status + "): " + body, e);
      }
    }

    JsonNode result() {
      if (status / 100 != 2) {
        throw new AssertionError("expected success, got " + status + ": " + body);
      }
      return json().get("result");
    }

    /**
     * The error, after checking Qdrant's shape every error must have ({@code {"status": {"error":
     * message, "code", "field"}, "time"}}), as {@code {code, message, field}}.
     */
    JsonNode error() {
      JsonNode json = json();
      JsonNode e = json.get("status");
      if (e == null
          || !e.isObject()
          || !e.path("error").isTextual()
          || !e.path("code").isTextual()
          || !e.has("field")
          || !json.path("time").isNumber()) {
        throw new AssertionError("not an error body (status " + status + "): " + body);
      }
      return Json.MAPPER
          .createObjectNode()
          .put("code", e.get("code").textValue())
          .put("message", e.get("error").textValue())
          .set("field", e.get("field"));
    }
  }

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String key;

  Http(String base, String key) {
    this.base = base;
    this.key = key;
  }

  Http withKey(String newKey) {
    return new Http(base, newKey);
  }

  Answer send(String method, String path, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    if (key != null) {
      b.header("api-key", key);
    }
    b.header("Content-Type", "application/json");
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    try {
      HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(
          r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  Answer get(String path) {
    return send("GET", path, null);
  }

  Answer post(String path, String body) {
    return send("POST", path, body);
  }

  Answer put(String path, String body) {
    return send("PUT", path, body);
  }

  Answer delete(String path) {
    return send("DELETE", path, null);
  }
}
