package dev.byhand.vector;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntPredicate;

/**
 * Approximate nearest-neighbour search with a hierarchical navigable small world graph (HNSW,
 * Malkov and Yashunin, 2016). The paper's names: {@code m} is the number of neighbours a node links
 * to on each level above 0 ({@code 2·m} on level 0, the paper's {@code M_max0}); {@code
 * efConstruction} is the beam width while inserting; {@code ef} is the per-query beam width; levels
 * are drawn as {@code ⌊−ln(U)·mL⌋} with {@code mL = 1/ln(m)} from a {@link SplittableRandom} seeded
 * by {@link Builder#seed}, so a single-threaded build is reproducible.
 *
 * <p><b>Concurrency model.</b> {@link #add} may be called from many threads at once: appending the
 * vector, drawing the level and creating the node are serialised under one short lock (so ordinal i
 * always gets the i-th level drawn); linking then runs concurrently, each neighbour list guarded by
 * its own monitor and only one held at a time; outgoing edges are set before incoming ones, so a
 * searcher that reaches a node can always leave it. Searches take no index lock and may run
 * concurrently with inserts and deletes; a point added concurrently with a search may or may not be
 * found by it. {@link #repair} excludes inserts and deletes through a read–write lock (they share
 * the read side).
 *
 * <p><b>Deletes.</b> {@link #delete} marks a tombstone at once: the point never comes back in
 * results but still helps navigation. When tombstones not yet repaired reach {@link
 * Builder#repairFraction} of the points (or when {@link #repair} is called), the graph is repaired
 * in place: each live node that links to a deleted one chooses its neighbours anew from its live
 * neighbours and its deleted neighbours' live neighbours, with the same heuristic as insertion, and
 * the deleted nodes are unlinked (the consolidation of FreshDiskANN). Repair was chosen over
 * compaction because ordinals stay stable (a store maps its ids to them) and the cost is
 * proportional to the deleted nodes' neighbourhoods, not to the whole index; the price is that a
 * deleted vector's memory is kept until the index is rewritten. An update is a delete plus an add
 * under a new ordinal.
 *
 * <p><b>Filters.</b> A filtered search walks the graph through every node but collects only
 * accepted ones; it gives up and scans the accepted set exactly once it has scored as many vectors
 * as pass the filter (counted, or estimated from a fixed sample on large indexes; then exact scan
 * is cheaper), and also whenever the walk found fewer than k, so k results always come back when k
 * points pass.
 */
public final class HnswIndex {

  /** Most neighbours per node above level 0 (level 0 has twice as many). */
  public static final int MAX_M = 128;

  /**
   * Widest insertion beam. Why 4,096: an insert scores about {@code efConstruction} vectors, so
   * wider beams make one write cost seconds with no gain in recall.
   */
  public static final int MAX_EF_CONSTRUCTION = 4096;

  /**
   * A batch of at least this many new points is inserted on every core ({@link #addBatch}): below
   * it, starting threads costs more than it saves.
   */
  public static final int PARALLEL_BATCH = 256;

  private final int dimension;
  private final Metric metric;
  private final int m;
  private final int efConstruction;
  private final int defaultEf;
  private final double repairFraction;
  private final long seed;
  private final double levelMultiplier;
  private final SplittableRandom levels;
  private final FloatVectors vectors;
  private final Compression compression;
  private final AppendableVectors navigation;
  private final HnswGraph graph;
  private final Object appendLock = new Object();
  private final ReentrantReadWriteLock structure = new ReentrantReadWriteLock();
  private final ThreadLocal<HnswSearcher> searchers;
  private final IntPredicate deletedTest = this::isDeleted;
  private final IntPredicate liveTest = i -> !isDeleted(i);
  private volatile long[] deleted = new long[16];
  private volatile int deletedCount;
  private int unrepaired;
  private int addsSinceRepair;

  private HnswIndex(
      Builder b,
      FloatVectors vectors,
      Compression compression,
      AppendableVectors navigation,
      HnswGraph graph,
      long levelSeed) {
    this.dimension = b.dimension;
    this.metric = b.metric;
    this.m = b.m;
    this.efConstruction = b.efConstruction;
    this.defaultEf = b.ef;
    this.repairFraction = b.repairFraction;
    this.seed = b.seed;
    this.levelMultiplier = 1 / Math.log(m);
    this.levels = new SplittableRandom(levelSeed);
    this.vectors = vectors;
    this.compression = compression;
    this.navigation = navigation;
    this.graph = graph;
    // The per-thread scratch must not point back at this index: a thread-local value that
    // reaches its own key keeps the index alive for as long as the thread lives.
    int maxDegree = 2 * m;
    this.searchers = ThreadLocal.withInitial(() -> new HnswSearcher(null, maxDegree));
  }

