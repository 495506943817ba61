package dev.byhand.vector;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One node's neighbours on one level: parallel {@code int[]} / {@code float[]} sorted by score,
 * best first, with room for one more than the level's maximum degree so insert-then-prune never
 * reallocates (as Lucene's {@code NeighborArray}).
 *
 * <p>Writers hold this object's monitor and wrap every change in a sequence count (odd while a
 * change is in progress). Searchers read without the monitor through {@link #copyNodes}: copy,
 * then check the count did not move, else retry (a seqlock). Taking the monitor on every read
 * halved build throughput with two threads (the lock word's cache line bounced between cores).
 */
final class NeighborArray {

  private static final VarHandle VERSION;

  static {
    try {
      VERSION = MethodHandles.lookup().findVarHandle(NeighborArray.class, "version", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Optimistic reads retried this often before falling back to the monitor. */
  private static final int OPTIMISTIC_TRIES = 8;

  final int[] nodes;
  final float[] scores;
  int size;
  private volatile int version;

  NeighborArray(int maxDegree) {
    nodes = new int[maxDegree + 1];
    scores = new float[maxDegree + 1];
  }

  boolean contains(int node) {
    for (int i = 0; i < size; i++) {
      if (nodes[i] == node) {
        return true;
      }
    }
    return false;
  }

  /**
   * Copies the neighbour ids into {@code dst} (length at least the capacity) without taking the
   * monitor unless a writer keeps interfering, and returns how many there are. The copy is a
   * consistent snapshot, and the nodes it names were created before it was taken.
   */
  int copyNodes(int[] dst) {
    for (int attempt = 0; attempt < OPTIMISTIC_TRIES; attempt++) {
      int v = version;
      if ((v & 1) == 0) {
        int n = Math.min(size, dst.length);
        System.arraycopy(nodes, 0, dst, 0, n);
        VarHandle.loadLoadFence(); // the copy is read before the version is read again
        if ((int) VERSION.getVolatile(this) == v) {
          return n;
        }
      }
      Thread.onSpinWait();
    }
    synchronized (this) {
      System.arraycopy(nodes, 0, dst, 0, size);
      return size;
    }
  }

  private void beginWrite() {
    assert Thread.holdsLock(this);
    version = version + 1;
    VarHandle.storeStoreFence(); // the odd count is visible before any change
  }

  private void endWrite() {
    version = version + 1;
  }

  /** Inserts keeping the order; the caller holds the monitor and made room. */
  void insertSorted(int node, float score) {
    assert size < nodes.length : "neighbour array full";
    beginWrite();
    int i = size;
    while (i > 0 && scores[i - 1] < score) {
      nodes[i] = nodes[i - 1];
      scores[i] = scores[i - 1];
      i--;
    }
    nodes[i] = node;
    scores[i] = score;
    size++;
    endWrite();
  }

  void removeAt(int index) {
    beginWrite();
    System.arraycopy(nodes, index + 1, nodes, index, size - index - 1);
    System.arraycopy(scores, index + 1, scores, index, size - index - 1);
    size--;
    endWrite();
  }

  /** Replaces the content with {@code n} entries already sorted best first. */
  void set(int[] newNodes, float[] newScores, int n) {
    assert n < nodes.length;
    beginWrite();
    System.arraycopy(newNodes, 0, nodes, 0, n);
    System.arraycopy(newScores, 0, scores, 0, n);
    size = n;
    endWrite();
  }
}
