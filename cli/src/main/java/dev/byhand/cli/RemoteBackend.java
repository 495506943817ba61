package dev.byhand.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.client.ByhandClient;
import dev.byhand.store.Json;
import dev.byhand.store.Point;
import dev.byhand.store.ScoredPoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link DbBackend} over HTTP to a running {@code byhand db serve}, through {@link ByhandClient}.
 */
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

  private final ByhandClient client;

  RemoteBackend(String url, String key) {
    this.client = new ByhandClient(url, key, Duration.ofMinutes(5));
  }

  /** Runs a call, turning the server's answer into a {@link RemoteError} with the field named. */
  private static <T> T run(java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (ByhandClient.ApiException e) {
      String message = e.getMessage();
      String field = e.field();
      if (e.status() == 503
          && "unavailable".equals(e.code())
          && message.startsWith("cannot reach")) {
        message = message.replace("(is it running?)", "(is byhand db serve running?)");
      }
      throw new RemoteError(
          e.status(),
          field == null || message.startsWith(field) ? message : field + ": " + message);
    }
  }

  private static void run(Runnable call) {
    run(
        () -> {
          call.run();
          return null;
        });
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
    if (metric == null) {
      return null;
    }
    return switch (metric.toLowerCase(java.util.Locale.ROOT)) {
      case "l2", "euclid" -> "Euclid";
      case "dot" -> "Dot";
      case "cosine" -> "Cosine";
      default -> metric; // the server names what is wrong
    };
  }

  @Override
  public Info create(String name, String encoder, int dimension, String metric) {
    run(() -> client.createCollection(name, encoder, dimension, distance(metric)));
    return info(name);
  }

  @Override
  public Info info(String name) {
    return info(name, run(() -> client.collection(name)));
  }

  private static boolean failed(JsonNode c) {
    return "failed".equals(c.path("status").asText());
  }

  @Override
  public List<String> list() {
    List<String> out = new ArrayList<>();
    for (JsonNode c : run(client::collections)) {
      if (!failed(c)) {
        out.add(c.get("name").asText());
      }
    }
    return out;
  }

  @Override
  public List<Failed> failed() {
    List<Failed> out = new ArrayList<>();
    for (JsonNode c : run(client::collections)) {
      if (failed(c)) {
        out.add(new Failed(c.get("name").asText(), c.path("reason").asText()));
      }
    }
    return out;
  }

  @Override
  public void upsert(String collection, List<Point> points) {
    ArrayNode arr = Json.MAPPER.createArrayNode();
    for (Point p : points) {
      ObjectNode o = arr.addObject().put("id", p.id());
      if (p.vector() != null) {
        o.set("vector", ByhandClient.floats(p.vector()));
      }
      if (p.text() != null) {
        o.put("text", p.text());
      }
      if (p.payload() != null) {
        o.set("payload", p.payload());
      }
    }
    run(() -> client.upsert(collection, arr));
  }

  @Override
  public List<ScoredPoint> search(
      String collection, String text, float[] vector, int k, JsonNode filter) {
    ObjectNode b = Json.MAPPER.createObjectNode().put("limit", k).put("with_payload", true);
    if (text != null) {
      b.put("text", text);
    } else {
      b.set("query", ByhandClient.floats(vector));
    }
    if (filter != null) {
      b.set("filter", filter);
    }
    List<ScoredPoint> out = new ArrayList<>();
    for (JsonNode h : run(() -> client.query(collection, b))) {
      out.add(
          new ScoredPoint(
              h.get("id").asText(),
              h.get("score").floatValue(),
              DbBackend.payload(h.get("payload")),
              ByhandClient.floats(h.get("vector"))));
    }
    return out;
  }

  @Override
  public List<Point> get(String collection, List<String> ids, boolean withVector) {
    List<Point> out = new ArrayList<>();
    for (JsonNode p : run(() -> client.retrieve(collection, ids, withVector))) {
      out.add(
          Point.of(
              p.get("id").asText(),
              ByhandClient.floats(p.get("vector")),
              DbBackend.payload(p.get("payload"))));
    }
    return out;
  }

  @Override
  public int delete(String collection, List<String> ids) {
    // Qdrant's delete answers no count: the ids that exist are counted first.
    int found = get(collection, ids, false).size();
    run(() -> client.delete(collection, ids));
    return found;
  }

  @Override
  public int delete(String collection, JsonNode filter) {
    long found = count(collection, filter); // Qdrant's delete answers no count
    run(() -> client.delete(collection, filter));
    return (int) found;
  }

  @Override
  public void drop(String collection) {
    run(() -> client.deleteCollection(collection));
  }

  @Override
  public long count(String collection, JsonNode filter) {
    return run(() -> client.count(collection, filter));
  }

  @Override
  public String snapshot(String collection) {
    return run(() -> client.createSnapshot(collection));
  }

  @Override
  public List<String> snapshots(String collection) {
    return run(() -> client.snapshots(collection));
  }

  @Override
  public Info restore(String collection, String snapshot, String target) {
    return info(target, run(() -> client.restoreSnapshot(collection, snapshot, target)));
  }

  @Override
  public void close() {
    // HttpClient has no close on Java 17; its threads are daemons.
  }
}
