package dev.byhand.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.roaringbitmap.RoaringBitmap;

/**
 * Inverted indexes over payload keys: for each indexed key, value → bitmap of point ordinals. They
 * narrow a filter to candidate points; the filter itself is still checked on each candidate, so an
 * index only ever makes a search faster, never different.
 *
 * <p><b>Concurrency.</b> A published bitmap is never changed: writers (under the collection's write
 * lock) gather a write's changes in a {@link Batch} and publish one new bitmap per touched value,
 * so readers take no lock and never see a bitmap mid-change.
 */
final class PayloadIndexes {

  /** One key's index. */
  private static final class Field {
    final PayloadIndexType type;

    /** Value → points; values are String, Long, Double or Boolean according to the type. */
    final ConcurrentSkipListMap<Object, RoaringBitmap> postings =
        new ConcurrentSkipListMap<>(PayloadIndexes::compare);

    /** Points with a value of another type at this key (checked one by one for ranges). */
    volatile RoaringBitmap others = new RoaringBitmap();

    Field(PayloadIndexType type) {
      this.type = type;
    }
  }

  private final ConcurrentHashMap<String, Field> fields = new ConcurrentHashMap<>();

  /** The indexed keys and their types. */
  Map<String, PayloadIndexType> definitions() {
    Map<String, PayloadIndexType> out = new HashMap<>();
    fields.forEach((k, f) -> out.put(k, f.type));
    return out;
  }

  boolean isEmpty() {
    return fields.isEmpty();
  }

  /**
   * A copy sharing this one's indexes plus a new one for {@code key}, filled from {@code points}
   * before it is returned (so no reader ever sees it half-built). Call under the write lock.
   */
  PayloadIndexes with(String key, PayloadIndexType type, Map<Integer, ObjectNode> points) {
    PayloadIndexes next = new PayloadIndexes();
    next.fields.putAll(fields);
    PayloadIndexes only = new PayloadIndexes();
    only.fields.put(key, new Field(type));
    Batch b = only.batch();
    points.forEach(b::add);
    b.commit();
    next.fields.putAll(only.fields);
    return next;
  }

  /** A copy without the index of {@code key}. */
  PayloadIndexes without(String key) {
    PayloadIndexes next = new PayloadIndexes();
    next.fields.putAll(fields);
    next.fields.remove(key);
    return next;
  }

  /** Empty indexes of the same keys and types, filled from {@code points}. */
  PayloadIndexes rebuilt(Map<Integer, ObjectNode> points) {
    PayloadIndexes next = new PayloadIndexes();
    fields.forEach((k, f) -> next.fields.put(k, new Field(f.type)));
    Batch b = next.batch();
    points.forEach(b::add);
    b.commit();
    return next;
  }

  /** Changes gathered during one write, published by {@link #commit}. */
  final class Batch {
    private final Map<Field, Map<Object, RoaringBitmap[]>> changes = new HashMap<>();
    private final Map<Field, RoaringBitmap[]> otherChanges = new HashMap<>();

    void add(int ordinal, ObjectNode payload) {
      visit(ordinal, payload, 0);
    }

    void remove(int ordinal, ObjectNode payload) {
      visit(ordinal, payload, 1);
    }

    private void visit(int ordinal, ObjectNode payload, int which) {
      if (payload == null || fields.isEmpty()) {
        return;
      }
      for (Map.Entry<String, Field> e : fields.entrySet()) {
        Field f = e.getValue();
        for (JsonNode v : Payloads.values(payload, e.getKey())) {
          Object key = keyOf(f.type, v);
          RoaringBitmap[] slot;
          if (key != null) {
            slot =
                changes.computeIfAbsent(f, x -> new HashMap<>()).computeIfAbsent(key, x -> pair());
          } else if (!v.isNull()) {
            slot = otherChanges.computeIfAbsent(f, x -> pair());
          } else {
            continue;
          }
          slot[which].add(ordinal);
          slot[1 - which].remove(ordinal);
        }
      }
    }

    /** Publishes every change: one new bitmap per touched value. */
    void commit() {
      for (Map.Entry<Field, Map<Object, RoaringBitmap[]>> fe : changes.entrySet()) {
        Field f = fe.getKey();
        for (Map.Entry<Object, RoaringBitmap[]> ve : fe.getValue().entrySet()) {
          RoaringBitmap old = f.postings.get(ve.getKey());
          RoaringBitmap next = old == null ? new RoaringBitmap() : old.clone();
          next.andNot(ve.getValue()[1]);
          next.or(ve.getValue()[0]);
          next.runOptimize();
          if (next.isEmpty()) {
            f.postings.remove(ve.getKey());
          } else {
            f.postings.put(ve.getKey(), next);
          }
        }
      }
      for (Map.Entry<Field, RoaringBitmap[]> oe : otherChanges.entrySet()) {
        RoaringBitmap next = oe.getKey().others.clone();
        next.andNot(oe.getValue()[1]);
        next.or(oe.getValue()[0]);
        oe.getKey().others = next;
      }
      changes.clear();
      otherChanges.clear();
    }
  }

  private static RoaringBitmap[] pair() {
    return new RoaringBitmap[] {new RoaringBitmap(), new RoaringBitmap()};
  }

  Batch batch() {
    return new Batch();
  }

