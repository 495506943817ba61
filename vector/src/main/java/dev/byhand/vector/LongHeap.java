package dev.byhand.vector;

import java.util.Arrays;

/**
 * A binary min-heap of {@code long}s that grows as needed. Search code stores candidates packed
 * with {@link TopK#pack}: the smallest element is the worst candidate; storing the complement
 * ({@code ~packed}) turns it into a max-heap.
 */
final class LongHeap {

  private long[] heap;
  private int size;

  LongHeap(int initialCapacity) {
    heap = new long[Math.max(1, initialCapacity)];
  }

  int size() {
    return size;
  }

  void clear() {
    size = 0;
  }

  long top() {
    assert size > 0;
    return heap[0];
  }

  /** The i-th element in heap order (not sorted), for i in [0, size). */
  long get(int i) {
    return heap[i];
  }

  void push(long x) {
    if (size == heap.length) {
      heap = Arrays.copyOf(heap, size * 2);
    }
    int i = size++;
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

  long pop() {
    assert size > 0;
    long out = heap[0];
    long x = heap[--size];
    int i = 0;
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
    if (size > 0) {
      heap[i] = x;
    }
    return out;
  }

  /** Pushes {@code x} and, if the heap then holds more than {@code bound}, drops the smallest. */
  void pushBounded(long x, int bound) {
    if (size < bound) {
      push(x);
    } else if (x > heap[0]) {
      pop();
      push(x);
    }
  }
}
