package dev.byhand.vector;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Searches one {@link HnswIndex} from one thread, owning all its scratch (as Lucene's {@code
 * HnswGraphSearcher}): the candidate and result heaps of packed longs, the visited marks (an epoch
 * per node, a new epoch for every layer searched, so nothing is cleared), and the bulk-scoring
 * buffers. Nothing is allocated per scored vector. Not thread-safe: get one per thread from {@link
 * HnswIndex#searcher()}.
 */
public final class HnswSearcher {

  private final HnswIndex index;
  private final LongHeap candidates = new LongHeap(64);
  private final LongHeap results = new LongHeap(64);
  private int[] visited = new int[0];
  private int epoch;
  private long visitedCount;
  private int[] ids;
  private final int[] raw;
  private float[] scores;
  private long[] sorted = new long[64];
  private long[] entryPoints = new long[64];
  private int entryCount;
  private boolean aborted;
  private int excluded = -1;

  /**
   * @param index the index searched by {@link #search}, or null for an index's own scratch
   */
  HnswSearcher(HnswIndex index, int maxDegree) {
    this.index = index;
    this.ids = new int[maxDegree + 1];
    this.raw = new int[maxDegree + 1];
    this.scores = new float[maxDegree + 1];
  }

  /**
   * The {@code k} nearest live points to {@code query}, best first, with beam width {@code ef}
   * (raised to k if smaller), among the ordinals {@code filter} accepts ({@code null}: all). See
   * {@link HnswIndex#search(float[], int, int, IntPredicate)}.
   */
  public List<SearchResult> search(float[] query, int k, int ef, IntPredicate filter) {
    if (index == null) {
      throw new IllegalStateException(
          "an index's internal scratch; get a searcher from HnswIndex.searcher()");
    }
    return index.search(this, query, k, ef, filter);
  }

  /** Number of vectors scored by the last search (a cost measure for tests and benchmarks). */
  public long visitedCount() {
    return visitedCount;
  }

  /** Starts a query over a graph of {@code graphSize} nodes: a new epoch of visited marks. */
  void begin(int graphSize) {
    if (visited.length < graphSize) {
      visited = Arrays.copyOf(visited, Math.max(graphSize, visited.length + (visited.length >> 1)));
    }
    nextEpoch();
    visitedCount = 0;
    entryCount = 0;
    aborted = false;
    excluded = -1;
    results.clear();
  }

  private void nextEpoch() {
    if (++epoch == Integer.MAX_VALUE) {
      Arrays.fill(visited, 0);
      epoch = 1;
    }
  }

  /**
   * Keeps {@code node} out of every layer's results in this query (an insert's own node, which
   * other threads may already have linked to).
   */
  void exclude(int node) {
    excluded = node; // marked visited by each searchLayer
  }

  /** Marks {@code node} visited; false if it already was in this query. */
  boolean visit(int node) {
    if (node >= visited.length) {
      // a node added after begin(): grow rather than miss it
      visited = Arrays.copyOf(visited, node + 1 + (node >> 1));
    }
    if (visited[node] == epoch) {
      return false;
    }
    visited[node] = epoch;
    return true;
  }

  /** Sets the single entry point of the next layer search. */
  void seed(int node, float score) {
    visitedCount++;
    entryPoints[0] = TopK.pack(node, score);
    entryCount = 1;
  }

  /**
   * Paper Algorithm 2 on one level: best-first expansion from the current entry points (the seed,
   * or the previous level's results), keeping the {@code ef} best accepted nodes. Nodes the filter
   * rejects are still expanded (they keep the graph connected) but never enter the results. Stops
   * early, setting {@link #aborted()}, once more than {@code visitLimit} vectors were scored.
   * Afterwards the results are this level's output and the next level's entry points.
   */
  void searchLayer(
      HnswGraph graph,
      VectorScorer scorer,
      int level,
      int ef,
      IntPredicate accept,
      long visitLimit) {
    candidates.clear();
    results.clear();
    // Visited marks are per layer, as in the paper's Algorithm 2: a node scored on a layer above
    // but not kept there must still be reachable here. (Carried over, they hid every such node
    // from the layers below: recall stalled near 0.989 however large ef was.)
    nextEpoch();
    if (excluded >= 0) {
      visit(excluded);
    }
    for (int i = 0; i < entryCount; i++) {
      long p = entryPoints[i];
      visit(TopK.ordinalOf(p));
      candidates.push(~p);
      if (accept == null || accept.test(TopK.ordinalOf(p))) {
        results.pushBounded(p, ef);
      }
    }
    while (candidates.size() > 0) {
      long best = ~candidates.pop();
      if (results.size() >= ef && best < results.top()) {
        break;
      }
      int count = graph.copyNeighbours(TopK.ordinalOf(best), level, raw);
      int n = 0;
      for (int i = 0; i < count; i++) {
        int nb = raw[i];
        if (visit(nb)) {
          ids[n++] = nb;
        }
      }
      if (n == 0) {
        continue;
      }
      visitedCount += n;
      if (visitedCount > visitLimit) {
        aborted = true;
        break;
      }
      scorer.bulkScore(ids, scores, n);
      for (int i = 0; i < n; i++) {
        long p = TopK.pack(ids[i], scores[i]);
        if (results.size() < ef || p > results.top()) {
          candidates.push(~p);
          if (accept == null || accept.test(ids[i])) {
            results.pushBounded(p, ef);
          }
        }
      }
    }
    // this level's results are the next level's entry points
    entryCount = results.size();
    if (entryPoints.length < entryCount) {
      entryPoints = new long[Math.max(entryCount, entryPoints.length * 2)];
    }
    for (int i = 0; i < entryCount; i++) {
      entryPoints[i] = results.get(i);
    }
  }

  boolean aborted() {
    return aborted;
  }

  int resultCount() {
    return results.size();
  }

  /** The last layer's results, best first (valid until the next search call). */
  long[] resultsSortedBestFirst() {
    int n = results.size();
    if (sorted.length < n) {
      sorted = new long[Math.max(n, sorted.length * 2)];
    }
    for (int i = 0; i < n; i++) {
      sorted[i] = results.get(i);
    }
    Arrays.sort(sorted, 0, n);
    for (int i = 0, j = n - 1; i < j; i++, j--) {
      long t = sorted[i];
      sorted[i] = sorted[j];
      sorted[j] = t;
    }
    return sorted;
  }

  /** The best {@code k} of the last layer's results as public results. */
  List<SearchResult> topResults(int k) {
    long[] s = resultsSortedBestFirst();
    int n = Math.min(k, results.size());
    List<SearchResult> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new SearchResult(TopK.ordinalOf(s[i]), TopK.scoreOf(s[i])));
    }
    return out;
  }

  /** The last layer's results re-scored by {@code exact}, the best {@code k} of them. */
  List<SearchResult> rerank(VectorScorer exact, int k) {
    int n = results.size();
    TopK top = new TopK(k);
    for (int i = 0; i < n; i++) {
      int node = TopK.ordinalOf(results.get(i));
      top.offer(node, exact.score(node));
    }
    return top.results();
  }

  /** Scores every accepted ordinal below {@code size}: the exact fallback of filtered search. */
  List<SearchResult> exact(VectorScorer scorer, int size, int k, IntPredicate accept) {
    TopK top = new TopK(k);
    visitedCount = 0;
    for (int i = 0; i < size; i++) {
      if (accept.test(i)) {
        float s = scorer.score(i);
        visitedCount++;
        top.offer(i, s);
      }
    }
    return top.results();
  }
}
