package dev.byhand.embed;

/**
 * How a {@link TextEncoder} runs. Build from {@link #defaults(String)} and change one thing at a
 * time with the {@code with…} methods; every value is checked when set.
 *
 * @param pooling seed step [4]: {@link Pooling#MEAN} or {@link Pooling#CLS}; by default the one the
 *     model was trained with ({@link ModelCard#pooling()}: CLS for {@code bge-small}, mean for the
 *     others)
 * @param normalize L2-normalise the pooled vector (default for the ONNX models; not for {@code
 *     seed}, whose walkthrough shows raw numbers)
 * @param batchSize texts encoded per model call, in [1, 4096]; quantised models run one text per
 *     call whatever this says (see {@link ModelCard#batchIndependent()})
 * @param threads ONNX Runtime intra-op threads, in [1, 256]
 * @param maxTokens tokens in one window, special tokens included, in [3, 512]; by default the
 *     model's own ({@link ModelCard#maxTokens()}: 256 for MiniLM, 512 for bge and e5)
 * @param longText what happens to text longer than one window
 * @param parallelism how {@code threads} are used
 */
public record EncoderOptions(
    Pooling pooling,
    boolean normalize,
    int batchSize,
    int threads,
    int maxTokens,
    LongText longText,
    Parallelism parallelism) {

  /** How an encoder spends its threads. */
  public enum Parallelism {
    /** One model run at a time, each spread over {@code threads} ONNX Runtime threads. */
    INTRA_OP,
    /**
     * Up to {@code threads} batches at once, each on one thread: no spin-waiting between layers, so
     * it scales better on few cores when there are several batches; a single batch runs on one
     * thread.
     */
    BATCHES
  }

  /** What to do with a text longer than {@code maxTokens}. */
  public enum LongText {
    /** Keep the first window only (what the model saw in training). */
    TRUNCATE,
    /**
     * Split into consecutive windows, encode each, and average the pooled vectors weighted by their
     * token counts.
     */
    WINDOWS
  }

  public EncoderOptions {
    if (pooling == null) {
      throw new IllegalArgumentException("pooling: must be mean or cls, got null");
    }
    if (parallelism == null) {
      throw new IllegalArgumentException("parallelism: must be intra_op or batches, got null");
    }
    if (longText == null) {
      throw new IllegalArgumentException("longText: must be truncate or windows, got null");
    }
    if (batchSize < 1 || batchSize > 4096) {
      throw new IllegalArgumentException("batchSize: must be in [1, 4096], got " + batchSize);
    }
    if (threads < 1 || threads > 256) {
      throw new IllegalArgumentException("threads: must be in [1, 256], got " + threads);
    }
    if (maxTokens < 3 || maxTokens > WordPieceTokenizer.MODEL_MAX_TOKENS) {
      throw new IllegalArgumentException(
          "maxTokens: must be in [3, "
              + WordPieceTokenizer.MODEL_MAX_TOKENS
              + "], got "
              + maxTokens);
    }
  }

  /**
   * The defaults for an encoder: the model's own pooling and window (its {@link ModelCard}; mean
   * and 256 for {@code seed}), batches of 32, as many threads as cores (at most 8) running batches
   * side by side, truncation; normalised for the ONNX models, raw for {@code seed}.
   *
   * @throws IllegalArgumentException naming the known encoders if {@code encoder} is not one of
   *     {@link Encoders#NAMES}
   */
  public static EncoderOptions defaults(String encoder) {
    Encoders.checkName(encoder);
    ModelCard card = ModelCard.of(encoder).orElse(null);
    int threads = Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors()));
    return new EncoderOptions(
        card == null ? Pooling.MEAN : card.pooling(),
        card != null,
        32,
        threads,
        card == null ? WordPieceTokenizer.DEFAULT_MAX_TOKENS : card.maxTokens(),
        LongText.TRUNCATE,
        // Measured (BENCHMARKS.md, bench/run embed): on two cores, batches side by side embed
        // 1.75x the texts per second of intra-op threads at 32 texts a call.
        Parallelism.BATCHES);
  }

  public EncoderOptions withPooling(Pooling p) {
    return new EncoderOptions(p, normalize, batchSize, threads, maxTokens, longText, parallelism);
  }

  public EncoderOptions withNormalize(boolean n) {
    return new EncoderOptions(pooling, n, batchSize, threads, maxTokens, longText, parallelism);
  }

  public EncoderOptions withBatchSize(int b) {
    return new EncoderOptions(pooling, normalize, b, threads, maxTokens, longText, parallelism);
  }

  public EncoderOptions withThreads(int t) {
    return new EncoderOptions(pooling, normalize, batchSize, t, maxTokens, longText, parallelism);
  }

  public EncoderOptions withMaxTokens(int m) {
    return new EncoderOptions(pooling, normalize, batchSize, threads, m, longText, parallelism);
  }

  public EncoderOptions withParallelism(Parallelism p) {
    return new EncoderOptions(pooling, normalize, batchSize, threads, maxTokens, longText, p);
  }

  public EncoderOptions withLongText(LongText l) {
    return new EncoderOptions(pooling, normalize, batchSize, threads, maxTokens, l, parallelism);
  }
}
