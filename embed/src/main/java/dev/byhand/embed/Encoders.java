package dev.byhand.embed;

import java.util.List;

/**
 * Opens text encoders by name. Every ONNX model is described by its {@link ModelCard} (pooling,
 * window, query and document prefixes), so that opening one by name gives the model as it was
 * trained, with nothing for the caller to set.
 */
public final class Encoders {

  /** all-MiniLM-L6-v2 through ONNX Runtime: 384 numbers, normalised, mean pooling. */
  public static final String MINILM = "minilm";

  /**
   * all-MiniLM-L6-v2 quantised to int8 (23 MB instead of 90): 384 numbers, normalised, mean
   * pooling; one text per model run (see {@link ModelCard#batchIndependent()}).
   */
  public static final String MINILM_Q = "minilm-q";

  /**
   * bge-small-en-v1.5, quantised: 384 numbers, normalised, {@code [CLS]} pooling, 512 tokens, an
   * instruction before queries.
   */
  public static final String BGE_SMALL = "bge-small";

  /**
   * e5-small-v2, quantised: 384 numbers, normalised, mean pooling, 512 tokens, {@code "query: "} /
   * {@code "passage: "} before queries / documents.
   */
  public static final String E5_SMALL = "e5-small";

  /** The seed's toy encoder: 22 words, 4 numbers. */
  public static final String SEED = "seed";

  /** Every name {@link #open} accepts. */
  public static final List<String> NAMES = List.of(MINILM, MINILM_Q, BGE_SMALL, E5_SMALL, SEED);

  private Encoders() {}

  /** Opens an encoder with its {@linkplain EncoderOptions#defaults(String) defaults}. */
  public static TextEncoder open(String name) {
    checkName(name);
    return open(name, EncoderOptions.defaults(name));
  }

  /**
   * Opens an encoder by name.
   *
   * @throws IllegalArgumentException naming the known encoders if {@code name} is not one of them
   */
  public static TextEncoder open(String name, EncoderOptions options) {
    checkName(name);
    ModelCard card = ModelCard.of(name).orElse(null);
    if (card != null) {
      WordPieceTokenizer tokenizer = new WordPieceTokenizer(card, options.maxTokens());
      int intraOp =
          options.parallelism() == EncoderOptions.Parallelism.BATCHES ? 1 : options.threads();
      return new PipelineEncoder(
          name,
          tokenizer,
          OnnxEncoder.shared(card, intraOp),
          options,
          card.queryPrefix(),
          card.documentPrefix());
    }
    SeedModel seed = new SeedModel();
    return new PipelineEncoder(SEED, seed.tokenizer(), seed.encoder(), options);
  }

  /**
   * The length of the vectors an encoder returns, without loading it: 384 for every ONNX model, 4
   * for the seed's.
   *
   * @throws IllegalArgumentException naming the known encoders if {@code name} is not one of them
   */
  public static int dimension(String name) {
    checkName(name);
    return ModelCard.of(name).map(ModelCard::dimension).orElse(SeedModel.DIMENSION);
  }

  static void checkName(String name) {
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException(
          "encoder: unknown '" + name + "'; known encoders: " + String.join(", ", NAMES));
    }
  }
}
