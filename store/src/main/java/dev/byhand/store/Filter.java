package dev.byhand.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

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
 * Match values are strings (keyword), integers or booleans; ranges compare numbers exactly (an
 * integer beyond 2^53 is never rounded to a double to be compared); {@code has_id} lists point ids.
 * Filters nest: any condition may itself be a {@code must/should/must_not} object.
 *
 * <p><b>Limits</b>, checked when a filter is built (parsed or constructed), so that testing one
 * point costs a bounded amount: at most {@link #MAX_CONDITIONS} conditions in all, nested at most
 * {@link #MAX_DEPTH} levels of {@code must/should/must_not}, at most {@link #MAX_VALUES} values in
 * all its {@code any} and {@code has_id} lists together, keys of at most {@link #MAX_KEY_LENGTH}
 * characters. Beyond them a {@link LimitExceededException} (or, for depth and keys, an {@link
 * InvalidRequestException}) names the field and the limit.
 */
public sealed interface Filter {

  /**
   * Most conditions one filter may hold, every {@code must/should/must_not} group counted: Lucene's
   * long-standing default for the clauses of one query.
   */
  int MAX_CONDITIONS = 1024;

  /**
   * Most values one filter's {@code any} and {@code has_id} lists may hold together: the same as
   * the ids one request may name.
   */
  int MAX_VALUES = 10_000;

  /** Deepest nesting of {@code must/should/must_not} groups: the same as a payload's. */
  int MAX_DEPTH = Json.MAX_DEPTH;

  /** Longest payload key (a dotted path) a condition may name. */
  int MAX_KEY_LENGTH = 256;

  /** Whether the point with this id and payload passes. */
  boolean test(String id, ObjectNode payload);

  /** How many conditions this filter holds, itself included; see {@link #MAX_CONDITIONS}. */
  int conditions();

  /** How many values its {@code any} and {@code has_id} lists hold; see {@link #MAX_VALUES}. */
  int listValues();

  /** How deeply its {@code must/should/must_not} groups nest: 0 for a single condition. */
  int depth();

  /** All of {@code must}, at least one of {@code should} (if any), none of {@code mustNot}. */
  record Bool(List<Filter> must, List<Filter> should, List<Filter> mustNot) implements Filter {
    public Bool {
      must = List.copyOf(must);
      should = List.copyOf(should);
      mustNot = List.copyOf(mustNot);
      long conditions = 1;
      long values = 0;
      int depth = 0;
      for (List<Filter> part : List.of(must, should, mustNot)) {
        for (Filter f : part) {
          conditions += f.conditions();
          values += f.listValues();
          depth = Math.max(depth, f.depth());
        }
      }
      if (depth + 1 > MAX_DEPTH) {
        throw new InvalidRequestException("filter", "nests deeper than " + MAX_DEPTH + " levels");
      }
      checkSize(conditions, values);
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

    @Override
    public int conditions() {
      int n = 1;
      for (List<Filter> part : List.of(must, should, mustNot)) {
        for (Filter f : part) {
          n += f.conditions();
        }
      }
      return n;
    }

    @Override
    public int listValues() {
      int n = 0;
      for (List<Filter> part : List.of(must, should, mustNot)) {
        for (Filter f : part) {
          n += f.listValues();
        }
      }
      return n;
    }

    @Override
    public int depth() {
      int d = 0;
      for (List<Filter> part : List.of(must, should, mustNot)) {
        for (Filter f : part) {
          d = Math.max(d, f.depth());
        }
      }
      return d + 1;
    }
  }

  /** The value at {@code key} equals {@code value} (a string, an integer or a boolean). */
  record Match(String key, JsonNode value) implements Filter {
    public Match {
      checkKey(key, "filter.key");
      checkMatchValue(value, "filter.match.value");
    }

    @Override
    public boolean test(String id, ObjectNode payload) {
      for (JsonNode v : Payloads.values(payload, key)) {
        if (Payloads.same(v, value)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public int conditions() {
      return 1;
    }

    @Override
    public int listValues() {
      return 0;
    }

    @Override
    public int depth() {
      return 0;
    }
  }

  /**
   * The value at {@code key} equals one of {@code values} (strings, integers or booleans). Tested
   * through a hash set: a point costs as many look-ups as it has values at {@code key}, whatever
   * the list's length.
   */
  final class MatchAny implements Filter {
    private final String key;
    private final List<JsonNode> values;

    /** {@link Payloads#matchKey} of every value. */
    private final Set<Object> wanted;

    public MatchAny(String key, List<JsonNode> values) {
      checkKey(key, "filter.key");
      if (values.size() > MAX_VALUES) {
        throw new LimitExceededException(
            "filter.match.any",
            "has " + values.size() + " values; the limit is " + MAX_VALUES + " a filter");
      }
      this.key = key;
      this.values = List.copyOf(values);
      Set<Object> w = new HashSet<>();
      for (JsonNode v : this.values) {
        checkMatchValue(v, "filter.match.any");
        w.add(Payloads.matchKey(v));
      }
      this.wanted = Collections.unmodifiableSet(w);
    }

    public String key() {
      return key;
    }

    public List<JsonNode> values() {
      return values;
    }

    @Override
    public boolean test(String id, ObjectNode payload) {
      for (JsonNode v : Payloads.values(payload, key)) {
        Object k = Payloads.matchKey(v);
        if (k != null && wanted.contains(k)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public int conditions() {
      return 1;
    }

    @Override
    public int listValues() {
      return values.size();
    }

    @Override
    public int depth() {
      return 0;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof MatchAny m && m.key.equals(key) && m.values.equals(values);
    }

    @Override
    public int hashCode() {
      return key.hashCode() * 31 + values.hashCode();
    }

    @Override
    public String toString() {
      return "MatchAny[key=" + key + ", values=" + values + "]";
    }
  }

  /**
   * A number at {@code key} lies in the range; null bounds are open. Bounds are any of Java's
   * number types (a long, a double, a BigInteger, a BigDecimal…), kept in {@link Numbers}' exact
   * canonical form, and compared with the payload's numbers exactly.
   */
  record Range(String key, Number gt, Number gte, Number lt, Number lte) implements Filter {
    public Range {
      checkKey(key, "filter.key");
      gt = bound(gt, "gt");
      gte = bound(gte, "gte");
      lt = bound(lt, "lt");
      lte = bound(lte, "lte");
    }

    private static Number bound(Number b, String name) {
      if (b == null) {
        return null;
      }
      Number c = Numbers.canonical(b);
      if (c == null) {
        throw new InvalidRequestException(
            "filter.range." + name,
            "must be a finite number of at most " + Numbers.MAX_DIGITS + " digits");
      }
      return c;
    }

    @Override
    public boolean test(String id, ObjectNode payload) {
      for (JsonNode v : Payloads.values(payload, key)) {
        if (!v.isNumber() || !Numbers.finite(v)) {
          continue;
        }
        if ((gt == null || Numbers.compare(v, gt) > 0)
            && (gte == null || Numbers.compare(v, gte) >= 0)
            && (lt == null || Numbers.compare(v, lt) < 0)
            && (lte == null || Numbers.compare(v, lte) <= 0)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public int conditions() {
      return 1;
    }

    @Override
    public int listValues() {
      return 0;
    }

    @Override
    public int depth() {
      return 0;
    }
  }

  /** {@code key} is present with a value other than null. */
  record Exists(String key) implements Filter {
    public Exists {
      checkKey(key, "filter.exists.key");
    }

    @Override
    public boolean test(String id, ObjectNode payload) {
      for (JsonNode v : Payloads.values(payload, key)) {
        if (!v.isNull()) {
          return true;
        }
      }
      return false;
    }

    @Override
    public int conditions() {
      return 1;
    }

    @Override
    public int listValues() {
      return 0;
    }

    @Override
    public int depth() {
      return 0;
    }
  }

  /** {@code key} is present and null. */
  record IsNull(String key) implements Filter {
    public IsNull {
      checkKey(key, "filter.is_null.key");
    }

    @Override
    public boolean test(String id, ObjectNode payload) {
      for (JsonNode v : Payloads.values(payload, key)) {
        if (v.isNull()) {
          return true;
        }
      }
      return false;
    }

    @Override
    public int conditions() {
      return 1;
    }

    @Override
    public int listValues() {
      return 0;
    }

    @Override
    public int depth() {
      return 0;
    }
  }

  /** The point's id is one of {@code ids}. */
  record HasId(Set<String> ids) implements Filter {
    public HasId {
      if (ids.size() > MAX_VALUES) {
        throw new LimitExceededException(
            "filter.has_id",
            "has " + ids.size() + " ids; the limit is " + MAX_VALUES + " a filter");
      }
      ids = Set.copyOf(ids);
    }

    @Override
    public boolean test(String id, ObjectNode payload) {
      return ids.contains(id);
    }

    @Override
    public int conditions() {
      return 1;
    }

    @Override
    public int listValues() {
      return ids.size();
    }

    @Override
    public int depth() {
      return 0;
    }
  }

  /**
   * {@link #filter} with a deadline: testing a point after it throws {@link
   * DeadlineExceededException}, so a count, scroll, search or filtered write stops there instead of
   * running on. The clock is read once every {@value #EVERY} tests (and at the first).
   */
  final class WithDeadline implements Filter {
    static final int EVERY = 64;

    private final Filter filter;
    private final long deadlineNanos;
    private final LongSupplier clock;
    private int tests; // a race only moves a check by a few tests

    WithDeadline(Filter filter, long deadlineNanos, LongSupplier clock) {
      this.filter = filter;
      this.deadlineNanos = deadlineNanos;
      this.clock = clock;
    }

    /** The filter itself. */
    public Filter filter() {
      return filter;
    }

    @Override
    public boolean test(String id, ObjectNode payload) {
      if (tests++ % EVERY == 0 && clock.getAsLong() - deadlineNanos > 0) {
        throw new DeadlineExceededException("the request ran past its deadline");
      }
      return filter.test(id, payload);
    }

    @Override
    public int conditions() {
      return filter.conditions();
    }

    @Override
    public int listValues() {
      return filter.listValues();
    }

    @Override
    public int depth() {
      return filter.depth();
    }

    @Override
    public String toString() {
      return filter.toString();
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

  /** Numbers at {@code key} within the bounds (null: open), compared exactly. */
  static Filter range(String key, Number gt, Number gte, Number lt, Number lte) {
    return new Range(key, gt, gte, lt, lte);
  }

  /**
   * {@code filter} (null: every point) stopped at {@code deadlineNanos} of {@code clock} (a {@link
   * System#nanoTime} reading, or a test's clock); see {@link WithDeadline}.
   */
  static Filter withDeadline(Filter filter, long deadlineNanos, LongSupplier clock) {
    Filter f = filter == null ? new Bool(List.of(), List.of(), List.of()) : filter;
    if (f instanceof WithDeadline d) {
      f = d.filter();
    }
    return new WithDeadline(f, deadlineNanos, clock);
  }

  private static void checkSize(long conditions, long values) {
    if (conditions > MAX_CONDITIONS) {
      throw new LimitExceededException(
          "filter",
          "has " + conditions + " conditions; the limit is " + MAX_CONDITIONS + " a filter");
    }
    if (values > MAX_VALUES) {
      throw new LimitExceededException(
          "filter",
          "has "
              + values
              + " values in its any and has_id lists; the limit is "
              + MAX_VALUES
              + " a filter");
    }
  }

  private static void checkKey(String key, String field) {
    if (key == null || key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
      throw new InvalidRequestException(
          field, "must be a non-empty string of at most " + MAX_KEY_LENGTH + " characters");
    }
  }

  private static void checkMatchValue(JsonNode v, String field) {
    if (v == null || !(v.isTextual() || v.isIntegralNumber() || v.isBoolean())) {
      throw new InvalidRequestException(field, "must be a string, an integer or a boolean");
    }
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
    return parse(node, "filter");
  }

  /**
   * Parses a filter from a JSON tree; errors name the offending path under {@code field} (such as
   * {@code searches[3].filter}).
   */
  static Filter parse(JsonNode node, String field) {
    return new Parser().condition(node, field, 0);
  }

  /**
   * The JSON parser of filters. It counts conditions and list values as it goes, so an oversized
   * filter is refused at the first condition past a limit, named by its path.
   */
  final class Parser {
    private int conditions;
    private int values;

    private Parser() {}

    Filter condition(JsonNode node, String path, int depth) {
      if (node == null || !node.isObject()) {
        throw new InvalidRequestException(path, "must be a JSON object");
      }
      if (++conditions > MAX_CONDITIONS) {
        throw new LimitExceededException(
            path,
            "is condition number "
                + conditions
                + "; the limit is "
                + MAX_CONDITIONS
                + " conditions a filter (each must/should/must_not group counts as one)");
      }
      if (node.has("must") || node.has("should") || node.has("must_not")) {
        if (depth >= MAX_DEPTH) {
          throw new InvalidRequestException(path, "nests deeper than " + MAX_DEPTH + " levels");
        }
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
        count(ids.size(), path + ".has_id");
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < ids.size(); i++) {
          JsonNode id = ids.get(i);
          if (id.isIntegralNumber() && id.bigIntegerValue().signum() >= 0) {
            out.add(id.bigIntegerValue().toString()); // an integer id, kept as its digits
            continue;
          }
          if (!id.isTextual()) {
            throw new InvalidRequestException(
                path + ".has_id[" + i + "]", "must be an unsigned integer or a string id");
          }
          out.add(id.textValue());
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

    /** Counts {@code n} more list values, refusing the list that passes {@link #MAX_VALUES}. */
    private void count(int n, String path) {
      values += n;
      if (values > MAX_VALUES) {
        throw new LimitExceededException(
            path,
            "has "
                + n
                + " values, "
                + values
                + " in all the filter's any and has_id lists; the limit is "
                + MAX_VALUES
                + " a filter");
      }
    }

    private List<Filter> list(JsonNode node, String path, int depth) {
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

    private Filter match(String key, JsonNode m, String path) {
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
        count(any.size(), path + ".any");
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

    /** A bound, exactly as written: an integer stays an integer, however large. */
    private static Number bound(JsonNode r, String name, String path) {
      JsonNode v = r.get(name);
      if (v == null || v.isNull()) {
        return null;
      }
      Number n = v.isNumber() ? Numbers.canonical(v) : null;
      if (n == null) {
        throw new InvalidRequestException(path + "." + name, "must be a finite number");
      }
      return n;
    }

    private static String key(JsonNode k, String path) {
      if (k == null
          || !k.isTextual()
          || k.textValue().isEmpty()
          || k.textValue().length() > MAX_KEY_LENGTH) {
        throw new InvalidRequestException(
            path, "must be a non-empty string of at most " + MAX_KEY_LENGTH + " characters");
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
