package dev.byhand.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.store.Json;
import dev.byhand.store.Point;
import dev.byhand.store.ScoredPoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@link DbBackend} over HTTP to a running {@code byhand db serve}. */
final class RemoteBackend implements DbBackend {

  /** A failure answered by the server: its status decides the exit code. */
  static final class RemoteError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    RemoteError(int status, String message) {
      super(message);
      this.status = status;
    }

    /** 404 → not found, other 4xx → usage, 5xx → failure. */
    int exitCode() {
      return status == 404 ? Main.NOT_FOUND : status < 500 ? Main.USAGE : Main.FAILED;
    }
  }

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final String base;
  private final String key;

  RemoteBackend(String url, String key) {
    this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.key = key;
    if (!base.startsWith("http://") && !base.startsWith("https://")) {
      throw new IllegalArgumentException(
          "url: must start with http:// or https://, got '" + url + "'");
    }
  }

  private static String seg(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private JsonNode call(String method, String path, JsonNode body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(5));
    if (key != null && !key.isEmpty()) {
      b.header("api-key", key);
    }
    b.header("Content-Type", "application/json");
    try {
      b.method(
          method,
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)));
      HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      JsonNode json;
      try {
        json = Json.MAPPER.readTree(r.body());
      } catch (IOException e) {
        throw new RemoteError(
            r.statusCode() < 400 ? 502 : r.statusCode(),
            "the server at " + base + " answered " + r.statusCode() + " without JSON");
      }
      if (r.statusCode() / 100 != 2) {
        JsonNode e = json == null ? null : json.get("error");
        String message = e == null ? "HTTP " + r.statusCode() : e.path("message").asText();
        String field = e == null || e.path("field").isNull() ? null : e.path("field").asText();
        throw new RemoteError(
            r.statusCode(),
            field == null || message.startsWith(field) ? message : field + ": " + message);
      }
      return json.get("result");
    } catch (ConnectException e) {
      throw new RemoteError(
          503, "cannot reach the server at " + base + " (is byhand db serve running?)");
    } catch (IOException e) {
      throw new UncheckedIOException("talking to " + base + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RemoteError(503, "interrupted while waiting for " + base);
    }
  }

  private static Info info(JsonNode r) {
    return new Info(
        r.get("name").asText(),
        r.get("dimension").asInt(),
        r.get("metric").asText(),
        r.get("encoder").isNull() ? null : r.get("encoder").asText(),
        r.get("points").asLong());
  }

  @Override
  public Info create(String name, String encoder, int dimension, String metric) {
    ObjectNode b = Json.MAPPER.createObjectNode();
    if (encoder != null) {
      b.put("encoder", encoder);
    }
    if (dimension != 0) {
      b.put("dimension", dimension);
    }
    if (metric != null) {
      b.put("metric", metric);
    }
    return info(call("PUT", "/collections/" + seg(name), b));
  }

  @Override
  public Info info(String name) {
    return info(call("GET", "/collections/" + seg(name), null));
  }

  private static boolean failed(JsonNode c) {
    return "failed".equals(c.path("status").asText());
  }

  @Override
  public List<String> list() {
    List<String> out = new ArrayList<>();
    for (JsonNode c : call("GET", "/collections", null).get("collections")) {
      if (!failed(c)) {
        out.add(c.get("name").asText());
      }
    }
    return out;
  }

  @Override
  public List<Failed> failed() {
    List<Failed> out = new ArrayList<>();
    for (JsonNode c : call("GET", "/collections", null).get("collections")) {
      if (failed(c)) {
        out.add(new Failed(c.get("name").asText(), c.path("reason").asText()));
      }
    }
    return out;
  }

  @Override
  public void upsert(String collection, List<Point> points) {
    ObjectNode b = Json.MAPPER.createObjectNode();
    ArrayNode arr = b.putArray("points");
    for (Point p : points) {
      ObjectNode o = arr.addObject().put("id", p.id());
      if (p.vector() != null) {
        ArrayNode v = o.putArray("vector");
        for (float x : p.vector()) {
          v.add(x);
        }
      }
      if (p.text() != null) {
        o.put("text", p.text());
      }
      if (p.payload() != null) {
        o.set("payload", p.payload());
      }
    }
    call("PUT", "/collections/" + seg(collection) + "/points", b);
  }

  private static float[] floats(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    float[] v = new float[n.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = n.get(i).floatValue();
    }
    return v;
  }

  @Override
  public List<ScoredPoint> search(
      String collection, String text, float[] vector, int k, JsonNode filter) {
    ObjectNode b = Json.MAPPER.createObjectNode().put("k", k);
    if (text != null) {
      b.put("text", text);
    } else {
      ArrayNode v = b.putArray("vector");
      for (float x : vector) {
        v.add(x);
      }
    }
    if (filter != null) {
      b.set("filter", filter);
    }
    List<ScoredPoint> out = new ArrayList<>();
    for (JsonNode h : call("POST", "/collections/" + seg(collection) + "/points/search", b)) {
      out.add(
          new ScoredPoint(
              h.get("id").asText(),
              h.get("score").floatValue(),
              DbBackend.payload(h.get("payload")),
              floats(h.get("vector"))));
    }
    return out;
  }

  @Override
  public List<Point> get(String collection, List<String> ids, boolean withVector) {
    ObjectNode b = Json.MAPPER.createObjectNode().put("with_vector", withVector);
    ids.forEach(b.putArray("ids")::add);
    List<Point> out = new ArrayList<>();
    for (JsonNode p : call("POST", "/collections/" + seg(collection) + "/points", b)) {
      out.add(
          Point.of(
              p.get("id").asText(), floats(p.get("vector")), DbBackend.payload(p.get("payload"))));
    }
    return out;
  }

  @Override
  public int delete(String collection, List<String> ids) {
    ObjectNode b = Json.MAPPER.createObjectNode();
    ids.forEach(b.putArray("ids")::add);
    return call("POST", "/collections/" + seg(collection) + "/points/delete", b)
        .get("deleted")
        .asInt();
  }

  @Override
  public int delete(String collection, JsonNode filter) {
    ObjectNode b = Json.MAPPER.createObjectNode();
    b.set("filter", filter);
    return call("POST", "/collections/" + seg(collection) + "/points/delete", b)
        .get("deleted")
        .asInt();
  }

  @Override
  public void drop(String collection) {
    call("DELETE", "/collections/" + seg(collection), null);
  }

  @Override
  public long count(String collection, JsonNode filter) {
    ObjectNode b = Json.MAPPER.createObjectNode();
    if (filter != null) {
      b.set("filter", filter);
    }
    return call("POST", "/collections/" + seg(collection) + "/points/count", b)
        .get("count")
        .asLong();
  }

  @Override
  public String snapshot(String collection) {
    return call("POST", "/collections/" + seg(collection) + "/snapshots", null)
        .get("snapshot")
        .asText();
  }

  @Override
  public List<String> snapshots(String collection) {
    List<String> out = new ArrayList<>();
    call("GET", "/collections/" + seg(collection) + "/snapshots", null)
        .get("snapshots")
        .forEach(s -> out.add(s.get("snapshot").asText()));
    return out;
  }

  @Override
  public Info restore(String collection, String snapshot, String target) {
    ObjectNode b = Json.MAPPER.createObjectNode().put("collection", target);
    return info(
        call(
            "POST",
            "/collections/" + seg(collection) + "/snapshots/" + seg(snapshot) + "/restore",
            b));
  }

  @Override
  public void close() {
    // HttpClient has no close on Java 17; its threads are daemons.
  }
}
