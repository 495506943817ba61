package dev.byhand.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.vector.HnswIndex;
import dev.byhand.vector.SearchResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import org.roaringbitmap.RoaringBitmap;

/**
 * The reads of a collection, over one {@link CollectionState} taken once per call: no locks, and no
 * mixing of a state's ordinals with another's.
 */
final class Queries {

  /**
   * Why 2,000: scoring 2,000 vectors exactly costs about what an HNSW walk scores at ef 100–200,
   * and is exact; below it, an index-narrowed filter skips the graph.
   */
  static final int EXACT_LIMIT = 2_000;

  private Queries() {}

  static Point read(CollectionState st, String id, boolean withVector) {
    Integer ord = st.ordinals.get(id);
    if (ord == null) {
      return null;
    }
    CollectionState.Row row = st.rows.get(ord);
    if (row == null) {
      return null; // deleted between the two lookups
    }
    return new Point(id, withVector ? st.index.vector(ord) : null, null, row.payload());
  }

  static List<Point> get(CollectionState st, List<String> ids, boolean withVector) {
    List<Point> out = new ArrayList<>(ids.size());
    for (String id : ids) {
      Point p = read(st, id, withVector);
      if (p != null) {
        out.add(p);
      }
    }
    return out;
  }

  static long count(CollectionState st, Filter filter) {
    if (filter == null) {
      return st.ordinals.size();
    }
    long n = 0;
    for (CollectionState.Row row : candidates(st, filter)) {
      if (filter.test(row.id(), row.payload())) {
        n++;
      }
    }
    return n;
  }

  static Page scroll(
      CollectionState st, Filter filter, String cursor, int limit, boolean withVector) {
    Map<String, Integer> view = cursor == null ? st.ordinals : st.ordinals.tailMap(cursor, true);
    List<Point> out = new ArrayList<>();
    for (Iterator<String> it = view.keySet().iterator(); it.hasNext(); ) {
      String id = it.next();
      if (out.size() == limit) {
        return new Page(out, id);
      }
      Integer ord = st.ordinals.get(id);
      CollectionState.Row row = ord == null ? null : st.rows.get(ord);
      if (row != null && (filter == null || filter.test(id, row.payload()))) {
        out.add(new Point(id, withVector ? st.index.vector(ord) : null, null, row.payload()));
      }
    }
    return new Page(out, null);
  }

  /** The ids of the points passing {@code filter}. */
  static List<String> matching(CollectionState st, Filter filter) {
    List<String> ids = new ArrayList<>();
    for (CollectionState.Row row : candidates(st, filter)) {
      if (filter.test(row.id(), row.payload())) {
        ids.add(row.id());
      }
    }
    return ids;
  }

  /**
   * One search against {@code query} (already embedded). A hit's payload is the row the filter
   * passed, read once: a payload write racing the search can't return a payload the filter refused.
   */
  static List<ScoredPoint> search(CollectionState st, SearchRequest r, float[] query) {
    HnswIndex idx = st.index;
    Filter filter = r.filter();
    RoaringBitmap narrowed =
        filter == null ? null : st.payloadIndexes.candidates(filter, st.ordinals::get);
    Map<Integer, CollectionState.Row> passed = filter == null ? null : new HashMap<>();
    IntPredicate accept =
        ord -> {
          if (narrowed != null && !narrowed.contains(ord)) {
            return false;
          }
          CollectionState.Row row = st.rows.get(ord);
          if (row == null || (filter != null && !filter.test(row.id(), row.payload()))) {
            return false;
          }
          if (passed != null) {
            passed.put(ord, row);
          }
          return true;
        };
    // A filter the indexes narrow to few points is served by scoring just those exactly.
    boolean small = narrowed != null && narrowed.getCardinality() <= Math.max(EXACT_LIMIT, r.k());
    List<SearchResult> hits;
    if (small) {
      hits = idx.searchExact(query, r.k(), accept);
    } else if (filter == null) {
      // Unfiltered: the graph's own walk, the fast path. A hit without a row is a write still in
      // flight (not acknowledged); if one shows up, search again excluding such points.
      hits = idx.search(query, r.k(), r.effectiveEf());
      for (SearchResult h : hits) {
        if (!st.rows.containsKey(h.ordinal())) {
          hits = idx.search(query, r.k(), r.effectiveEf(), accept);
          break;
        }
      }
    } else {
      hits = idx.search(query, r.k(), r.effectiveEf(), accept);
    }
    List<ScoredPoint> scored = new ArrayList<>(hits.size());
    for (SearchResult h : hits) {
      if (r.scoreThreshold() != null && !(h.score() >= r.scoreThreshold())) {
        break; // hits come best first
      }
      CollectionState.Row row = passed != null ? passed.get(h.ordinal()) : st.rows.get(h.ordinal());
      if (row == null) {
        continue; // deleted while we searched
      }
      scored.add(
          new ScoredPoint(
              row.id(),
              h.score(),
              r.withPayload() ? select(row.payload(), r.payloadFields()) : null,
              r.withVector() ? idx.vector(h.ordinal()) : null));
    }
    return scored;
  }

  /**
   * The payload a hit answers with: the stored one itself, or a new object sharing the stored
   * values of the fields asked for (a hit's {@code payload()} copies on demand).
   */
  private static ObjectNode select(ObjectNode payload, List<String> fields) {
    if (payload == null || fields == null) {
      return payload;
    }
    ObjectNode out = Json.MAPPER.createObjectNode();
    for (String f : fields) {
      JsonNode v = payload.get(f);
      if (v != null) {
        out.set(f, v);
      }
    }
    return out;
  }

  /** The rows a filter may pass: narrowed by payload indexes where they apply, else all. */
  private static Iterable<CollectionState.Row> candidates(CollectionState st, Filter filter) {
    RoaringBitmap c = st.payloadIndexes.candidates(filter, st.ordinals::get);
    if (c == null) {
      return st.rows.values();
    }
    List<CollectionState.Row> out = new ArrayList<>(c.getCardinality());
    c.forEach(
        (int ord) -> {
          CollectionState.Row row = st.rows.get(ord);
          if (row != null) {
            out.add(row);
          }
        });
    return out;
  }
}
