package dev.byhand.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** Reading payloads by dotted path, shared by filters and payload indexes. */
final class Payloads {

  private Payloads() {}

  /** Every value at a dotted path, arrays expanded at each step. */
  static List<JsonNode> values(ObjectNode payload, String key) {
    List<JsonNode> current = new ArrayList<>();
    if (payload == null) {
      return current;
    }
    current.add(payload);
    for (String part : key.split("\\.", -1)) {
      List<JsonNode> next = new ArrayList<>();
      for (JsonNode n : current) {
        collect(n, part, next);
      }
      current = next;
      if (current.isEmpty()) {
        return current;
      }
    }
    List<JsonNode> flat = new ArrayList<>();
    for (JsonNode n : current) {
      if (n.isArray()) {
        n.forEach(flat::add);
      } else {
        flat.add(n);
      }
    }
    return flat;
  }

  static void collect(JsonNode n, String part, List<JsonNode> out) {
    if (n.isObject()) {
      JsonNode child = n.get(part);
      if (child != null) {
        out.add(child);
      }
    } else if (n.isArray()) {
      for (JsonNode e : n) {
        collect(e, part, out);
      }
    }
  }

  /** Whether a payload value equals a match value: integers exactly, strings and booleans. */
  static boolean same(JsonNode a, JsonNode b) {
    if (a.isIntegralNumber() && b.isIntegralNumber()) {
      return Numbers.sameInteger(a, b);
    }
    return a.equals(b);
  }

  /**
   * What a value is matched by, as a hash key: equal for exactly the values {@link #same} finds
   * equal to a match value (a string, an integer or a boolean); null for values no match value
   * equals (floats, null, objects, arrays).
   */
  static Object matchKey(JsonNode v) {
    if (v.isTextual()) {
      return v.textValue();
    }
    if (v.isIntegralNumber()) {
      return Numbers.canonical(v);
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    return null;
  }
}
