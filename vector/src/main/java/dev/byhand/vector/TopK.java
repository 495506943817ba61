package dev.byhand.vector;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The k best (ordinal, score) pairs seen so far (seed step [10]): a bounded min-heap of packed
 * {@code long}s, the score's sortable bits high and the complemented ordinal low, so that no object
 * is allocated per scored vector and equal scores rank the smaller ordinal first. Not thread-safe;
 * reuse one per thread with {@link #clear()}.
 */
public final class TopK {

  private final int k;
  private final long[] heap;
  private int size;

  /**
   * @param k how many results to keep, at least 1
   */
  public TopK(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k: must be at least 1, got " + k);
    }
    this.k = k;
    this.heap = new long[k];
  }

  /** Forgets everything offered so far. */
  public void clear() {
    size = 0;
  }

  /** How many results are held, at most k. */
  public int size() {
    return size;
  }

  /** The smallest score held, or −∞ while fewer than k are held: a candidate must beat it. */
  public float threshold() {
    return size < k ? Float.NEGATIVE_INFINITY : scoreOf(heap[0]);
  }

  /** Offers one candidate; keeps it if it is among the k best so far. */
  public void offer(int ordinal, float score) {
    long packed = pack(ordinal, score);
    if (size < k) {
      heap[size] = packed;
      up(size++);
    } else if (packed > heap[0]) {
      heap[0] = packed;
      down(0);
    }
  }

  /** Offers everything {@code other} holds (merging per-thread heaps). */
  public void offerAll(TopK other) {
    for (int i = 0; i < other.size; i++) {
      long packed = other.heap[i];
      if (size < k) {
        heap[size] = packed;
        up(size++);
      } else if (packed > heap[0]) {
        heap[0] = packed;
        down(0);
      }
    }
  }

  /** The held results, best first. */
  public List<SearchResult> results() {
    long[] sorted = Arrays.copyOf(heap, size);
    Arrays.sort(sorted);
    List<SearchResult> out = new ArrayList<>(size);
    for (int i = size - 1; i >= 0; i--) {
      out.add(new SearchResult(ordinalOf(sorted[i]), scoreOf(sorted[i])));
    }
    return out;
  }

  static long pack(int ordinal, float score) {
    return ((long) sortable(score) << 32) | (~ordinal & 0xFFFFFFFFL);
  }

  static int ordinalOf(long packed) {
    return ~(int) packed;
  }

  static float scoreOf(long packed) {
    return unsortable((int) (packed >> 32));
  }

  /**
   * Float bits reordered so that signed int order equals float order (as Lucene's NumericUtils).
   */
  private static int sortable(float f) {
    int bits = Float.floatToIntBits(f);
    return bits ^ ((bits >> 31) & 0x7fffffff);
  }

  private static float unsortable(int s) {
    return Float.intBitsToFloat(s ^ ((s >> 31) & 0x7fffffff));
  }

  private void up(int i) {
    long x = heap[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (heap[parent] <= x) {
        break;
      }
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = x;
  }

  private void down(int i) {
    long x = heap[i];
    int half = size >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      if (child + 1 < size && heap[child + 1] < heap[child]) {
        child++;
      }
      if (x <= heap[child]) {
        break;
      }
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = x;
  }
}
