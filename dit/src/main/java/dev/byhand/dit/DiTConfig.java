package dev.byhand.dit;

import java.util.List;

/**
 * The shape of a {@link DiT}: the latent grid it sees, its patches, width, depth and the options
 * that turn the full DiT into the seed's hand-sized one. Use a preset ({@link #tiny()}, {@link
 * #small()}, {@link #seed()}, {@link #of(String)}) and change fields with {@link #toBuilder()}.
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
 * @param textTokens 0 for the pooled text embedding alone (in adaLN); otherwise the most prompt
 *     tokens each block attends to by cross-attention (PixArt-α, Open-Sora), beside the pooled
 *     embedding in adaLN
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
    AttentionLayout attention,
    int textTokens) {

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
    if (textTokens < 0 || textTokens > 512) {
      throw new IllegalArgumentException("textTokens: must be in 0..512, got " + textTokens);
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
      if (textTokens != 0) {
        throw new IllegalArgumentException(
            "textTokens: SCALE_SHIFT has no cross-attention, so it must be 0, got " + textTokens);
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
    return small().toBuilder()
        .optName("tiny")
        .optGrid(4, 4, 4, 4)
        .optHiddenSize(32)
        .optDepth(2)
        .optNumHeads(2)
        .optTimestepDim(64)
        .build();
  }

  /**
   * The default: 8 latent frames of 8×8 with 8 channels (the default autoencoder on 8 frames of
   * 32×32), patches 1×2×2 → 128 tokens of 32 values, D = 128, 4 blocks, 4 heads.
   */
  public static DiTConfig small() {
    return new Builder()
        .optName("small")
        .optGrid(8, 8, 8, 8)
        .optPatch(1, 2, 2)
        .optHiddenSize(128)
        .optDepth(4)
        .optNumHeads(4)
        .optMlpRatio(4.0)
        .optTextDim(384)
        .optTextDropProb(0.1)
        .optTimestepEncoding(TimestepEncoding.SINUSOIDAL)
        .optTimestepDim(256)
        .optConditioning(Conditioning.ADALN_ZERO)
        .optValueProjection(true)
        .optFeedForward(FeedForward.MLP)
        .optPositionalEmbedding(true)
        .optAttention(AttentionLayout.FULL)
        .optTextTokens(0)
        .build();
  }

  /**
   * The seed's hand-sized DiT: 4 spacetime patches, each a latent of 2 numbers (the token), a
   * 3-number text embedding, t as 2 bits, the 5-number condition → scale and shift, one block of
   * attention without value projection and a pointwise feed-forward layer.
   */
  public static DiTConfig seed() {
    return new Builder()
        .optName("seed")
        .optGrid(4, 1, 1, 2)
        .optPatch(1, 1, 1)
        .optHiddenSize(2)
        .optDepth(1)
        .optNumHeads(1)
        .optMlpRatio(1.0)
        .optTextDim(3)
        .optTextDropProb(0.0)
        .optTimestepEncoding(TimestepEncoding.BINARY)
        .optTimestepDim(2)
        .optConditioning(Conditioning.SCALE_SHIFT)
        .optValueProjection(false)
        .optFeedForward(FeedForward.POINTWISE)
        .optPositionalEmbedding(false)
        .optAttention(AttentionLayout.FULL)
        .optTextTokens(0)
        .build();
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
   * the {@code attention} option existed hold full attention, and those before {@code textTokens}
   * no cross-attention, and read as such.
   *
   * @throws IllegalArgumentException naming the file and the missing or bad field
   */
  public static DiTConfig fromMetadata(
      String prefix, java.util.Map<String, String> metadata, java.nio.file.Path file) {
    java.util.Map<String, String> filled = new java.util.LinkedHashMap<>(metadata);
    filled.putIfAbsent(prefix + "attention", AttentionLayout.FULL.name());
    filled.putIfAbsent(prefix + "textTokens", "0");
    return Records.fromMetadata(DiTConfig.class, prefix, filled, file);
  }

  /** This config on another latent grid (the rest unchanged). */
  public DiTConfig withGrid(int frames, int height, int width, int inChannels) {
    return toBuilder().optGrid(frames, height, width, inChannels).build();
  }

  /** This config with another text-embedding length (the rest unchanged). */
  public DiTConfig withTextDim(int newTextDim) {
    return toBuilder().optTextDim(newTextDim).build();
  }

  /** This config with another attention layout (the rest unchanged). */
  public DiTConfig withAttention(AttentionLayout layout) {
    return toBuilder().optAttention(layout).build();
  }

  /** A builder starting from this config's values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** A builder with no values set: every field must be given before {@link Builder#build()}. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Sets the fields of a config by name, DJL style ({@code optX} per field), checked together in
   * {@link #build()}. Start from a preset ({@code small().toBuilder()}) to change a few.
   */
  public static final class Builder {
    private String name;
    private Integer frames;
    private Integer height;
    private Integer width;
    private Integer inChannels;
    private Integer patchT;
    private Integer patchH;
    private Integer patchW;
    private Integer hiddenSize;
    private Integer depth;
    private Integer numHeads;
    private Double mlpRatio;
    private Integer textDim;
    private Double textDropProb;
    private TimestepEncoding timestepEncoding;
    private Integer timestepDim;
    private Conditioning conditioning;
    private Boolean valueProjection;
    private FeedForward feedForward;
    private Boolean positionalEmbedding;
    private AttentionLayout attention;
    private Integer textTokens;

    private Builder() {}

    private Builder(DiTConfig c) {
      name = c.name();
      frames = c.frames();
      height = c.height();
      width = c.width();
      inChannels = c.inChannels();
      patchT = c.patchT();
      patchH = c.patchH();
      patchW = c.patchW();
      hiddenSize = c.hiddenSize();
      depth = c.depth();
      numHeads = c.numHeads();
      mlpRatio = c.mlpRatio();
      textDim = c.textDim();
      textDropProb = c.textDropProb();
      timestepEncoding = c.timestepEncoding();
      timestepDim = c.timestepDim();
      conditioning = c.conditioning();
      valueProjection = c.valueProjection();
      feedForward = c.feedForward();
      positionalEmbedding = c.positionalEmbedding();
      attention = c.attention();
      textTokens = c.textTokens();
    }

    /** Sets {@code name}. */
    public Builder optName(String value) {
      name = value;
      return this;
    }

    /** Sets {@code frames}. */
    public Builder optFrames(int value) {
      frames = value;
      return this;
    }

    /** Sets {@code height}. */
    public Builder optHeight(int value) {
      height = value;
      return this;
    }

    /** Sets {@code width}. */
    public Builder optWidth(int value) {
      width = value;
      return this;
    }

    /** Sets {@code inChannels}. */
    public Builder optInChannels(int value) {
      inChannels = value;
      return this;
    }

    /** Sets {@code patchT}. */
    public Builder optPatchT(int value) {
      patchT = value;
      return this;
    }

    /** Sets {@code patchH}. */
    public Builder optPatchH(int value) {
      patchH = value;
      return this;
    }

    /** Sets {@code patchW}. */
    public Builder optPatchW(int value) {
      patchW = value;
      return this;
    }

    /** Sets {@code hiddenSize}. */
    public Builder optHiddenSize(int value) {
      hiddenSize = value;
      return this;
    }

    /** Sets {@code depth}. */
    public Builder optDepth(int value) {
      depth = value;
      return this;
    }

    /** Sets {@code numHeads}. */
    public Builder optNumHeads(int value) {
      numHeads = value;
      return this;
    }

    /** Sets {@code mlpRatio}. */
    public Builder optMlpRatio(double value) {
      mlpRatio = value;
      return this;
    }

    /** Sets {@code textDim}. */
    public Builder optTextDim(int value) {
      textDim = value;
      return this;
    }

    /** Sets {@code textDropProb}. */
    public Builder optTextDropProb(double value) {
      textDropProb = value;
      return this;
    }

    /** Sets {@code timestepEncoding}. */
    public Builder optTimestepEncoding(TimestepEncoding value) {
      timestepEncoding = value;
      return this;
    }

    /** Sets {@code timestepDim}. */
    public Builder optTimestepDim(int value) {
      timestepDim = value;
      return this;
    }

    /** Sets {@code conditioning}. */
    public Builder optConditioning(Conditioning value) {
      conditioning = value;
      return this;
    }

    /** Sets {@code valueProjection}. */
    public Builder optValueProjection(boolean value) {
      valueProjection = value;
      return this;
    }

    /** Sets {@code feedForward}. */
    public Builder optFeedForward(FeedForward value) {
      feedForward = value;
      return this;
    }

    /** Sets {@code positionalEmbedding}. */
    public Builder optPositionalEmbedding(boolean value) {
      positionalEmbedding = value;
      return this;
    }

    /** Sets {@code attention}. */
    public Builder optAttention(AttentionLayout value) {
      attention = value;
      return this;
    }

    /** Sets {@code textTokens}. */
    public Builder optTextTokens(int value) {
      textTokens = value;
      return this;
    }

    /** Sets the latent grid: frames, rows, columns and channels. */
    public Builder optGrid(int frames, int height, int width, int inChannels) {
      this.frames = frames;
      this.height = height;
      this.width = width;
      this.inChannels = inChannels;
      return this;
    }

    /** Sets the patch size along frames, rows and columns. */
    public Builder optPatch(int patchT, int patchH, int patchW) {
      this.patchT = patchT;
      this.patchH = patchH;
      this.patchW = patchW;
      return this;
    }

    /**
     * The config.
     *
     * @throws IllegalArgumentException naming the first field not set, or the first bad one and its
     *     limit
     */
    public DiTConfig build() {
      if (name == null) {
        throw new IllegalArgumentException("name: not set");
      }
      if (frames == null) {
        throw new IllegalArgumentException("frames: not set");
      }
      if (height == null) {
        throw new IllegalArgumentException("height: not set");
      }
      if (width == null) {
        throw new IllegalArgumentException("width: not set");
      }
      if (inChannels == null) {
        throw new IllegalArgumentException("inChannels: not set");
      }
      if (patchT == null) {
        throw new IllegalArgumentException("patchT: not set");
      }
      if (patchH == null) {
        throw new IllegalArgumentException("patchH: not set");
      }
      if (patchW == null) {
        throw new IllegalArgumentException("patchW: not set");
      }
      if (hiddenSize == null) {
        throw new IllegalArgumentException("hiddenSize: not set");
      }
      if (depth == null) {
        throw new IllegalArgumentException("depth: not set");
      }
      if (numHeads == null) {
        throw new IllegalArgumentException("numHeads: not set");
      }
      if (mlpRatio == null) {
        throw new IllegalArgumentException("mlpRatio: not set");
      }
      if (textDim == null) {
        throw new IllegalArgumentException("textDim: not set");
      }
      if (textDropProb == null) {
        throw new IllegalArgumentException("textDropProb: not set");
      }
      if (timestepEncoding == null) {
        throw new IllegalArgumentException("timestepEncoding: not set");
      }
      if (timestepDim == null) {
        throw new IllegalArgumentException("timestepDim: not set");
      }
      if (conditioning == null) {
        throw new IllegalArgumentException("conditioning: not set");
      }
      if (valueProjection == null) {
        throw new IllegalArgumentException("valueProjection: not set");
      }
      if (feedForward == null) {
        throw new IllegalArgumentException("feedForward: not set");
      }
      if (positionalEmbedding == null) {
        throw new IllegalArgumentException("positionalEmbedding: not set");
      }
      if (textTokens < 0 || textTokens > 512) {
        throw new IllegalArgumentException("textTokens: must be in 0..512, got " + textTokens);
      }
      if (attention == null) {
        throw new IllegalArgumentException("attention: not set");
      }
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
          attention,
          textTokens);
    }
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
