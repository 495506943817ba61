package dev.byhand.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.vector.Metric;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a user expects of a collection, written as plainly as possible and independently of the
 * store's code: a sorted map id → (vector, payload), the payload index definitions, filters
 * evaluated by walking the JSON, scores computed in double.
 *
 * <p>Where a user could reasonably accept either a refusal or an answer (a lone surrogate in an id,
 * a vector whose norm is near the limits of float, a filter of thousands of conditions), the check
 * says {@link V#MAYBE}: the store may refuse it with {@link InvalidRequestException}, and if it
 * does not, every later answer must be right.
 */
final class HostileModel {

  /** Validity of a request: accepted, may be refused with InvalidRequestException, refused. */
  enum V {
    OK,
    MAYBE,
    BAD;

    V and(V o) {
      return compareTo(o) >= 0 ? this : o;
    }
  }

  /** A stored point as given by the user. */
  record Stored(float[] vector, ObjectNode payload) {}

  static final int MAX_ID_BYTES = 256;

  final HostileOp.Setup setup;
  final TreeMap<String, Stored> points = new TreeMap<>();
  final TreeMap<String, PayloadIndexType> indexes = new TreeMap<>();

  HostileModel(HostileOp.Setup setup) {
    this.setup = setup;
  }

  HostileModel copy() {
    HostileModel m = new HostileModel(setup);
    m.points.putAll(points);
    m.indexes.putAll(indexes);
    return m;
  }

  // ---- validity ---------------------------------------------------------------------------

  static boolean hasLoneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
          continue;
        }
        return true;
      }
      if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  /** A point id: non-empty, at most 256 bytes of UTF-8; a lone surrogate has no UTF-8 at all. */
  static V id(String id) {
    if (id == null || id.isEmpty()) {
      return V.BAD;
    }
    if (!hasLoneSurrogate(id)) {
      return id.getBytes(StandardCharsets.UTF_8).length <= MAX_ID_BYTES ? V.OK : V.BAD;
    }
    // Not UTF-8: refusing is right; keeping it exactly is fine too. Its length is counted with
    // one to three bytes per lone surrogate, whichever way a store would count it.
    int least = 0;
    for (int i = 0; i < id.length(); i++) {
      int cp = id.codePointAt(i);
      boolean lone = cp <= 0xFFFF && Character.isSurrogate((char) cp);
      least += lone ? 1 : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      i += Character.charCount(cp) - 1;
    }
    return least > MAX_ID_BYTES ? V.BAD : V.MAYBE;
  }

  static V ids(List<String> ids) {
    if (ids == null) {
      return V.BAD;
    }
    V v = V.OK;
    for (String id : ids) {
      v = v.and(id(id));
    }
    return v;
  }

  /**
   * A vector: right dimension, finite; for cosine not all zeros. Components far from 1 (denormal,
   * tiny, huge) make float arithmetic on it overflow or underflow, so a store may refuse it; if it
   * takes it, it must store and score it right.
   */
  V vector(float[] v) {
    if (v == null || v.length != setup.dimension()) {
      return V.BAD;
    }
    boolean zero = true;
    boolean extreme = false;
    for (float x : v) {
      if (!Float.isFinite(x)) {
        return V.BAD;
      }
      if (x != 0) {
        zero = false;
        float a = Math.abs(x);
        extreme |= a < 1e-6f || a > 1e6f;
      }
    }
    if (zero && setup.metric() == Metric.COSINE) {
      return V.BAD;
    }
    return extreme ? V.MAYBE : V.OK;
  }

  /** A payload: a JSON object, at most 32 levels, finite numbers, at most 1 MiB. */
  static V payload(ObjectNode p) {
    if (p == null) {
      return V.OK;
    }
    V v = walk(p, 1);
    int bytes = Json.bytes(p).length; // roughly what a user counts; the exact limit is a MAYBE
    if (bytes > (Json.MAX_PAYLOAD_BYTES * 11L) / 10) {
      return V.BAD;
    }
    if (bytes > (Json.MAX_PAYLOAD_BYTES * 9L) / 10) {
      v = v.and(V.MAYBE);
    }
    return v;
  }

  /** Containers deeper than 32 are refused; a scalar inside the 32nd is on the line. */
  private static V walk(JsonNode n, int depth) {
    if (n.isContainerNode()) {
      if (depth > Json.MAX_DEPTH) {
        return V.BAD;
      }
      V v = V.OK;
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (hasLoneSurrogate(e.getKey())) {
          v = v.and(V.MAYBE);
        }
      }
      for (JsonNode c : n) {
        v = v.and(walk(c, depth + 1));
      }
      return v;
    }
    V v = depth > Json.MAX_DEPTH ? V.MAYBE : V.OK;
    if (n.isFloatingPointNumber() && !Double.isFinite(n.doubleValue())) {
      return V.BAD;
    }
    if (n.isTextual() && hasLoneSurrogate(n.textValue())) {
      v = v.and(V.MAYBE);
    }
    return v;
  }

  /** A payload key as {@code deletePayloadKeys} and index definitions take it. */
  static V key(String k) {
    if (k == null || k.isEmpty() || k.length() > 256) {
      return V.BAD;
    }
    return hasLoneSurrogate(k) ? V.MAYBE : V.OK;
  }

  static V keys(List<String> keys) {
    if (keys == null || keys.isEmpty() || keys.size() > 1000) {
      return V.BAD;
    }
    V v = V.OK;
    for (String k : keys) {
      v = v.and(key(k));
    }
    return v;
  }

  /** Conditions and {@code any} values a filter may hold before a store may call it too costly. */
  static final int CHEAP_CONDITIONS = 64;

  static final int CHEAP_ANY = 256;

  /** A filter in the documented JSON shape; see {@link Filter}. */
  static V filter(JsonNode f) {
    int[] conditions = {0};
    V v = condition(f, 0, conditions);
    if (conditions[0] > CHEAP_CONDITIONS) {
      v = v.and(V.MAYBE);
    }
    return v;
  }

  private static V condition(JsonNode n, int depth, int[] count) {
    count[0]++;
    if (depth > Json.MAX_DEPTH) {
      return V.BAD;
    }
    if (n == null || !n.isObject()) {
      return V.BAD;
    }
    if (n.has("must") || n.has("should") || n.has("must_not")) {
      V v = only(n, Set.of("must", "should", "must_not"));
      for (String part : List.of("must", "should", "must_not")) {
        JsonNode list = n.get(part);
        if (list == null) {
          continue;
        }
        if (!list.isArray()) {
          return V.BAD;
        }
        for (JsonNode c : list) {
          v = v.and(condition(c, depth + 1, count));
        }
      }
      return v;
    }
    if (n.has("has_id")) {
      V v = only(n, Set.of("has_id"));
      JsonNode ids = n.get("has_id");
      if (!ids.isArray()) {
        return V.BAD;
      }
      for (JsonNode id : ids) {
        if (!id.isTextual()) {
          return V.BAD;
        }
        // An id no point can have matches nothing; a store may also refuse it.
        v = v.and(id(id.textValue()) == V.OK ? V.OK : V.MAYBE);
      }
      if (ids.size() > CHEAP_ANY) {
        v = v.and(V.MAYBE);
      }
      return v;
    }
    if (n.has("exists") || n.has("is_null")) {
      String kind = n.has("exists") ? "exists" : "is_null";
      V v = only(n, Set.of(kind));
      JsonNode inner = n.get(kind);
      if (inner == null || !inner.isObject() || inner.size() != 1 || !inner.has("key")) {
        return V.BAD;
      }
      return v.and(filterKey(inner.get("key")));
    }
    if (n.has("key")) {
      V v = filterKey(n.get("key"));
      if (n.has("match")) {
        v = v.and(only(n, Set.of("key", "match")));
        JsonNode m = n.get("match");
        if (m == null || !m.isObject() || m.size() != 1) {
          return V.BAD;
        }
        if (m.has("value")) {
          return v.and(matchValue(m.get("value")));
        }
        if (m.has("any")) {
          JsonNode any = m.get("any");
          if (!any.isArray()) {
            return V.BAD;
          }
          for (JsonNode x : any) {
            v = v.and(matchValue(x));
          }
          return any.size() > CHEAP_ANY ? v.and(V.MAYBE) : v;
        }
        return V.BAD;
      }
      if (n.has("range")) {
        v = v.and(only(n, Set.of("key", "range")));
        JsonNode r = n.get("range");
        if (r == null || !r.isObject() || r.isEmpty()) {
          return V.BAD;
        }
        v = v.and(only(r, Set.of("gt", "gte", "lt", "lte")));
        for (JsonNode b : r) {
          if (b.isNull()) {
            continue;
          }
          if (!b.isNumber() || (b.isFloatingPointNumber() && !Double.isFinite(b.doubleValue()))) {
            return V.BAD;
          }
        }
        return v;
      }
      return V.BAD;
    }
    return V.BAD;
  }

  private static V only(JsonNode n, Set<String> allowed) {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      if (!allowed.contains(it.next())) {
        return V.BAD;
      }
    }
    return V.OK;
  }

  private static V filterKey(JsonNode k) {
    if (k == null || !k.isTextual()) {
      return V.BAD;
    }
    return key(k.textValue());
  }

  private static V matchValue(JsonNode v) {
    if (v == null || !(v.isTextual() || v.isIntegralNumber() || v.isBoolean())) {
      return V.BAD;
    }
    return v.isTextual() && hasLoneSurrogate(v.textValue()) ? V.MAYBE : V.OK;
  }

  // ---- filters, as documented: dotted paths, any element of an array ----------------------

  static boolean test(JsonNode f, String id, ObjectNode payload) {
    if (f.has("must") || f.has("should") || f.has("must_not")) {
      for (JsonNode c : list(f.get("must"))) {
        if (!test(c, id, payload)) {
          return false;
        }
      }
      for (JsonNode c : list(f.get("must_not"))) {
        if (test(c, id, payload)) {
          return false;
        }
      }
      List<JsonNode> should = list(f.get("should"));
      if (should.isEmpty()) {
        return true;
      }
      for (JsonNode c : should) {
        if (test(c, id, payload)) {
          return true;
        }
      }
      return false;
    }
    if (f.has("has_id")) {
      for (JsonNode x : f.get("has_id")) {
        if (x.textValue().equals(id)) {
          return true;
        }
      }
      return false;
    }
    if (f.has("exists")) {
      return values(payload, f.get("exists").get("key").textValue()).stream()
          .anyMatch(v -> !v.isNull());
    }
    if (f.has("is_null")) {
      return values(payload, f.get("is_null").get("key").textValue()).stream()
          .anyMatch(JsonNode::isNull);
    }
    String key = f.get("key").textValue();
    List<JsonNode> vals = values(payload, key);
    if (f.has("match")) {
      JsonNode m = f.get("match");
      List<JsonNode> wanted = m.has("value") ? List.of(m.get("value")) : list(m.get("any"));
      for (JsonNode v : vals) {
        for (JsonNode w : wanted) {
          if (equalScalar(v, w)) {
            return true;
          }
        }
      }
      return false;
    }
    JsonNode r = f.get("range");
    for (JsonNode v : vals) {
      if (v.isNumber() && inRange(v, r)) {
        return true;
      }
    }
    return false;
  }

  private static List<JsonNode> list(JsonNode n) {
    List<JsonNode> out = new ArrayList<>();
    if (n != null) {
      n.forEach(out::add);
    }
    return out;
  }

  /** Values at a dotted path; arrays met on the way (or at the end) stand for their elements. */
  static List<JsonNode> values(ObjectNode payload, String key) {
    List<JsonNode> cur = new ArrayList<>();
    if (payload == null) {
      return cur;
    }
    cur.add(payload);
    for (String part : key.split("\\.", -1)) {
      List<JsonNode> next = new ArrayList<>();
      for (JsonNode n : elements(cur)) {
        if (n.isObject() && n.has(part)) {
          next.add(n.get(part));
        }
      }
      cur = next;
    }
    return elements(cur);
  }

  private static List<JsonNode> elements(List<JsonNode> nodes) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode n : nodes) {
      if (n.isArray()) {
        n.forEach(out::add);
      } else {
        out.add(n);
      }
    }
    return out;
  }

  /** Match: same string, same integer (by value, whatever its width), same boolean. */
  private static boolean equalScalar(JsonNode v, JsonNode w) {
    if (w.isTextual()) {
      return v.isTextual() && v.textValue().equals(w.textValue());
    }
    if (w.isBoolean()) {
      return v.isBoolean() && v.booleanValue() == w.booleanValue();
    }
    return v.isIntegralNumber() && v.bigIntegerValue().equals(w.bigIntegerValue());
  }

  /** Exact comparison of the number with each bound, integers of any size included. */
  private static boolean inRange(JsonNode v, JsonNode r) {
    BigDecimal x = exact(v);
    return bound(r.get("gt"), b -> x.compareTo(b) > 0)
        && bound(r.get("gte"), b -> x.compareTo(b) >= 0)
        && bound(r.get("lt"), b -> x.compareTo(b) < 0)
        && bound(r.get("lte"), b -> x.compareTo(b) <= 0);
  }

  private static boolean bound(JsonNode b, java.util.function.Predicate<BigDecimal> holds) {
    return b == null || b.isNull() || holds.test(exact(b));
  }

  static BigDecimal exact(JsonNode n) {
    return n.isIntegralNumber()
        ? new BigDecimal(n.bigIntegerValue())
        : new BigDecimal(n.doubleValue());
  }

  List<String> matching(JsonNode filter) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, Stored> e : points.entrySet()) {
      if (filter == null || test(filter, e.getKey(), e.getValue().payload())) {
        out.add(e.getKey());
      }
    }
    return out;
  }

  // ---- scores -----------------------------------------------------------------------------

  /** The exact score of a stored vector against a query, in double. */
  double score(float[] stored, float[] query) {
    double s = 0;
    switch (setup.metric()) {
      case DOT -> {
        for (int i = 0; i < stored.length; i++) {
          s += (double) stored[i] * query[i];
        }
      }
      case L2 -> {
        for (int i = 0; i < stored.length; i++) {
          double d = (double) stored[i] - query[i];
          s -= d * d;
        }
      }
      case COSINE -> {
        double na = 0;
        double nb = 0;
        for (int i = 0; i < stored.length; i++) {
          s += (double) stored[i] * query[i];
          na += (double) stored[i] * stored[i];
          nb += (double) query[i] * query[i];
        }
        s /= Math.sqrt(na) * Math.sqrt(nb);
      }
    }
    return s;
  }

  /**
   * How far a float computation of the score may fairly be from the exact one: a relative error of
   * 1e-4 of the magnitudes summed (float keeps 24 bits), plus what underflow costs.
   */
  double tolerance(float[] stored, float[] query) {
    double scale = 0;
    switch (setup.metric()) {
      case DOT -> {
        for (int i = 0; i < stored.length; i++) {
          scale += Math.abs((double) stored[i] * query[i]);
        }
      }
      case L2 -> {
        for (int i = 0; i < stored.length; i++) {
          scale += (double) stored[i] * stored[i] + (double) query[i] * query[i];
        }
      }
      case COSINE -> scale = 1;
    }
    return 1e-4 * scale + 1e-30;
  }

  /** Whether a float score the store returned is the exact score, within tolerance. */
  static boolean scoreMatches(float got, double exact, double tolerance) {
    if (Float.isNaN(got)) {
      return false;
    }
    if (Math.abs(exact) > Float.MAX_VALUE) { // the true score overflows float
      return Math.signum(got) == Math.signum(exact) && Math.abs(got) >= 3e38f;
    }
    return Float.isFinite(got) && Math.abs(got - exact) <= tolerance;
  }

  /** The vector a store should hand back: as given, or normalised (in double) for cosine. */
  float[] expectedStored(float[] v) {
    if (setup.metric() != Metric.COSINE) {
      return v;
    }
    double n = 0;
    for (float x : v) {
      n += (double) x * x;
    }
    n = Math.sqrt(n);
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / n);
    }
    return out;
  }

  boolean vectorMatches(float[] got, float[] given) {
    if (got == null || got.length != given.length) {
      return false;
    }
    float[] want = expectedStored(given);
    for (int i = 0; i < want.length; i++) {
      if (setup.metric() == Metric.COSINE
          ? !(Math.abs(got[i] - want[i]) <= 1e-6 + 1e-5 * Math.abs(want[i]))
          : got[i] != want[i]) {
        return false;
      }
    }
    return true;
  }

  // ---- payload equality -------------------------------------------------------------------

  /**
   * Payload equality as a user sees it: objects as maps, integers by value (an int read back as a
   * long is the same), floats by value, and no payload the same as an empty one.
   */
  static boolean samePayload(ObjectNode a, ObjectNode b) {
    boolean ea = a == null || a.isEmpty();
    boolean eb = b == null || b.isEmpty();
    if (ea || eb) {
      return ea && eb;
    }
    return sameJson(a, b);
  }

  static boolean sameJson(JsonNode a, JsonNode b) {
    if (a.isObject() && b.isObject()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode o = b.get(e.getKey());
        if (o == null || !sameJson(e.getValue(), o)) {
          return false;
        }
      }
      return true;
    }
    if (a.isArray() && b.isArray()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (!sameJson(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a.isIntegralNumber() && b.isIntegralNumber()) {
      return a.bigIntegerValue().equals(b.bigIntegerValue());
    }
    if (a.isFloatingPointNumber() && b.isFloatingPointNumber()) {
      return a.doubleValue() == b.doubleValue();
    }
    if (a.isNumber() || b.isNumber()) {
      return false;
    }
    return a.equals(b);
  }

  /** The top-level keys of a payload a search asked for. */
  static ObjectNode select(ObjectNode payload, List<String> fields) {
    if (payload == null || fields == null) {
      return payload;
    }
    ObjectNode out = Json.MAPPER.createObjectNode();
    for (String f : fields) {
      if (payload.has(f)) {
        out.set(f, payload.get(f));
      }
    }
    return out;
  }

  // ---- applying writes --------------------------------------------------------------------

  void upsert(List<HostileOp.PointSpec> batch) {
    for (HostileOp.PointSpec p : batch) {
      points.put(p.id(), new Stored(p.vector().clone(), copy(p.payload())));
    }
  }

  int delete(List<String> ids) {
    int n = 0;
    for (String id : new java.util.LinkedHashSet<>(ids)) {
      if (points.remove(id) != null) {
        n++;
      }
    }
    return n;
  }

  /** Kinds of payload change. */
  enum PayloadChange {
    SET,
    OVERWRITE,
    DELETE_KEYS
  }

  void changePayload(List<String> ids, PayloadChange how, ObjectNode values, List<String> keys) {
    for (String id : ids) {
      Stored s = points.get(id);
      ObjectNode next;
      if (how == PayloadChange.OVERWRITE) {
        next = values.deepCopy();
      } else {
        next = s.payload() == null ? Json.MAPPER.createObjectNode() : s.payload().deepCopy();
        if (how == PayloadChange.SET) {
          next.setAll(values.deepCopy());
        } else {
          next.remove(keys);
        }
      }
      points.put(id, new Stored(s.vector(), next));
    }
  }

  private static ObjectNode copy(ObjectNode p) {
    return p == null ? null : p.deepCopy();
  }
}
