package dev.byhand.dit;

import java.util.List;

/**
 * The shape of a {@link DiT}: the latent grid it sees, its patches, width, depth and the options
 * that turn the full DiT into the seed's hand-sized one. Use a preset ({@link #tiny()}, {@link
 * #small()}, {@link #seed()}, {@link #of(String)}) or {@link #withGrid} to fit another clip size.
 *
 * @param name preset name, stored in checkpoints
 * @param frames latent frames the model sees
 * @param height latent rows
 * @param width latent columns
 * @param inChannels latent channels (the autoencoder's latent size)
 * @param patchT frames per spacetime patch
 * @param patchH rows per patch
 * @param patchW columns per patch
 * @param hiddenSize token width D
 * @param depth number of blocks
 * @param numHeads attention heads; D must divide by it
 * @param mlpRatio hidden width of the MLP over D (DiT: 4)
 * @param textDim length of the text embedding (MiniLM: 384; the seed: 3)
 * @param textDropProb how often training replaces the prompt by the null embedding (DiT: 0.1)
 * @param timestepEncoding sinusoidal (DiT) or binary (the seed)
 * @param timestepDim sinusoidal frequencies (DiT: 256) or number of bits
 * @param conditioning adaLN-Zero (DiT) or the seed's plain scale and shift
 * @param valueProjection whether attention projects values (and its output); the seed omits it
 * @param feedForward GELU MLP (DiT) or one pointwise linear layer (the seed)
 * @param positionalEmbedding whether fixed sin-cos positions over (frame, row, column) are added
 * @param attention over all spacetime tokens at once, or factorised: blocks alternate between
 *     attention within each frame and attention across frames at each position
 */