  /** Starts configuring an index for vectors of {@code dimension} compared by {@code metric}. */
  public static Builder builder(int dimension, Metric metric) {
    return new Builder(dimension, metric);
  }

  /** Index parameters; {@link #build()} checks them. */
  public static final class Builder {
    private final int dimension;
    private final Metric metric;
    private int m = 16;
    private int efConstruction = 100;
    private int ef = 50;
    private long seed = 42;
    private double repairFraction = 0.1;
    private Compression compression = Compression.none();

    private Builder(int dimension, Metric metric) {
      Vectors.checkDimension(dimension);
      Vectors.checkMetric(metric);
      this.dimension = dimension;
      this.metric = metric;
    }

    /**
     * Neighbours per node on levels above 0 (2·m on level 0); default 16, in [2, {@value #MAX_M}].
     */
    public Builder m(int m) {
      this.m = m;
      return this;
    }

    /** Beam width while inserting; default 100, in [1, {@value #MAX_EF_CONSTRUCTION}]. */
    public Builder efConstruction(int efConstruction) {
      this.efConstruction = efConstruction;
      return this;
    }

    /** Default per-query beam width; default 50, in [1, 100000]. */
    public Builder ef(int ef) {
      this.ef = ef;
      return this;
    }

    /** Seed of the level draws; default 42. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Fraction of points deleted but not yet repaired that triggers a repair; default 0.1, in (0,
     * 1].
     */
    public Builder repairFraction(double repairFraction) {
      this.repairFraction = repairFraction;
      return this;
    }

    /**
     * What searches navigate with (default {@link Compression#none()}). The graph is always built
     * on full-precision scores; with a compressed form, a search walks the graph on compressed
     * scores and re-ranks its {@code ef} best candidates with the full-precision vectors.
     */
    public Builder compression(Compression compression) {
      if (compression == null) {
        throw new IllegalArgumentException("compression: must not be null; use Compression.none()");
      }
      this.compression = compression;
      return this;
    }

    /** The empty index. */
    public HnswIndex build() {
      if (m < 2 || m > MAX_M) {
        throw new IllegalArgumentException("m: must be in [2, " + MAX_M + "], got " + m);
      }
      if (efConstruction < 1 || efConstruction > MAX_EF_CONSTRUCTION) {
        throw new IllegalArgumentException(
            "efConstruction: must be in [1, " + MAX_EF_CONSTRUCTION + "], got " + efConstruction);
      }
      if (ef < 1 || ef > 100_000) {
        throw new IllegalArgumentException("ef: must be in [1, 100000], got " + ef);
      }
      if (!(repairFraction > 0 && repairFraction <= 1)) {
        throw new IllegalArgumentException(
            "repairFraction: must be in (0, 1], got " + repairFraction);
      }
      FloatVectors full = new FloatVectors(dimension, metric);
      return new HnswIndex(
          this,
          full,
          compression,
          compression.newStore(dimension, metric, full),
          new HnswGraph(m, efConstruction),
          seed);
    }
  }

  /** Length of every vector. */
  public int dimension() {
    return dimension;
  }

  /** How vectors are compared. */
  public Metric metric() {
    return metric;
  }

  /** Neighbours per node above level 0. */
  public int m() {
    return m;
  }

  /** Beam width while inserting. */
  public int efConstruction() {
    return efConstruction;
  }

  /** Number of ordinals handed out, deleted ones included. */
  public int size() {
    return vectors.size();
  }

  /** Number of points not deleted. */
  public int liveCount() {
    return vectors.size() - deletedCount;
  }

  /** What the graph navigates with. */
  public Compression compression() {
    return compression;
  }

  /**
   * Heap bytes a point costs on average: its navigation vector, its full-precision vector when on
   * the heap (not memory-mapped), and its neighbour lists.
   */
  public double bytesPerVector() {
    int n = Math.max(1, size());
    long full = (long) (size() - vectors.mappedCount()) * vectors.bytesPerVector();
    long nav = navigation == vectors ? 0 : (long) size() * navigation.bytesPerVector();
    return (double) (full + nav + graph.memoryBytes()) / n;
  }

