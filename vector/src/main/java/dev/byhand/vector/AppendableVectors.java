package dev.byhand.vector;

/** Stored vectors that take new ones: the representation an index navigates its graph with. */
interface AppendableVectors extends ScoringVectors {

  /**
   * Encodes and appends an already prepared vector (normalised for cosine) and returns its ordinal.
   * Callers serialise appends; readers may run concurrently.
   */
  int append(float[] prepared);
}
