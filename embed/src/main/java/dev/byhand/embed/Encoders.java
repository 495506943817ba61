package dev.byhand.embed;

import java.util.List;

/** Opens text encoders by name. */
public final class Encoders {

  /** all-MiniLM-L6-v2 through ONNX Runtime: 384 numbers, normalised. */
  public static final String MINILM = "minilm";

  /** The seed's toy encoder: 22 words, 4 numbers. */
  public static final String SEED = "seed";

  /** Every name {@link #open} accepts. */
  public static final List<String> NAMES = List.of(MINILM, SEED);

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
    if (MINILM.equals(name)) {
      WordPieceTokenizer tokenizer = new WordPieceTokenizer(options.maxTokens());
      int intraOp =
          options.parallelism() == EncoderOptions.Parallelism.BATCHES ? 1 : options.threads();
      return new PipelineEncoder(MINILM, tokenizer, OnnxMiniLm.shared(intraOp), options);
    }
    SeedModel seed = new SeedModel();
    return new PipelineEncoder(SEED, seed.tokenizer(), seed.encoder(), options);
  }

  private static void checkName(String name) {
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException(
          "encoder: unknown '" + name + "'; known encoders: " + String.join(", ", NAMES));
    }
  }
}
