package dev.byhand.store;

import dev.byhand.vector.HnswIndex;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Rebuilding a state's graph from its live points, so that tombstones stop slowing searches:
 *
 * <ol>
 *   <li>{@link #Compaction} (under the write lock): note the live points and start recording the
 *       ids written from now on;
 *   <li>{@link #build} (no lock): build a new graph from those points as they were (the old graph
 *       never forgets a vector, so reading them races nothing);
 *   <li>{@link #finish} (under the write lock): drop from it the points written since, add their
 *       current versions, and return the new state (id map, point table, payload indexes) for the
 *       collection to swap in at once. The next checkpoint writes the compacted segment.
 * </ol>
 */
final class Compaction {

  private final CollectionState from;
  private final List<String> ids;
  private final int[] oldOrdinals;

  /** Call under the write lock. */
  Compaction(CollectionState from) {
    this.from = from;
    this.ids = new ArrayList<>(from.ordinals.keySet());
    this.oldOrdinals = new int[ids.size()];
    for (int i = 0; i < oldOrdinals.length; i++) {
      oldOrdinals[i] = from.ordinals.get(ids.get(i));
    }
    from.touched = new HashSet<>();
  }

  /** The state being compacted. */
  CollectionState from() {
    return from;
  }

  /** Builds the new graph into {@code fresh} (an empty index of the collection's settings). */
  int[] build(HnswIndex fresh) {
    float[][] vectors = new float[ids.size()][];
    for (int i = 0; i < vectors.length; i++) {
      vectors[i] = from.index.vector(oldOrdinals[i]);
    }
    return vectors.length == 0
        ? new int[0]
        : fresh.addAll(vectors, Runtime.getRuntime().availableProcessors());
  }

  /** The compacted state, with the writes made since the start applied. Call under the lock. */
  CollectionState finish(HnswIndex fresh, int[] ords) {
    Set<String> touched = from.touched;
    CollectionState next = new CollectionState(fresh, null);
    for (int i = 0; i < ids.size(); i++) {
      if (touched.contains(ids.get(i))) {
        fresh.delete(ords[i]);
      } else {
        next.ordinals.put(ids.get(i), ords[i]);
        next.rows.put(ords[i], from.rows.get(oldOrdinals[i]));
      }
    }
    for (String id : touched) {
      Integer current = from.ordinals.get(id);
      if (current != null) {
        int ord = fresh.add(from.index.vector(current));
        next.ordinals.put(id, ord);
        next.rows.put(ord, from.rows.get(current));
      }
    }
    next.payloadIndexes = from.payloadIndexes.rebuilt(next.payloads());
    from.touched = null;
    return next;
  }

  /** Gives up: the old state stays in use. Call under the lock. */
  void abandon() {
    from.touched = null;
  }
}
