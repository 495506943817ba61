package dev.byhand.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.vector.Metric;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Filters compare numbers exactly, and payload indexes never change an answer: every condition
 * type, over values chosen where doubles and longs part ways (±2^53, ±2^63, beyond long, −0.0,
 * fractions against integers), counted with no index and with each index type on the key, and
 * checked against an oracle that compares exact decimals.
 */
class FilterExactnessTest {

  /** Numbers as JSON literals: integers are read exactly, the others as doubles (as JSON is). */
  static final List<String> NUMBERS =
      List.of(
          "0",
          "-0",
          "0.0",
          "-0.0",
          "1",
          "-1",
          "0.5",
          "-0.5",
          "2",
          "2.5",
          "3",
          "9007199254740991",
          "9007199254740992",
          "9007199254740993",
          "9007199254740994",
          "9007199254740995",
          "-9007199254740991",
          "-9007199254740992",
          "-9007199254740993",
          "-9007199254740994",
          "-9007199254740995",
          "9007199254740992.0",
          "9007199254740994.0",
          "9.007199254740996E15",
          "-9.007199254740994E15",
          "4503599627370495.5",
          "9223372036854775806",
          "9223372036854775807",
          "-9223372036854775807",
          "-9223372036854775808",
          "9223372036854775808",
          "9223372036854775809",
          "-9223372036854775809",
          "18446744073709551616",
          "100000000000000000000000000000",
          "-100000000000000000000000000000",
          "9.223372036854775807E18",
          "-9.223372036854775808E18",
          "1.8446744073709552E19",
          "1e300",
          "-1e300",
          "1.0E-300",
          "4.9E-324",
          "-4.9E-324");

  /** Bounds: every number above, and fractions between them. */
  static final List<String> BOUNDS = new ArrayList<>(NUMBERS);

  static {
    BOUNDS.addAll(
        List.of(
            "0.25",
            "-0.25",
            "1.5",
            "2.4",
            "2.6",
            "-1.5",
            "9007199254740992.5",
            "4503599627370495.25",
            "1.5e19",
            "-1.5e19",
            "1e-320"));
  }

  /** Values of other types under the same key. */
  static final List<String> OTHERS =
      List.of("\"9007199254740995\"", "\"a\"", "true", "false", "null", "{}", "[]", "[[1]]");

  @TempDir Path dir;

  /** The exact value of a JSON number, as the store reads it; null for anything else. */
  static BigDecimal exact(JsonNode n) {
    if (n == null || !n.isNumber()) {
      return null;
    }
    if (n.isIntegralNumber()) {
      return new BigDecimal(n.bigIntegerValue());
    }
    return n.isBigDecimal() ? n.decimalValue() : new BigDecimal(n.doubleValue());
  }

