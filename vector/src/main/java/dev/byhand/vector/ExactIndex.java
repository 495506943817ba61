package dev.byhand.vector;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * Exact nearest-neighbour search by linear scan (seed steps [9] and [10]): every stored vector is
 * scored against the query and a bounded heap keeps the best k. The vectors sit in one row-major
 * array, so scoring a batch of queries is the matrix product {@code Q · Xᵀ} (the seed's "by
 * transposing the query vector, this step becomes a matrix multiplication"), computed in blocks of
 * rows that stay in cache while every query passes over them.
 *
 * <p>Large scans run in parallel over row ranges (see {@link #search(float[][], int)}); nothing
 * is allocated per scored vector.
 *
 * <p>Adding is single-writer: call {@link #add} from one thread at a time. Searches may run
 * concurrently with each other, not with {@code add}.
 */
public final class ExactIndex {

  /** Rows scored per block: 256 × 384 floats is 384 KiB, about one L2 cache. */
  private static final int BLOCK_ROWS = 256;

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
    this.data = new float[dimension * 16];
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
    if ((long) (size + 1) * dimension > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException(
          "index is full: at most " + (Integer.MAX_VALUE - 8) / dimension + " vectors of dimension "
              + dimension + " fit in one exact index");
    }
    if ((size + 1) * dimension > data.length) {
      long grown = Math.max((long) data.length * 2, (long) (size + 1) * dimension);
      data = Arrays.copyOf(data, (int) Math.min(grown, Integer.MAX_VALUE - 8));
    }
    System.arraycopy(v, 0, data, size * dimension, dimension);
    return size++;
  }

  /** A copy of the stored vector at {@code ordinal} (as stored: normalised for cosine). */
  public float[] vector(int ordinal) {
    checkOrdinal(ordinal);
    return Arrays.copyOfRange(data, ordinal * dimension, (ordinal + 1) * dimension);
  }

  /** Seed step [9]: the score of {@code query} against every stored vector, in ordinal order. */
  public float[] scores(float[] query) {
    float[] q = prepare(query, "query");
    float[] out = new float[size];
    for (int i = 0; i < size; i++) {
      out[i] = metric.score(ops, q, 0, data, i * dimension, dimension);
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
    int tasks = maxThreads == 1 ? 1 : (int) Math.min(maxThreads * 4L, Math.max(1, work / (2L << 20)));
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
   * block of rows stays in cache while every query passes over it; four queries meet four rows
   * in one register-blocked kernel call (a lone query, or the last one to three, use four rows at
   * a time), and every score equals the one-query path's bit for bit.
   */
  private TopK[] scan(float[] stored, float[][] q, int from, int to, int capacity, IntPredicate filter) {
    TopK[] top = new TopK[q.length];
    for (int j = 0; j < q.length; j++) {
      top[j] = new TopK(capacity);
    }
    int d = dimension;
    boolean l2 = metric == Metric.L2;
    // queries side by side, so four of them form one 4 × d operand of the block kernel
    int grouped = q.length & ~3;
    float[] packed = new float[grouped * d];
    for (int j = 0; j < grouped; j++) {
      System.arraycopy(q[j], 0, packed, j * d, d);
    }
    float[] four = new float[4];
    float[] sixteen = new float[16];
    for (int blockFrom = from; blockFrom < to; blockFrom += BLOCK_ROWS) {
      int blockTo = Math.min(to, blockFrom + BLOCK_ROWS);
      for (int j = 0; j < grouped; j += 4) {
        int i = blockFrom;
        for (; i + 4 <= blockTo; i += 4) {
          if (l2) {
            ops.squaredDistance4x4(packed, j * d, stored, i * d, d, sixteen);
          } else {
            ops.dot4x4(packed, j * d, stored, i * d, d, sixteen);
          }
          for (int qi = 0; qi < 4; qi++) {
            TopK t = top[j + qi];
            for (int r = 0; r < 4; r++) {
              float score = l2 ? -sixteen[4 * qi + r] : sixteen[4 * qi + r];
              if (score >= t.threshold() && (filter == null || filter.test(i + r))) {
                t.offer(i + r, score);
              }
            }
          }
        }
        for (int qi = 0; qi < 4; qi++) {
          scanTail(q[j + qi], top[j + qi], stored, i, blockTo, filter);
        }
      }
      for (int j = grouped; j < q.length; j++) {
        float[] query = q[j];
        TopK t = top[j];
        int i = blockFrom;
        for (; i + 4 <= blockTo; i += 4) {
          int o = i * d;
          if (l2) {
            ops.squaredDistance4(query, 0, stored, o, o + d, o + 2 * d, o + 3 * d, d, four);
          } else {
            ops.dot4(query, 0, stored, o, o + d, o + 2 * d, o + 3 * d, d, four);
          }
          for (int r = 0; r < 4; r++) {
            float score = l2 ? -four[r] : four[r];
            if (score >= t.threshold() && (filter == null || filter.test(i + r))) {
              t.offer(i + r, score);
            }
          }
        }
        scanTail(query, t, stored, i, blockTo, filter);
      }
    }
    return top;
  }

  /** The last rows of a block, fewer than four, one at a time. */
  private void scanTail(float[] query, TopK t, float[] stored, int from, int to, IntPredicate filter) {
    for (int i = from; i < to; i++) {
      if (filter == null || filter.test(i)) {
        t.offer(i, metric.score(ops, query, 0, stored, i * dimension, dimension));
      }
    }
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