  /** The index key for a JSON value, or null if this index does not hold values of its kind. */
  private static Object keyOf(PayloadIndexType type, JsonNode v) {
    return switch (type) {
      case KEYWORD -> v.isTextual() ? v.textValue() : null;
      case INTEGER -> v.isIntegralNumber() && v.canConvertToLong() ? v.longValue() : null;
      case FLOAT -> v.isNumber() ? v.doubleValue() + 0.0 : null; // + 0.0 turns −0.0 into 0.0
      case BOOL -> v.isBoolean() ? v.booleanValue() : null;
    };
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int compare(Object a, Object b) {
    return ((Comparable) a).compareTo(b);
  }

  /**
   * Points that may pass {@code filter}: a superset of those that do, or null when the indexes
   * cannot narrow it (no indexed condition in a {@code must} position).
   *
   * @param idOrdinals looks up a point id's ordinal, for {@code has_id}
   */
  RoaringBitmap candidates(Filter filter, java.util.function.Function<String, Integer> idOrdinals) {
    if (filter instanceof Filter.Bool b) {
      RoaringBitmap acc = null;
      for (Filter f : b.must()) {
        RoaringBitmap c = candidates(f, idOrdinals);
        if (c != null) {
          acc = acc == null ? c.clone() : RoaringBitmap.and(acc, c);
        }
      }
      if (!b.should().isEmpty()) {
        RoaringBitmap any = new RoaringBitmap();
        for (Filter f : b.should()) {
          RoaringBitmap c = candidates(f, idOrdinals);
          if (c == null) {
            any = null;
            break;
          }
          any.or(c);
        }
        if (any != null) {
          acc = acc == null ? any : RoaringBitmap.and(acc, any);
        }
      }
      return acc;
    }
    if (filter instanceof Filter.HasId h) {
      RoaringBitmap out = new RoaringBitmap();
      for (String id : h.ids()) {
        Integer ord = idOrdinals.apply(id);
        if (ord != null) {
          out.add(ord);
        }
      }
      return out;
    }
    if (filter instanceof Filter.Match m) {
      return match(m.key(), List.of(m.value()));
    }
    if (filter instanceof Filter.MatchAny m) {
      return match(m.key(), m.values());
    }
    if (filter instanceof Filter.Range r) {
      Field f = fields.get(r.key());
      if (f == null || (f.type != PayloadIndexType.INTEGER && f.type != PayloadIndexType.FLOAT)) {
        return null;
      }
      NavigableMap<Object, RoaringBitmap> range =
          f.type == PayloadIndexType.FLOAT ? doubleRange(f, r) : longRange(f, r);
      RoaringBitmap out = f.others.clone(); // values of other types are checked one by one
      for (RoaringBitmap p : range.values()) {
        out.or(p);
      }
      return out;
    }
    return null;
  }

  private RoaringBitmap match(String key, List<JsonNode> values) {
    Field f = fields.get(key);
    if (f == null) {
      return null;
    }
    RoaringBitmap out = new RoaringBitmap();
    for (JsonNode v : values) {
      Object k = keyOf(f.type, v);
      if (f.type == PayloadIndexType.FLOAT || k == null) {
        // A float index cannot tell integers apart exactly, and a value of another type than the
        // index's sits among "others": no narrowing, check every point.
        return null;
      }
      if (k != null) {
        RoaringBitmap p = f.postings.get(k);
        if (p != null) {
          out.or(p);
        }
      }
    }
    return out;
  }

  private static NavigableMap<Object, RoaringBitmap> doubleRange(Field f, Filter.Range r) {
    NavigableMap<Object, RoaringBitmap> m = f.postings;
    double lo = Double.NEGATIVE_INFINITY;
    boolean loIn = true;
    if (r.gt() != null) {
      lo = r.gt();
      loIn = false;
    }
    if (r.gte() != null && (r.gte() > lo || (r.gte() == lo && loIn))) {
      lo = r.gte();
      loIn = true;
    }
    double hi = Double.POSITIVE_INFINITY;
    boolean hiIn = true;
    if (r.lt() != null) {
      hi = r.lt();
      hiIn = false;
    }
    if (r.lte() != null && (r.lte() < hi || (r.lte() == hi && hiIn))) {
      hi = r.lte();
      hiIn = true;
    }
    if (lo > hi || (lo == hi && !(loIn && hiIn))) {
      return new java.util.TreeMap<>();
    }
    // Keys are stored without −0.0 (see keyOf); bounds get the same treatment, since primitive
    // comparison (the filter's) has −0.0 == 0.0 but Double.compareTo does not.
    return m.subMap(lo + 0.0, loIn, hi + 0.0, hiIn);
  }

  private static NavigableMap<Object, RoaringBitmap> longRange(Field f, Filter.Range r) {
    // Integers x with x > gt, x >= gte, x < lt, x <= lte, as inclusive long bounds.
    double lo = Double.NEGATIVE_INFINITY;
    if (r.gt() != null) {
      lo = Math.max(lo, Math.floor(r.gt()) + 1);
    }
    if (r.gte() != null) {
      lo = Math.max(lo, Math.ceil(r.gte()));
    }
    double hi = Double.POSITIVE_INFINITY;
    if (r.lt() != null) {
      hi = Math.min(hi, Math.ceil(r.lt()) - 1);
    }
    if (r.lte() != null) {
      hi = Math.min(hi, Math.floor(r.lte()));
    }
    if (lo > hi) {
      return new java.util.TreeMap<>();
    }
    long from = lo <= Long.MIN_VALUE ? Long.MIN_VALUE : (long) lo;
    long to = hi >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) hi;
    return f.postings.subMap(from, true, to, true);
  }
}
