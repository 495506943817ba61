package dev.byhand.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A condition on points, in the shape Qdrant users know. Keys are dotted paths into the payload
 * ({@code "city.name"}); where a path meets an array, a condition holds if it holds for any
 * element.
 *
 * <pre>{@code
 * {"must":     [ {"key": "color", "match": {"value": "red"}},
 *                {"key": "size",  "range": {"gte": 1, "lt": 10}} ],
 *  "should":   [ {"key": "tag", "match": {"any": ["a", "b"]}} ],
 *  "must_not": [ {"is_null": {"key": "owner"}}, {"exists": {"key": "deleted_at"}} ]}
 * }</pre>
 *
 * Match values are strings (keyword), integers or booleans; ranges compare numbers; {@code has_id}
 * lists point ids. Filters nest: any condition may itself be a {@code must/should/must_not} object.
 */
public sealed interface Filter {

  /** Whether the point with this id and payload passes. */
  boolean test(String id, ObjectNode payload);

  /** All of {@code must}, at least one of {@code should} (if any), none of {@code mustNot}. */
  record Bool(List<Filter> must, List<Filter> should, List<Filter> mustNot) implements Filter {
    public Bool {
      must = List.copyOf(must);
      should = List.copyOf(should);
      mustNot = List.copyOf(mustNot);
    }

    @Override
    public boolean test(String id, ObjectNode payload) {
      for (Filter f : must) {
        if (!f.test(id, payload)) {
          return false;
        }
      }
      for (Filter f : mustNot) {
        if (f.test(id, payload)) {
          return false;
        }
      }
      if (should.isEmpty()) {
        return true;
      }
      for (Filter f : should) {
        if (f.test(id, payload)) {
          return true;
        }
      }
      return false;
    }
  }

  /** The value at {@code key} equals {@code value} (a string, an integer or a boolean). */
  record Match(String key, JsonNode value) implements Filter {
    @Override
    public boolean test(String id, ObjectNode payload) {
      for (JsonNode v : Payloads.values(payload, key)) {
        if (Payloads.same(v, value)) {
          return true;
        }
      }
      return false;
    }
  }

  /** The value at {@code key} equals one of {@code values}. */
  record MatchAny(String key, List<JsonNode> values) implements Filter {
    @Override
    public boolean test(String id, ObjectNode payload) {
      for (JsonNode v : Payloads.values(payload, key)) {
        for (JsonNode w : values) {
          if (Payloads.same(v, w)) {
            return true;
          }
        }
      }
      return false;
    }
  }

  /** A number at {@code key} lies in the range; null bounds are open. */
  record Range(String key, Double gt, Double gte, Double lt, Double lte) implements Filter {
    @Override
    public boolean test(String id, ObjectNode payload) {
      for (JsonNode v : Payloads.values(payload, key)) {
        if (!v.isNumber()) {
          continue;
        }
        if ((gt == null || compare(v, gt) > 0)
            && (gte == null || compare(v, gte) >= 0)
            && (lt == null || compare(v, lt) < 0)
            && (lte == null || compare(v, lte) <= 0)) {
          return true;
        }
      }
      return false;
    }

    /**
     * Compares a JSON number with a bound exactly: integers beyond 2^53 (nanosecond times,
     * snowflake ids) are not rounded to the nearest double first.
     */
    private static int compare(JsonNode v, double bound) {
      if (v.isIntegralNumber()) {
        if (v.canConvertToLong() && Math.abs(v.longValue()) < (1L << 53)) {
          double x = v.longValue(); // exact below 2^53
          return x < bound ? -1 : x > bound ? 1 : 0;
        }
        return new java.math.BigDecimal(v.bigIntegerValue())
            .compareTo(new java.math.BigDecimal(bound));
      }
      double x = v.doubleValue();
      return x < bound ? -1 : x > bound ? 1 : 0;
    }
  }

  /** {@code key} is present with a value other than null. */
  record Exists(String key) implements Filter {
    @Override
    public boolean test(String id, ObjectNode payload) {
      for (JsonNode v : Payloads.values(payload, key)) {
        if (!v.isNull()) {
          return true;
        }
      }
      return false;
    }
  }

  /** {@code key} is present and null. */
  record IsNull(String key) implements Filter {
    @Override
    public boolean test(String id, ObjectNode payload) {
      for (JsonNode v : Payloads.values(payload, key)) {
        if (v.isNull()) {
          return true;
        }
      }
      return false;
    }
  }

  /** The point's id is one of {@code ids}. */
  record HasId(Set<String> ids) implements Filter {
    public HasId {
      ids = Set.copyOf(ids);
    }

    @Override
    public boolean test(String id, ObjectNode payload) {
      return ids.contains(id);
    }
  }

  // ---- building ---------------------------------------------------------------------------

  static Filter must(Filter... conditions) {
    return new Bool(List.of(conditions), List.of(), List.of());
  }

  static Filter should(Filter... conditions) {
    return new Bool(List.of(), List.of(conditions), List.of());
  }

  static Filter mustNot(Filter... conditions) {
    return new Bool(List.of(), List.of(), List.of(conditions));
  }

  static Filter match(String key, String value) {
    return new Match(key, TextNode.valueOf(value));
  }

  static Filter match(String key, long value) {
    return new Match(key, LongNode.valueOf(value));
  }

  static Filter match(String key, boolean value) {
    return new Match(key, BooleanNode.valueOf(value));
  }

  // ---- parsing ----------------------------------------------------------------------------

