package dev.byhand.vector;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Full-precision vectors in fixed-size chunks (no chunk ever moves, so readers need no lock while a
 * writer appends), optionally preceded by a read-only memory-mapped base loaded from an index file,
 * so an index larger than the heap stays searchable.
 *
 * <p>Appending is serialised by the caller ({@link HnswIndex} does it under its insert lock);
 * readers may run concurrently with an append and see every vector whose ordinal they obtained
 * through a happens-before edge (the graph's neighbour-list locks, or {@link #size()}).
 */
public final class FloatVectors implements AppendableVectors {

  private final int dimension;
  private final Metric metric;
  private final VectorOps ops = VectorOps.get();
  private final int chunkShift;
  private final int chunkMask;
  private final FloatBuffer[] mapped;
  private final int mappedCount;
  private final int perSegment;
  private final ThreadLocal<float[][]> pairScratch;
  private volatile float[][] chunks = new float[4][];
  private volatile int size;

  /** Empty on-heap storage. */
  public FloatVectors(int dimension, Metric metric) {
    this(dimension, metric, null, 0, 0);
  }

  /**
   * Storage whose first {@code mappedCount} vectors are read from {@code mapped} segments of {@code
   * perSegment} vectors each (little-endian floats, row-major).
   */
  FloatVectors(
      int dimension, Metric metric, FloatBuffer[] mapped, int mappedCount, int perSegment) {
    Vectors.checkDimension(dimension);
    Vectors.checkMetric(metric);
    this.dimension = dimension;
    this.metric = metric;
    this.chunkShift = Vectors.chunkShift((long) dimension * Float.BYTES);
    this.chunkMask = (1 << chunkShift) - 1;
    this.mapped = mapped;
    this.mappedCount = mappedCount;
    this.perSegment = perSegment;
    this.pairScratch =
        ThreadLocal.withInitial(() -> new float[][] {new float[dimension], new float[dimension]});
    this.size = mappedCount;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  /** How vectors are compared. */
  public Metric metric() {
    return metric;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public long bytesPerVector() {
    return (long) dimension * Float.BYTES;
  }

  /** Number of vectors read from the memory-mapped base. */
  int mappedCount() {
    return mappedCount;
  }

  /**
   * Appends an already prepared vector (see {@link Vectors#prepare}) and returns its ordinal. Not
   * thread-safe: callers serialise appends.
   */
  @Override
  public int append(float[] v) {
    assert v.length == dimension;
    int ordinal = size;
    int local = ordinal - mappedCount;
    int chunk = local >>> chunkShift;
    float[][] c = chunks;
    if (chunk >= c.length) {
      c = Arrays.copyOf(c, c.length * 2);
    }
    if (c[chunk] == null) {
      c[chunk] = new float[(chunkMask + 1) * dimension];
    }
    System.arraycopy(v, 0, c[chunk], (local & chunkMask) * dimension, dimension);
    chunks = c;
    size = ordinal + 1;
    return ordinal;
  }

  /** A copy of the stored vector {@code ordinal} (normalised for cosine). */
  public float[] vector(int ordinal) {
    if (ordinal < 0 || ordinal >= size) {
      throw new IllegalArgumentException("ordinal: must be in [0, " + size + "), got " + ordinal);
    }
    float[] out = new float[dimension];
    copy(ordinal, out);
    return out;
  }

  /** Copies vector {@code ordinal} into {@code out}. */
  void copy(int ordinal, float[] out) {
    if (ordinal < mappedCount) {
      int segment = ordinal / perSegment;
      mapped[segment].get((ordinal - segment * perSegment) * dimension, out, 0, dimension);
    } else {
      int local = ordinal - mappedCount;
      System.arraycopy(
          chunks[local >>> chunkShift], (local & chunkMask) * dimension, out, 0, dimension);
    }
  }

  private float score(float[] a, int aOff, float[] b, int bOff) {
    return metric == Metric.L2
        ? -ops.squaredDistance(a, aOff, b, bOff, dimension)
        : ops.dot(a, aOff, b, bOff, dimension);
  }

  @Override
  public float similarity(int a, int b) {
    if (a >= mappedCount && b >= mappedCount) {
      int la = a - mappedCount;
      int lb = b - mappedCount;
      float[][] c = chunks;
      return score(
          c[la >>> chunkShift], (la & chunkMask) * dimension,
          c[lb >>> chunkShift], (lb & chunkMask) * dimension);
    }
    float[][] scratch = pairScratch.get();
    copy(a, scratch[0]);
    copy(b, scratch[1]);
    return score(scratch[0], 0, scratch[1], 0);
  }

  @Override
  public VectorScorer scorer(float[] query) {
    assert query.length == dimension;
    return new Scorer(query);
  }

  @Override
  public VectorScorer scorer(int ordinal) {
    return new Scorer(vector(ordinal));
  }

  /** Scores against a fixed vector; mapped vectors pass through one scratch row. */
  private final class Scorer implements VectorScorer {
    private final float[] query;
    private final float[] scratch;

    Scorer(float[] query) {
      this.query = query;
      this.scratch = mappedCount > 0 ? new float[dimension] : null;
    }

    @Override
    public float score(int ordinal) {
      if (ordinal < mappedCount) {
        copy(ordinal, scratch);
        return FloatVectors.this.score(query, 0, scratch, 0);
      }
      int local = ordinal - mappedCount;
      return FloatVectors.this.score(
          query, 0, chunks[local >>> chunkShift], (local & chunkMask) * dimension);
    }

    @Override
    public void bulkScore(int[] ordinals, float[] scores, int count) {
      if (mappedCount > 0) {
        for (int i = 0; i < count; i++) {
          scores[i] = score(ordinals[i]);
        }
        return;
      }
      float[][] c = chunks; // one volatile read for the batch
      boolean l2 = metric == Metric.L2;
      for (int i = 0; i < count; i++) {
        int ordinal = ordinals[i];
        float[] chunk = c[ordinal >>> chunkShift];
        int offset = (ordinal & chunkMask) * dimension;
        scores[i] =
            l2
                ? -ops.squaredDistance(query, 0, chunk, offset, dimension)
                : ops.dot(query, 0, chunk, offset, dimension);
      }
    }
  }
}
