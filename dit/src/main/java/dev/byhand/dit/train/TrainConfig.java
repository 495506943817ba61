package dev.byhand.dit.train;

/**
 * Everything a {@code video train} run needs besides the model shape. Use {@link #defaults()} or
 * {@link #tiny()} and change fields with the {@code with…} methods.
 *
 * @param preset DiT and autoencoder preset ({@code tiny}, {@code small})
 * @param frames frames per clip of the shapes data
 * @param size clip height and width in pixels
 * @param seed seed of data, initialisation and every random draw
 * @param clips training clips generated (and encoded once)
 * @param autoencoderSteps optimiser steps for the autoencoder (trained first, then frozen)
 * @param autoencoderBatch patches per autoencoder step
 * @param autoencoderLr peak autoencoder learning rate (cosine decay)
 * @param steps DiT optimiser steps in total (a resumed run continues up to this)
 * @param batchSize clips per DiT step
 * @param lr DiT learning rate after warm-up (constant, as in DiT)
 * @param weightDecay AdamW's decoupled weight decay, stated explicitly (DiT: 0)
 * @param maxGradNorm global gradient-norm clipping threshold
 * @param warmupSteps linear learning-rate warm-up from 0
 * @param cooldownSteps the last steps of the run, over which the learning rate falls linearly to 0
 * @param emaDecay decay of the weights' moving average
 * @param schedule noise schedule: {@code linear} or {@code cosine}
 * @param diffusionSteps T, steps of the noise schedule
 * @param checkpointEvery steps between checkpoints
 * @param logEvery steps between progress reports
 * @param objective {@code eps} (DDPM noise prediction, as DiT) or {@code flow} (rectified flow)
 * @param textNorm standardise the prompt embeddings on the training captions ({@link
 *     dev.byhand.dit.TextNorm}) before the model projects them
 * @param captions how the shapes clips are captioned: {@code templates} (the four phrasings of
 *     {@code ShapesDataset.captions}, one fixed per clip) or {@code grammar} ({@code Captions}: a
 *     pool of sentences per combination, one drawn at random each time a clip is used)
 * @param captionPool sentences drawn per combination for {@code grammar}
 * @param textTokens 0 to condition on the pooled prompt embedding alone; otherwise the DiT also
 *     reads up to this many of the prompt's token vectors by cross-attention ({@code
 *     DiTConfig.textTokens})
 */