  /** Bytes of the compressed (navigation) form of one vector. */
  public long navigationBytesPerVector() {
    return navigation.bytesPerVector();
  }

  /** The full-precision vectors (normalised for cosine), deleted ones included. */
  public FloatVectors vectors() {
    return vectors;
  }

  /** A copy of the stored vector {@code ordinal}. */
  public float[] vector(int ordinal) {
    return vectors.vector(ordinal);
  }

  /**
   * Adds {@code vector} (normalised first for cosine) and returns its ordinal. Safe to call from
   * several threads at once.
   */
  public int add(float[] vector) {
    float[] v = Vectors.prepare(vector, dimension, metric, "vector");
    structure.readLock().lock();
    try {
      int ordinal;
      synchronized (appendLock) {
        ordinal = vectors.append(v);
        if (navigation != vectors) {
          navigation.append(v);
        }
        int level = (int) (-Math.log(1 - levels.nextDouble()) * levelMultiplier);
        graph.addNode(ordinal, level);
        long[] d = deleted;
        if ((ordinal >>> 6) >= d.length) {
          synchronized (this) {
            long[] grown =
                java.util.Arrays.copyOf(deleted, Math.max(d.length * 2, (ordinal >>> 6) + 1));
            deleted = grown;
          }
        }
      }
      // the graph is built on full-precision scores: a graph built on binary codes (scores
      // 0..d, full of ties) navigated to recall@10 0.49 at ef=160 on 100k × 128, against 0.99
      // for int8 and floats; the compressed form serves only the search walk
      graph.insert(ordinal, vectors, searchers.get(), deletedTest);
      return ordinal;
    } finally {
      structure.readLock().unlock();
    }
  }

