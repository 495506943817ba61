package dev.byhand.vector;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Exact nearest-neighbour search by linear scan (seed steps [9] and [10]): every stored vector is
 * scored against the query and a bounded heap keeps the best k. The vectors sit in one row-major
 * array, so scoring a batch of queries is the matrix product {@code Q · Xᵀ} (the seed's "by
 * transposing the query vector, this step becomes a matrix multiplication"), computed in blocks of
 * rows that stay in cache while every query passes over them.
 *
 * <p>Adding is single-writer: call {@link #add} from one thread at a time. Searches may run
 * concurrently with each other, not with {@code add}.
 */
public final class ExactIndex {

  /** Rows scored per block: 256 × 384 floats is 384 KiB, about one L2 cache. */
  private static final int BLOCK_ROWS = 256;

  private final int dimension;
  private final Metric metric;
  private final VectorOps ops = VectorOps.get();
  private float[] data;
  private int size;

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

  public int dimension() {
    return dimension;
  }

  public Metric metric() {
    return metric;
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
   * stored vectors serves the whole batch.
   */
  public List<List<SearchResult>> search(float[][] queries, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k: must be at least 1, got " + k);
    }
    float[][] q = new float[queries.length][];
    TopK[] top = new TopK[queries.length];
    for (int j = 0; j < queries.length; j++) {
      q[j] = prepare(queries[j], "queries[" + j + "]");
      top[j] = new TopK(Math.min(k, Math.max(1, size)));
    }
    for (int from = 0; from < size; from += BLOCK_ROWS) {
      int to = Math.min(size, from + BLOCK_ROWS);
      for (int j = 0; j < q.length; j++) {
        TopK t = top[j];
        for (int i = from; i < to; i++) {
          t.offer(i, metric.score(ops, q[j], 0, data, i * dimension, dimension));
        }
      }
    }
    List<List<SearchResult>> out = new ArrayList<>(q.length);
    for (TopK t : top) {
      out.add(t.results());
    }
    return out;
  }

  private float[] prepare(float[] v, String field) {
    if (v == null) {
      throw new IllegalArgumentException(field + ": must not be null");
    }
    if (v.length != dimension) {
      throw new IllegalArgumentException(
          field + ": dimension " + v.length + " does not match the index dimension " + dimension);
    }
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        throw new IllegalArgumentException(field + "[" + i + "]: must be finite, got " + v[i]);
      }
    }
    if (metric != Metric.COSINE) {
      return v;
    }
    float[] n = v.clone();
    double s = ops.dot(n, 0, n, 0, dimension);
    if (s == 0) {
      throw new IllegalArgumentException(field + ": a zero vector has no cosine similarity");
    }
    float inv = (float) (1 / Math.sqrt(s));
    for (int i = 0; i < dimension; i++) {
      n[i] *= inv;
    }
    return n;
  }

  private void checkOrdinal(int ordinal) {
    if (ordinal < 0 || ordinal >= size) {
      throw new IllegalArgumentException("ordinal: must be in [0, " + size + "), got " + ordinal);
    }
  }
}
