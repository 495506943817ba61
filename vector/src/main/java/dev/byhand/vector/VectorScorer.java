package dev.byhand.vector;

/**
 * Scores stored vectors against one fixed vector (a query, or a stored node during insertion), the
 * only way graph code sees vectors (as Lucene's {@code RandomVectorScorer}): exact floats, int8 or
 * binary codes and projected vectors all plug in behind it. Larger scores are nearer. A scorer
 * belongs to one thread and may keep scratch.
 */
public interface VectorScorer {

  /** The score of the stored vector {@code ordinal} against this scorer's vector. */
  float score(int ordinal);

  /** {@code scores[i] = score(ordinals[i])} for i in [0, count). */
  default void bulkScore(int[] ordinals, float[] scores, int count) {
    for (int i = 0; i < count; i++) {
      scores[i] = score(ordinals[i]);
    }
  }
}
