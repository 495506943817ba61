package dev.byhand.store;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.vector.Metric;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One call the hostile client makes on the embedded API. Operations are plain data, drawn without
 * looking at the collection (ids come from a small pool, filter keys from a fixed set), so that a
 * sequence can be shrunk, replayed on a fresh folder and sent to a child process. {@link
 * #toString()} renders each as the Java call it stands for, with every odd character escaped, so a
 * failing sequence reads as its own reproduction.
 */
sealed interface HostileOp {

  /** What a sequence runs against: one collection, created fresh. */
  record Setup(
      int dimension,
      Metric metric,
      Durability durability,
      int m,
      int efConstruction,
      long checkpointBytes) {

    CollectionConfig config(String name) {
      return CollectionConfig.of(name, dimension, metric)
          .withHnsw(m, efConstruction)
          .withDurability(durability, 50);
    }

    @Override
    public String toString() {
      return "CollectionConfig.of(\"c\", "
          + dimension
          + ", Metric."
          + metric.name()
          + ").withHnsw("
          + m
          + ", "
          + efConstruction
          + ").withDurability(Durability."
          + durability.name()
          + ", 50)"
          + (checkpointBytes == Segments.DEFAULT_CHECKPOINT_BYTES
              ? ""
              : " /* checkpointBytes(" + checkpointBytes + ") */");
    }
  }

  /** A setup and the operations run on it. */
  record Sequence(Setup setup, List<HostileOp> ops) {
    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder("setup: ").append(setup).append('\n');
      for (int i = 0; i < ops.size(); i++) {
        sb.append(String.format("  %3d: %s%n", i, ops.get(i)));
      }
      return sb.toString();
    }
  }

  /**
   * A point to upsert; {@code nullPoint} stands for a null element of the batch, {@code text} for a
   * point given as text (which a collection without an encoder refuses).
   */
  record PointSpec(String id, float[] vector, ObjectNode payload, String text, boolean nullPoint) {
    static PointSpec of(String id, float[] vector, ObjectNode payload) {
      return new PointSpec(id, vector, payload, null, false);
    }

    Point toPoint() {
      return nullPoint ? null : new Point(id, text == null ? vector : null, text, payload);
    }

    @Override
    public String toString() {
      if (nullPoint) {
        return "null";
      }
      if (text != null) {
        return "Point.text("
            + Show.str(id)
            + ", "
            + Show.str(text)
            + ", "
            + Show.json(payload)
            + ")";
      }
      return "Point.of(" + Show.str(id) + ", " + Show.vec(vector) + ", " + Show.json(payload) + ")";
    }
  }

  /** One search of a batch; {@code efChoice} is resolved against k when the request is built. */
  record SearchSpec(
      float[] vector,
      String text,
      int k,
      int ef,
      JsonNode filter,
      boolean withPayload,
      List<String> payloadFields,
      boolean withVector,
      Float scoreThreshold) {

    SearchRequest toRequest() {
      return new SearchRequest(
          vector,
          text,
          k,
          ef,
          filter == null ? null : Filter.parse(filter),
          withPayload,
          payloadFields,
          withVector,
          scoreThreshold);
    }

    @Override
    public String toString() {
      return "new SearchRequest("
          + (text == null ? Show.vec(vector) : "null")
          + ", "
          + (text == null ? "null" : Show.str(text))
          + ", "
          + k
          + ", "
          + ef
          + ", "
          + Show.filter(filter)
          + ", "
          + withPayload
          + ", "
          + Show.strs(payloadFields)
          + ", "
          + withVector
          + ", "
          + (scoreThreshold == null ? "null" : Show.flt(scoreThreshold))
          + ")";
    }
  }

  record Upsert(List<PointSpec> points) implements HostileOp {
    @Override
    public String toString() {
      return "upsert(" + Show.list(points) + ")";
    }
  }

  /** A batch of {@code count} ordinary points: over {@link Collection#MAX_BATCH} is refused. */
  record BigBatch(int count) implements HostileOp {
    List<PointSpec> points(int dimension) {
      List<PointSpec> out = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        float[] v = new float[dimension];
        v[i % dimension] = 1 + i;
        out.add(PointSpec.of("big" + i, v, null));
      }
      return out;
    }

    @Override
    public String toString() {
      return "upsert(/* " + count + " points big0.. */)";
    }
  }

  record DeleteIds(List<String> ids) implements HostileOp {
    @Override
    public String toString() {
      return "delete(" + Show.strs(ids) + ")";
    }
  }

  record DeleteFilter(JsonNode filter) implements HostileOp {
    @Override
    public String toString() {
      return "delete(" + Show.filter(filter) + ")";
    }
  }

  /** {@code setPayload} by ids (filter null) or by filter (ids null). */
  record SetPayload(List<String> ids, JsonNode filter, ObjectNode values) implements HostileOp {
    @Override
    public String toString() {
      return "setPayload("
          + (ids != null ? Show.strs(ids) : Show.filter(filter))
          + ", "
          + Show.json(values)
          + ")";
    }
  }

  record OverwritePayload(List<String> ids, ObjectNode payload) implements HostileOp {
    @Override
    public String toString() {
      return "overwritePayload(" + Show.strs(ids) + ", " + Show.json(payload) + ")";
    }
  }

  /** {@code deletePayloadKeys} by ids (filter null) or by filter (ids null). */
  record DeletePayloadKeys(List<String> ids, JsonNode filter, List<String> keys)
      implements HostileOp {
    @Override
    public String toString() {
      return "deletePayloadKeys("
          + (ids != null ? Show.strs(ids) : Show.filter(filter))
          + ", "
          + Show.strs(keys)
          + ")";
    }
  }

  record Get(List<String> ids, boolean withVector) implements HostileOp {
    @Override
    public String toString() {
      return "get(" + Show.strs(ids) + ", " + withVector + ")";
    }
  }

  record Count(JsonNode filter) implements HostileOp {
    @Override
    public String toString() {
      return "count(" + Show.filter(filter) + ")";
    }
  }

  /** Scrolls from {@code cursor} to the end, {@code limit} a page. */
  record Scroll(JsonNode filter, String cursor, int limit, boolean withVector)
      implements HostileOp {
    @Override
    public String toString() {
      return "scroll("
          + Show.filter(filter)
          + ", "
          + Show.str(cursor)
          + ", "
          + limit
          + ", "
          + withVector
          + ") /* to the end */";
    }
  }

  record Search(List<SearchSpec> searches) implements HostileOp {
    @Override
    public String toString() {
      return "search(" + Show.list(searches) + ")";
    }
  }

  record CreateIndex(String key, PayloadIndexType type) implements HostileOp {
    @Override
    public String toString() {
      return "createPayloadIndex("
          + Show.str(key)
          + ", "
          + (type == null ? "null" : "PayloadIndexType." + type.name())
          + ")";
    }
  }

  record DropIndex(String key) implements HostileOp {
    @Override
    public String toString() {
      return "dropPayloadIndex(" + Show.str(key) + ")";
    }
  }

  record Checkpoint() implements HostileOp {
    @Override
    public String toString() {
      return "checkpoint()";
    }
  }

  record Compact() implements HostileOp {
    @Override
    public String toString() {
      return "compact()";
    }
  }

  /** Close the database and open it again. */
  record Reopen() implements HostileOp {
    @Override
    public String toString() {
      return "/* db.close(); db = Database.open(folder) */";
    }
  }

  /**
   * Snapshot the collection, restore it under a new name, check it; then either drop the copy or
   * drop the original and go on with the copy.
   */
  record SnapshotRestore(boolean continueOnCopy) implements HostileOp {
    @Override
    public String toString() {
      return "/* snapshot(dir); db.restore(dir, \"copy\")"
          + (continueOnCopy ? "; db.drop(original); go on with the copy" : "; db.drop(\"copy\")")
          + " */";
    }
  }

  /** Drop the collection and create it again, empty. */
  record Recreate() implements HostileOp {
    @Override
    public String toString() {
      return "/* db.drop(c); db.create(config) */";
    }
  }

  /** Whether the operation may change the collection (the crash worker runs only these). */
  default boolean isWrite() {
    return this instanceof Upsert
        || this instanceof BigBatch
        || this instanceof DeleteIds
        || this instanceof DeleteFilter
        || this instanceof SetPayload
        || this instanceof OverwritePayload
        || this instanceof DeletePayloadKeys
        || this instanceof CreateIndex
        || this instanceof DropIndex
        || this instanceof Checkpoint
        || this instanceof Compact;
  }

  /** Renders values as Java source, escaping every character outside printable ASCII. */
  final class Show {
    private Show() {}

    private static final ObjectWriter ASCII =
        Json.MAPPER.writer().with(JsonWriteFeature.ESCAPE_NON_ASCII);

    static String str(String s) {
      if (s == null) {
        return "null";
      }
      // Long runs of one unit (ids at the byte limit) as "unit".repeat(n).
      for (int unit = 1; unit <= 2 && s.length() >= 16; unit++) {
        String u = s.substring(0, unit);
        int n = 0;
        while ((n + 1) * unit <= s.length() && s.startsWith(u, n * unit)) {
          n++;
        }
        if (n >= 16) {
          String rest = s.substring(n * unit);
          return str(u) + ".repeat(" + n + ")" + (rest.isEmpty() ? "" : " + " + str(rest));
        }
      }
      StringBuilder sb = new StringBuilder("\"");
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '"' || c == '\\') {
          sb.append('\\').append(c);
        } else if (c >= 0x20 && c < 0x7f) {
          sb.append(c);
        } else {
          sb.append(String.format("\\u%04x", (int) c));
        }
      }
      return sb.append('"').toString();
    }

    static String strs(List<String> list) {
      if (list == null) {
        return "null";
      }
      if (list.size() > 12) {
        return "List.of(" + str(list.get(0)) + ", … " + list.size() + " strings)";
      }
      StringBuilder sb = new StringBuilder("List.of(");
      for (int i = 0; i < list.size(); i++) {
        sb.append(i == 0 ? "" : ", ").append(str(list.get(i)));
      }
      return sb.append(')').toString();
    }

    static String list(List<?> list) {
      if (list.size() > 40) {
        return "List.of(" + list.get(0) + ", … " + list.size() + " items)";
      }
      StringBuilder sb = new StringBuilder("List.of(");
      for (int i = 0; i < list.size(); i++) {
        sb.append(i == 0 ? "" : ", ").append(list.get(i));
      }
      return sb.append(')').toString();
    }

    static String flt(float x) {
      if (Float.isNaN(x)) {
        return "Float.NaN";
      }
      if (Float.isInfinite(x)) {
        return x > 0 ? "Float.POSITIVE_INFINITY" : "Float.NEGATIVE_INFINITY";
      }
      return x + "f";
    }

    static String vec(float[] v) {
      if (v == null) {
        return "null";
      }
      StringBuilder sb = new StringBuilder("new float[] {");
      for (int i = 0; i < v.length; i++) {
        sb.append(i == 0 ? "" : ", ").append(flt(v[i]));
      }
      return sb.append('}').toString();
    }

    static String jsonText(JsonNode n) {
      try {
        return ASCII.writeValueAsString(n);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    static String json(JsonNode n) {
      if (n == null) {
        return "null";
      }
      String text = jsonText(n);
      if (text.length() > 300) {
        text = text.substring(0, 240) + "…(" + text.length() + " chars)";
      }
      return "json(" + str(text) + ")";
    }

    static String filter(JsonNode n) {
      if (n == null) {
        return "null";
      }
      String text = jsonText(n);
      if (text.length() > 300) {
        text = text.substring(0, 240) + "…(" + text.length() + " chars)";
      }
      return "Filter.parse(" + str(text) + ")";
    }
  }
}
