package dev.byhand.vector;

import java.util.Locale;

/**
 * How two vectors are compared. Every metric is turned into a score where larger means nearer, so
 * that one top-k heap serves all of them.
 */
public enum Metric {
  /** Dot product (seed step [9]): the score is {@code a·b}. */
  DOT,
  /**
   * Cosine similarity: vectors and queries are L2-normalised when they enter an index, and the
   * score is then their dot product, in [−1, 1].
   */
  COSINE,
  /**
   * Euclidean distance: the score is the negated squared distance {@code −|a−b|²}, so the nearest
   * point has the largest score (0 for an exact match).
   */
  L2;

  /** The score of {@code a} against {@code b} (both already normalised for {@link #COSINE}). */
  float score(VectorOps ops, float[] a, int aOff, float[] b, int bOff, int length) {
    return this == L2
        ? -ops.squaredDistance(a, aOff, b, bOff, length)
        : ops.dot(a, aOff, b, bOff, length);
  }

  /** Parses {@code dot}, {@code cosine} or {@code l2}, case-insensitively. */
  public static Metric parse(String name) {
    for (Metric m : values()) {
      if (m.name().equalsIgnoreCase(name)) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "metric: unknown '" + name + "'; expected dot, cosine or l2");
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
