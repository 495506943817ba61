package dev.byhand.bench.vector;

import java.io.IOException;
import java.nio.file.Path;

/** One system under test: builds an index of unit vectors (inner product) and answers k-NN. */
interface Peer extends AutoCloseable {

  /** Name in the report, with its version. */
  String name();

  /** Whether a build with {@code threads} threads is supported. */
  boolean supportsThreads(int threads);

  /**
   * Builds from scratch over {@code data} (row i is ordinal i) with {@code m} and {@code
   * efConstruction}.
   */
  void build(float[][] data, int m, int efConstruction, int threads) throws Exception;

  /** The ordinals of the k nearest to {@code query}, with beam width {@code ef}. */
  int[] search(float[] query, int k, int ef) throws IOException;

  /** Bytes on disk of the built index (vectors included), or −1 if the peer has no file form. */
  long diskBytes(Path scratch) throws Exception;

  @Override
  default void close() throws Exception {}
}