  /** Parses a filter from JSON text; errors name the offending path under {@code filter}. */
  static Filter parse(String json) {
    try {
      return parse(Json.MAPPER.readTree(json));
    } catch (IOException e) {
      throw new InvalidRequestException(
          "filter", "is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  /** Parses a filter from a JSON tree; errors name the offending path under {@code filter}. */
  static Filter parse(JsonNode node) {
    return Parser.condition(node, "filter", 0);
  }

  /** The JSON parser of filters. */
  final class Parser {
    private Parser() {}

    static Filter condition(JsonNode node, String path, int depth) {
      if (depth > Json.MAX_DEPTH) {
        throw new InvalidRequestException(path, "nests deeper than " + Json.MAX_DEPTH + " levels");
      }
      if (node == null || !node.isObject()) {
        throw new InvalidRequestException(path, "must be a JSON object");
      }
      if (node.has("must") || node.has("should") || node.has("must_not")) {
        allowOnly(node, path, Set.of("must", "should", "must_not"));
        return new Bool(
            list(node.get("must"), path + ".must", depth),
            list(node.get("should"), path + ".should", depth),
            list(node.get("must_not"), path + ".must_not", depth));
      }
      if (node.has("has_id")) {
        allowOnly(node, path, Set.of("has_id"));
        JsonNode ids = node.get("has_id");
        if (!ids.isArray()) {
          throw new InvalidRequestException(path + ".has_id", "must be an array of point ids");
        }
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < ids.size(); i++) {
          if (!ids.get(i).isTextual()) {
            throw new InvalidRequestException(path + ".has_id[" + i + "]", "must be a string id");
          }
          out.add(ids.get(i).textValue());
        }
        return new HasId(out);
      }
      if (node.has("exists") || node.has("is_null")) {
        String kind = node.has("exists") ? "exists" : "is_null";
        allowOnly(node, path, Set.of(kind));
        JsonNode inner = node.get(kind);
        String key = key(inner == null ? null : inner.get("key"), path + "." + kind + ".key");
        if (inner.size() != 1) {
          throw new InvalidRequestException(path + "." + kind, "takes only \"key\"");
        }
        return kind.equals("exists") ? new Exists(key) : new IsNull(key);
      }
      if (node.has("key")) {
        String key = key(node.get("key"), path + ".key");
        if (node.has("match")) {
          allowOnly(node, path, Set.of("key", "match"));
          return match(key, node.get("match"), path + ".match");
        }
        if (node.has("range")) {
          allowOnly(node, path, Set.of("key", "range"));
          return range(key, node.get("range"), path + ".range");
        }
        throw new InvalidRequestException(
            path, "a condition on \"key\" needs \"match\" or \"range\"");
      }
      throw new InvalidRequestException(
          path,
          "expected must/should/must_not, {key, match}, {key, range}, exists, is_null or has_id");
    }

    private static List<Filter> list(JsonNode node, String path, int depth) {
      List<Filter> out = new ArrayList<>();
      if (node == null) {
        return out;
      }
      if (node.isObject()) {
        out.add(condition(node, path, depth + 1));
        return out;
      }
      if (!node.isArray()) {
        throw new InvalidRequestException(path, "must be an array of conditions");
      }
      for (int i = 0; i < node.size(); i++) {
        out.add(condition(node.get(i), path + "[" + i + "]", depth + 1));
      }
      return out;
    }

    private static Filter match(String key, JsonNode m, String path) {
      if (m == null || !m.isObject() || m.size() != 1) {
        throw new InvalidRequestException(path, "must be {\"value\": …} or {\"any\": […]}");
      }
      if (m.has("value")) {
        return new Match(key, matchValue(m.get("value"), path + ".value"));
      }
      if (m.has("any")) {
        JsonNode any = m.get("any");
        if (!any.isArray()) {
          throw new InvalidRequestException(path + ".any", "must be an array");
        }
        List<JsonNode> values = new ArrayList<>();
        for (int i = 0; i < any.size(); i++) {
          values.add(matchValue(any.get(i), path + ".any[" + i + "]"));
        }
        return new MatchAny(key, values);
      }
      throw new InvalidRequestException(path, "must be {\"value\": …} or {\"any\": […]}");
    }

    private static JsonNode matchValue(JsonNode v, String path) {
      if (v == null || !(v.isTextual() || v.isIntegralNumber() || v.isBoolean())) {
        throw new InvalidRequestException(path, "must be a string, an integer or a boolean");
      }
      return v;
    }

    private static Filter range(String key, JsonNode r, String path) {
      if (r == null || !r.isObject() || r.isEmpty()) {
        throw new InvalidRequestException(path, "must be an object with gt, gte, lt and/or lte");
      }
      allowOnly(r, path, Set.of("gt", "gte", "lt", "lte"));
      return new Range(
          key,
          bound(r, "gt", path),
          bound(r, "gte", path),
          bound(r, "lt", path),
          bound(r, "lte", path));
    }

    private static Double bound(JsonNode r, String name, String path) {
      JsonNode v = r.get(name);
      if (v == null || v.isNull()) {
        return null;
      }
      if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
        throw new InvalidRequestException(path + "." + name, "must be a finite number");
      }
      return v.doubleValue();
    }

    private static String key(JsonNode k, String path) {
      if (k == null || !k.isTextual() || k.textValue().isEmpty() || k.textValue().length() > 256) {
        throw new InvalidRequestException(
            path, "must be a non-empty string of at most 256 characters");
      }
      return k.textValue();
    }

    private static void allowOnly(JsonNode node, String path, Set<String> allowed) {
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!allowed.contains(f)) {
          throw new InvalidRequestException(
              path + "." + f, "is not allowed here; expected " + allowed);
        }
      }
    }
  }
}
