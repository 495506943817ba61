package dev.byhand.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.vector.HnswIndex;
import dev.byhand.vector.VectorCheck;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * What a collection holds in memory, and the one function that changes it: {@link #apply}, run for
 * live writes and for recovery alike.
 *
 * <p>Readers take the collection's current state once per call (a compaction swaps in a new one,
 * renumbering every point) and read it without a lock: the id map, the point table and the graph
 * are concurrent structures, and payloads are never changed in place. Writers call {@link #apply}
 * under the collection's write lock.
 */
final class CollectionState {

  /** A point's id and payload (immutable: a payload write puts a new row). */
  record Row(String id, ObjectNode payload) {}

  final HnswIndex index;
  final ConcurrentSkipListMap<String, Integer> ordinals = new ConcurrentSkipListMap<>();
  final ConcurrentHashMap<Integer, Row> rows = new ConcurrentHashMap<>();
  volatile PayloadIndexes payloadIndexes;

  /**
   * Ids written while a compaction rebuilds this state's graph, or null when none runs; the
   * compaction re-applies them to the new state. Guarded by the write lock.
   */
  Set<String> touched;

  CollectionState(HnswIndex index, PayloadIndexes payloadIndexes) {
    this.index = index;
    this.payloadIndexes = payloadIndexes;
  }

  /** Live points. */
  int size() {
    return ordinals.size();
  }

  /**
   * Applies one record. Everything that can fail for the record's contents (vectors, payload
   * merges) is computed before anything changes, so a record whose contents cannot be applied
   * leaves the state as it was; the store's write checks refuse such contents before they are
   * logged, so here that can only be a bug or a damaged log.
   */
  void apply(LogRecord record) {
    if (record instanceof LogRecord.Upsert u) {
      upsert(u.points());
    } else if (record instanceof LogRecord.Delete d) {
      PayloadIndexes.Batch batch = payloadIndexes.batch();
      for (String id : d.ids()) {
        Integer ord = ordinals.remove(id);
        if (ord != null) {
          removeRow(batch, ord);
          index.delete(ord);
        }
      }
      batch.commit();
    } else if (record instanceof LogRecord.SetPayload p) {
      putPayloads(p.ids(), old -> merged(old, p.values()));
    } else if (record instanceof LogRecord.OverwritePayload p) {
      putPayloads(p.ids(), old -> p.payload().deepCopy());
    } else if (record instanceof LogRecord.DeletePayloadKeys p) {
      putPayloads(
          p.ids(),
          old -> {
            ObjectNode next = old == null ? Json.MAPPER.createObjectNode() : old.deepCopy();
            next.remove(p.keys());
            return next;
          });
    }
  }

  static ObjectNode merged(ObjectNode old, ObjectNode values) {
    ObjectNode next = old == null ? Json.MAPPER.createObjectNode() : old.deepCopy();
    next.setAll(values.deepCopy());
    return next;
  }

  private void upsert(List<LogRecord.Entry> points) {
    // 1. Nothing changes until every vector is in the form the index stores.
    int d = index.dimension();
    float[][] prepared = new float[points.size()][];
    for (int i = 0; i < prepared.length; i++) {
      prepared[i] =
          VectorCheck.prepare(points.get(i).vector(), d, index.metric(), "points[" + i + "]");
    }
    // 2. Replace existing points one by one; add new ones as a batch (the index decides how).
    PayloadIndexes.Batch batch = payloadIndexes.batch();
    List<Integer> fresh = new ArrayList<>();
    for (int i = 0; i < prepared.length; i++) {
      LogRecord.Entry e = points.get(i);
      Integer old = ordinals.get(e.id());
      if (old != null) {
        int ord = index.update(old, prepared[i]);
        putRow(batch, ord, new Row(e.id(), e.payload()));
        ordinals.put(e.id(), ord);
        removeRow(batch, old);
      } else {
        fresh.add(i);
      }
    }
    if (!fresh.isEmpty()) {
      float[][] vectors = new float[fresh.size()][];
      for (int j = 0; j < vectors.length; j++) {
        vectors[j] = prepared[fresh.get(j)];
      }
      int[] ords = index.addBatch(vectors);
      for (int j = 0; j < ords.length; j++) {
        LogRecord.Entry e = points.get(fresh.get(j));
        putRow(batch, ords[j], new Row(e.id(), e.payload()));
        ordinals.put(e.id(), ords[j]);
      }
    }
    batch.commit();
  }

  private interface PayloadChange {
    ObjectNode next(ObjectNode old);
  }

  private void putPayloads(List<String> ids, PayloadChange change) {
    Map<Integer, Row> next = new HashMap<>();
    for (String id : ids) {
      Integer ord = ordinals.get(id);
      if (ord != null) {
        next.put(ord, new Row(id, change.next(rows.get(ord).payload())));
      }
    }
    PayloadIndexes.Batch batch = payloadIndexes.batch();
    next.forEach((ord, row) -> putRow(batch, ord, row));
    batch.commit();
  }

  private void putRow(PayloadIndexes.Batch batch, int ordinal, Row row) {
    if (touched != null) {
      touched.add(row.id());
    }
    Row old = rows.put(ordinal, row);
    if (old != null) {
      batch.remove(ordinal, old.payload());
    }
    batch.add(ordinal, row.payload());
  }

  private void removeRow(PayloadIndexes.Batch batch, int ordinal) {
    Row old = rows.remove(ordinal);
    if (old != null) {
      if (touched != null) {
        touched.add(old.id());
      }
      batch.remove(ordinal, old.payload());
    }
  }

  /** Payloads by ordinal, for building payload indexes. */
  Map<Integer, ObjectNode> payloads() {
    Map<Integer, ObjectNode> out = new HashMap<>();
    rows.forEach(
        (ord, row) -> {
          if (row.payload() != null) {
            out.put(ord, row.payload());
          }
        });
    return out;
  }
}
