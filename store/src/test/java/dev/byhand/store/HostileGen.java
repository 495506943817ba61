package dev.byhand.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.byhand.store.HostileOp.PointSpec;
import dev.byhand.store.HostileOp.SearchSpec;
import dev.byhand.store.HostileOp.Setup;
import dev.byhand.vector.Metric;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

/**
 * The hostile client's vocabulary, as jqwik arbitraries: every operation of the embedded API, with
 * edge values drawn on purpose (see the class comment of {@code HostileClientTest}). Everything is
 * drawn from small pools so that operations meet the same points and payload keys again.
 *
 * <p>{@link #excluded} names classes of values to leave out ({@code -Dbyhand.hostile.exclude=
 * surrogates,tiny,huge,bigints,intbounds,deep,wide,costly}): only for hunting the next defect while
 * a known one fails every run; the default is everything.
 */
final class HostileGen {

  private HostileGen() {}

  static final Set<String> excluded =
      Set.of(System.getProperty("byhand.hostile.exclude", "").split(","));

  private static boolean on(String what) {
    return !excluded.contains(what);
  }

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  // ---- ids --------------------------------------------------------------------------------

  static final List<String> ORDINARY_IDS =
      List.of("p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9");

  /** Ids a hostile client picks: the byte limit, just over it, odd characters. */
  static List<String> edgeIds() {
    List<String> ids = new ArrayList<>();
    ids.addAll(
        List.of(
            "?",
            "é",
            "日本",
            "a\u0301",
            "\ud83d\ude00", // a surrogate pair: well-formed
            "\uffff",
            "\ufeffbom",
            "\u0000",
            "nul\u0000in",
            "\u001b]0;x\u0007",
            "tab\there",
            "\n",
            " ",
            "\u007f",
            "\u0085",
            "\u2028",
            "x".repeat(256), // at the limit
            "€".repeat(85) + "a", // 256 bytes in 86 characters
            "\ud83d\ude00".repeat(64), // 256 bytes in 128 characters
            "x".repeat(257), // just over
            "€".repeat(86), // 258 bytes
            "\ud83d\ude00".repeat(64) + "a", // 257 bytes
            "x".repeat(255) + "é", // 257 bytes
            ""));
    if (on("surrogates")) {
      ids.addAll(
          List.of(
              "\ud800", "\udbff", "\udc00", "a\ud800", "\udfff\ud800", "x".repeat(250) + "\ud800"));
    }
    return ids;
  }

  static Arbitrary<String> id() {
    return Arbitraries.frequencyOf(
        Tuple.of(75, Arbitraries.of(ORDINARY_IDS)), Tuple.of(25, Arbitraries.of(edgeIds())));
  }

  static Arbitrary<List<String>> ids() {
    return Arbitraries.frequencyOf(
        Tuple.of(95, id().list().ofMaxSize(6)),
        Tuple.of(3, Arbitraries.just(java.util.Arrays.asList("p1", null))),
        Tuple.of(2, Arbitraries.just((List<String>) null)));
  }

  // ---- vectors ----------------------------------------------------------------------------

  static Arbitrary<Float> ordinaryComponent() {
    return Arbitraries.frequencyOf(
        Tuple.of(80, Arbitraries.floats().between(-1f, 1f).ofScale(4)),
        Tuple.of(20, Arbitraries.of(0f, 1f, -1f, 0.5f, -0.0f)));
  }

  static Arbitrary<Float> anyComponent() {
    List<Tuple.Tuple2<Integer, Arbitrary<Float>>> f = new ArrayList<>();
    f.add(Tuple.of(50, ordinaryComponent()));
    f.add(Tuple.of(5, Arbitraries.just(-0.0f)));
    if (on("tiny")) {
      f.add(Tuple.of(10, Arbitraries.of(1e-30f, -1e-30f, 1e-25f, -1e-25f, 1e-38f, 1e-20f, 1e-19f)));
      f.add(
          Tuple.of(
              8, Arbitraries.of(Float.MIN_VALUE, -Float.MIN_VALUE, 1e-40f, Float.MIN_NORMAL / 2)));
    }
    if (on("huge")) {
      f.add(
          Tuple.of(
              10,
              Arbitraries.of(
                  3.4e38f, -3.4e38f, Float.MAX_VALUE, 3e38f, -3e38f, 2e19f, 1e19f, 1e30f, 1e7f)));
    }
    return Arbitraries.frequencyOf(f.toArray(new Tuple.Tuple2[0]));
  }

  static Arbitrary<float[]> ordinaryVector(int d) {
    return ordinaryComponent().list().ofSize(d).map(HostileGen::floats);
  }

