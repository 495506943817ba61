package dev.byhand.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.store.Json;
import dev.langchain4j.store.embedding.filter.Filter;
import dev.langchain4j.store.embedding.filter.comparison.IsEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThan;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThanOrEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsIn;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThan;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThanOrEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsNotEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsNotIn;
import dev.langchain4j.store.embedding.filter.logical.And;
import dev.langchain4j.store.embedding.filter.logical.Not;
import dev.langchain4j.store.embedding.filter.logical.Or;
import java.util.Collection;
import java.util.UUID;

/**
 * LangChain4j filters as byhand filters (Qdrant-style JSON over the payload key {@code
 * metadata.<key>}):
 *
 * <table>
 *   <caption>mapping</caption>
 *   <tr><th>LangChain4j</th><th>byhand</th></tr>
 *   <tr><td>isEqualTo (string, UUID, integer, long)</td><td>{@code match.value}</td></tr>
 *   <tr><td>isEqualTo (float, double)</td><td>{@code range} with gte = lte = value</td></tr>
 *   <tr><td>isNotEqualTo, isNotIn, not</td><td>{@code must_not} (true when the key is absent, as in LangChain4j)</td></tr>
 *   <tr><td>isGreaterThan, …, isLessThanOrEqualTo (numbers)</td><td>{@code range}</td></tr>
 *   <tr><td>isIn</td><td>{@code match.any} (or {@code should} of ranges for floating-point values)</td></tr>
 *   <tr><td>and, or</td><td>{@code must}, {@code should}</td></tr>
 * </table>
 *
 * <p>What byhand filters cannot say (comparisons of strings, {@code containsString}, longs beyond
 * 2<sup>53</sup> in ranges, keys containing a dot) translates to null; {@link ByhandEmbeddingStore}
 * then applies LangChain4j's own {@link Filter#test} to every point, exactly.
 */
final class Filters {

  /** Why 2^53: above it a double no longer holds every long, and byhand ranges compare doubles. */
  private static final long EXACT_DOUBLE = 1L << 53;

  private Filters() {}

  /** The byhand filter JSON for {@code f}, or null when byhand cannot express it. */
  static JsonNode toByhand(Filter f) {
    if (f instanceof And a) {
      return both("must", toByhand(a.left()), toByhand(a.right()));
    }
    if (f instanceof Or o) {
      return both("should", toByhand(o.left()), toByhand(o.right()));
    }
    if (f instanceof Not n) {
      JsonNode inner = toByhand(n.expression());
      return inner == null ? null : wrap("must_not", inner);
    }
    if (f instanceof IsEqualTo e) {
      return equal(e.key(), e.comparisonValue());
    }
    if (f instanceof IsNotEqualTo e) {
      JsonNode eq = equal(e.key(), e.comparisonValue());
      return eq == null ? null : wrap("must_not", eq);
    }
    if (f instanceof IsGreaterThan g) {
      return range(g.key(), "gt", g.comparisonValue());
    }
    if (f instanceof IsGreaterThanOrEqualTo g) {
      return range(g.key(), "gte", g.comparisonValue());
    }
    if (f instanceof IsLessThan l) {
      return range(l.key(), "lt", l.comparisonValue());
    }
    if (f instanceof IsLessThanOrEqualTo l) {
      return range(l.key(), "lte", l.comparisonValue());
    }
    if (f instanceof IsIn in) {
      return any(in.key(), in.comparisonValues());
    }
    if (f instanceof IsNotIn in) {
      JsonNode any = any(in.key(), in.comparisonValues());
      return any == null ? null : wrap("must_not", any);
    }
    return null; // containsString and anything newer
  }

  private static JsonNode both(String kind, JsonNode left, JsonNode right) {
    if (left == null || right == null) {
      return null;
    }
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.putArray(kind).add(left).add(right);
    return o;
  }

  private static JsonNode wrap(String kind, JsonNode inner) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.putArray(kind).add(inner);
    return o;
  }

  private static String path(String key) {
    return key == null || key.isEmpty() || key.contains(".")
        ? null
        : ByhandEmbeddingStore.METADATA + "." + key;
  }

  private static JsonNode equal(String key, Object value) {
    String path = path(key);
    if (path == null) {
      return null;
    }
    if (value instanceof String || value instanceof UUID) {
      ObjectNode o = Json.MAPPER.createObjectNode().put("key", path);
      o.putObject("match").put("value", value.toString());
      return o;
    }
    if (value instanceof Integer || value instanceof Long) {
      ObjectNode o = Json.MAPPER.createObjectNode().put("key", path);
      o.putObject("match").put("value", ((Number) value).longValue());
      return o;
    }
    if (value instanceof Float || value instanceof Double) {
      double d = ((Number) value).doubleValue();
      ObjectNode o = Json.MAPPER.createObjectNode().put("key", path);
      o.putObject("range").put("gte", d).put("lte", d);
      return o;
    }
    return null;
  }

  private static JsonNode range(String key, String op, Object value) {
    String path = path(key);
    if (path == null || !(value instanceof Number n) || !exact(n)) {
      return null;
    }
    ObjectNode o = Json.MAPPER.createObjectNode().put("key", path);
    o.putObject("range").put(op, n.doubleValue());
    return o;
  }

  private static boolean exact(Number n) {
    if (n instanceof Long l) {
      return Math.abs(l) <= EXACT_DOUBLE;
    }
    return n instanceof Integer || n instanceof Float || n instanceof Double;
  }

  private static JsonNode any(String key, Collection<?> values) {
    String path = path(key);
    if (path == null || values == null || values.isEmpty()) {
      return null;
    }
    boolean plain =
        values.stream()
            .allMatch(
                v ->
                    v instanceof String
                        || v instanceof UUID
                        || v instanceof Integer
                        || v instanceof Long);
    if (plain) {
      ObjectNode o = Json.MAPPER.createObjectNode().put("key", path);
      ArrayNode any = o.putObject("match").putArray("any");
      for (Object v : values) {
        if (v instanceof Number n) {
          any.add(n.longValue());
        } else {
          any.add(v.toString());
        }
      }
      return o;
    }
    ObjectNode o = Json.MAPPER.createObjectNode();
    ArrayNode should = o.putArray("should");
    for (Object v : values) {
      JsonNode eq = equal(key, v);
      if (eq == null) {
        return null;
      }
      should.add(eq);
    }
    return o;
  }
}