public record TrainConfig(
    String preset,
    int frames,
    int size,
    long seed,
    int clips,
    int autoencoderSteps,
    int autoencoderBatch,
    double autoencoderLr,
    int steps,
    int batchSize,
    double lr,
    double weightDecay,
    double maxGradNorm,
    int warmupSteps,
    int cooldownSteps,
    double emaDecay,
    String schedule,
    int diffusionSteps,
    int checkpointEvery,
    int logEvery,
    String objective,
    boolean textNorm,
    String captions,
    int captionPool,
    int textTokens) {

  /**
   * @throws IllegalArgumentException naming the field and its limit
   */
  public TrainConfig {
    atLeast("frames", frames, 2);
    atLeast("size", size, 8);
    atLeast("clips", clips, 1);
    atLeast("autoencoderSteps", autoencoderSteps, 0);
    atLeast("autoencoderBatch", autoencoderBatch, 1);
    atLeast("steps", steps, 0);
    atLeast("batchSize", batchSize, 1);
    atLeast("warmupSteps", warmupSteps, 0);
    atLeast("cooldownSteps", cooldownSteps, 0);
    atLeast("diffusionSteps", diffusionSteps, 2);
    atLeast("checkpointEvery", checkpointEvery, 1);
    atLeast("logEvery", logEvery, 1);
    if (!(lr > 0) || !(autoencoderLr > 0)) {
      throw new IllegalArgumentException(
          "lr/autoencoderLr: must be > 0, got " + lr + ", " + autoencoderLr);
    }
    if (!(weightDecay >= 0)) {
      throw new IllegalArgumentException("weightDecay: must be ≥ 0, got " + weightDecay);
    }
    if (!(maxGradNorm > 0)) {
      throw new IllegalArgumentException("maxGradNorm: must be > 0, got " + maxGradNorm);
    }
    if (!(emaDecay >= 0 && emaDecay < 1)) {
      throw new IllegalArgumentException("emaDecay: must be in [0, 1), got " + emaDecay);
    }
    if (!"eps".equals(objective) && !"flow".equals(objective)) {
      throw new IllegalArgumentException("objective: must be eps or flow, got " + objective);
    }
    if (!"templates".equals(captions) && !"grammar".equals(captions)) {
      throw new IllegalArgumentException("captions: must be templates or grammar, got " + captions);
    }
    atLeast("captionPool", captionPool, 1);
    atLeast("textTokens", textTokens, 0);
    if (!"linear".equals(schedule) && !"cosine".equals(schedule)) {
      throw new IllegalArgumentException("schedule: must be linear or cosine, got " + schedule);
    }
  }

  /**
   * The default run, which trained the model that ships in {@code models/video}: the {@code small}
   * preset on 8 frames of 32×32, rectified flow, 12,000 steps of 32 clips at learning rate 2e-3,
   * falling linearly to 0 over the last 3,000. Each choice was measured on 2 CPU cores
   * (BENCHMARKS.md): at equal steps rectified flow scored better than noise prediction; 2e-3
   * reached the loss of 5e-4 in about half the steps with no instability (global-norm clipping at
   * 1, 500 warm-up steps); and 2,000 steps falling to 0 after 10,000 at 2e-3 raised the shape score
   * from 0.76 to 0.83 where 2,000 more steps at 2e-3 left it unchanged (the constant-then-cool-down
   * schedule of Hägele et al., 2024, "Scaling Laws and Compute-Optimal Training Beyond Fixed
   * Training Durations", who find a cool-down of about a fifth of the run matches cosine).
   */
  public static TrainConfig defaults() {
    return new TrainConfig(
        "small",
        8,
        32,
        1,
        4096,
        3000,
        1024,
        2e-3,
        12000,
        32,
        2e-3,
        0.0,
        1.0,
        500,
        3000,
        0.999,
        "linear",
        1000,
        500,
        50,
        "flow",
        true,
        "templates",
        64,
        0);
  }

  /** A run small enough for tests: the {@code tiny} preset on 4 frames of 16×16. */
  public static TrainConfig tiny() {
    return new TrainConfig(
        "tiny",
        4,
        16,
        1,
        64,
        200,
        256,
        3e-3,
        20,
        4,
        1e-3,
        0.0,
        1.0,
        5,
        0,
        0.99,
        "linear",
        1000,
        10,
        5,
        "eps",
        false,
        "templates",
        8,
        0);
  }

  /** With another step count. */
  public TrainConfig withSteps(int newSteps) {
    return toBuilder().optSteps(newSteps).build();
  }

  /** With another seed. */
  public TrainConfig withSeed(long newSeed) {
    return toBuilder().optSeed(newSeed).build();
  }

  /** With another preset. */
  public TrainConfig withPreset(String newPreset) {
    return toBuilder().optPreset(newPreset).build();
  }

  /** With another checkpoint interval. */
  public TrainConfig withCheckpointEvery(int every) {
    return toBuilder().optCheckpointEvery(every).build();
  }

  /** A builder starting from this config's values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Changes some fields of a config, DJL style: {@code optX} per field, everything checked in
   * {@link #build()}.
   */
  public static final class Builder {
    private String preset;
    private int frames;
    private int size;
    private long seed;
    private int clips;
    private int autoencoderSteps;
    private int autoencoderBatch;
    private double autoencoderLr;
    private int steps;
    private int batchSize;
    private double lr;
    private double weightDecay;
    private double maxGradNorm;
    private int warmupSteps;
    private int cooldownSteps;
    private double emaDecay;
    private String schedule;
    private int diffusionSteps;
    private int checkpointEvery;
    private int logEvery;
    private String objective;
    private boolean textNorm;
    private String captions;
    private int captionPool;
    private int textTokens;

    private Builder(TrainConfig c) {
      preset = c.preset();
      frames = c.frames();
      size = c.size();
      seed = c.seed();
      clips = c.clips();
      autoencoderSteps = c.autoencoderSteps();
      autoencoderBatch = c.autoencoderBatch();
      autoencoderLr = c.autoencoderLr();
      steps = c.steps();
      batchSize = c.batchSize();
      lr = c.lr();
      weightDecay = c.weightDecay();
      maxGradNorm = c.maxGradNorm();
      warmupSteps = c.warmupSteps();
      cooldownSteps = c.cooldownSteps();
      emaDecay = c.emaDecay();
      schedule = c.schedule();
      diffusionSteps = c.diffusionSteps();
      checkpointEvery = c.checkpointEvery();
      logEvery = c.logEvery();
      objective = c.objective();
      textNorm = c.textNorm();
      captions = c.captions();
      captionPool = c.captionPool();
      textTokens = c.textTokens();
    }

    /** Sets {@code preset}. */
    public Builder optPreset(String value) {
      preset = value;
      return this;
    }

    /** Sets {@code frames}. */
    public Builder optFrames(int value) {
      frames = value;
      return this;
    }

    /** Sets {@code size}. */
    public Builder optSize(int value) {
      size = value;
      return this;
    }

    /** Sets {@code seed}. */
    public Builder optSeed(long value) {
      seed = value;
      return this;
    }

    /** Sets {@code clips}. */
    public Builder optClips(int value) {
      clips = value;
      return this;
    }

    /** Sets {@code autoencoderSteps}. */
    public Builder optAutoencoderSteps(int value) {
      autoencoderSteps = value;
      return this;
    }

    /** Sets {@code autoencoderBatch}. */
    public Builder optAutoencoderBatch(int value) {
      autoencoderBatch = value;
      return this;
    }

    /** Sets {@code autoencoderLr}. */
    public Builder optAutoencoderLr(double value) {
      autoencoderLr = value;
      return this;
    }

    /** Sets {@code steps}. */
    public Builder optSteps(int value) {
      steps = value;
      return this;
    }

    /** Sets {@code batchSize}. */
    public Builder optBatchSize(int value) {
      batchSize = value;
      return this;
    }

    /** Sets {@code lr}. */
    public Builder optLr(double value) {
      lr = value;
      return this;
    }

    /** Sets {@code weightDecay}. */
    public Builder optWeightDecay(double value) {
      weightDecay = value;
      return this;
    }

    /** Sets {@code maxGradNorm}. */
    public Builder optMaxGradNorm(double value) {
      maxGradNorm = value;
      return this;
    }

    /** Sets {@code warmupSteps}. */
    public Builder optWarmupSteps(int value) {
      warmupSteps = value;
      return this;
    }

    /** Sets {@code cooldownSteps}. */
    public Builder optCooldownSteps(int value) {
      cooldownSteps = value;
      return this;
    }

    /** Sets {@code emaDecay}. */
    public Builder optEmaDecay(double value) {
      emaDecay = value;
      return this;
    }

    /** Sets {@code schedule}. */
    public Builder optSchedule(String value) {
      schedule = value;
      return this;
    }

    /** Sets {@code diffusionSteps}. */
    public Builder optDiffusionSteps(int value) {
      diffusionSteps = value;
      return this;
    }

    /** Sets {@code checkpointEvery}. */
    public Builder optCheckpointEvery(int value) {
      checkpointEvery = value;
      return this;
    }

    /** Sets {@code logEvery}. */
    public Builder optLogEvery(int value) {
      logEvery = value;
      return this;
    }

    /** Sets {@code objective}: {@code eps} or {@code flow}. */
    public Builder optObjective(String value) {
      objective = value;
      return this;
    }

    /** Sets {@code textNorm}. */
    public Builder optTextNorm(boolean value) {
      textNorm = value;
      return this;
    }

    /** Sets {@code captions}: {@code templates} or {@code grammar}. */
    public Builder optCaptions(String value) {
      captions = value;
      return this;
    }

    /** Sets {@code textTokens}. */
    public Builder optTextTokens(int value) {
      textTokens = value;
      return this;
    }

    /** Sets {@code captionPool}. */
    public Builder optCaptionPool(int value) {
      captionPool = value;
      return this;
    }

    /**
     * The config.
     *
     * @throws IllegalArgumentException naming the first bad field and its limit
     */
    public TrainConfig build() {
      return new TrainConfig(
          preset,
          frames,
          size,
          seed,
          clips,
          autoencoderSteps,
          autoencoderBatch,
          autoencoderLr,
          steps,
          batchSize,
          lr,
          weightDecay,
          maxGradNorm,
          warmupSteps,
          cooldownSteps,
          emaDecay,
          schedule,
          diffusionSteps,
          checkpointEvery,
          logEvery,
          objective,
          textNorm,
          captions,
          captionPool,
          textTokens);
    }
  }

  /**
   * Learning rate at a step (0-based): linear warm-up, constant, then a linear fall to 0 over the
   * last {@code cooldownSteps} of {@code steps} (a resumed run with more steps moves the fall).
   */
  public double learningRate(long step) {
    double rate = warmupSteps == 0 || step >= warmupSteps ? lr : lr * (step + 1) / warmupSteps;
    long left = steps - step;
    if (cooldownSteps > 0 && left < cooldownSteps) {
      rate *= Math.max(0, left) / (double) cooldownSteps;
    }
    return rate;
  }

  private static void atLeast(String name, long v, long min) {
    if (v < min) {
      throw new IllegalArgumentException(name + ": must be at least " + min + ", got " + v);
    }
  }
}
