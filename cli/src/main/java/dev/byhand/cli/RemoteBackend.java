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
        // Qdrant's error shape: {"status": {"error": message, "code", "field"}, "time"}
        JsonNode e = json == null || !json.path("status").isObject() ? null : json.get("status");
        String message = e == null ? "HTTP " + r.statusCode() : e.path("error").asText();
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

  /** Qdrant's CollectionInfo (with byhand's name and encoder) as the CLI's. */
  private static Info info(String name, JsonNode r) {
    JsonNode vectors = r.at("/config/params/vectors");
    return new Info(
        name,
        vectors.path("size").asInt(),
        metric(vectors.path("distance").asText()),
        r.path("encoder").isTextual() ? r.get("encoder").asText() : null,
        r.path("points_count").asLong());
  }

  /** Qdrant's distance name as byhand's metric name, and back. */
  private static String metric(String distance) {
    return switch (distance) {
      case "Euclid" -> "l2";
      case "Dot" -> "dot";
      default -> "cosine";
    };
  }

  private static String distance(String metric) {
    return switch (metric.toLowerCase(java.util.Locale.ROOT)) {
      case "l2", "euclid" -> "Euclid";
      case "dot" -> "Dot";
      case "cosine" -> "Cosine";
      default -> metric; // the server names what is wrong
    };
  }

  @Override
  public Info create(String name, String encoder, int dimension, String metric) {
    ObjectNode b = Json.MAPPER.createObjectNode();
    if (encoder != null) {
      b.put("encoder", encoder);
    }
    if (dimension != 0 || metric != null || encoder == null) {
      ObjectNode v = b.putObject("vectors");
      if (dimension != 0) {
        v.put("size", dimension);
      }
      v.put("distance", distance(metric == null ? "cosine" : metric));
    }
    call("PUT", "/collections/" + seg(name), b);
    return info(name);
  }

  @Override
  public Info info(String name) {
    return info(name, call("GET", "/collections/" + seg(name), null));
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
    ObjectNode b = Json.MAPPER.createObjectNode().put("limit", k).put("with_payload", true);
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
    // Qdrant's delete answers no count: the ids that exist are counted first.
    int found = get(collection, ids, false).size();
    ObjectNode b = Json.MAPPER.createObjectNode();
    ids.forEach(b.putArray("points")::add);
    call("POST", "/collections/" + seg(collection) + "/points/delete", b);
    return found;
  }

  @Override
  public int delete(String collection, JsonNode filter) {
    long found = count(collection, filter); // Qdrant's delete answers no count
    ObjectNode b = Json.MAPPER.createObjectNode();
    b.set("filter", filter);
    call("POST", "/collections/" + seg(collection) + "/points/delete", b);
    return (int) found;
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
        .get("name")
        .asText();
  }

  @Override
  public List<String> snapshots(String collection) {
    List<String> out = new ArrayList<>();
    call("GET", "/collections/" + seg(collection) + "/snapshots", null)
        .forEach(s -> out.add(s.get("name").asText()));
    return out;
  }

  @Override
  public Info restore(String collection, String snapshot, String target) {
    ObjectNode b = Json.MAPPER.createObjectNode().put("collection", target);
    return info(
        target,
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