  /** Every kind of vector a client can send, for a collection of dimension {@code d}. */
  static Arbitrary<float[]> vector(int d) {
    List<Tuple.Tuple2<Integer, Arbitrary<float[]>>> f = new ArrayList<>();
    f.add(Tuple.of(50, ordinaryVector(d)));
    f.add(Tuple.of(15, anyComponent().list().ofSize(d).map(HostileGen::floats)));
    f.add(Tuple.of(5, Arbitraries.of(unitVectors(d))));
    if (on("tiny")) {
      f.add(
          Tuple.of(
              8,
              Combinators.combine(
                      ordinaryVector(d), Arbitraries.of(1e-30f, 1e-25f, 1e-20f, 1e-38f, 1e-42f))
                  .as(HostileGen::scaled)));
    }
    if (on("huge")) {
      f.add(
          Tuple.of(
              8,
              Combinators.combine(
                      ordinaryVector(d), Arbitraries.of(1e19f, 2e19f, 1e30f, 3e38f, 3.4e38f))
                  .as(HostileGen::scaled)));
    }
    f.add(Tuple.of(3, Arbitraries.of(new float[d], negativeZeros(d))));
    f.add(
        Tuple.of(
            3,
            Combinators.combine(
                    ordinaryVector(d),
                    Arbitraries.integers().between(0, d - 1),
                    Arbitraries.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY))
                .as(
                    (v, i, x) -> {
                      v[i] = x;
                      return v;
                    })));
    f.add(Tuple.of(2, Arbitraries.of(new float[d + 1], new float[] {})));
    return Arbitraries.frequencyOf(f.toArray(new Tuple.Tuple2[0]));
  }

  private static float[] floats(List<Float> l) {
    float[] v = new float[l.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = l.get(i);
    }
    return v;
  }

  private static float[] scaled(float[] v, float s) {
    float[] out = v.clone();
    boolean zero = true;
    for (int i = 0; i < out.length; i++) {
      out[i] *= s;
      zero &= out[i] == 0;
    }
    if (zero) {
      out[0] = s; // keep it non-zero: the point is the scale
    }
    return out;
  }

  private static List<float[]> unitVectors(int d) {
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < d; i++) {
      float[] v = new float[d];
      v[i] = 1;
      out.add(v);
    }
    return out;
  }

  private static float[] negativeZeros(int d) {
    float[] v = new float[d];
    java.util.Arrays.fill(v, -0.0f);
    return v;
  }

  // ---- payload values ---------------------------------------------------------------------

  static List<String> strings() {
    List<String> s =
        new ArrayList<>(
            List.of("red", "blue", "", "é", "\u0000", "x.y", "a b", "日本", "\u001b[31m", "Red"));
    if (on("surrogates")) {
      s.add("\ud800");
      s.add("a\udc00b");
    }
    return s;
  }

  static final BigInteger TWO_53 = BigInteger.ONE.shiftLeft(53);
  static final BigInteger TWO_63 = BigInteger.ONE.shiftLeft(63);

  /** Integers where double and long stop being exact. */
  static List<JsonNode> integers() {
    List<JsonNode> out = new ArrayList<>();
    for (long x : new long[] {0, 1, -1, 7, 1L << 31}) {
      out.add(LongNode.valueOf(x));
    }
    if (on("bigints")) {
      for (int d = -1; d <= 3; d++) {
        out.add(LongNode.valueOf((1L << 53) + d));
      }
      for (int d = -1; d <= 3; d++) {
        out.add(LongNode.valueOf(-(1L << 53) - d));
      }
      out.add(LongNode.valueOf(Long.MAX_VALUE));
      out.add(LongNode.valueOf(Long.MIN_VALUE));
      out.add(LongNode.valueOf(Long.MAX_VALUE - 1));
      out.add(BigIntegerNode.valueOf(TWO_63));
      out.add(BigIntegerNode.valueOf(TWO_63.negate().subtract(BigInteger.ONE)));
      out.add(BigIntegerNode.valueOf(BigInteger.ONE.shiftLeft(64)));
      out.add(BigIntegerNode.valueOf(BigInteger.TEN.pow(30)));
    }
    return out;
  }

  static List<JsonNode> doubles() {
    List<JsonNode> out = new ArrayList<>();
    for (double x :
        new double[] {
          0.5,
          -0.0,
          0.0,
          1.5,
          7.0,
          -1e300,
          1e300,
          Double.MIN_VALUE,
          9007199254740992.0,
          9.223372036854775807E18,
          9007199254740993.0,
          1e-300
        }) {
      out.add(DoubleNode.valueOf(x));
    }
    return out;
  }

  static Arbitrary<JsonNode> number() {
    return Arbitraries.frequencyOf(
        Tuple.of(60, integer()), Tuple.of(40, Arbitraries.of(doubles())));
  }

  /** Mostly the integers where double or long stop being exact. */
  static Arbitrary<JsonNode> integer() {
    List<JsonNode> all = integers();
    if (all.size() == 5) {
      return Arbitraries.of(all);
    }
    return Arbitraries.frequencyOf(
        Tuple.of(30, Arbitraries.of(all.subList(0, 5))),
        Tuple.of(35, Arbitraries.of(all.subList(5, 10))), // 2^53 - 1 … 2^53 + 3
        Tuple.of(35, Arbitraries.of(all)));
  }

  static Arbitrary<JsonNode> scalar() {
    return Arbitraries.frequencyOf(
        Tuple.of(35, Arbitraries.of(strings()).map(x -> (JsonNode) TextNode.valueOf(x))),
        Tuple.of(40, number()),
        Tuple.of(15, Arbitraries.of(BooleanNode.TRUE, BooleanNode.FALSE)),
        Tuple.of(10, Arbitraries.just(NullNode.getInstance())));
  }

  /** Payload keys filters name, each with its own kind of value; "x.y" is a literal dotted key. */
  static Arbitrary<ObjectNode> smallPayload() {
    return Combinators.combine(
            List.of(
                field("s", Arbitraries.of(strings()).map(x -> (JsonNode) TextNode.valueOf(x))),
                field("n", number()),
                field("b", Arbitraries.of(BooleanNode.TRUE, BooleanNode.FALSE)),
                field("tags", scalar().list().ofMaxSize(3).map(HostileGen::array)),
                field(
                    "obj",
                    Combinators.combine(number(), scalar())
                        .as(
                            (x, y) -> {
                              ObjectNode o = F.objectNode();
                              o.set("x", x);
                              o.set("y", y);
                              return (JsonNode) o;
                            })),
                field(
                    "arr",
                    number()
                        .list()
                        .ofMaxSize(3)
                        .map(
                            l -> {
                              ArrayNode a = F.arrayNode();
                              l.forEach(x -> a.addObject().set("x", x));
                              return (JsonNode) a;
                            })),
                field("x.y", number()),
                field("f", Arbitraries.of(doubles())),
                field("nul", Arbitraries.just(NullNode.getInstance()))))
        .as(
            fields -> {
              ObjectNode o = F.objectNode();
              for (Object[] kv : fields) {
                if (kv != null) {
                  o.set((String) kv[0], (JsonNode) kv[1]);
                }
              }
              return o;
            });
  }

  private static Arbitrary<Object[]> field(String key, Arbitrary<JsonNode> value) {
    return value.map(v -> new Object[] {key, v}).injectNull(0.5);
  }

  private static JsonNode array(List<JsonNode> l) {
    ArrayNode a = F.arrayNode();
    l.forEach(a::add);
    return a;
  }

  /** {"deep": {"a": {"a": … 1}}} with {@code depth} objects in all. */
  static ObjectNode deep(int depth) {
    ObjectNode top = F.objectNode();
    ObjectNode cur = top.putObject("deep");
    for (int i = 2; i < depth; i++) {
      cur = cur.putObject("a");
    }
    cur.put("a", 1);
    return top;
  }

  static ObjectNode wide(int keys) {
    ObjectNode o = F.objectNode();
    for (int i = 0; i < keys; i++) {
      o.put("w" + i, i % 3 == 0 ? "v" + i : null);
      if (i % 3 == 1) {
        o.put("w" + i, i);
      }
    }
    o.put("s", "wide");
    return o;
  }

  static Arbitrary<ObjectNode> payload() {
    List<Tuple.Tuple2<Integer, Arbitrary<ObjectNode>>> f = new ArrayList<>();
    f.add(Tuple.of(20, Arbitraries.just((ObjectNode) null)));
    f.add(Tuple.of(60, smallPayload()));
    if (on("deep")) {
      f.add(Tuple.of(4, Arbitraries.of(5, 30, 31, 32, 33, 40).map(HostileGen::deep)));
    }
    if (on("wide")) {
      f.add(Tuple.of(3, Arbitraries.of(100, 1000, 3000).map(HostileGen::wide)));
    }
    if (on("surrogates")) {
      f.add(
          Tuple.of(
              4,
              Arbitraries.of("\ud800", "k\udbff", "\udc00")
                  .map(
                      k -> {
                        ObjectNode o = F.objectNode();
                        o.put(k, 1);
                        o.put("s", "red");
                        return o;
                      })));
    }
    f.add(
        Tuple.of(
            2,
            Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY)
                .map(x -> F.objectNode().put("n", x))));
    if (on("costly")) {
      f.add(
          Tuple.of(
              1,
              Arbitraries.of(600_000, 1_200_000).map(n -> F.objectNode().put("s", "x".repeat(n)))));
    }
    return Arbitraries.frequencyOf(f.toArray(new Tuple.Tuple2[0]));
  }

  /** Payload merged by setPayload: never null (that is a separate, refused, case). */
  static Arbitrary<ObjectNode> payloadValues() {
    return Arbitraries.frequencyOf(
        Tuple.of(95, payload().filter(p -> p != null)),
        Tuple.of(5, Arbitraries.just((ObjectNode) null)));
  }

  // ---- filters ----------------------------------------------------------------------------

  static final List<String> FILTER_KEYS =
      List.of(
          "s", "n", "b", "tags", "obj.x", "obj.y", "arr.x", "x.y", "f", "nul", "missing", "deep.a");

  static Arbitrary<String> filterKey() {
    return filterKey(Arbitraries.of(FILTER_KEYS));
  }

  /** Keys that hold numbers: where ranges and integer matches meet values. */
  static final List<String> NUMERIC_KEYS =
      List.of("n", "n", "n", "f", "obj.x", "arr.x", "tags", "x.y");

  static final List<String> STRING_KEYS = List.of("s", "tags", "obj.y");

  /** Mostly {@code usual}, sometimes any key, sometimes a malformed one. */
  static Arbitrary<String> filterKey(Arbitrary<String> usual) {
    List<Tuple.Tuple2<Integer, Arbitrary<String>>> f = new ArrayList<>();
    f.add(Tuple.of(76, usual));
    f.add(Tuple.of(20, Arbitraries.of(FILTER_KEYS)));
    f.add(Tuple.of(2, Arbitraries.of("", "k".repeat(257))));
    if (on("surrogates")) {
      f.add(Tuple.of(2, Arbitraries.just("\ud800")));
    }
    return Arbitraries.frequencyOf(f.toArray(new Tuple.Tuple2[0]));
  }

  /** An index definition that fits the key's values, mostly. */
  static Arbitrary<HostileOp> createIndex() {
    return Arbitraries.frequencyOf(
        Tuple.of(
            35,
            Combinators.combine(
                    filterKey(Arbitraries.of(NUMERIC_KEYS)),
                    Arbitraries.of(PayloadIndexType.INTEGER, PayloadIndexType.FLOAT))
                .as(HostileOp.CreateIndex::new)),
        Tuple.of(
            15,
            filterKey(Arbitraries.of(STRING_KEYS))
                .map(k -> new HostileOp.CreateIndex(k, PayloadIndexType.KEYWORD))),
        Tuple.of(5, Arbitraries.just(new HostileOp.CreateIndex("b", PayloadIndexType.BOOL))),
        Tuple.of(
            10,
            Combinators.combine(
                    filterKey(), Arbitraries.of(PayloadIndexType.class).injectNull(0.05))
                .as(HostileOp.CreateIndex::new)));
  }

  static Arbitrary<JsonNode> matchValue() {
    return Arbitraries.frequencyOf(
        Tuple.of(40, Arbitraries.of(strings()).map(x -> (JsonNode) TextNode.valueOf(x))),
        Tuple.of(45, integer()),
        Tuple.of(12, Arbitraries.of(BooleanNode.TRUE, BooleanNode.FALSE)),
        Tuple.of(3, Arbitraries.of(doubles()))); // refused: match takes no floats
  }

  static Arbitrary<JsonNode> bound() {
    List<Tuple.Tuple2<Integer, Arbitrary<JsonNode>>> f = new ArrayList<>();
    f.add(
        Tuple.of(
            25,
            Arbitraries.of(0.0, -0.0, 0.5, 1.0, 7.0, -1.0, 1e300, Double.MIN_VALUE)
                .map(x -> (JsonNode) DoubleNode.valueOf(x))));
    if (on("bigints")) {
      // doubles next to 2^53 and 2^63, where the integers between them are not doubles
      f.add(
          Tuple.of(
              50,
              Arbitraries.of(
                      9007199254740990.0,
                      9007199254740992.0,
                      9007199254740992.0,
                      9007199254740994.0,
                      9007199254740994.0,
                      9007199254740996.0,
                      -9007199254740992.0,
                      -9007199254740994.0,
                      -9007199254740996.0,
                      9.223372036854775807E18,
                      -9.223372036854775808E18,
                      1.8446744073709552E19)
                  .map(x -> (JsonNode) DoubleNode.valueOf(x))));
    }
    if (on("intbounds")) {
      f.add(Tuple.of(20, integer()));
    }
    f.add(
        Tuple.of(
            2,
            Arbitraries.of(
                DoubleNode.valueOf(Double.NaN),
                TextNode.valueOf("1"),
                DoubleNode.valueOf(Double.NEGATIVE_INFINITY))));
    return Arbitraries.frequencyOf(f.toArray(new Tuple.Tuple2[0]));
  }

  static Arbitrary<JsonNode> leaf() {
    Arbitrary<JsonNode> match =
        Arbitraries.frequencyOf(
            Tuple.of(
                35,
                Combinators.combine(
                        filterKey(Arbitraries.of(STRING_KEYS)),
                        Arbitraries.of(strings()).map(x -> (JsonNode) TextNode.valueOf(x)))
                    .as(HostileGen::matchOf)),
            Tuple.of(
                35,
                Combinators.combine(filterKey(Arbitraries.of(NUMERIC_KEYS)), integer())
                    .as(HostileGen::matchOf)),
            Tuple.of(
                10,
                Combinators.combine(
                        filterKey(Arbitraries.just("b")),
                        Arbitraries.of((JsonNode) BooleanNode.TRUE, BooleanNode.FALSE))
                    .as(HostileGen::matchOf)),
            Tuple.of(20, Combinators.combine(filterKey(), matchValue()).as(HostileGen::matchOf)));
    Arbitrary<JsonNode> any =
        Combinators.combine(filterKey(), matchValue().list().ofMaxSize(5))
            .as(
                (k, vs) -> {
                  ObjectNode o = F.objectNode().put("key", k);
                  ArrayNode a = o.putObject("match").putArray("any");
                  vs.forEach(a::add);
                  return o;
                });
    Arbitrary<JsonNode> range =
        Combinators.combine(
                filterKey(Arbitraries.of(NUMERIC_KEYS)),
                bound().injectNull(0.5),
                bound().injectNull(0.6),
                bound().injectNull(0.5),
                bound().injectNull(0.6))
            .as(
                (k, gt, gte, lt, lte) -> {
                  ObjectNode o = F.objectNode().put("key", k);
                  ObjectNode r = o.putObject("range");
                  if (gt != null) {
                    r.set("gt", gt);
                  }
                  if (gte != null) {
                    r.set("gte", gte);
                  }
                  if (lt != null) {
                    r.set("lt", lt);
                  }
                  if (lte != null) {
                    r.set("lte", lte);
                  }
                  if (r.isEmpty()) {
                    r.put("lt", 7.0); // the empty range, refused, is among the malformed leaves
                  }
                  return o;
                });
    Arbitrary<JsonNode> exists =
        filterKey().map(k -> (JsonNode) wrap("exists", F.objectNode().put("key", k)));
    Arbitrary<JsonNode> isNull =
        filterKey().map(k -> (JsonNode) wrap("is_null", F.objectNode().put("key", k)));
    Arbitrary<JsonNode> hasId =
        id().list()
            .ofMaxSize(4)
            .map(
                l -> {
                  ObjectNode o = F.objectNode();
                  ArrayNode a = o.putArray("has_id");
                  l.forEach(a::add);
                  return (JsonNode) o;
                });
    return Arbitraries.frequencyOf(
        Tuple.of(25, match),
        Tuple.of(12, any),
        Tuple.of(25, range),
        Tuple.of(10, exists),
        Tuple.of(10, isNull),
        Tuple.of(10, hasId),
        Tuple.of(
            1,
            Arbitraries.of(
                (JsonNode) F.objectNode().put("key", "s"), // neither match nor range
                wrap("range", F.objectNode()).put("key", "n"),
                F.objectNode().put("nope", 1),
                wrap("exists", F.objectNode().put("key", "s").put("extra", 1)))));
  }

  private static JsonNode matchOf(String key, JsonNode value) {
    ObjectNode o = F.objectNode().put("key", key);
    o.putObject("match").set("value", value);
    return o;
  }

  private static ObjectNode wrap(String key, JsonNode inner) {
    ObjectNode o = F.objectNode();
    o.set(key, inner);
    return o;
  }

  static Arbitrary<JsonNode> condition(int depth) {
    if (depth == 0) {
      return leaf();
    }
    return Arbitraries.frequencyOf(Tuple.of(70, leaf()), Tuple.of(30, bool(depth - 1)));
  }

  static Arbitrary<JsonNode> bool(int depth) {
    Arbitrary<List<JsonNode>> part =
        Arbitraries.lazy(() -> condition(depth)).list().ofMaxSize(3).injectNull(0.3);
    return Combinators.combine(part, part, part)
        .as(
            (must, should, mustNot) -> {
              ObjectNode o = F.objectNode();
              if (must != null) {
                o.putArray("must").addAll(must);
              }
              if (should != null) {
                o.putArray("should").addAll(should);
              }
              if (mustNot != null || (must == null && should == null)) {
                o.putArray("must_not").addAll(mustNot == null ? List.of() : mustNot);
              }
              return o;
            });
  }

  /** Filters of every condition type, nested; many conditions, huge any lists, deep nesting. */
  static Arbitrary<JsonNode> filter() {
    List<Tuple.Tuple2<Integer, Arbitrary<JsonNode>>> f = new ArrayList<>();
    f.add(Tuple.of(50, bool(2)));
    f.add(Tuple.of(40, leaf()));
    if (on("costly")) {
      f.add(
          Tuple.of(
              3,
              leaf()
                  .list()
                  .ofMinSize(100)
                  .ofMaxSize(300)
                  .map(l -> (JsonNode) wrap("should", F.arrayNode().addAll(l)))));
      f.add(
          Tuple.of(
              3,
              Combinators.combine(filterKey(), Arbitraries.of(1000, 5000))
                  .as(
                      (k, n) -> {
                        ObjectNode o = F.objectNode().put("key", k);
                        ArrayNode a = o.putObject("match").putArray("any");
                        for (int i = 0; i < n; i++) {
                          if (i % 2 == 0) {
                            a.add("v" + i);
                          } else {
                            a.add(i);
                          }
                        }
                        a.add("red");
                        a.add(7);
                        return (JsonNode) o;
                      })));
    }
    if (on("deep")) {
      f.add(
          Tuple.of(
              2,
              Arbitraries.of(20, 40)
                  .map(
                      d -> {
                        JsonNode cur =
                            F.objectNode()
                                .put("key", "s")
                                .set("match", F.objectNode().put("value", "red"));
                        for (int i = 0; i < d; i++) {
                          cur = wrap("must", F.arrayNode().add(cur));
                        }
                        return cur;
                      })));
    }
    return Arbitraries.frequencyOf(f.toArray(new Tuple.Tuple2[0]));
  }

  static Arbitrary<JsonNode> optionalFilter() {
    return filter().injectNull(0.3);
  }

  // ---- operations -------------------------------------------------------------------------

  static Arbitrary<PointSpec> point(int d) {
    return Arbitraries.frequencyOf(
        Tuple.of(97, Combinators.combine(id(), vector(d), payload()).as(PointSpec::of)),
        Tuple.of(1, Arbitraries.just(new PointSpec(null, null, null, null, true))),
        Tuple.of(1, id().map(i -> new PointSpec(i, null, null, "some text", false))),
        Tuple.of(1, id().map(i -> new PointSpec(i, null, null, null, false))));
  }

  static Arbitrary<HostileOp> upsert(int d) {
    return Arbitraries.frequencyOf(
            Tuple.of(80, point(d).list().ofMinSize(1).ofMaxSize(5)),
            Tuple.of(14, point(d).list().ofMinSize(6).ofMaxSize(30)),
            Tuple.of(6, Arbitraries.just(List.<PointSpec>of())))
        .map(HostileOp.Upsert::new);
  }

  static Arbitrary<List<String>> payloadKeys() {
    List<String> keys =
        new ArrayList<>(List.of("s", "n", "tags", "x.y", "missing", "deep", "obj", "w1"));
    return Arbitraries.frequencyOf(
        Tuple.of(90, Arbitraries.of(keys).list().ofMinSize(1).ofMaxSize(3)),
        Tuple.of(
            4,
            Arbitraries.of(
                List.of(),
                List.of(""),
                List.of("k".repeat(257)),
                java.util.Arrays.asList("s", null))),
        Tuple.of(
            3,
            Arbitraries.of(1000, 1001)
                .map(
                    n -> {
                      List<String> l = new ArrayList<>();
                      for (int i = 0; i < n; i++) {
                        l.add("w" + i);
                      }
                      return l;
                    })),
        Tuple.of(3, Arbitraries.of(List.of("\ud800"), List.of("s", "\udbffk"))),
        Tuple.of(1, Arbitraries.just((List<String>) null)));
  }

  /** A search: k small or 1000, ef 0 or on its bounds, filters, thresholds, payload fields. */
  static Arbitrary<SearchSpec> searchSpec(int d) {
    Arbitrary<Integer> k =
        Arbitraries.frequencyOf(
            Tuple.of(90, Arbitraries.of(1, 2, 3, 5, 10, 50, 1000)),
            Tuple.of(10, Arbitraries.of(0, 1001)));
    Arbitrary<Integer> efChoice =
        Arbitraries.frequencyOf(
            Tuple.of(70, Arbitraries.just(0)), Tuple.of(30, Arbitraries.of(1, 2, 3, 4)));
    Arbitrary<List<String>> fields =
        Arbitraries.<List<String>>of(
                List.of("s"), List.of("n", "missing"), List.of("x.y", "tags"), List.of())
            .injectNull(0.7);
    Arbitrary<Float> threshold =
        Arbitraries.frequencyOf(
            Tuple.of(85, Arbitraries.just((Float) null)),
            Tuple.of(12, Arbitraries.of(0f, 0.5f, -0.5f, -1f, 1f, -10f)),
            Tuple.of(3, Arbitraries.of(Float.NaN, Float.POSITIVE_INFINITY)));
    return Combinators.combine(
            Arbitraries.frequencyOf(
                Tuple.of(97, vector(d)), Tuple.of(3, Arbitraries.just((float[]) null))),
            k,
            efChoice,
            optionalFilter(),
            Arbitraries.of(true, false),
            fields,
            Arbitraries.of(false, false, true),
            threshold)
        .as(
            (v, kk, e, f, wp, pf, wv, t) -> {
              int ef =
                  switch (e) {
                    case 1 -> kk;
                    case 2 -> SearchRequest.MAX_EF;
                    case 3 -> kk - 1; // below k: refused unless k = 1 (then 0: the default)
                    case 4 -> SearchRequest.MAX_EF + 1;
                    default -> 0;
                  };
              String text = v == null ? "a query as text" : null;
              return new SearchSpec(v, text, kk, ef, f, wp, pf, wv, t);
            });
  }

  static Arbitrary<HostileOp> search(int d) {
    return Arbitraries.frequencyOf(
            Tuple.of(80, searchSpec(d).list().ofSize(1)),
            Tuple.of(15, searchSpec(d).list().ofMinSize(2).ofMaxSize(5)),
            Tuple.of(3, Arbitraries.just(List.<SearchSpec>of())),
            Tuple.of(
                2,
                searchSpec(d)
                    .list()
                    .ofSize(100)
                    .map(
                        l ->
                            l.stream()
                                .map(
                                    s ->
                                        new SearchSpec(
                                            s.vector(),
                                            s.text(),
                                            1000,
                                            0,
                                            s.filter(),
                                            true,
                                            null,
                                            true,
                                            null))
                                .toList())))
        .map(HostileOp.Search::new);
  }

  static Arbitrary<HostileOp> op(int d) {
    return Arbitraries.frequencyOf(
        Tuple.of(200, upsert(d)),
        Tuple.of(1, Arbitraries.just(new HostileOp.BigBatch(Collection.MAX_BATCH + 1))),
        Tuple.of(45, ids().map(HostileOp.DeleteIds::new)),
        Tuple.of(35, filter().injectNull(0.05).map(HostileOp.DeleteFilter::new)),
        Tuple.of(
            40,
            Combinators.combine(ids(), payloadValues())
                .as((i, v) -> new HostileOp.SetPayload(i, null, v))),
        Tuple.of(
            25,
            Combinators.combine(filter(), payloadValues())
                .as((f, v) -> new HostileOp.SetPayload(null, f, v))),
        Tuple.of(
            25, Combinators.combine(ids(), payloadValues()).as(HostileOp.OverwritePayload::new)),
        Tuple.of(
            20,
            Combinators.combine(ids(), payloadKeys())
                .as((i, k) -> new HostileOp.DeletePayloadKeys(i, null, k))),
        Tuple.of(
            20,
            Combinators.combine(filter(), payloadKeys())
                .as((f, k) -> new HostileOp.DeletePayloadKeys(null, f, k))),
        Tuple.of(
            50, Combinators.combine(ids(), Arbitraries.of(true, false)).as(HostileOp.Get::new)),
        Tuple.of(70, optionalFilter().map(HostileOp.Count::new)),
        Tuple.of(
            40,
            Combinators.combine(
                    optionalFilter(),
                    id().injectNull(0.8),
                    Arbitraries.frequencyOf(
                        Tuple.of(95, Arbitraries.of(1, 2, 3, 7, 100, 10_000)),
                        Tuple.of(5, Arbitraries.of(0, 10_001))),
                    Arbitraries.of(true, false))
                .as(HostileOp.Scroll::new)),
        Tuple.of(110, search(d)),
        Tuple.of(60, createIndex()),
        Tuple.of(15, filterKey().map(HostileOp.DropIndex::new)),
        Tuple.of(20, Arbitraries.just(new HostileOp.Checkpoint())),
        Tuple.of(12, Arbitraries.just(new HostileOp.Compact())),
        Tuple.of(35, Arbitraries.just(new HostileOp.Reopen())),
        Tuple.of(10, Arbitraries.of(true, false).map(HostileOp.SnapshotRestore::new)),
        Tuple.of(4, Arbitraries.just(new HostileOp.Recreate())));
  }

  static Arbitrary<Setup> setup() {
    return Combinators.combine(
            Arbitraries.of(1, 2, 3, 8),
            Arbitraries.of(Metric.class),
            Arbitraries.frequencyOf(
                Tuple.of(85, Arbitraries.just(Durability.INTERVAL)),
                Tuple.of(15, Arbitraries.just(Durability.FSYNC))),
            Arbitraries.of(4, 16),
            Arbitraries.of(Segments.DEFAULT_CHECKPOINT_BYTES, 4_000L, 40_000L))
        .as((d, m, dur, hm, cb) -> new Setup(d, m, dur, hm, hm * 4, cb));
  }

  /** A setup and up to {@code maxOps} operations on it. */
  static Arbitrary<HostileOp.Sequence> sequence(int maxOps) {
    return setup()
        .flatMap(
            s ->
                Combinators.combine(
                        Combinators.combine(
                                Arbitraries.of(PayloadIndexType.INTEGER, PayloadIndexType.FLOAT)
                                    .map(t -> (HostileOp) new HostileOp.CreateIndex("n", t))
                                    .injectNull(0.4),
                                createIndex().list().ofMaxSize(3))
                            .as(
                                (n, more) -> {
                                  List<HostileOp> l = new ArrayList<>(more);
                                  if (n != null) {
                                    l.add(0, n);
                                  }
                                  return l;
                                }),
                        op(s.dimension())
                            .list()
                            .ofMinSize(1)
                            .ofMaxSize(maxOps)
                            .withSizeDistribution(RandomDistribution.uniform()))
                    .as(
                        (indexes, ops) -> {
                          // Most sequences start by indexing a few keys, so that indexed and
                          // unindexed filters meet the same values.
                          List<HostileOp> all = new ArrayList<>(indexes);
                          all.addAll(ops);
                          return new HostileOp.Sequence(s, all);
                        }));
  }

  /** Writes only, for the crash property: a child JVM runs them and is killed mid-way. */
  static Arbitrary<HostileCrash.Run> crashRun(int maxWrites) {
    return setup()
        .flatMap(
            s ->
                Combinators.combine(
                        op(s.dimension())
                            .filter(HostileOp::isWrite)
                            .list()
                            .ofMinSize(2)
                            .ofMaxSize(maxWrites)
                            .withSizeDistribution(RandomDistribution.uniform()),
                        Arbitraries.integers().between(0, 25).list().ofMinSize(1).ofMaxSize(3))
                    .as((writes, kills) -> new HostileCrash.Run(s, writes, kills)));
  }

  /**
   * Points with payloads, payload indexes, then many filtered reads (count, scroll, a search of
   * every point): where an index narrows a filter wrongly, the model notices.
   */
  static Arbitrary<HostileOp.Sequence> indexedReads() {
    Arbitrary<HostileOp> read =
        Arbitraries.frequencyOf(
            Tuple.of(80, filter().map(f -> (HostileOp) new HostileOp.Count(f))),
            Tuple.of(10, filter().map(f -> (HostileOp) new HostileOp.Scroll(f, null, 1000, false))),
            Tuple.of(
                10,
                filter()
                    .map(
                        f ->
                            (HostileOp)
                                new HostileOp.Search(
                                    List.of(
                                        new SearchSpec(
                                            new float[] {1},
                                            null,
                                            1000,
                                            0,
                                            f,
                                            true,
                                            null,
                                            false,
                                            null))))));
    // Every key indexed or not, mostly with the type its values have.
    List<Arbitrary<HostileOp>> defs = new ArrayList<>();
    for (String key : List.of("n", "f", "obj.x", "arr.x", "tags", "x.y")) {
      defs.add(indexOn(key, PayloadIndexType.INTEGER, PayloadIndexType.FLOAT));
    }
    defs.add(indexOn("s", PayloadIndexType.KEYWORD, PayloadIndexType.KEYWORD));
    defs.add(indexOn("b", PayloadIndexType.BOOL, PayloadIndexType.BOOL));
    return Combinators.combine(
            Arbitraries.of(Metric.class),
            Combinators.combine(
                    Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(3),
                    ordinaryVector(1).filter(v -> v[0] != 0),
                    smallPayload().injectNull(0.1))
                .as(PointSpec::of)
                .list()
                .ofMinSize(10)
                .ofMaxSize(40),
            Combinators.combine(defs).as(l -> l),
            read.list().ofMinSize(100).ofMaxSize(200))
        .as(
            (metric, points, indexes, reads) -> {
              List<HostileOp> ops = new ArrayList<>();
              ops.add(new HostileOp.Upsert(points));
              indexes.stream().filter(x -> x != null).forEach(ops::add);
              ops.addAll(reads);
              return new HostileOp.Sequence(
                  new Setup(
                      1, metric, Durability.INTERVAL, 16, 64, Segments.DEFAULT_CHECKPOINT_BYTES),
                  ops);
            });
  }

  private static Arbitrary<HostileOp> indexOn(
      String key, PayloadIndexType fits, PayloadIndexType alsoFits) {
    return Arbitraries.frequencyOf(
            Tuple.of(35, Arbitraries.just(fits)),
            Tuple.of(35, Arbitraries.just(alsoFits)),
            Tuple.of(10, Arbitraries.of(PayloadIndexType.class)))
        .map(t -> (HostileOp) new HostileOp.CreateIndex(key, t))
        .injectNull(0.2);
  }
}
