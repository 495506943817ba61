package dev.byhand.vector;

/**
 * One node's neighbours on one level: parallel {@code int[]} / {@code float[]} sorted by score,
 * best first, with room for one more than the level's maximum degree so insert-then-prune never
 * reallocates (as Lucene's {@code NeighborArray}). Every access holds this object's monitor.
 */
final class NeighborArray {

  final int[] nodes;
  final float[] scores;
  int size;

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

  /** Inserts keeping the order; the caller made room (size below capacity). */
  void insertSorted(int node, float score) {
    assert size < nodes.length : "neighbour array full";
    int i = size;
    while (i > 0 && scores[i - 1] < score) {
      nodes[i] = nodes[i - 1];
      scores[i] = scores[i - 1];
      i--;
    }
    nodes[i] = node;
    scores[i] = score;
    size++;
  }

  void removeAt(int index) {
    System.arraycopy(nodes, index + 1, nodes, index, size - index - 1);
    System.arraycopy(scores, index + 1, scores, index, size - index - 1);
    size--;
  }

  /** Replaces the content with {@code n} entries already sorted best first. */
  void set(int[] newNodes, float[] newScores, int n) {
    assert n < nodes.length;
    System.arraycopy(newNodes, 0, nodes, 0, n);
    System.arraycopy(newScores, 0, scores, 0, n);
    size = n;
  }
}