  /**
   * Adds all {@code batch} vectors using {@code threads} threads and returns their ordinals, in the
   * order of {@code batch}; ends with {@link #repair()}. With more than one thread, which ordinal a
   * vector gets depends on scheduling.
   */
  public int[] addAll(float[][] batch, int threads) {
    if (threads < 1 || threads > 1024) {
      throw new IllegalArgumentException("threads: must be in [1, 1024], got " + threads);
    }
    int[] ordinals = new int[batch.length];
    if (threads == 1) {
      for (int i = 0; i < batch.length; i++) {
        ordinals[i] = add(batch[i]);
      }
      repair();
      return ordinals;
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      AtomicInteger next = new AtomicInteger();
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(
            pool.submit(
                () -> {
                  for (int i = next.getAndIncrement();
                      i < batch.length;
                      i = next.getAndIncrement()) {
                    ordinals[i] = add(batch[i]);
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while adding vectors", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException) {
        throw (RuntimeException) e.getCause();
      }
      throw new IllegalStateException("adding vectors failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
    repair();
    return ordinals;
  }

  /**
   * Adds a batch of new points the way a store should, and returns their ordinals in batch order: a
   * batch of at least {@link #PARALLEL_BATCH} is built on every core (and ends with a repair); a
   * smaller one is added on the calling thread, and the graph is repaired once the single adds
   * since the last repair reach 5 % of the index (at least 1,000). Why: single adds can cut a
   * node's last incoming edge, and the repair reconnects it; 5 % is often enough that few nodes
   * wait long and rarely enough that the O(n) pass stays cheap. The store never needs to know
   * either rule.
   */
  public int[] addBatch(float[][] batch) {
    if (batch.length >= PARALLEL_BATCH) {
      return addAll(batch, Runtime.getRuntime().availableProcessors());
    }
    int[] ords = new int[batch.length];
    for (int i = 0; i < ords.length; i++) {
      ords[i] = add(batch[i]);
    }
    boolean repairNow;
    synchronized (this) {
      addsSinceRepair += ords.length;
      repairNow = addsSinceRepair >= Math.max(1000, size() / 20);
    }
    if (repairNow) {
      repair();
    }
    return ords;
  }

  /** Whether {@code ordinal} was deleted. */
  public boolean isDeleted(int ordinal) {
    long[] d = deleted;
    int word = ordinal >>> 6;
    return word < d.length && (d[word] & (1L << ordinal)) != 0;
  }

  /**
   * Deletes the point {@code ordinal}: from now on no search returns it. Returns false if it was
   * already deleted. May run a {@link #repair} (see the class comment).
   */
  public boolean delete(int ordinal) {
    int n = size();
    if (ordinal < 0 || ordinal >= n) {
      throw new IllegalArgumentException("ordinal: must be in [0, " + n + "), got " + ordinal);
    }
    boolean repairNow;
    // Deletes share the read side of the structure lock with inserts: a repair, which rewires the
    // neighbours of the deleted nodes and then unlinks them, must not see the set change between
    // the two steps (a node deleted in between would be unlinked with its in-links left dangling).
    structure.readLock().lock();
    try {
      synchronized (this) {
        long[] d = deleted;
        long bit = 1L << ordinal;
        if ((d[ordinal >>> 6] & bit) != 0) {
          return false;
        }
        d[ordinal >>> 6] |= bit;
        deletedCount++; // volatile write after the bit: a search that reads the count sees the bit
        unrepaired++;
        repairNow = unrepaired >= repairFraction * n;
      }
    } finally {
      structure.readLock().unlock();
    }
    if (repairNow) {
      repair();
    }
    return true;
  }

  /**
   * Replaces the point {@code ordinal} by {@code vector}: a delete plus an add; returns the new
   * ordinal.
   */
  public int update(int ordinal, float[] vector) {
    Vectors.prepare(vector, dimension, metric, "vector");
    delete(ordinal);
    return add(vector);
  }

  /**
   * Unlinks every deleted node now and rewires its neighbours (see the class comment), then makes
   * sure every live node is reachable from the entry point (pruning can cut a node's last incoming
   * edge; {@link #addAll} ends with this step, a stream of single {@link #add} calls should call it
   * now and then), and that weakly linked nodes are found by a search for their own vector. Waits
   * for inserts in progress. Returns the number of lists changed.
   */
  public int repair() {
    structure.writeLock().lock();
    try {
      int pending;
      synchronized (this) {
        pending = unrepaired;
        unrepaired = 0;
        addsSinceRepair = 0;
      }
      HnswSearcher searcher = searchers.get();
      int rewired = pending == 0 ? 0 : graph.repair(vectors, deletedTest, searcher);
      int connected = graph.connectComponents(vectors, deletedTest, searcher);
      return rewired + connected + graph.reinforce(vectors, deletedTest, searcher);
    } finally {
      structure.writeLock().unlock();
    }
  }

  /** A searcher for the calling thread (keep it for many queries; do not share it). */
  public HnswSearcher searcher() {
    return new HnswSearcher(this, 2 * m);
  }

  /** The {@code k} nearest live points to {@code query}, best first, with the default ef. */
  public List<SearchResult> search(float[] query, int k) {
    return search(query, k, defaultEf, null);
  }

  /** The {@code k} nearest live points with beam width {@code ef} (raised to k if smaller). */
  public List<SearchResult> search(float[] query, int k, int ef) {
    return search(query, k, ef, null);
  }

  /**
   * The {@code k} nearest live points that {@code filter} accepts ({@code null}: all), best first;
   * exactly min(k, number accepted) results. See the class comment for how filters are served.
   */
  public List<SearchResult> search(float[] query, int k, int ef, IntPredicate filter) {
    return search(searchers.get(), query, k, ef, filter);
  }

  /** Ordinals below this are counted exactly; above, the filter is sampled. */
  private static final int EXACT_COUNT_LIMIT = 8192;

  /**
   * How many of the first {@code n} ordinals {@code accept} passes: counted when n is small, else
   * estimated from 4,096 ordinals drawn with a fixed seed (a standard error under 0.8 % of n), so a
   * filtered query costs no O(n) pass. The estimate only chooses between graph and exact scan and
   * bounds the graph walk; results never depend on its accuracy.
   */
  static long estimatePassing(IntPredicate accept, int n) {
    if (n <= EXACT_COUNT_LIMIT) {
      long count = 0;
      for (int i = 0; i < n; i++) {
        if (accept.test(i)) {
          count++;
        }
      }
      return count;
    }
    SplittableRandom sample = new SplittableRandom(0x5A4D_504CL);
    int draws = 4096;
    int hits = 0;
    for (int i = 0; i < draws; i++) {
      if (accept.test(sample.nextInt(n))) {
        hits++;
      }
    }
    return (long) hits * n / draws;
  }

  List<SearchResult> search(
      HnswSearcher searcher, float[] query, int k, int ef, IntPredicate filter) {
    float[] q = Vectors.prepare(query, dimension, metric, "query");
    if (k < 1) {
      throw new IllegalArgumentException("k: must be at least 1, got " + k);
    }
    if (ef < 1) {
      throw new IllegalArgumentException("ef: must be at least 1, got " + ef);
    }
    int live = liveCount(); // volatile read of deletedCount first: see delete()
    int n = graph.size();
    IntPredicate accept = filter == null ? liveTest : i -> !isDeleted(i) && filter.test(i);
    long passing = filter == null ? live : estimatePassing(accept, n);
    if (passing <= k) {
      // few pass (or the estimate saw none): the exact scan is cheap and returns all of them
      return searcher.exact(vectors.scorer(q), n, k, accept);
    }
    long ep = graph.entry();
    if (ep < 0) {
      return searcher.exact(vectors.scorer(q), n, k, accept);
    }
    VectorScorer scorer = navigation.scorer(q);
    int epNode = HnswGraph.entryNode(ep);
    searcher.begin(n);
    searcher.seed(epNode, scorer.score(epNode));
    for (int l = HnswGraph.entryLevel(ep); l > 0; l--) {
      searcher.searchLayer(graph, scorer, l, 1, null, Long.MAX_VALUE);
    }
    // the walk may score as many vectors as an exact scan of the passing set would, no more
    long limit = filter == null ? Long.MAX_VALUE : passing;
    searcher.searchLayer(graph, scorer, 0, Math.max(ef, k), accept, limit);
    if (searcher.aborted() || searcher.resultCount() < k) {
      return searcher.exact(vectors.scorer(q), n, k, accept);
    }
    if (navigation != vectors) {
      return searcher.rerank(vectors.scorer(q), k);
    }
    return searcher.topResults(k);
  }

  /**
   * The exact {@code k} nearest live points that {@code filter} accepts ({@code null}: all), by a
   * scan of the full-precision vectors: the ground truth {@link #search} approximates.
   */
  public List<SearchResult> searchExact(float[] query, int k, IntPredicate filter) {
    float[] q = Vectors.prepare(query, dimension, metric, "query");
    if (k < 1) {
      throw new IllegalArgumentException("k: must be at least 1, got " + k);
    }
    IntPredicate accept = filter == null ? liveTest : i -> !isDeleted(i) && filter.test(i);
    return searchers.get().exact(vectors.scorer(q), vectors.size(), k, accept);
  }

  /**
   * Writes the index to {@code file} atomically (see {@link IndexFile}): a reader sees the old file
   * or the new one, never a mix. Inserts and repairs wait while it writes; searches go on.
   *
   * @throws java.io.UncheckedIOException naming the file if it cannot be written
   */
  public void save(java.nio.file.Path file) {
    if (file == null) {
      throw new IllegalArgumentException("file: must not be null");
    }
    structure.writeLock().lock();
    try {
      write(file, vectors.size());
    } finally {
      structure.writeLock().unlock();
    }
  }

  /**
   * Writes the first {@code n} ordinals to {@code file} while inserts, deletes and searches go on
   * (only repairs wait): a store's checkpoint, which knows which of those ordinals are live at the
   * moment it took {@code n} and replays what came after. The image is fuzzy in two ways the loader
   * of such a file must mend: tombstones are as they were when read (call {@link #reconcile} with
   * the live set), and links to ordinals at or past {@code n} are dropped, so {@link #repair}
   * should run before the graph is trusted for recall.
   *
   * @throws java.io.UncheckedIOException naming the file if it cannot be written
   */
  public void saveFirst(java.nio.file.Path file, int n) {
    if (n < 0 || n > size()) {
      throw new IllegalArgumentException("n: must be in [0, " + size() + "], got " + n);
    }
    structure.readLock().lock();
    try {
      write(file, n);
    } finally {
      structure.readLock().unlock();
    }
  }

  private void write(java.nio.file.Path file, int n) {
    try {
      IndexFile.Snapshot s = new IndexFile.Snapshot();
      s.dimension = dimension;
      s.metric = metric;
      s.m = m;
      s.efConstruction = efConstruction;
      s.ef = defaultEf;
      s.repairFraction = repairFraction;
      s.seed = seed;
      s.size = n;
      s.kind = compression.kind;
      if (navigation instanceof Int8Vectors) {
        s.int8Centre = ((Int8Vectors) navigation).centre;
        s.int8Step = ((Int8Vectors) navigation).step;
      } else if (navigation instanceof BinaryVectors) {
        s.binaryMean = ((BinaryVectors) navigation).mean;
      } else if (navigation instanceof ProjectedVectors) {
        s.projection = ((ProjectedVectors) navigation).projection();
      }
      long[] d;
      synchronized (this) {
        d = java.util.Arrays.copyOf(deleted, (n + 63) >>> 6);
      }
      if ((n & 63) != 0 && d.length > 0) {
        d[d.length - 1] &= (1L << n) - 1; // no tombstones past n
      }
      s.deleted = d;
      s.levels = new int[n];
      int top = -1;
      int topNode = -1;
      for (int i = 0; i < n; i++) {
        s.levels[i] = graph.level(i);
        if (s.levels[i] > top) {
          top = s.levels[i];
          topNode = i;
        }
      }
      long entry = graph.entry();
      // an entry point added after n is not in the file: the highest node before n stands in
      s.entry =
          entry >= 0 && HnswGraph.entryNode(entry) < n
              ? entry
              : topNode < 0 ? -1 : HnswGraph.packEntry(topNode, top);
      s.vectors = vectors;
      s.graph = graph;
      IndexFile.write(s, file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(
          file + ": cannot write the index: " + e.getMessage(), e);
    }
  }

  /**
   * Makes the tombstones exactly the ordinals {@code live} refuses, after a load of a {@link
   * #saveFirst} image (whose tombstones were read while deletes went on). A node that comes back to
   * life after a repair unlinked it stays unlinked ({@link #isLinked}); its owner re-adds it.
   */
  public void reconcile(IntPredicate live) {
    synchronized (this) {
      long[] d = new long[Math.max(16, (size() + 63) >>> 6)];
      int count = 0;
      int pending = 0;
      for (int i = 0; i < size(); i++) {
        if (!live.test(i)) {
          d[i >>> 6] |= 1L << i;
          count++;
          pending += graph.level(i) >= 0 ? 1 : 0;
        }
      }
      deleted = d;
      deletedCount = count;
      unrepaired = pending;
    }
  }

  /** Whether {@code ordinal} is linked into the graph (false once a repair removed it). */
  public boolean isLinked(int ordinal) {
    return graph.level(ordinal) >= 0;
  }

  /**
   * Loads an index written by {@link #save}. The full-precision vectors stay in the file,
   * memory-mapped, so an index larger than the heap is searchable; the graph, the tombstones and
   * any compressed vectors (re-encoded from the mapped ones) live on the heap. The loaded index
   * takes further adds, deletes and repairs; new vectors live on the heap until the next save.
   *
   * @throws CorruptIndexException naming the file if it is truncated, corrupted or not an index
   * @throws java.io.IOException if it cannot be read
   */
  public static HnswIndex load(java.nio.file.Path file) throws java.io.IOException {
    if (file == null) {
      throw new IllegalArgumentException("file: must not be null");
    }
    IndexFile.Snapshot s = IndexFile.read(file);
    Builder b =
        builder(s.dimension, s.metric)
            .m(s.m)
            .efConstruction(s.efConstruction)
            .ef(s.ef)
            .seed(s.seed)
            .repairFraction(s.repairFraction);
    AppendableVectors navigation;
    Compression compression;
    switch (s.kind) {
      case INT8:
        navigation = new Int8Vectors(s.dimension, s.metric, s.int8Centre, s.int8Step);
        compression = Compression.restored(s.kind, null);
        break;
      case BINARY:
        navigation = new BinaryVectors(s.dimension, s.binaryMean);
        compression = Compression.restored(s.kind, null);
        break;
      case PROJECTION:
        navigation = new ProjectedVectors(s.dimension, s.metric, s.projection);
        compression = Compression.projection(s.projection);
        break;
      default:
        navigation = s.vectors;
        compression = Compression.none();
        break;
    }
    if (navigation != s.vectors) {
      float[] row = new float[s.dimension];
      for (int i = 0; i < s.size; i++) {
        s.vectors.copy(i, row);
        navigation.append(row);
      }
    }
    // continue the level draws from a seed that depends on how many were drawn already
    HnswIndex index =
        new HnswIndex(
            b,
            s.vectors,
            compression,
            navigation,
            s.graph,
            s.seed ^ (0x9E3779B97F4A7C15L * s.size));
    index.deleted = s.deleted;
    int count = 0;
    int pending = 0;
    for (int i = 0; i < s.size; i++) {
      if (index.isDeleted(i)) {
        count++;
        pending += s.levels[i] >= 0 ? 1 : 0;
      }
    }
    index.deletedCount = count;
    index.unrepaired = pending;
    return index;
  }

  HnswGraph graph() {
    return graph;
  }
}
