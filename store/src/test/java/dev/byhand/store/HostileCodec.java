package dev.byhand.store;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.vector.Metric;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Write operations as JSON, for the crash worker in another JVM. The text is ASCII (every other
 * character escaped, lone surrogates included), floats travel as their bits (−0.0, denormals and
 * NaN exactly), and NaN payload numbers as bare NaN tokens, so a child replays exactly what the
 * parent drew.
 */
final class HostileCodec {

  private HostileCodec() {}

  static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
          .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
          .build();

  static String encode(HostileOp.Setup setup, List<HostileOp> ops) {
    ObjectNode root = MAPPER.createObjectNode();
    ObjectNode s = root.putObject("setup");
    s.put("dimension", setup.dimension());
    s.put("metric", setup.metric().name());
    s.put("durability", setup.durability().name());
    s.put("m", setup.m());
    s.put("efConstruction", setup.efConstruction());
    s.put("checkpointBytes", setup.checkpointBytes());
    ArrayNode list = root.putArray("ops");
    for (HostileOp op : ops) {
      list.add(encode(op));
    }
    try {
      return MAPPER.writeValueAsString(root); // a String: the char-based writer escapes surrogates
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static HostileOp.Setup setup(JsonNode root) {
    JsonNode s = root.get("setup");
    return new HostileOp.Setup(
        s.get("dimension").intValue(),
        Metric.valueOf(s.get("metric").textValue()),
        Durability.valueOf(s.get("durability").textValue()),
        s.get("m").intValue(),
        s.get("efConstruction").intValue(),
        s.get("checkpointBytes").longValue());
  }

  static JsonNode parse(String text) {
    try {
      return MAPPER.readTree(text); // from a String: the char-based parser keeps lone surrogates
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<HostileOp> ops(JsonNode root) {
    List<HostileOp> out = new ArrayList<>();
    for (JsonNode n : root.get("ops")) {
      out.add(decode(n));
    }
    return out;
  }

  private static ObjectNode encode(HostileOp op) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("op", op.getClass().getSimpleName());
    if (op instanceof HostileOp.Upsert u) {
      ArrayNode pts = o.putArray("points");
      for (HostileOp.PointSpec p : u.points()) {
        ObjectNode q = pts.addObject();
        q.put("id", p.id());
        q.set("vector", floats(p.vector()));
        q.set("payload", p.payload());
        q.put("text", p.text());
        q.put("nullPoint", p.nullPoint());
      }
    } else if (op instanceof HostileOp.BigBatch b) {
      o.put("count", b.count());
    } else if (op instanceof HostileOp.DeleteIds d) {
      o.set("ids", strings(d.ids()));
    } else if (op instanceof HostileOp.DeleteFilter d) {
      o.set("filter", d.filter());
    } else if (op instanceof HostileOp.SetPayload s) {
      o.set("ids", strings(s.ids()));
      o.set("filter", s.filter());
      o.set("values", s.values());
    } else if (op instanceof HostileOp.OverwritePayload w) {
      o.set("ids", strings(w.ids()));
      o.set("values", w.payload());
    } else if (op instanceof HostileOp.DeletePayloadKeys d) {
      o.set("ids", strings(d.ids()));
      o.set("filter", d.filter());
      o.set("keys", strings(d.keys()));
    } else if (op instanceof HostileOp.CreateIndex x) {
      o.put("key", x.key());
      o.put("type", x.type() == null ? null : x.type().name());
    } else if (op instanceof HostileOp.DropIndex x) {
      o.put("key", x.key());
    } else if (!(op instanceof HostileOp.Checkpoint || op instanceof HostileOp.Compact)) {
      throw new IllegalArgumentException("not a write: " + op);
    }
    return o;
  }

  private static HostileOp decode(JsonNode o) {
    switch (o.get("op").textValue()) {
      case "Upsert":
        List<HostileOp.PointSpec> pts = new ArrayList<>();
        for (JsonNode q : o.get("points")) {
          pts.add(
              new HostileOp.PointSpec(
                  text(q.get("id")),
                  floats(q.get("vector")),
                  object(q.get("payload")),
                  text(q.get("text")),
                  q.get("nullPoint").booleanValue()));
        }
        return new HostileOp.Upsert(pts);
      case "BigBatch":
        return new HostileOp.BigBatch(o.get("count").intValue());
      case "DeleteIds":
        return new HostileOp.DeleteIds(strings(o.get("ids")));
      case "DeleteFilter":
        return new HostileOp.DeleteFilter(nullable(o.get("filter")));
      case "SetPayload":
        return new HostileOp.SetPayload(
            strings(o.get("ids")), nullable(o.get("filter")), object(o.get("values")));
      case "OverwritePayload":
        return new HostileOp.OverwritePayload(strings(o.get("ids")), object(o.get("values")));
      case "DeletePayloadKeys":
        return new HostileOp.DeletePayloadKeys(
            strings(o.get("ids")), nullable(o.get("filter")), strings(o.get("keys")));
      case "CreateIndex":
        return new HostileOp.CreateIndex(
            text(o.get("key")),
            o.get("type").isNull() ? null : PayloadIndexType.valueOf(o.get("type").textValue()));
      case "DropIndex":
        return new HostileOp.DropIndex(text(o.get("key")));
      case "Checkpoint":
        return new HostileOp.Checkpoint();
      case "Compact":
        return new HostileOp.Compact();
      default:
        throw new IllegalArgumentException("unknown operation " + o);
    }
  }

  private static JsonNode floats(float[] v) {
    if (v == null) {
      return null;
    }
    ArrayNode a = MAPPER.createArrayNode();
    for (float x : v) {
      a.add(Float.floatToRawIntBits(x));
    }
    return a;
  }

  private static float[] floats(JsonNode a) {
    if (a == null || a.isNull()) {
      return null;
    }
    float[] v = new float[a.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = Float.intBitsToFloat(a.get(i).intValue());
    }
    return v;
  }

  private static JsonNode strings(List<String> l) {
    if (l == null) {
      return null;
    }
    ArrayNode a = MAPPER.createArrayNode();
    l.forEach(a::add);
    return a;
  }

  private static List<String> strings(JsonNode a) {
    if (a == null || a.isNull()) {
      return null;
    }
    List<String> l = new ArrayList<>();
    a.forEach(x -> l.add(text(x)));
    return l;
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() ? null : n.textValue();
  }

  private static JsonNode nullable(JsonNode n) {
    return n == null || n.isNull() ? null : n;
  }

  private static ObjectNode object(JsonNode n) {
    return n == null || n.isNull() ? null : (ObjectNode) n;
  }
}
