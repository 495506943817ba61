package dev.byhand.vector;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * The on-heap HNSW graph (Malkov and Yashunin, 2016): per node, one {@link NeighborArray} per
 * level, level 0 holding up to {@code 2·m} neighbours and the levels above up to {@code m}. The
 * level-0 lists of 1,024 consecutive nodes share one slab, read by the search loop directly ({@link
 * #copyNeighbours}). Insertion, heuristic neighbour selection and repair after deletes live here;
 * the search loop lives in {@link HnswSearcher}, which owns the scratch. Vectors are seen only
 * through {@link ScoringVectors} and {@link VectorScorer}.
 *
 * <p>Concurrency: nodes live in fixed-size chunks under a volatile directory, so readers take no
 * lock to find a node. Each neighbour array is guarded by its own monitor; a thread holds at most
 * one such monitor at a time, so there is no lock order to get wrong. The entry point is one
 * volatile packed {@code long} (level high, node low), raised under this object's monitor.
 */
final class HnswGraph {

  /** 1024 nodes a chunk: the directory stays small and a chunk is a few KiB of references. */
  private static final int CHUNK_SHIFT = 10;

  private static final int CHUNK_MASK = (1 << CHUNK_SHIFT) - 1;
  private static final NeighborArray[] REMOVED = new NeighborArray[0];

  /**
   * 1024 consecutive nodes: their lists by level, and the slabs their level-0 lists live in (the
   * lists a search reads, so one node's are found with one load from here).
   */
  private static final class Chunk {
    final NeighborArray[][] levels = new NeighborArray[CHUNK_MASK + 1][];
    final int[] slab0;
    final float[] scores0;

    Chunk(int stride0, int maxDegree0) {
      slab0 = new int[(CHUNK_MASK + 1) * stride0];
      scores0 = new float[(CHUNK_MASK + 1) * (maxDegree0 + 1)];
    }
  }

  final int m;
  final int efConstruction;
  private final int stride0;
  private volatile Chunk[] chunks = new Chunk[16];
  private volatile int size;
  private volatile long entry = -1;

  HnswGraph(int m, int efConstruction) {
    this.m = m;
    this.efConstruction = efConstruction;
    this.stride0 = NeighborArray.stride(maxDegree(0));
  }

  /** Number of node slots (ordinals ever added). */
  int size() {
    return size;
  }

  int maxDegree(int level) {
    return level == 0 ? 2 * m : m;
  }

  /** The entry point packed as {@code level << 32 | node}, or −1 for an empty graph. */
  long entry() {
    return entry;
  }

  static int entryNode(long packed) {
    return (int) packed;
  }

  static int entryLevel(long packed) {
    return (int) (packed >>> 32);
  }

  static long packEntry(int node, int level) {
    return ((long) level << 32) | (node & 0xFFFFFFFFL);
  }

  /** Heap bytes of the neighbour lists (slabs at capacity, objects and their headers). */
  long memoryBytes() {
    long bytes = 0;
    int n = size;
    for (int node = 0; node < n; node++) {
      NeighborArray[] levels = levels(node);
      if (levels == null) {
        continue;
      }
      bytes += 16 + 4L * levels.length; // the per-node array of levels
      for (int l = 0; l < levels.length; l++) {
        int capacity = levels[l].capacity();
        bytes += 40 + 4L * (NeighborArray.HEADER + capacity) + 4L * capacity; // object, ids, scores
        if (l > 0) {
          bytes += 2 * 16; // the headers of an upper list's own arrays
        }
      }
    }
    return bytes;
  }

  /** The node's top level, or −1 if it was removed by repair. */
  int level(int node) {
    NeighborArray[] levels = levels(node);
    return levels == null ? -1 : levels.length - 1;
  }

  private NeighborArray[] levels(int node) {
    Chunk chunk = chunks[node >>> CHUNK_SHIFT];
    return chunk == null ? null : chunk.levels[node & CHUNK_MASK];
  }

  /** The neighbours of {@code node} on {@code level}, or null if the node has no such level. */
  NeighborArray neighbours(int node, int level) {
    NeighborArray[] levels = levels(node);
    return levels == null || level >= levels.length ? null : levels[level];
  }

  /**
   * Copies the neighbours of {@code node} on {@code level} into {@code dst} (room for a list at
   * capacity) and returns how many; 0 if the node has no such level. The search loop's read: a
   * level-0 list is read straight from its chunk's slab.
   */
  int copyNeighbours(int node, int level, int[] dst) {
    if (level == 0) {
      Chunk chunk = chunks[node >>> CHUNK_SHIFT];
      if (chunk == null) {
        return 0;
      }
      // a node not added yet, or removed by repair, has an empty list here
      int n = NeighborArray.tryCopy(chunk.slab0, (node & CHUNK_MASK) * stride0, dst);
      if (n >= 0) {
        return n;
      }
    }
    NeighborArray na = neighbours(node, level);
    return na == null ? 0 : na.copyNodes(dst);
  }

  /**
   * Adds an unlinked node with levels [0, level]. Ordinals arrive in order (the caller serialises
   * this call with the vector append). The first node becomes the entry point.
   */
  synchronized void addNode(int node, int level) {
    assert node == size : "nodes are added in ordinal order";
    place(node, level);
    if (entry < 0) {
      entry = packEntry(node, level);
    }
  }

  /**
   * Restores a node read from a file with empty lists on levels [0, top] (its neighbours are then
   * {@link NeighborArray#set}), or, for {@code top} −1, as removed by repair.
   */
  synchronized void restoreNode(int node, int top) {
    assert node == size;
    place(node, top);
  }

  private void place(int node, int top) {
    int c = node >>> CHUNK_SHIFT;
    Chunk[] dir = chunks;
    if (c >= dir.length) {
      dir = Arrays.copyOf(dir, dir.length * 2);
    }
    if (dir[c] == null) {
      dir[c] = new Chunk(stride0, maxDegree(0));
    }
    Chunk chunk = dir[c];
    NeighborArray[] levels = REMOVED;
    if (top >= 0) {
      int slot = node & CHUNK_MASK;
      levels = new NeighborArray[top + 1];
      levels[0] =
          new NeighborArray(
              chunk.slab0, chunk.scores0, slot * stride0, slot * (maxDegree(0) + 1), maxDegree(0));
      for (int l = 1; l <= top; l++) {
        levels[l] = new NeighborArray(maxDegree(l));
      }
    }
    chunk.levels[node & CHUNK_MASK] = levels;
    chunks = dir; // the volatile write publishes the chunk and the node's lists
    size = node + 1;
  }

  synchronized void restoreEntry(long packed) {
    entry = packed;
  }

  /**
   * Links {@code node} (already added) into the graph, paper Algorithm 1:
   *
   * <ol>
   *   <li>greedy descent (ef = 1) from the entry point down to the level above the node's top;
   *   <li>on each level from the node's top down to 0, a beam search of width efConstruction, then
   *       the heuristic (Algorithm 4) picks at most maxDegree diverse live neighbours;
   *   <li>the node's own (outgoing) edges are set first, then each chosen neighbour gets the
   *       incoming edge, pruning its least diverse neighbour if it overflows;
   *   <li>if the node's level is above the entry point's, it becomes the entry point.
   * </ol>
   */
  void insert(int node, ScoringVectors vectors, HnswSearcher searcher, IntPredicate deleted) {
    long ep = entry;
    int epNode = entryNode(ep);
    if (epNode == node) {
      return;
    }
    int level = level(node);
    int epLevel = entryLevel(ep);
    VectorScorer scorer = vectors.scorer(node);
    searcher.begin(size);
    searcher.exclude(node);
    searcher.seed(epNode, scorer.score(epNode));
    for (int l = epLevel; l > level; l--) {
      searcher.searchLayer(this, scorer, l, 1, null, Long.MAX_VALUE);
    }
    int[] selected = new int[2 * m + 1];
    float[] selectedScores = new float[2 * m + 1];
    for (int l = Math.min(level, epLevel); l >= 0; l--) {
      searcher.searchLayer(this, scorer, l, efConstruction, null, Long.MAX_VALUE);
      long[] candidates = searcher.resultsSortedBestFirst();
      int n = searcher.resultCount();
      int chosen =
          selectDiverse(
              candidates, n, maxDegree(l), vectors, deleted, node, selected, selectedScores);
      NeighborArray own = neighbours(node, l);
      synchronized (own) {
        own.set(selected, selectedScores, chosen);
      }
      for (int i = 0; i < chosen; i++) {
        linkBack(selected[i], l, node, selectedScores[i], vectors, deleted);
      }
    }
    if (level > epLevel) {
      synchronized (this) {
        if (level > entryLevel(entry)) {
          entry = packEntry(node, level);
        }
      }
    }
  }

  /**
   * Paper Algorithm 4 (without extending candidates): walking candidates best first, keep one only
   * if it is nearer to the new node than to every neighbour kept so far, so edges point in
   * different directions instead of into one cluster. Deleted candidates and {@code self} are
   * skipped.
   */
  static int selectDiverse(
      long[] sortedBestFirst,
      int n,
      int maxDegree,
      ScoringVectors vectors,
      IntPredicate deleted,
      int self,
      int[] out,
      float[] outScores) {
    int chosen = 0;
    for (int i = 0; i < n && chosen < maxDegree; i++) {
      int c = TopK.ordinalOf(sortedBestFirst[i]);
      if (c == self || (deleted != null && deleted.test(c))) {
        continue;
      }
      float score = TopK.scoreOf(sortedBestFirst[i]);
      boolean diverse = true;
      for (int j = 0; j < chosen; j++) {
        if (vectors.similarity(c, out[j]) >= score) {
          diverse = false;
          break;
        }
      }
      if (diverse) {
        out[chosen] = c;
        outScores[chosen++] = score;
      }
    }
    return chosen;
  }

  /**
   * The paper's keepPrunedConnections: tops up a diverse selection with the best candidates it
   * pruned, up to {@code maxDegree}, keeping the list sorted best first. Repair uses it because a
   * node's list grows past the diverse few through incoming links during the build (a full list is
   * the norm), and a repaired list cut back to the diverse few lost recall in the
   * delete-and-reinsert test.
   */
  static int keepPruned(
      long[] sortedBestFirst,
      int n,
      int maxDegree,
      IntPredicate deleted,
      int self,
      int[] out,
      float[] outScores,
      int chosen) {
    int[] diverse = Arrays.copyOf(out, chosen);
    int extra = maxDegree - chosen;
    int size = 0;
    for (int i = 0; i < n && size < maxDegree; i++) {
      int c = TopK.ordinalOf(sortedBestFirst[i]);
      if (c == self || (deleted != null && deleted.test(c))) {
        continue;
      }
      boolean isDiverse = false;
      for (int d : diverse) {
        if (d == c) {
          isDiverse = true;
          break;
        }
      }
      if (isDiverse || extra > 0) {
        if (!isDiverse) {
          extra--;
        }
        out[size] = c;
        outScores[size++] = TopK.scoreOf(sortedBestFirst[i]);
      }
    }
    return size;
  }

  /** Adds the edge {@code target → node}, pruning {@code target}'s list if it overflows. */
  private void linkBack(
      int target, int level, int node, float score, ScoringVectors vectors, IntPredicate deleted) {
    NeighborArray na = neighbours(target, level);
    if (na == null) {
      return;
    }
    synchronized (na) {
      if (na.contains(node)) {
        return;
      }
      na.insertSorted(node, score);
      if (na.size() > maxDegree(level)) {
        na.removeAt(leastDiverse(na, vectors, deleted, node));
      }
    }
  }

  /**
   * The index of the neighbour to drop from an overflowing list (as Lucene): a deleted one if any;
   * else, from the worst up, the first that is nearer to a better-ranked neighbour than to the
   * list's owner; else the worst. The node being linked ({@code newcomer}) is never dropped: it
   * would often be the worst (an outlier, or under the inner product), and dropping it from every
   * list it was offered to leaves it unreachable until the next repair.
   */
  private static int leastDiverse(
      NeighborArray na, ScoringVectors vectors, IntPredicate deleted, int newcomer) {
    if (deleted != null) {
      for (int i = na.size() - 1; i >= 0; i--) {
        if (deleted.test(na.node(i))) {
          return i;
        }
      }
    }
    for (int i = na.size() - 1; i > 0; i--) {
      int c = na.node(i);
      if (c == newcomer) {
        continue;
      }
      float score = na.score(i);
      for (int j = 0; j < i; j++) {
        if (vectors.similarity(c, na.node(j)) >= score) {
          return i;
        }
      }
    }
    return na.node(na.size() - 1) == newcomer ? na.size() - 2 : na.size() - 1;
  }

  /**
   * Removes deleted nodes from the graph (the FreshDiskANN-style consolidation): every live node
   * whose list on some level points at a deleted node gets its list chosen anew, by the same
   * heuristic, from its live neighbours plus the live neighbours of its deleted neighbours; then
   * the deleted nodes' own lists are dropped and, if needed, a live node of the highest level
   * becomes the entry point. The caller excludes concurrent inserts and repairs.
   *
   * @return the number of node-levels rewired
   */
  int repair(ScoringVectors vectors, IntPredicate deleted, HnswSearcher searcher) {
    int n = size;
    int rewired = 0;
    int[] selected = new int[2 * m + 1];
    float[] selectedScores = new float[2 * m + 1];
    int[] pool = new int[64];
    float[] poolScores = new float[64];
    long[] sorted = new long[64];
    for (int node = 0; node < n; node++) {
      int top = level(node);
      if (top < 0 || deleted.test(node)) {
        continue;
      }
      VectorScorer scorer = null;
      for (int l = 0; l <= top; l++) {
        NeighborArray na = neighbours(node, l);
        boolean affected = false;
        for (int i = 0; i < na.size(); i++) {
          affected |= deleted.test(na.node(i));
        }
        if (!affected) {
          continue;
        }
        searcher.begin(n);
        searcher.visit(node);
        int count = 0;
        for (int i = 0; i < na.size(); i++) {
          int nb = na.node(i);
          if (!deleted.test(nb)) {
            if (searcher.visit(nb)) {
              pool = grow(pool, count);
              pool[count++] = nb;
            }
            continue;
          }
          NeighborArray second = neighbours(nb, l);
          if (second == null) {
            continue;
          }
          for (int j = 0; j < second.size(); j++) {
            int nb2 = second.node(j);
            if (!deleted.test(nb2) && searcher.visit(nb2)) {
              pool = grow(pool, count);
              pool[count++] = nb2;
            }
          }
        }
        if (scorer == null) {
          scorer = vectors.scorer(node);
        }
        if (poolScores.length < pool.length) {
          poolScores = new float[pool.length];
          sorted = new long[pool.length];
        }
        scorer.bulkScore(pool, poolScores, count);
        for (int i = 0; i < count; i++) {
          sorted[i] = TopK.pack(pool[i], poolScores[i]);
        }
        Arrays.sort(sorted, 0, count);
        reverse(sorted, count);
        int chosen =
            selectDiverse(
                sorted, count, maxDegree(l), vectors, deleted, node, selected, selectedScores);
        chosen =
            keepPruned(
                sorted, count, maxDegree(l), deleted, node, selected, selectedScores, chosen);
        synchronized (na) {
          na.set(selected, selectedScores, chosen);
        }
        rewired++;
      }
    }
    long best = -1;
    for (int node = 0; node < n; node++) {
      int top = level(node);
      if (top < 0) {
        continue;
      }
      if (deleted.test(node)) {
        NeighborArray own = neighbours(node, 0);
        synchronized (own) {
          own.set(selected, selectedScores, 0); // empty: a search reading the slab sees none
        }
        chunks[node >>> CHUNK_SHIFT].levels[node & CHUNK_MASK] = REMOVED;
      } else if (best < 0 || top > entryLevel(best)) {
        best = packEntry(node, top);
      }
    }
    synchronized (this) {
      long ep = entry;
      if (ep >= 0 && (deleted.test(entryNode(ep)) || level(entryNode(ep)) < 0)) {
        entry = best;
      }
    }
    return rewired;
  }

  /**
   * Makes every live node reachable on level 0 from the entry point again. Pruning an overflowing
   * list can drop a node's last incoming edge (most often inside tight clusters); this pass finds
   * such nodes by a breadth-first walk and, for each, searches the graph for its nearest reachable
   * live node and adds the missing edge there, dropping from that list the worst neighbour that
   * keeps another incoming edge. The caller excludes concurrent inserts and repairs.
   *
   * @return the number of edges added
   */
  int connectComponents(ScoringVectors vectors, IntPredicate deleted, HnswSearcher searcher) {
    int added = 0;
    // A pass cuts an edge only when no reachable neighbour has a free slot, and then one whose
    // target keeps another edge in from a reached node; that edge may itself hang on the cut one
    // (a cycle), so a later pass may find new strays. One pass is the rule; eight is a bound.
    for (int pass = 0; pass < 8; pass++) {
      int n = connectOnce(vectors, deleted, searcher);
      if (n == 0) {
        break;
      }
      added += n;
    }
    return added;
  }

  /** Level-0 in-degree at or below which a node is checked by {@link #reinforce}. */
  static final int WEAK_IN_DEGREE = 2;

  /**
   * Makes weakly linked nodes findable by their own vector again. Pruning keeps lists diverse, so a
   * node inside a tight cluster can end up pointed at only from far away: reachable ({@link
   * #connectComponents} sees to that), yet a beam search for its own vector settles among its near
   * neighbours, none of which points back at it, and misses it. For each live node with at most
   * {@value #WEAK_IN_DEGREE} incoming level-0 edges:
   *
   * <ol>
   *   <li>search for its vector as a query would (ef = efConstruction);
   *   <li>if the node is among the results, it is findable: leave it;
   *   <li>else the nearest result with a free slot takes an edge to it; if all are full, the
   *       nearest one drops its worst neighbour that keeps another incoming edge.
   * </ol>
   *
   * The caller excludes concurrent inserts and repairs.
   *
   * @return the number of edges added
   */
  int reinforce(ScoringVectors vectors, IntPredicate deleted, HnswSearcher searcher) {
    int n = size;
    long ep = entry;
    if (ep < 0) {
      return 0;
    }
    int[] inDegree = new int[n];
    for (int node = 0; node < n; node++) {
      NeighborArray na = neighbours(node, 0);
      if (na == null || deleted.test(node)) {
        continue;
      }
      for (int i = 0; i < na.size(); i++) {
        inDegree[na.node(i)]++;
      }
    }
    IntPredicate live = i -> !deleted.test(i);
    int added = 0;
    for (int node = 0; node < n; node++) {
      if (inDegree[node] > WEAK_IN_DEGREE
          || level(node) < 0
          || deleted.test(node)
          || node == entryNode(ep)) {
        continue;
      }
      VectorScorer scorer = vectors.scorer(node);
      searcher.begin(n);
      searcher.seed(entryNode(ep), scorer.score(entryNode(ep)));
      for (int l = entryLevel(ep); l > 0; l--) {
        searcher.searchLayer(this, scorer, l, 1, null, Long.MAX_VALUE);
      }
      searcher.searchLayer(this, scorer, 0, efConstruction, live, Long.MAX_VALUE);
      int found = searcher.resultCount();
      long[] sorted = searcher.resultsSortedBestFirst();
      boolean findable = false;
      for (int i = 0; i < found && !findable; i++) {
        findable = TopK.ordinalOf(sorted[i]) == node;
      }
      if (findable || found == 0) {
        continue;
      }
      int pick = -1;
      int drop = -1;
      for (int i = 0; i < found && pick < 0; i++) {
        int c = TopK.ordinalOf(sorted[i]);
        NeighborArray na = neighbours(c, 0);
        if (c != node && na != null && na.size() < maxDegree(0)) {
          pick = i;
        }
      }
      for (int i = 0; i < found && pick < 0; i++) {
        int c = TopK.ordinalOf(sorted[i]);
        NeighborArray na = neighbours(c, 0);
        for (int j = na == null || c == node ? -1 : na.size() - 1; j >= 0; j--) {
          if (inDegree[na.node(j)] > WEAK_IN_DEGREE + 1) {
            pick = i;
            drop = na.node(j);
            break;
          }
        }
      }
      if (pick < 0) {
        continue; // every near list is full of weak nodes: leave this one rather than trade
      }
      if (linkTo(
          neighbours(TopK.ordinalOf(sorted[pick]), 0),
          node,
          TopK.scoreOf(sorted[pick]),
          drop,
          inDegree)) {
        added++;
      }
    }
    return added;
  }

  private int connectOnce(ScoringVectors vectors, IntPredicate deleted, HnswSearcher searcher) {
    int n = size;
    long ep = entry;
    if (ep < 0) {
      return 0;
    }
    // inReached[x]: edges into x from reached nodes; an edge r→x may be dropped only while
    // inReached[x] ≥ 2, so x stays reached through another reached node
    int[] inReached = new int[n];
    boolean[] reached = new boolean[n];
    int[] queue = new int[n];
    walk(entryNode(ep), reached, queue, inReached);
    int added = 0;
    IntPredicate reachable = i -> i < n && reached[i] && !deleted.test(i);
    for (int node = 0; node < n; node++) {
      if (reached[node] || level(node) < 0 || deleted.test(node)) {
        continue;
      }
      VectorScorer scorer = vectors.scorer(node);
      searcher.begin(n);
      searcher.exclude(node);
      searcher.seed(entryNode(ep), scorer.score(entryNode(ep)));
      for (int l = entryLevel(ep); l > 0; l--) {
        searcher.searchLayer(this, scorer, l, 1, null, Long.MAX_VALUE);
      }
      searcher.searchLayer(this, scorer, 0, efConstruction, reachable, Long.MAX_VALUE);
      int found = searcher.resultCount();
      if (found == 0) {
        continue;
      }
      long[] sorted = searcher.resultsSortedBestFirst();
      // the nearest reachable node with a free slot takes the new edge; if every one is full, the
      // nearest that can drops its worst neighbour that still has another edge in from a reached
      // node
      int pick = -1;
      for (int i = 0; i < found && pick < 0; i++) {
        NeighborArray na = neighbours(TopK.ordinalOf(sorted[i]), 0);
        if (na != null && na.size() < maxDegree(0)) {
          pick = i;
        }
      }
      int drop = -1;
      for (int i = 0; i < found && pick < 0; i++) {
        // all full: the nearest one with an edge to spare (in inner-product graphs the nearest is
        // often one hub for every stray, and cutting its only spare edges again and again would
        // just move the strays around)
        NeighborArray na = neighbours(TopK.ordinalOf(sorted[i]), 0);
        for (int j = na == null ? -1 : na.size() - 1; j >= 0; j--) {
          if (inReached[na.node(j)] >= 2) {
            pick = i;
            drop = na.node(j);
            break;
          }
        }
      }
      if (pick < 0) {
        pick = 0;
        NeighborArray na = neighbours(TopK.ordinalOf(sorted[0]), 0);
        drop = na.node(na.size() - 1);
      }
      linkTo(
          neighbours(TopK.ordinalOf(sorted[pick]), 0),
          node,
          TopK.scoreOf(sorted[pick]),
          drop,
          inReached);
      added++;
      walk(node, reached, queue, inReached);
    }
    return added;
  }

  /**
   * Adds the edge owner → {@code node} to the level-0 list {@code na}, first removing the edge to
   * {@code drop} if it is not −1, and keeps {@code inDegree} counting. Returns false (and changes
   * nothing) if the edge is already there.
   */
  private static boolean linkTo(NeighborArray na, int node, float score, int drop, int[] inDegree) {
    synchronized (na) {
      if (na.contains(node)) {
        return false;
      }
      if (drop >= 0) {
        for (int j = 0; j < na.size(); j++) {
          if (na.node(j) == drop) {
            na.removeAt(j);
            inDegree[drop]--;
            break;
          }
        }
      }
      na.insertSorted(node, score);
    }
    inDegree[node]++;
    return true;
  }

  /**
   * Marks everything reachable on level 0 from {@code start}, counting in {@code inReached} the
   * edges out of each node it newly reaches.
   */
  private void walk(int start, boolean[] reached, int[] queue, int[] inReached) {
    if (reached[start]) {
      return;
    }
    int head = 0;
    int tail = 0;
    reached[start] = true;
    queue[tail++] = start;
    while (head < tail) {
      NeighborArray na = neighbours(queue[head++], 0);
      for (int i = 0; na != null && i < na.size(); i++) {
        int nb = na.node(i);
        if (nb < reached.length) {
          inReached[nb]++;
        }
        if (nb < reached.length && !reached[nb]) {
          reached[nb] = true;
          queue[tail++] = nb;
        }
      }
    }
  }

  private static int[] grow(int[] a, int count) {
    return count < a.length ? a : Arrays.copyOf(a, a.length * 2);
  }

  private static void reverse(long[] a, int n) {
    for (int i = 0, j = n - 1; i < j; i++, j--) {
      long t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