  static JsonNode literal(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Every value at {@code t}, arrays expanded one level (as filters read them). */
  static List<JsonNode> values(ObjectNode payload) {
    List<JsonNode> out = new ArrayList<>();
    JsonNode t = payload == null ? null : payload.get("t");
    if (t == null) {
      return out;
    }
    if (t.isArray()) {
      t.forEach(out::add);
    } else {
      out.add(t);
    }
    return out;
  }

  /** The oracle: does a payload pass a filter, decided with exact decimals. */
  static boolean oracle(JsonNode f, String id, ObjectNode payload) {
    if (f.has("must") || f.has("should") || f.has("must_not")) {
      for (JsonNode c : f.path("must")) {
        if (!oracle(c, id, payload)) {
          return false;
        }
      }
      for (JsonNode c : f.path("must_not")) {
        if (oracle(c, id, payload)) {
          return false;
        }
      }
      if (f.path("should").isEmpty()) {
        return true;
      }
      for (JsonNode c : f.path("should")) {
        if (oracle(c, id, payload)) {
          return true;
        }
      }
      return false;
    }
    if (f.has("has_id")) {
      for (JsonNode i : f.get("has_id")) {
        if (i.textValue().equals(id)) {
          return true;
        }
      }
      return false;
    }
    if (f.has("exists")) {
      return values(payload).stream().anyMatch(v -> !v.isNull());
    }
    if (f.has("is_null")) {
      return values(payload).stream().anyMatch(JsonNode::isNull);
    }
    if (f.has("range")) {
      JsonNode r = f.get("range");
      for (JsonNode v : values(payload)) {
        BigDecimal x = exact(v);
        if (x == null) {
          continue;
        }
        if ((!r.has("gt") || x.compareTo(exact(r.get("gt"))) > 0)
            && (!r.has("gte") || x.compareTo(exact(r.get("gte"))) >= 0)
            && (!r.has("lt") || x.compareTo(exact(r.get("lt"))) < 0)
            && (!r.has("lte") || x.compareTo(exact(r.get("lte"))) <= 0)) {
          return true;
        }
      }
      return false;
    }
    JsonNode m = f.get("match");
    List<JsonNode> wanted = new ArrayList<>();
    if (m.has("value")) {
      wanted.add(m.get("value"));
    } else {
      m.get("any").forEach(wanted::add);
    }
    for (JsonNode v : values(payload)) {
      for (JsonNode w : wanted) {
        boolean same =
            v.isIntegralNumber() && w.isIntegralNumber()
                ? exact(v).compareTo(exact(w)) == 0
                : (v.isTextual() && w.isTextual() && v.textValue().equals(w.textValue()))
                    || (v.isBoolean() && w.isBoolean() && v.booleanValue() == w.booleanValue());
        if (same) {
          return true;
        }
      }
    }
    return false;
  }

  /** The points: one per value, some arrays of two, one without the key. */
  static Map<String, ObjectNode> points(SplittableRandom r) {
    Map<String, ObjectNode> out = new LinkedHashMap<>();
    List<String> all = new ArrayList<>(NUMBERS);
    all.addAll(OTHERS);
    for (int i = 0; i < all.size(); i++) {
      out.put("v" + i, Json.parsePayload("p", "{\"t\":" + all.get(i) + "}"));
    }
    for (int i = 0; i < 20; i++) {
      String a = NUMBERS.get(r.nextInt(NUMBERS.size()));
      String b = all.get(r.nextInt(all.size()));
      out.put("a" + i, Json.parsePayload("p", "{\"t\":[" + a + "," + b + "]}"));
    }
    out.put("none", Json.parsePayload("p", "{\"u\":1}"));
    out.put("nopayload", null);
    return out;
  }

  static String range(String op, String bound) {
    return "{\"key\":\"t\",\"range\":{\"" + op + "\":" + bound + "}}";
  }

  static String randomCondition(SplittableRandom r, List<String> ids) {
    String[] ops = {"gt", "gte", "lt", "lte"};
    List<String> integers = NUMBERS.stream().filter(s -> literal(s).isIntegralNumber()).toList();
    return switch (r.nextInt(9)) {
      case 0, 1 -> range(ops[r.nextInt(4)], BOUNDS.get(r.nextInt(BOUNDS.size())));
      case 2 ->
          "{\"key\":\"t\",\"range\":{\""
              + ops[r.nextInt(2)]
              + "\":"
              + BOUNDS.get(r.nextInt(BOUNDS.size()))
              + ",\""
              + ops[2 + r.nextInt(2)]
              + "\":"
              + BOUNDS.get(r.nextInt(BOUNDS.size()))
              + "}}";
      case 3 ->
          "{\"key\":\"t\",\"match\":{\"value\":" + integers.get(r.nextInt(integers.size())) + "}}";
      case 4 -> {
        StringBuilder sb = new StringBuilder("{\"key\":\"t\",\"match\":{\"any\":[");
        int n = 1 + r.nextInt(4);
        for (int i = 0; i < n; i++) {
          sb.append(i == 0 ? "" : ",")
              .append(
                  r.nextInt(4) == 0
                      ? new String[] {"\"a\"", "true", "false", "\"9007199254740995\""}
                          [r.nextInt(4)]
                      : integers.get(r.nextInt(integers.size())));
        }
        yield sb.append("]}}").toString();
      }
      case 5 ->
          "{\"key\":\"t\",\"match\":{\"value\":"
              + new String[] {"\"a\"", "true", "false", "\"9007199254740995\""}[r.nextInt(4)]
              + "}}";
      case 6 -> r.nextBoolean() ? "{\"exists\":{\"key\":\"t\"}}" : "{\"is_null\":{\"key\":\"t\"}}";
      case 7 ->
          "{\"has_id\":[\""
              + ids.get(r.nextInt(ids.size()))
              + "\",\""
              + ids.get(r.nextInt(ids.size()))
              + "\",\"missing\"]}";
      default -> randomBool(r, ids, 1);
    };
  }

  static String randomBool(SplittableRandom r, List<String> ids, int depth) {
    StringBuilder sb = new StringBuilder("{");
    String[] parts = {"must", "should", "must_not"};
    boolean first = true;
    for (String p : parts) {
      if (r.nextInt(3) == 0) {
        continue;
      }
      sb.append(first ? "" : ",").append('"').append(p).append("\":[");
      first = false;
      int n = r.nextInt(3);
      for (int i = 0; i < n; i++) {
        sb.append(i == 0 ? "" : ",")
            .append(
                depth < 3 && r.nextInt(4) == 0
                    ? randomBool(r, ids, depth + 1)
                    : randomCondition(r, ids));
      }
      sb.append(']');
    }
    if (first) {
      sb.append("\"must\":[]");
    }
    return sb.append('}').toString();
  }

  /** Every range operator against every bound, then random conditions and nestings of them. */
  static List<String> filters(SplittableRandom r, List<String> ids) {
    List<String> out = new ArrayList<>();
    for (String op : List.of("gt", "gte", "lt", "lte")) {
      for (String b : BOUNDS) {
        out.add(range(op, b));
      }
    }
    for (String n : NUMBERS) {
      if (literal(n).isIntegralNumber()) {
        out.add("{\"key\":\"t\",\"match\":{\"value\":" + n + "}}");
      }
    }
    for (int i = 0; i < 600; i++) {
      out.add(randomCondition(r, ids));
    }
    for (int i = 0; i < 200; i++) {
      out.add(randomBool(r, ids, 0));
    }
    return out;
  }

  private static final List<PayloadIndexType> INDEXES =
      List.of(
          PayloadIndexType.INTEGER,
          PayloadIndexType.FLOAT,
          PayloadIndexType.KEYWORD,
          PayloadIndexType.BOOL);

  @Test
  void everyConditionGivesTheExactAnswerWithAndWithoutEachIndex() {
    long seed = Long.getLong("byhand.seed", new SplittableRandom().nextLong());
    System.out.println("FilterExactnessTest seed " + seed);
    SplittableRandom r = new SplittableRandom(seed);
    Map<String, ObjectNode> points = points(r);
    List<String> ids = new ArrayList<>(points.keySet());
    List<String> filters = filters(r, ids);
    List<Point> batch = new ArrayList<>();
    int i = 0;
    for (Map.Entry<String, ObjectNode> e : points.entrySet()) {
      batch.add(Point.of(e.getKey(), new float[] {1 + i % 7, 1 + i++ % 5}, e.getValue()));
    }
    try (Database db = Database.open(dir)) {
      db.create(CollectionConfig.of("plain", 2, Metric.L2)).upsert(batch);
      for (PayloadIndexType t : INDEXES) {
        Collection c = db.create(CollectionConfig.of(t.toString(), 2, Metric.L2));
        if (t == PayloadIndexType.INTEGER || t == PayloadIndexType.KEYWORD) {
          c.createPayloadIndex("t", t); // before the data
          c.upsert(batch);
        } else {
          c.upsert(batch);
          c.createPayloadIndex("t", t); // after it
        }
      }
      check(db, seed, filters, points);
    }
    try (Database db = Database.open(dir)) { // indexes rebuilt from what was stored
      check(db, seed, filters, points);
    }
  }

  private static void check(
      Database db, long seed, List<String> filters, Map<String, ObjectNode> points) {
    List<String> names = new ArrayList<>(List.of("plain"));
    INDEXES.forEach(t -> names.add(t.toString()));
    for (String json : filters) {
      JsonNode tree = literal(json);
      TreeSet<String> expected = new TreeSet<>();
      points.forEach(
          (id, p) -> {
            if (oracle(tree, id, p)) {
              expected.add(id);
            }
          });
      Filter f = Filter.parse(json);
      for (String name : names) {
        Collection c = db.collection(name);
        String as = "seed " + seed + ", index " + name + ", filter " + json;
        assertThat(c.count(f)).as(as).isEqualTo(expected.size());
        TreeSet<String> scrolled = new TreeSet<>();
        c.scroll(f, null, 10_000, false).points().forEach(p -> scrolled.add(p.id()));
        assertThat(scrolled).as(as).isEqualTo(expected);
        if (!expected.isEmpty()) {
          TreeSet<String> found = new TreeSet<>();
          c.search(SearchRequest.vector(new float[] {1, 1}, expected.size()).withFilter(f))
              .forEach(h -> found.add(h.id()));
          assertThat(found).as(as).isEqualTo(expected);
        }
      }
    }
  }

  @Test
  void theDefectAsReported() {
    try (Database db = Database.open(dir)) {
      Filter gt = Filter.parse(range("gt", "9007199254740994"));
      for (PayloadIndexType t : List.of(PayloadIndexType.INTEGER, PayloadIndexType.FLOAT)) {
        Collection c = db.create(CollectionConfig.of(t.toString(), 2, Metric.L2));
        c.upsert(
            List.of(
                Point.of(
                    "p", new float[] {1, 0}, Json.parsePayload("p", "{\"t\":9007199254740995}")),
                Point.of(
                    "q", new float[] {0, 1}, Json.parsePayload("p", "{\"t\":9007199254740993}"))));
        assertThat(c.count(gt)).isEqualTo(1);
        assertThat(c.count(Filter.parse(range("gt", "9007199254740992")))).isEqualTo(2);
        c.createPayloadIndex("t", t);
        assertThat(c.count(gt)).as("with an index of type %s", t).isEqualTo(1);
        assertThat(c.count(Filter.parse(range("gt", "9007199254740992"))))
            .as("with an index of type %s", t)
            .isEqualTo(2);
        assertThat(c.count(Filter.parse(range("lte", "9007199254740994"))))
            .as("with an index of type %s", t)
            .isEqualTo(1);
      }
    }
  }

  @Test
  void numbersCompareExactlyAndShareOneCanonicalFormPerValue() {
    long seed = Long.getLong("byhand.seed", new SplittableRandom().nextLong());
    System.out.println("FilterExactnessTest numbers seed " + seed);
    SplittableRandom r = new SplittableRandom(seed);
    List<Number> pool = new ArrayList<>();
    for (String s : BOUNDS) {
      pool.add(Numbers.canonical(literal(s)));
    }
    long[] edges = {0, 1L << 53, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 52};
    for (int i = 0; i < 20_000; i++) {
      long base = edges[r.nextInt(edges.length)] * (r.nextBoolean() ? 1 : -1);
      long x = base + r.nextInt(-4, 5);
      double d =
          switch (r.nextInt(4)) {
            case 0 -> (double) (base + r.nextInt(-4, 5));
            case 1 -> Math.nextUp((double) x) * (r.nextBoolean() ? 1 : -1);
            case 2 -> x + r.nextDouble(-2, 2);
            default -> Double.longBitsToDouble(r.nextLong());
          };
      if (!Double.isFinite(d)) {
        continue;
      }
      int expected = new BigDecimal(x).compareTo(new BigDecimal(d));
      assertThat(Integer.signum(Numbers.compare(x, d))).as("%d vs %s", x, d).isEqualTo(expected);
      Number cx = Numbers.canonical(Json.MAPPER.getNodeFactory().numberNode(x));
      Number cd = Numbers.canonical(d);
      assertThat(Integer.signum(Numbers.compare(cx, cd))).as("%d vs %s", x, d).isEqualTo(expected);
      assertThat(cx.equals(cd)).as("%d vs %s", x, d).isEqualTo(expected == 0);
      pool.add(r.nextBoolean() ? cx : cd);
    }
    for (int i = 0; i < 20_000; i++) {
      Number a = pool.get(r.nextInt(pool.size()));
      Number b = pool.get(r.nextInt(pool.size()));
      int expected = big(a).compareTo(big(b));
      assertThat(Integer.signum(Numbers.compare(a, b))).as("%s vs %s", a, b).isEqualTo(expected);
      assertThat(a.equals(b)).as("%s vs %s", a, b).isEqualTo(expected == 0);
    }
  }

  private static BigDecimal big(Number n) {
    if (n instanceof Double d) {
      return new BigDecimal(d); // exact, where the double's shortest decimal form is not
    }
    return n instanceof BigDecimal b ? b : BigDecimal.valueOf(n.longValue());
  }
}
