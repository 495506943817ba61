package dev.byhand.embed;

import java.util.List;
import java.util.Optional;

/**
 * Tokens → one feature vector per token (seed steps [2] and [3]: embedding lookup, then the
 * encoder). Implementations are thread-safe.
 */
public interface TokenEncoder extends AutoCloseable {

  /** Length of each token feature vector. */
  int dimension();

  /**
   * Encodes a batch. The result holds, for each input, one row per token: {@code result.get(i)} is
   * {@code [batch.get(i).size()][dimension()]}. Padding, if the encoder pads, is never returned.
   */
  List<float[][]> encode(List<Tokens> batch);

  /**
   * The most texts one {@link #encode} call should hold for each text's result to be independent of
   * the others in the call. Unlimited for float graphs (padding is masked out); 1 for dynamically
   * quantised ones, whose activation scale is taken over the whole batch. {@link PipelineEncoder}
   * never batches beyond it.
   */
  default int maxBatchSize() {
    return Integer.MAX_VALUE;
  }

  /**
   * The word-embedding rows looked up for these tokens (seed step [2]), when the encoder exposes
   * them; empty when the lookup happens inside a compiled model.
   */
  default Optional<float[][]> wordEmbeddings(Tokens tokens) {
    return Optional.empty();
  }

  @Override
  default void close() {}
}
