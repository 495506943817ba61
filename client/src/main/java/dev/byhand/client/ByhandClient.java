package dev.byhand.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

/**
 * One Java client of byhand's REST API, which is Qdrant's: the CLI's {@code --url} mode and
 * LangChain4j's HTTP backend both talk through it. It speaks JSON ({@link JsonNode}s in Qdrant's
 * shapes) so that it depends on no other byhand module; every failure is an {@link ApiException}
 * with the status and byhand's {@code code} and {@code field}.
 */
public final class ByhandClient {

  /** A failure the server answered (or could not be reached: status 503). */
  public static final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String code;
    private final String field;

    public ApiException(int status, String code, String field, String message) {
      super(message);
      this.status = status;
      this.code = code;
      this.field = field;
    }

    public int status() {
      return status;
    }

    /** byhand's error code ({@code bad_request}, {@code not_found}, …), or null. */
    public String code() {
      return code;
    }

    /** The request field to change, or null. */
    public String field() {
      return field;
    }
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final String base;
  private final String key;
  private final Duration timeout;

  /**
   * @param url the server, e.g. {@code http://127.0.0.1:7700}
   * @param key the API key sent as header {@code api-key}, or null
   * @throws IllegalArgumentException if the url is not http(s)
   */
  public ByhandClient(String url, String key, Duration timeout) {
    this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.key = key == null || key.isEmpty() ? null : key;
    this.timeout = timeout;
    if (!base.startsWith("http://") && !base.startsWith("https://")) {
      throw new IllegalArgumentException(
          "url: must start with http:// or https://, got '" + url + "'");
    }
  }

  /** The server's base URL. */
  public String url() {
    return base;
  }

