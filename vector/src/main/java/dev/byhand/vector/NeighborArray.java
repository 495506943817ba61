package dev.byhand.vector;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One node's neighbours on one level, sorted by score, best first, with room for one more than the
 * level's maximum degree so insert-then-prune never reallocates (as Lucene's {@code
 * NeighborArray}).
 *
 * <p>The list lives in a slab: {@code slab[base]} is a sequence count, {@code slab[base + 1]} the
 * size, then the neighbour ids; the scores sit at {@code scoreSlab[scoreBase ...]}. Level-0 lists
 * share one slab per chunk of nodes ({@link HnswGraph}), so a search reads a node's neighbours with
 * one dependent load from the chunk instead of four (node, levels, this object, its array); that
 * was worth 8–10 % of single-thread queries per second on 116k × 384. Lists of the upper levels
 * (one node in {@code m}) own small slabs.
 *
 * <p>Writers hold this object's monitor and wrap every change in the sequence count (odd while a
 * change is in progress). Searchers read without the monitor through {@link #tryCopy}: copy, then
 * check the count did not move, else retry (a seqlock). Taking the monitor on every read halved
 * build throughput with two threads (the lock word's cache line bounced between cores).
 */
final class NeighborArray {

  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(int[].class);

  /** Ints before the ids: the sequence count and the size. */
  static final int HEADER = 2;

  /** Optimistic reads retried this often before falling back to the monitor. */
  private static final int OPTIMISTIC_TRIES = 8;

  private final int[] slab;
  private final float[] scoreSlab;
  private final int base;
  private final int scoreBase;
  private final int capacity;

  /** A list with its own slab, for up to {@code maxDegree} neighbours (plus the one over). */
  NeighborArray(int maxDegree) {
    this(new int[stride(maxDegree)], new float[maxDegree + 1], 0, 0, maxDegree);
  }

  /** A list inside shared slabs, at {@code base} ({@link #stride} ints) and {@code scoreBase}. */
  NeighborArray(int[] slab, float[] scoreSlab, int base, int scoreBase, int maxDegree) {
    this.slab = slab;
    this.scoreSlab = scoreSlab;
    this.base = base;
    this.scoreBase = scoreBase;
    this.capacity = maxDegree + 1;
  }

  /** Ints one list of {@code maxDegree} takes in a slab. */
  static int stride(int maxDegree) {
    return HEADER + maxDegree + 1;
  }

  int size() {
    return slab[base + 1];
  }

  int node(int i) {
    return slab[base + HEADER + i];
  }

  float score(int i) {
    return scoreSlab[scoreBase + i];
  }

  /** Ids and scores this list holds room for (heap accounting). */
  int capacity() {
    return capacity;
  }

  boolean contains(int node) {
    int end = base + HEADER + size();
    for (int i = base + HEADER; i < end; i++) {
      if (slab[i] == node) {
        return true;
      }
    }
    return false;
  }

  /**
   * Copies the neighbour ids into {@code dst} (length at least the capacity) without taking the
   * monitor unless writers keep interfering, and returns how many there are. The copy is a
   * consistent snapshot, and the nodes it names were created before it was taken.
   */
  int copyNodes(int[] dst) {
    int n = tryCopy(slab, base, dst);
    if (n >= 0) {
      return n;
    }
    synchronized (this) {
      n = size();
      System.arraycopy(slab, base + HEADER, dst, 0, n);
      return n;
    }
  }

  /**
   * The optimistic read of the list at {@code slab[base]}: the number of ids copied into {@code
   * dst}, or −1 if writers kept changing it (the caller then copies under the list's monitor).
   */
  static int tryCopy(int[] slab, int base, int[] dst) {
    for (int attempt = 0; attempt < OPTIMISTIC_TRIES; attempt++) {
      int v = (int) SLOT.getVolatile(slab, base);
      if ((v & 1) == 0) {
        int n = Math.min(slab[base + 1], dst.length);
        System.arraycopy(slab, base + HEADER, dst, 0, n);
        VarHandle.loadLoadFence(); // the copy is read before the count is read again
        if ((int) SLOT.getVolatile(slab, base) == v) {
          return n;
        }
      }
      Thread.onSpinWait();
    }
    return -1;
  }

  private void beginWrite() {
    assert Thread.holdsLock(this);
    SLOT.setVolatile(slab, base, slab[base] + 1);
    VarHandle.storeStoreFence(); // the odd count is visible before any change
  }

  private void endWrite() {
    SLOT.setVolatile(slab, base, slab[base] + 1);
  }

  /** Inserts keeping the order; the caller holds the monitor and made room. */
  void insertSorted(int node, float score) {
    int size = size();
    assert size < capacity : "neighbour array full";
    beginWrite();
    int ids = base + HEADER;
    int i = size;
    while (i > 0 && scoreSlab[scoreBase + i - 1] < score) {
      slab[ids + i] = slab[ids + i - 1];
      scoreSlab[scoreBase + i] = scoreSlab[scoreBase + i - 1];
      i--;
    }
    slab[ids + i] = node;
    scoreSlab[scoreBase + i] = score;
    slab[base + 1] = size + 1;
    endWrite();
  }

  void removeAt(int index) {
    int size = size();
    beginWrite();
    int ids = base + HEADER;
    System.arraycopy(slab, ids + index + 1, slab, ids + index, size - index - 1);
    System.arraycopy(
        scoreSlab, scoreBase + index + 1, scoreSlab, scoreBase + index, size - index - 1);
    slab[base + 1] = size - 1;
    endWrite();
  }

  /** Replaces the content with {@code n} entries already sorted best first. */
  void set(int[] newNodes, float[] newScores, int n) {
    assert n < capacity;
    beginWrite();
    System.arraycopy(newNodes, 0, slab, base + HEADER, n);
    System.arraycopy(newScores, 0, scoreSlab, scoreBase, n);
    slab[base + 1] = n;
    endWrite();
  }
}
