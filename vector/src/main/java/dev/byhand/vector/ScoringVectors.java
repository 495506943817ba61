package dev.byhand.vector;

/**
 * Stored vectors, addressed by ordinal, seen only through scores. Implementations are safe for
 * concurrent readers; the scorers they return belong to one thread each.
 */
public interface ScoringVectors {

  /** Length of the vectors as given by callers (before any projection or quantisation). */
  int dimension();

  /** Number of stored vectors; ordinals are [0, size). */
  int size();

  /** A scorer of stored vectors against {@code query}, already prepared (normalised for cosine). */
  VectorScorer scorer(float[] query);

  /** A scorer of stored vectors against the stored vector {@code ordinal}. */
  VectorScorer scorer(int ordinal);

  /** The score between two stored vectors (symmetric). */
  float similarity(int a, int b);

  /** Bytes of memory one stored vector takes in this representation. */
  long bytesPerVector();
}
