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

  static boolean same(JsonNode a, JsonNode b) {
    if (a.isIntegralNumber() && b.isIntegralNumber()) {
      return a.bigIntegerValue().equals(b.bigIntegerValue());
    }
    return a.equals(b);
  }
}
