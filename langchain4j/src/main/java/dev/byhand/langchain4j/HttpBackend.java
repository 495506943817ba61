package dev.byhand.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.client.ByhandClient;
import dev.byhand.store.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@link Backend} on a collection of a byhand server, through {@link ByhandClient}. */
final class HttpBackend implements Backend {

  private final ByhandClient client;
  private final String name;

  HttpBackend(String url, String key, String name) {
    this.client = new ByhandClient(url, key, Duration.ofMinutes(2));
    this.name = name;
  }

  /** The server's words for a failure, with its status. */
  private static IllegalStateException failure(ByhandClient.ApiException e) {
    return new IllegalStateException(
        "byhand server answered " + e.status() + ": " + e.getMessage(), e);
  }

  private JsonNode info() {
    try {
      return client.collection(name);
    } catch (ByhandClient.ApiException e) {
      if (e.status() == 404) {
        return null;
      }
      throw failure(e);
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
      client.createCollection(name, null, dimension, "Cosine");
    } catch (ByhandClient.ApiException e) {
      if (e.status() != 409) { // another client created it meanwhile
        throw failure(e);
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

  private static ObjectNode payload(JsonNode n) {
    return n == null || !n.isObject() ? null : (ObjectNode) n;
  }

  @Override
  public void upsert(List<String> ids, List<float[]> vectors, List<ObjectNode> payloads) {
    ArrayNode points = Json.MAPPER.createArrayNode();
    for (int i = 0; i < ids.size(); i++) {
      ObjectNode p = points.addObject().put("id", ids.get(i));
      p.set("vector", ByhandClient.floats(vectors.get(i)));
      if (payloads.get(i) != null) {
        p.set("payload", payloads.get(i));
      }
    }
    try {
      client.upsert(name, points);
    } catch (ByhandClient.ApiException e) {
      throw failure(e);
    }
  }

  @Override
  public List<Hit> search(float[] query, int k, JsonNode filter) {
    ObjectNode b =
        Json.MAPPER
            .createObjectNode()
            .put("limit", k)
            .put("with_vector", true)
            .put("with_payload", true);
    b.set("query", ByhandClient.floats(query));
    if (filter != null) {
      b.set("filter", filter);
    }
    List<Hit> out = new ArrayList<>();
    JsonNode hits;
    try {
      hits = client.query(name, b);
    } catch (ByhandClient.ApiException e) {
      throw failure(e);
    }
    for (JsonNode h : hits) {
      out.add(
          new Hit(
              h.get("id").asText(),
              h.get("score").doubleValue(),
              ByhandClient.floats(h.get("vector")),
              payload(h.get("payload"))));
    }
    return out;
  }

  @Override
  public void delete(List<String> ids) {
    if (!exists()) {
      return;
    }
    try {
      client.delete(name, ids);
    } catch (ByhandClient.ApiException e) {
      throw failure(e);
    }
  }

  @Override
  public void delete(JsonNode filter) {
    if (!exists()) {
      return;
    }
    try {
      client.delete(name, filter);
    } catch (ByhandClient.ApiException e) {
      throw failure(e);
    }
  }

  @Override
  public Page scroll(String cursor, int limit, boolean withVector) {
    JsonNode r;
    try {
      r =
          client.scroll(
              name, cursor == null ? null : Json.MAPPER.valueToTree(cursor), limit, withVector);
    } catch (ByhandClient.ApiException e) {
      throw failure(e);
    }
    List<Hit> out = new ArrayList<>();
    for (JsonNode p : r.get("points")) {
      out.add(
          new Hit(
              p.get("id").asText(),
              0,
              ByhandClient.floats(p.get("vector")),
              payload(p.get("payload"))));
    }
    JsonNode next = r.get("next_page_offset");
    return new Page(out, next == null || next.isNull() ? null : next.asText());
  }

  @Override
  public void close() {
    // HttpClient has no close on Java 17; its threads are daemons.
  }
}
