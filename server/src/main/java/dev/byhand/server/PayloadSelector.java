package dev.byhand.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Qdrant's {@code with_payload}: {@code true}, {@code false}, a list of keys, {@code {"include":
 * [...]}} or {@code {"exclude": [...]}}. Keys are top-level payload keys.
 */
record PayloadSelector(boolean any, List<String> include, List<String> exclude) {

  static final PayloadSelector ALL = new PayloadSelector(true, null, null);
  static final PayloadSelector NONE = new PayloadSelector(false, null, null);

  /** Reads {@code with_payload} at {@code field}; {@code def} when absent. */
  static PayloadSelector parse(JsonNode n, String field, PayloadSelector def) {
    if (n == null || n.isNull()) {
      return def;
    }
    if (n.isBoolean()) {
      return n.booleanValue() ? ALL : NONE;
    }
    if (n.isArray()) {
      return new PayloadSelector(true, Requests.strings(n, field), null);
    }
    if (n.isObject()) {
      ObjectNode o = (ObjectNode) n;
      Requests.only(o, field, java.util.Set.of("include", "exclude"));
      if (o.has("include") == o.has("exclude")) {
        throw ApiError.badRequest(field, "give exactly one of include or exclude");
      }
      return o.has("include")
          ? new PayloadSelector(true, Requests.strings(o.get("include"), field + ".include"), null)
          : new PayloadSelector(true, null, Requests.strings(o.get("exclude"), field + ".exclude"));
    }
    throw ApiError.badRequest(
        field,
        "must be true, false, an array of payload keys, {\"include\": [...]} or {\"exclude\":"
            + " [...]}");
  }

  /**
   * The selected part of a payload: the payload itself, or a new object sharing the values of the
   * keys kept (payloads are never changed in place, so answers need no deep copies).
   */
  ObjectNode apply(ObjectNode payload) {
    if (payload == null || (include == null && exclude == null)) {
      return payload;
    }
    ObjectNode out = payload.objectNode();
    for (java.util.Iterator<java.util.Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>>
            it = payload.fields();
        it.hasNext(); ) {
      java.util.Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> e = it.next();
      if (include != null ? include.contains(e.getKey()) : !exclude.contains(e.getKey())) {
        out.set(e.getKey(), e.getValue());
      }
    }
    return out;
  }
}