public record DiTConfig(
    String name,
    int frames,
    int height,
    int width,
    int inChannels,
    int patchT,
    int patchH,
    int patchW,
    int hiddenSize,
    int depth,
    int numHeads,
    double mlpRatio,
    int textDim,
    double textDropProb,
    TimestepEncoding timestepEncoding,
    int timestepDim,
    Conditioning conditioning,
    boolean valueProjection,
    FeedForward feedForward,
    boolean positionalEmbedding,
    AttentionLayout attention) {

  /** Which tokens attend to which. */
  public enum AttentionLayout {
    /** Every token attends to every token: cost grows with (frames × rows × columns)². */
    FULL,
    /**
     * Factorised, for longer clips: even blocks attend within each frame (space), odd blocks across
     * frames at each position (time), as in Latte's alternating variant.
     */
    SPATIAL_TEMPORAL
  }

  /** How the diffusion step t enters the model. */
  public enum TimestepEncoding {
    /** Sinusoidal features of t (as in DDPM and DiT), then an MLP. */
    SINUSOIDAL,
    /** t written in binary, most significant bit first: the seed's t = 3 → [1, 1]. */
    BINARY
  }

  /** How the condition drives each block. */
  public enum Conditioning {
    /**
     * DiT's adaLN-Zero: c = embed(t) + embed(text); SiLU → Linear(D, 6D) → shift, scale and gate
     * for attention and MLP around a LayerNorm, residual connections, zero-initialised; a final
     * layer with its own adaLN.
     */
    ADALN_ZERO,
    /**
     * The seed's version: c = [text, t] concatenated; Linear → scale and shift applied as {@code
     * x·scale + shift}; no norm, no gate, no residual, no final layer, no patch embedding (the
     * latent patch is the token).
     */
    SCALE_SHIFT
  }

  /** The feed-forward part of a block. */
  public enum FeedForward {
    /** Linear(D, ratio·D) → GELU → Linear(ratio·D, D). */
    MLP,
    /** One Linear(D, D) applied to every token: the seed's "pointwise" network. */
    POINTWISE
  }

  /** Every preset name {@link #of} knows. */
  public static final List<String> PRESETS = List.of("tiny", "small", "seed");

  /**
   * @throws IllegalArgumentException naming the field and its limit
   */
  public DiTConfig {
    positive("frames", frames);
    positive("height", height);
    positive("width", width);
    positive("inChannels", inChannels);
    positive("patchT", patchT);
    positive("patchH", patchH);
    positive("patchW", patchW);
    positive("hiddenSize", hiddenSize);
    positive("depth", depth);
    positive("numHeads", numHeads);
    positive("textDim", textDim);
    positive("timestepDim", timestepDim);
    multiple("frames", frames, "patchT", patchT);
    multiple("height", height, "patchH", patchH);
    multiple("width", width, "patchW", patchW);
    if (hiddenSize % numHeads != 0) {
      throw new IllegalArgumentException(
          "hiddenSize: " + hiddenSize + " must be a multiple of numHeads " + numHeads);
    }
    if (!(mlpRatio > 0) || mlpRatio > 64) {
      throw new IllegalArgumentException("mlpRatio: must be in (0, 64], got " + mlpRatio);
    }
    if (!(textDropProb >= 0 && textDropProb < 1)) {
      throw new IllegalArgumentException("textDropProb: must be in [0, 1), got " + textDropProb);
    }
    if (timestepEncoding == TimestepEncoding.SINUSOIDAL && timestepDim % 2 != 0) {
      throw new IllegalArgumentException(
          "timestepDim: sinusoidal features need an even count, got " + timestepDim);
    }
    if (timestepEncoding == TimestepEncoding.BINARY && timestepDim > 30) {
      throw new IllegalArgumentException("timestepDim: at most 30 bits, got " + timestepDim);
    }
    if (positionalEmbedding && (hiddenSize % 2 != 0 || hiddenSize < 6)) {
      throw new IllegalArgumentException(
          "hiddenSize: positional embeddings need an even size of at least 6, got " + hiddenSize);
    }
    if (attention == null) {
      throw new IllegalArgumentException("attention: must be FULL or SPATIAL_TEMPORAL, got null");
    }
    if (conditioning == Conditioning.SCALE_SHIFT) {
      int patchDim = patchT * patchH * patchW * inChannels;
      if (hiddenSize != patchDim) {
        throw new IllegalArgumentException(
            "hiddenSize: with SCALE_SHIFT the latent patch is the token, so hiddenSize must be "
                + patchDim
                + ", got "
                + hiddenSize);
      }
      if (textDropProb != 0) {
        throw new IllegalArgumentException(
            "textDropProb: SCALE_SHIFT has no null embedding, so it must be 0, got "
                + textDropProb);
      }
    }
  }

  /** A 4×4×4 grid of 4 latent channels, D = 32, 2 blocks: for tests (16 tokens). */
  public static DiTConfig tiny() {
    return new DiTConfig(
        "tiny",
        4,
        4,
        4,
        4,
        1,
        2,
        2,
        32,
        2,
        2,
        4.0,
        384,
        0.1,
        TimestepEncoding.SINUSOIDAL,
        64,
        Conditioning.ADALN_ZERO,
        true,
        FeedForward.MLP,
        true,
        AttentionLayout.FULL);
  }

  /**
   * The default: 8 latent frames of 8×8 with 8 channels (the default autoencoder on 8 frames of
   * 32×32), patches 1×2×2 → 128 tokens of 32 values, D = 128, 4 blocks, 4 heads.
   */
  public static DiTConfig small() {
    return new DiTConfig(
        "small",
        8,
        8,
        8,
        8,
        1,
        2,
        2,
        128,
        4,
        4,
        4.0,
        384,
        0.1,
        TimestepEncoding.SINUSOIDAL,
        256,
        Conditioning.ADALN_ZERO,
        true,
        FeedForward.MLP,
        true,
        AttentionLayout.FULL);
  }

  /**
   * The seed's hand-sized DiT: 4 spacetime patches, each a latent of 2 numbers (the token), a
   * 3-number text embedding, t as 2 bits, the 5-number condition → scale and shift, one block of
   * attention without value projection and a pointwise feed-forward layer.
   */
  public static DiTConfig seed() {
    return new DiTConfig(
        "seed",
        4,
        1,
        1,
        2,
        1,
        1,
        1,
        2,
        1,
        1,
        1.0,
        3,
        0.0,
        TimestepEncoding.BINARY,
        2,
        Conditioning.SCALE_SHIFT,
        false,
        FeedForward.POINTWISE,
        false,
        AttentionLayout.FULL);
  }

  /**
   * A preset by name.
   *
   * @throws IllegalArgumentException listing the presets if {@code name} is not one
   */
  public static DiTConfig of(String name) {
    return switch (name) {
      case "tiny" -> tiny();
      case "small", "default" -> small();
      case "seed" -> seed();
      default ->
          throw new IllegalArgumentException(
              "preset: unknown '" + name + "'; known presets: " + String.join(", ", PRESETS));
    };
  }

  /**
   * Reads a config stored by {@link Records#toMetadata} under {@code prefix}. Files written before
   * the {@code attention} option existed hold full attention, and read as such.
   *
   * @throws IllegalArgumentException naming the file and the missing or bad field
   */
  public static DiTConfig fromMetadata(
      String prefix, java.util.Map<String, String> metadata, java.nio.file.Path file) {
    java.util.Map<String, String> filled = new java.util.LinkedHashMap<>(metadata);
    filled.putIfAbsent(prefix + "attention", AttentionLayout.FULL.name());
    return Records.fromMetadata(DiTConfig.class, prefix, filled, file);
  }

  /** This config on another latent grid (the rest unchanged). */
  public DiTConfig withGrid(int frames, int height, int width, int inChannels) {
    return new DiTConfig(
        name,
        frames,
        height,
        width,
        inChannels,
        patchT,
        patchH,
        patchW,
        hiddenSize,
        depth,
        numHeads,
        mlpRatio,
        textDim,
        textDropProb,
        timestepEncoding,
        timestepDim,
        conditioning,
        valueProjection,
        feedForward,
        positionalEmbedding,
        attention);
  }

  /** This config with another text-embedding length (the rest unchanged). */
  public DiTConfig withTextDim(int newTextDim) {
    return new DiTConfig(
        name,
        frames,
        height,
        width,
        inChannels,
        patchT,
        patchH,
        patchW,
        hiddenSize,
        depth,
        numHeads,
        mlpRatio,
        newTextDim,
        textDropProb,
        timestepEncoding,
        timestepDim,
        conditioning,
        valueProjection,
        feedForward,
        positionalEmbedding,
        attention);
  }

  /** This config with another attention layout (the rest unchanged). */
  public DiTConfig withAttention(AttentionLayout layout) {
    return new DiTConfig(
        name,
        frames,
        height,
        width,
        inChannels,
        patchT,
        patchH,
        patchW,
        hiddenSize,
        depth,
        numHeads,
        mlpRatio,
        textDim,
        textDropProb,
        timestepEncoding,
        timestepDim,
        conditioning,
        valueProjection,
        feedForward,
        positionalEmbedding,
        layout);
  }

  /** Number of spacetime tokens. */
  public int tokens() {
    return gridT() * gridH() * gridW();
  }

  /** Patches along time. */
  public int gridT() {
    return frames / patchT;
  }

  /** Patches along rows. */
  public int gridH() {
    return height / patchH;
  }

  /** Patches along columns. */
  public int gridW() {
    return width / patchW;
  }

  /** Values per latent patch. */
  public int patchDim() {
    return patchT * patchH * patchW * inChannels;
  }

  /** Largest t the timestep encoding can take (binary: 2^bits - 1). */
  public int maxTimestep() {
    return timestepEncoding == TimestepEncoding.BINARY ? (1 << timestepDim) - 1 : Integer.MAX_VALUE;
  }

  private static void positive(String name, int v) {
    if (v < 1) {
      throw new IllegalArgumentException(name + ": must be at least 1, got " + v);
    }
  }

  private static void multiple(String name, int v, String patchName, int p) {
    if (v % p != 0) {
      throw new IllegalArgumentException(
          name + ": " + v + " must be a multiple of " + patchName + " " + p);
    }
  }
}