  /** A path segment, percent-encoded. */
  public static String seg(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String c(String collection) {
    return "/collections/" + seg(collection);
  }

  /** A new JSON object. */
  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** A vector as a JSON array. */
  public static ArrayNode floats(float[] v) {
    ArrayNode a = MAPPER.createArrayNode();
    for (float x : v) {
      a.add(x);
    }
    return a;
  }

  /** A JSON array of numbers as floats; null for null. */
  public static float[] floats(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    float[] v = new float[n.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = n.get(i).floatValue();
    }
    return v;
  }

  /**
   * Sends one request and returns Qdrant's {@code result}.
   *
   * @throws ApiException with the server's status, code, field and message
   */
  public JsonNode call(String method, String path, JsonNode body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(timeout)
            .header("Content-Type", "application/json");
    if (key != null) {
      b.header("api-key", key);
    }
    try {
      b.method(
          method,
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(MAPPER.writeValueAsBytes(body)));
      HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      JsonNode json;
      try {
        json = MAPPER.readTree(r.body());
      } catch (IOException e) {
        throw new ApiException(
            r.statusCode() < 400 ? 502 : r.statusCode(),
            null,
            null,
            "the server at " + base + " answered " + r.statusCode() + " without JSON");
      }
      if (r.statusCode() / 100 != 2) {
        // Qdrant's error shape: {"status": {"error": message, "code", "field"}, "time"}
        JsonNode e = json == null || !json.path("status").isObject() ? null : json.get("status");
        String message = e == null ? "HTTP " + r.statusCode() : e.path("error").asText();
        String field = e == null || !e.path("field").isTextual() ? null : e.get("field").asText();
        String code = e == null || !e.path("code").isTextual() ? null : e.get("code").asText();
        throw new ApiException(r.statusCode(), code, field, message);
      }
      return json == null ? null : json.get("result");
    } catch (ConnectException e) {
      throw new ApiException(
          503, "unavailable", null, "cannot reach the server at " + base + " (is it running?)");
    } catch (IOException e) {
      throw new UncheckedIOException("talking to " + base + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "unavailable", null, "interrupted while waiting for " + base);
    }
  }

  // ---- collections ------------------------------------------------------------------------

  /**
   * Creates a collection: {@code vectors: {size, distance}} (size 0: the encoder's), or an
   * encoder's collection.
   */
  public void createCollection(String name, String encoder, int size, String distance) {
    ObjectNode b = object();
    if (encoder != null) {
      b.put("encoder", encoder);
    }
    if (size != 0 || distance != null || encoder == null) {
      ObjectNode v = b.putObject("vectors");
      if (size != 0) {
        v.put("size", size);
      }
      v.put("distance", distance == null ? "Cosine" : distance);
    }
    call("PUT", c(name), b);
  }

  /** Qdrant's CollectionInfo (with byhand's {@code name}, {@code encoder}, …). */
  public JsonNode collection(String name) {
    return call("GET", c(name), null);
  }

  /** Whether a collection exists. */
  public boolean collectionExists(String name) {
    return call("GET", c(name) + "/exists", null).path("exists").asBoolean();
  }

  /** Every collection: {@code [{name, status?, reason?}]}. */
  public JsonNode collections() {
    return call("GET", "/collections", null).get("collections");
  }

  public void deleteCollection(String name) {
    call("DELETE", c(name), null);
  }

  // ---- points -----------------------------------------------------------------------------

  /**
   * Upserts points given as Qdrant's PointStructs ({@code id}, {@code vector}, {@code payload}).
   */
  public void upsert(String collection, ArrayNode points) {
    ObjectNode b = object();
    b.set("points", points);
    call("PUT", c(collection) + "/points?wait=true", b);
  }

  /** The Query API: {@code {points: [ScoredPoint]}}'s points. */
  public JsonNode query(String collection, ObjectNode request) {
    return call("POST", c(collection) + "/points/query", request).get("points");
  }

  /** Points by id ({@code with_payload} always; vectors if asked). */
  public JsonNode retrieve(String collection, List<String> ids, boolean withVector) {
    ObjectNode b = object().put("with_vector", withVector).put("with_payload", true);
    ids.forEach(b.putArray("ids")::add);
    return call("POST", c(collection) + "/points", b);
  }

  /** Deletes points by id. */
  public void delete(String collection, List<String> ids) {
    ObjectNode b = object();
    ids.forEach(b.putArray("points")::add);
    call("POST", c(collection) + "/points/delete?wait=true", b);
  }

  /** Deletes the points a filter selects. */
  public void delete(String collection, JsonNode filter) {
    ObjectNode b = object();
    b.set("filter", filter);
    call("POST", c(collection) + "/points/delete?wait=true", b);
  }

  /** Points matching a filter (null: all), exactly. */
  public long count(String collection, JsonNode filter) {
    ObjectNode b = object().put("exact", true);
    if (filter != null) {
      b.set("filter", filter);
    }
    return call("POST", c(collection) + "/points/count", b).get("count").asLong();
  }

  /** One scroll page: {@code {points, next_page_offset}}. */
  public JsonNode scroll(String collection, JsonNode offset, int limit, boolean withVector) {
    ObjectNode b = object().put("limit", limit).put("with_vector", withVector);
    b.put("with_payload", true);
    if (offset != null && !offset.isNull()) {
      b.set("offset", offset);
    }
    return call("POST", c(collection) + "/points/scroll", b);
  }

  // ---- snapshots --------------------------------------------------------------------------

  /** Creates a snapshot; its name. */
  public String createSnapshot(String collection) {
    return call("POST", c(collection) + "/snapshots", null).get("name").asText();
  }

  /** The snapshots' names. */
  public List<String> snapshots(String collection) {
    List<String> out = new ArrayList<>();
    call("GET", c(collection) + "/snapshots", null).forEach(s -> out.add(s.get("name").asText()));
    return out;
  }

  /** byhand's extension: restores a snapshot as a new collection; its info. */
  public JsonNode restoreSnapshot(String collection, String snapshot, String target) {
    return call(
        "POST",
        c(collection) + "/snapshots/" + seg(snapshot) + "/restore",
        object().put("collection", target));
  }
}
