package dev.byhand.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
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

    /**
     * Value → points. Keys are {@link #keyOf}'s: Strings, Booleans, or numbers in {@link Numbers}'
     * canonical form ordered exactly (so a range over them never rounds an integer to a double).
     */
    final ConcurrentSkipListMap<Object, RoaringBitmap> postings;

    /**
     * Points with a non-null value this index does not hold at this key (a string under a numeric
     * index, a float under an integer one): checked one by one for any condition they may pass.
     */
    volatile RoaringBitmap others = new RoaringBitmap();

    Field(PayloadIndexType type) {
      this.type = type;
      this.postings =
          new ConcurrentSkipListMap<>(
              type == PayloadIndexType.INTEGER || type == PayloadIndexType.FLOAT
                  ? PayloadIndexes::compareNumbers
                  : PayloadIndexes::compare);
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

  /**
   * The index key for a JSON value, or null if this index does not hold values of its kind. Numbers
   * are keyed by their exact canonical form ({@link Numbers#canonical}): equal values, and only
   * they, share a key, whether written 3, 3.0 or 3e0 (and −0.0 is 0).
   */
  private static Object keyOf(PayloadIndexType type, JsonNode v) {
    return switch (type) {
      case KEYWORD -> v.isTextual() ? v.textValue() : null;
      case INTEGER -> v.isIntegralNumber() ? Numbers.canonical(v) : null;
      case FLOAT -> Numbers.canonical(v); // null for non-numbers
      case BOOL -> v.isBoolean() ? v.booleanValue() : null;
    };
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int compare(Object a, Object b) {
    return ((Comparable) a).compareTo(b);
  }

  private static int compareNumbers(Object a, Object b) {
    return Numbers.compare((Number) a, (Number) b);
  }

  /**
   * Points that may pass {@code filter}: a superset of those that do, or null when the indexes
   * cannot narrow it (no indexed condition in a {@code must} position).
   *
   * @param idOrdinals looks up a point id's ordinal, for {@code has_id}
   */
  RoaringBitmap candidates(Filter filter, java.util.function.Function<String, Integer> idOrdinals) {
    if (filter instanceof Filter.WithDeadline d) {
      return candidates(d.filter(), idOrdinals);
    }
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
      // An integer index keeps floats among "others": they may be in range, check them one by
      // one. A float index keeps only non-numbers there, which no range passes.
      RoaringBitmap out =
          f.type == PayloadIndexType.INTEGER ? f.others.clone() : new RoaringBitmap();
      for (RoaringBitmap p : range(f.postings, r).values()) {
        out.or(p);
      }
      return out;
    }
    return null;
  }

  /**
   * Points whose value at {@code key} may equal one of {@code values}: the postings of each value
   * this index holds, plus the points holding values of other kinds when a value is of a kind the
   * index does not hold (a string matched on an integer index). Exact, and a superset: a float
   * index also returns 3.0 for 3, which the filter then tells apart.
   */
  private RoaringBitmap match(String key, List<JsonNode> values) {
    Field f = fields.get(key);
    if (f == null) {
      return null;
    }
    RoaringBitmap out = new RoaringBitmap();
    boolean others = false;
    for (JsonNode v : values) {
      Object k = keyOf(f.type, v);
      if (k == null) {
        if (!others) {
          out.or(f.others);
          others = true;
        }
        continue;
      }
      RoaringBitmap p = f.postings.get(k);
      if (p != null) {
        out.or(p);
      }
    }
    return out;
  }

  /**
   * The postings of numbers in {@code r}. Keys and bounds are both exact canonical numbers, so a
   * fractional bound on an integer index, or an integer bound beyond 2^53 on a float one, selects
   * exactly the keys the filter's own comparison would pass.
   */
  private static NavigableMap<Object, RoaringBitmap> range(
      ConcurrentSkipListMap<Object, RoaringBitmap> postings, Filter.Range r) {
    Number lo = null;
    boolean loIn = true;
    if (r.gt() != null) {
      lo = r.gt();
      loIn = false;
    }
    if (r.gte() != null && (lo == null || Numbers.compare(r.gte(), lo) > 0)) {
      lo = r.gte(); // a tighter bound; on a tie the exclusive gt stays
      loIn = true;
    }
    Number hi = null;
    boolean hiIn = true;
    if (r.lt() != null) {
      hi = r.lt();
      hiIn = false;
    }
    if (r.lte() != null && (hi == null || Numbers.compare(r.lte(), hi) < 0)) {
      hi = r.lte();
      hiIn = true;
    }
    if (lo != null && hi != null) {
      int c = Numbers.compare(lo, hi);
      if (c > 0 || (c == 0 && !(loIn && hiIn))) {
        return Collections.emptyNavigableMap();
      }
      return postings.subMap(lo, loIn, hi, hiIn);
    }
    if (lo != null) {
      return postings.tailMap(lo, loIn);
    }
    if (hi != null) {
      return postings.headMap(hi, hiIn);
    }
    return postings;
  }
}
