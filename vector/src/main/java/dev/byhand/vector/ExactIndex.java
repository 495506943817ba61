package dev.byhand.vector;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * Exact nearest-neighbour search by linear scan (seed steps [9] and [10]): every stored vector is
 * scored against the query and a bounded heap keeps the best k. Scoring a batch of queries is the
 * matrix product {@code Q · Xᵀ} (the seed's "by transposing the query vector, this step becomes a
 * matrix multiplication"), computed in blocks of rows that stay in cache while every query passes
 * over them. The vectors are stored as that product wants them, already transposed in panels of 16
 * rows ({@link VectorOps#panelScores}): one vector load reads one element of 16 rows, so no row's
 * dot product needs a reduction across lanes, and no block is copied at search time.
 *
 * <p>Large scans run in parallel over row ranges (see {@link #search(float[][], int)}); nothing is
 * allocated per scored vector.
 *
 * <p>Adding is single-writer: call {@link #add} from one thread at a time. Searches may run
 * concurrently with each other, not with {@code add}.
 */
public final class ExactIndex {

  /** Rows scored per block: 256 × 384 floats is 384 KiB, about one L2 cache; 16 whole panels. */
  private static final int BLOCK_ROWS = 256;

  /** Rows a panel: the stored vectors sit in panels of 16 rows, element by element. */
  private static final int PANEL = VectorOps.PANEL_ROWS;

  /** Queries scored together against a block: the widest tile of the panel kernel. */
  private static final int QUERIES_PER_STEP = 6;

  private static final int PARALLELISM = Runtime.getRuntime().availableProcessors();

  private final int dimension;
  private final Metric metric;
  private final VectorOps ops = VectorOps.get();
  private float[] data;
  private int size;
  private volatile int threads = PARALLELISM;

  /**
   * @param dimension length of every vector, in [1, 65536]
   * @param metric how vectors are compared
   */
  public ExactIndex(int dimension, Metric metric) {
    if (dimension < 1 || dimension > 65536) {
      throw new IllegalArgumentException("dimension: must be in [1, 65536], got " + dimension);
    }
    if (metric == null) {
      throw new IllegalArgumentException("metric: must be dot, cosine or l2, got null");
    }
    this.dimension = dimension;
    this.metric = metric;
    this.data = new float[dimension * PANEL];
  }

  /** Length of every vector. */
  public int dimension() {
    return dimension;
  }

  /** How vectors are compared. */
  public Metric metric() {
    return metric;
  }

  /**
   * Caps the threads one search uses (default: the available processors); 1 scans on the calling
   * thread only. Results do not depend on it.
   */
  public void setThreads(int threads) {
    if (threads < 1 || threads > 1024) {
      throw new IllegalArgumentException("threads: must be in [1, 1024], got " + threads);
    }
    this.threads = threads;
  }

  /** Number of vectors added. */
  public int size() {
    return size;
  }

  /**
   * Adds a copy of {@code vector} (normalised first for {@link Metric#COSINE}) and returns its
   * ordinal: 0 for the first vector, then 1, 2, …
   */
  public int add(float[] vector) {
    float[] v = prepare(vector, "vector");
    long panel = (long) PANEL * dimension;
    long needed = ((long) size / PANEL + 1) * panel;
    if (needed > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException(
          "index is full: at most "
              + (Integer.MAX_VALUE - 8) / panel * PANEL
              + " vectors of dimension "
              + dimension
              + " fit in one exact index");
    }
    if (needed > data.length) {
      long grown = Math.max((long) data.length * 2, needed);
      grown = Math.min(grown, (Integer.MAX_VALUE - 8) / panel * panel);
      data = Arrays.copyOf(data, (int) grown);
    }
    for (int k = 0, e = offset(size); k < dimension; k++, e += PANEL) {
      data[e] = v[k];
    }
    return size++;
  }

  /** Where element 0 of row {@code ordinal} is: rows are stored in panels of 16, interleaved. */
  private int offset(int ordinal) {
    return (ordinal / PANEL) * PANEL * dimension + ordinal % PANEL;
  }

  /** A copy of the stored vector at {@code ordinal} (as stored: normalised for cosine). */
  public float[] vector(int ordinal) {
    checkOrdinal(ordinal);
    float[] v = new float[dimension];
    for (int k = 0, e = offset(ordinal); k < dimension; k++, e += PANEL) {
      v[k] = data[e];
    }
    return v;
  }

  /**
   * Seed step [9]: the score of {@code query} against every stored vector, in ordinal order (the
   * very numbers {@link #search} ranks).
   */
  public float[] scores(float[] query) {
    float[] q = prepare(query, "query");
    boolean l2 = metric == Metric.L2;
    float[] out = new float[size];
    float[] block = new float[BLOCK_ROWS];
    for (int from = 0; from < size; from += BLOCK_ROWS) {
      int rows = Math.min(BLOCK_ROWS, size - from);
      ops.panelScores(
          q, 0, 1, dimension, data, from * dimension, (rows + PANEL - 1) / PANEL, l2, block);
      for (int r = 0; r < rows; r++) {
        out[from + r] = l2 ? -block[r] : block[r];
      }
    }
    return out;
  }

  /** The {@code k} nearest stored vectors to {@code query}, best first. */
  public List<SearchResult> search(float[] query, int k) {
    return search(new float[][] {query}, k).get(0);
  }

  /**
   * The {@code k} nearest stored vectors to each query, best first: one blocked pass over the
   * stored vectors serves the whole batch. Large indexes are split into row ranges scored in
   * parallel on the common fork-join pool (the calling thread takes part), each range with its own
   * heaps, merged at the end; the result does not depend on the split.
   */
  public List<List<SearchResult>> search(float[][] queries, int k) {
    return search(queries, k, null);
  }

  /**
   * As {@link #search(float[][], int)}, scoring only the ordinals {@code filter} accepts ({@code
   * null} accepts all). The filter is called from several threads on large indexes.
   */
  public List<List<SearchResult>> search(float[][] queries, int k, IntPredicate filter) {
    if (k < 1) {
      throw new IllegalArgumentException("k: must be at least 1, got " + k);
    }
    if (queries == null) {
      throw new IllegalArgumentException("queries: must not be null");
    }
    float[][] q = new float[queries.length][];
    for (int j = 0; j < queries.length; j++) {
      q[j] = prepare(queries[j], "queries[" + j + "]");
    }
    int rows = size;
    float[] stored = data;
    int capacity = Math.min(k, Math.max(1, rows));
    // Work per task at least ~2M multiply-adds, so that fork-join overhead stays below a percent.
    long work = (long) rows * dimension * Math.max(1, q.length);
    int maxThreads = threads;
    int tasks =
        maxThreads == 1 ? 1 : (int) Math.min(maxThreads * 4L, Math.max(1, work / (2L << 20)));
    tasks = Math.max(1, Math.min(tasks, rows / BLOCK_ROWS));
    TopK[] top;
    if (tasks == 1) {
      top = scan(stored, q, 0, rows, capacity, filter);
    } else {
      // range boundaries on multiples of BLOCK_ROWS, so every row is scored by the same kernel
      // call shape whatever the number of tasks
      int blocks = (rows + BLOCK_ROWS - 1) / BLOCK_ROWS;
      int nTasks = tasks;
      TopK[][] partial = new TopK[nTasks][];
      IntStream.range(0, nTasks)
          .parallel()
          .forEach(
              t -> {
                int from = (int) ((long) blocks * t / nTasks) * BLOCK_ROWS;
                int to = Math.min(rows, (int) ((long) blocks * (t + 1) / nTasks) * BLOCK_ROWS);
                partial[t] = scan(stored, q, from, to, capacity, filter);
              });
      top = partial[0];
      for (int t = 1; t < nTasks; t++) {
        for (int j = 0; j < q.length; j++) {
          top[j].offerAll(partial[t][j]);
        }
      }
    }
    List<List<SearchResult>> out = new ArrayList<>(q.length);
    for (TopK t : top) {
      out.add(t.results());
    }
    return out;
  }

  /**
   * Seed step [10] over rows [from, to): the blocked product of the queries with those rows. A
   * block of 16 panels stays in cache while every query passes over it, six queries at a time
   * ({@link VectorOps#panelScores}); every score is the same whether its query came alone or in a
   * batch.
   */
  private TopK[] scan(
      float[] stored, float[][] q, int from, int to, int capacity, IntPredicate filter) {
    TopK[] top = new TopK[q.length];
    for (int j = 0; j < q.length; j++) {
      top[j] = new TopK(capacity);
    }
    int d = dimension;
    boolean l2 = metric == Metric.L2;
    // queries side by side, so six of them form one 6 × d operand of the panel kernel
    float[] packed = new float[q.length * d];
    for (int j = 0; j < q.length; j++) {
      System.arraycopy(q[j], 0, packed, j * d, d);
    }
    float[] scores = new float[QUERIES_PER_STEP * BLOCK_ROWS];
    for (int blockFrom = from; blockFrom < to; blockFrom += BLOCK_ROWS) {
      int rows = Math.min(to, blockFrom + BLOCK_ROWS) - blockFrom;
      int panelCount = (rows + PANEL - 1) / PANEL;
      int width = panelCount * PANEL;
      for (int j = 0; j < q.length; j += QUERIES_PER_STEP) {
        int n = Math.min(QUERIES_PER_STEP, q.length - j);
        ops.panelScores(packed, j * d, n, d, stored, blockFrom * d, panelCount, l2, scores);
        for (int i = 0; i < n; i++) {
          TopK t = top[j + i];
          float threshold = t.threshold();
          for (int r = 0, o = i * width; r < rows; r++) {
            float score = l2 ? -scores[o + r] : scores[o + r];
            if (score >= threshold && (filter == null || filter.test(blockFrom + r))) {
              t.offer(blockFrom + r, score);
              threshold = t.threshold();
            }
          }
        }
      }
    }
    return top;
  }

  private float[] prepare(float[] v, String field) {
    return Vectors.prepare(v, dimension, metric, field);
  }

  private void checkOrdinal(int ordinal) {
    if (ordinal < 0 || ordinal >= size) {
      throw new IllegalArgumentException("ordinal: must be in [0, " + size + "), got " + ordinal);
    }
  }
}
