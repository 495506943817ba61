package dev.byhand.vector;

/**
 * Whether a vector is acceptable to an index, and the form it is stored and searched in: the one
 * function that decides it, for the indexes here and for every layer above them (a store checks a
 * write with it before logging the write, so what was logged can always be applied).
 *
 * <p>Acceptable means: not null, of the index's dimension, every number finite, and a Euclidean
 * norm (computed in double, so no square overflows or underflows) of at most {@link #MAX_NORM} for
 * {@link Metric#DOT} and {@link Metric#L2}, above zero for {@link Metric#COSINE}. Why the upper
 * bound: scores are computed in float, and with both norms at most 1e18 every dot product and
 * squared distance (and every partial sum of one) stays below 4e36, far from float's 3.4e38, so no
 * score is ever infinite or NaN. A cosine vector has no upper bound and no lower bound beyond zero:
 * it is scaled to unit length in double, so components from 1e-45 to 3.4e38 all become a unit
 * vector; for dot and L2 a tiny vector is simply one that scores near zero.
 */
public final class VectorCheck {

  /** Largest Euclidean norm a vector (or query) may have. */
  public static final double MAX_NORM = 1e18;

  private VectorCheck() {}

  /**
   * What is wrong with {@code v} for an index of {@code dimension} and {@code metric}, as a message
   * whose first word is the position at fault ({@code "[3] must be finite…"} or {@code ": has …"}),
   * or null if it is acceptable.
   */
  public static String problem(float[] v, int dimension, Metric metric) {
    if (v == null) {
      return ": must not be null";
    }
    if (v.length != dimension) {
      return ": dimension " + v.length + " does not match the index dimension " + dimension;
    }
    double sum = 0;
    for (int i = 0; i < v.length; i++) {
      float x = v[i];
      if (!Float.isFinite(x)) {
        return "[" + i + "]: must be a finite number, got " + x;
      }
      sum += (double) x * x;
    }
    double norm = Math.sqrt(sum);
    if (norm > MAX_NORM && metric != Metric.COSINE) {
      return ": its length (Euclidean norm) is "
          + String.format(java.util.Locale.ROOT, "%.3g", norm)
          + "; at most "
          + String.format(java.util.Locale.ROOT, "%.0e", MAX_NORM)
          + " is accepted, so that no score overflows";
    }
    if (metric == Metric.COSINE && sum == 0) {
      return ": is a zero vector (all zeros), which has no cosine similarity";
    }
    return null;
  }

  /**
   * Checks {@code v} and returns it ready to store or search: for cosine a copy scaled to unit
   * length (in double), otherwise the array itself.
   *
   * @throws IllegalArgumentException naming {@code field} if {@link #problem} finds something
   */
  public static float[] prepare(float[] v, int dimension, Metric metric, String field) {
    String problem = problem(v, dimension, metric);
    if (problem != null) {
      throw new IllegalArgumentException(field + problem);
    }
    if (metric != Metric.COSINE) {
      return v;
    }
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    double inv = 1 / Math.sqrt(sum);
    float[] n = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      n[i] = (float) (v[i] * inv);
    }
    return n;
  }
}
