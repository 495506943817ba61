package dev.byhand.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.vector.VectorCheck;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one home of the store's write checks and limits. Every write is checked whole by these
 * functions before anything is logged, and what they accept is exactly what {@link
 * CollectionState#apply} can apply: the vector check is the index's own ({@link VectorCheck}), so a
 * logged write can always be replayed.
 */
final class WriteChecks {

  /** Most points one upsert takes. */
  static final int MAX_BATCH = 10_000;

  /**
   * Most bytes one write may log: 64 MiB. Why: a batch is held in memory twice while it is logged,
   * and a record must stay far below the log's 256 MiB record limit.
   */
  static final long MAX_BATCH_BYTES = 64L << 20;

  /** Most payload keys one {@code deletePayloadKeys} names. */
  static final int MAX_KEYS = 1000;

  /** Longest point id, in UTF-8 bytes. */
  static final int MAX_ID_BYTES = 256;

  /** Longest payload key (a dotted path for indexes and filters), in characters. */
  static final int MAX_KEY_CHARS = 256;

  private WriteChecks() {}

  /**
   * An id: a non-empty string of well-formed UTF-16 (no unpaired surrogate: it has no UTF-8 form,
   * so it could not be stored as given) of at most {@link #MAX_ID_BYTES} bytes of UTF-8.
   */
  static void id(String field, String id) {
    if (id == null || id.isEmpty()) {
      throw new InvalidRequestException(field, "must be a non-empty string");
    }
    wellFormed(field, id);
    int bytes = id.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_ID_BYTES) {
      throw new InvalidRequestException(
          field, "is " + bytes + " bytes of UTF-8; the limit is " + MAX_ID_BYTES);
    }
  }

  /** Every id of a list; the list itself must not be null. */
  static void ids(String field, List<String> ids) {
    if (ids == null) {
      throw new InvalidRequestException(field, "must not be null");
    }
    for (int i = 0; i < ids.size(); i++) {
      id(field + "[" + i + "]", ids.get(i));
    }
  }

  /** A payload key named by a write: non-empty, well-formed, at most 256 characters. */
  static void key(String field, String key) {
    if (key == null || key.isEmpty() || key.length() > MAX_KEY_CHARS) {
      throw new InvalidRequestException(
          field, "must be a non-empty string of at most " + MAX_KEY_CHARS + " characters");
    }
    wellFormed(field, key);
  }

  /**
   * A vector for a collection: checked as the index checks it and returned as the index stores it
   * (a unit-length copy for cosine, a copy otherwise).
   */
  static float[] vector(String field, float[] v, CollectionConfig config) {
    if (v == null) {
      throw new InvalidRequestException(field, "must not be null");
    }
    if (v.length != config.dimension()) {
      throw new InvalidRequestException(
          field,
          "has "
              + v.length
              + " numbers; collection '"
              + config.name()
              + "' takes "
              + config.dimension());
    }
    String problem = VectorCheck.problem(v, config.dimension(), config.metric());
    if (problem != null) {
      int colon = problem.indexOf(": ");
      throw new InvalidRequestException(
          field + problem.substring(0, colon), problem.substring(colon + 2));
    }
    float[] prepared = VectorCheck.prepare(v, config.dimension(), config.metric(), field);
    return prepared == v ? v.clone() : prepared;
  }

  /**
   * A payload: a JSON object within {@link Json#MAX_DEPTH} levels, finite numbers, well-formed
   * strings in keys and values, at most {@link Json#MAX_PAYLOAD_BYTES} of UTF-8 JSON. Returns its
   * size in bytes (0 for null).
   */
  static int payload(String field, ObjectNode payload) {
    if (payload == null) {
      return 0;
    }
    Json.checkPayload(field, payload);
    strings(field, payload);
    int bytes = Json.bytes(payload).length;
    if (bytes > Json.MAX_PAYLOAD_BYTES) {
      throw new InvalidRequestException(field, "larger than " + Json.MAX_PAYLOAD_BYTES + " bytes");
    }
    return bytes;
  }

  /** Keys and string values, recursively, must be well-formed UTF-16. */
  private static void strings(String field, JsonNode node) {
    if (node.isTextual()) {
      wellFormed(field, node.textValue());
    } else if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        wellFormed(field + " key", e.getKey());
        strings(field + "." + e.getKey(), e.getValue());
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        strings(field + "[" + i + "]", node.get(i));
      }
    }
  }

  /**
   * Refuses a string with an unpaired surrogate: such a string has no UTF-8 form, so JSON writers
   * and UTF-8 files would store something else than was given.
   */
  static void wellFormed(String field, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new InvalidRequestException(
            field,
            String.format(
                "holds an unpaired surrogate (U+%04X) at character %d, which is not Unicode text",
                (int) c, i));
      }
    }
  }

  /** Embeds the texts of an upsert (the collection's encoder, as documents). */
  interface Embedder {
    List<float[]> embed(List<String> texts);
  }

  /**
   * Checks a whole upsert and turns it into its log record: every point checked (and texts
   * embedded) before anything is logged; within the batch a repeated id keeps its last occurrence.
   *
   * @throws InvalidRequestException naming the first bad field
   */
  static LogRecord.Upsert upsert(List<Point> points, CollectionConfig config, Embedder embedder) {
    if (points == null || points.isEmpty()) {
      throw new InvalidRequestException("points", "give at least one point");
    }
    if (points.size() > MAX_BATCH) {
      throw new InvalidRequestException(
          "points", "at most " + MAX_BATCH + " per batch, got " + points.size());
    }
    float[][] vectors = new float[points.size()][];
    ObjectNode[] payloads = new ObjectNode[points.size()];
    List<String> texts = new ArrayList<>();
    List<Integer> textAt = new ArrayList<>();
    long batchBytes = 0;
    for (int i = 0; i < points.size(); i++) {
      Point p = points.get(i);
      String field = "points[" + i + "]";
      if (p == null) {
        throw new InvalidRequestException(field, "must not be null");
      }
      id(field + ".id", p.id());
      ObjectNode payload = p.payloadView() == null ? null : p.payloadView().deepCopy();
      if (p.vector() != null && p.text() != null) {
        throw new InvalidRequestException(field, "give a vector or a text, not both");
      }
      if (p.vector() != null) {
        vectors[i] = vector(field + ".vector", p.vector(), config);
      } else if (p.text() != null) {
        if (config.encoder() == null) {
          throw new InvalidRequestException(
              field + ".text", "collection '" + config.name() + "' has no encoder: give a vector");
        }
        wellFormed(field + ".text", p.text());
        if (payload != null) {
          Json.checkPayload(field + ".payload", payload);
        }
        payload = payload == null ? Json.MAPPER.createObjectNode() : payload;
        payload.put("text", p.text());
        texts.add(p.text());
        textAt.add(i);
      } else {
        throw new InvalidRequestException(
            field + ".vector", "give a vector (or text, with an encoder)");
      }
      payloads[i] = payload;
      batchBytes +=
          payload(field + ".payload", payload) + 4L * config.dimension() + MAX_ID_BYTES + 8;
      if (batchBytes > MAX_BATCH_BYTES) {
        throw new InvalidRequestException(
            "points",
            "the batch holds more than "
                + (MAX_BATCH_BYTES >> 20)
                + " MiB of vectors and payloads; split it");
      }
    }
    if (!texts.isEmpty()) {
      List<float[]> embedded = embedder.embed(texts);
      for (int t = 0; t < texts.size(); t++) {
        int i = textAt.get(t);
        vectors[i] = vector("points[" + i + "].text", embedded.get(t), config);
      }
    }
    LinkedHashMap<String, LogRecord.Entry> unique = new LinkedHashMap<>();
    for (int i = 0; i < points.size(); i++) {
      String id = points.get(i).id();
      unique.remove(id);
      unique.put(id, new LogRecord.Entry(id, vectors[i], payloads[i]));
    }
    return new LogRecord.Upsert(List.copyOf(unique.values()));
  }

  /** The keys of a {@code deletePayloadKeys}: 1 to {@link #MAX_KEYS}, each a valid key. */
  static void keys(String field, List<String> keys) {
    if (keys == null || keys.isEmpty()) {
      throw new InvalidRequestException(field, "give at least one key");
    }
    if (keys.size() > MAX_KEYS) {
      throw new InvalidRequestException(
          field, "at most " + MAX_KEYS + " per call, got " + keys.size());
    }
    for (int i = 0; i < keys.size(); i++) {
      key(field + "[" + i + "]", keys.get(i));
    }
  }
}
