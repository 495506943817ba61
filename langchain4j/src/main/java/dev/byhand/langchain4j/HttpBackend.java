package dev.byhand.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.store.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@link Backend} on a collection of a byhand server, through its REST API. */
final class HttpBackend implements Backend {

  /** A failure answered by the server, with its status and JSON error. */
  static final class ServerException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    ServerException(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final String base;
  private final String key;

  HttpBackend(String url, String key, String name) {
    String u = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.base = u + "/collections/" + URLEncoder.encode(name, StandardCharsets.UTF_8);
    this.key = key;
  }

  private JsonNode call(String method, String path, JsonNode body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofMinutes(2))
            .header("Content-Type", "application/json");
    if (key != null) {
      b.header("api-key", key);
    }
    try {
      b.method(
          method,
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)));
      HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      JsonNode json = Json.MAPPER.readTree(r.body());
      if (r.statusCode() / 100 != 2) {
        // Qdrant's error shape: {"status": {"error": message, "code", "field"}, "time"}
        JsonNode e = json == null || !json.path("status").isObject() ? null : json.get("status");
        throw new ServerException(
            r.statusCode(),
            "byhand server answered "
                + r.statusCode()
                + ": "
                + (e == null ? "" : e.path("error").asText()));
      }
      return json.get("result");
    } catch (IOException e) {
      throw new UncheckedIOException("byhand server at " + base + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + base, e);
    }
  }

  private JsonNode info() {
    try {
      return call("GET", "", null);
    } catch (ServerException e) {
      if (e.status == 404) {
        return null;
      }
      throw e;
    }
  }

  @Override
  public boolean exists() {
    return info() != null;
  }

  @Override
  public void ensure(int dimension) {
    if (info() != null) {
      return;
    }
    try {
      call("PUT", "", createBody(dimension));
    } catch (ServerException e) {
      if (e.status != 409) { // another client created it meanwhile
        throw e;
      }
    }
  }

  @Override
  public void checkCosine() {
    JsonNode i = info();
    String distance = i == null ? null : i.at("/config/params/vectors/distance").asText();
    if (i != null && !"Cosine".equals(distance)) {
      throw new IllegalArgumentException(
          "collection: uses distance " + distance + "; LangChain4j scores need cosine");
    }
  }

  /** Qdrant's create-collection body: one unnamed cosine vector. */
  private static ObjectNode createBody(int dimension) {
    ObjectNode b = Json.MAPPER.createObjectNode();
    b.putObject("vectors").put("size", dimension).put("distance", "Cosine");
    return b;
  }

  private static ArrayNode floats(float[] v) {
    ArrayNode a = Json.MAPPER.createArrayNode();
    for (float x : v) {
      a.add(x);
    }
    return a;
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

  private static ObjectNode payload(JsonNode n) {
    return n == null || !n.isObject() ? null : (ObjectNode) n;
  }

  @Override
  public void upsert(List<String> ids, List<float[]> vectors, List<ObjectNode> payloads) {
    ObjectNode b = Json.MAPPER.createObjectNode();
    ArrayNode points = b.putArray("points");
    for (int i = 0; i < ids.size(); i++) {
      ObjectNode p = points.addObject().put("id", ids.get(i));
      p.set("vector", floats(vectors.get(i)));
      if (payloads.get(i) != null) {
        p.set("payload", payloads.get(i));
      }
    }
    call("PUT", "/points", b);
  }

  @Override
  public List<Hit> search(float[] query, int k, JsonNode filter) {
    ObjectNode b =
        Json.MAPPER
            .createObjectNode()
            .put("limit", k)
            .put("with_vector", true)
            .put("with_payload", true);
    b.set("vector", floats(query));
    if (filter != null) {
      b.set("filter", filter);
    }
    List<Hit> out = new ArrayList<>();
    for (JsonNode h : call("POST", "/points/search", b)) {
      out.add(
          new Hit(
              h.get("id").asText(),
              h.get("score").doubleValue(),
              floats(h.get("vector")),
              payload(h.get("payload"))));
    }
    return out;
  }

  @Override
  public void delete(List<String> ids) {
    if (!exists()) {
      return;
    }
    ObjectNode b = Json.MAPPER.createObjectNode();
    ids.forEach(b.putArray("points")::add);
    call("POST", "/points/delete", b);
  }

  @Override
  public void delete(JsonNode filter) {
    if (!exists()) {
      return;
    }
    ObjectNode b = Json.MAPPER.createObjectNode();
    b.set("filter", filter);
    call("POST", "/points/delete", b);
  }

  @Override
  public Page scroll(String cursor, int limit, boolean withVector) {
    ObjectNode b =
        Json.MAPPER.createObjectNode().put("limit", limit).put("with_vector", withVector);
    if (cursor != null) {
      b.put("offset", cursor);
    }
    JsonNode r = call("POST", "/points/scroll", b);
    List<Hit> out = new ArrayList<>();
    for (JsonNode p : r.get("points")) {
      out.add(new Hit(p.get("id").asText(), 0, floats(p.get("vector")), payload(p.get("payload"))));
    }
    JsonNode next = r.get("next_page_offset");
    return new Page(out, next == null || next.isNull() ? null : next.asText());
  }

  @Override
  public void close() {
    // HttpClient has no close on Java 17; its threads are daemons.
  }
}
