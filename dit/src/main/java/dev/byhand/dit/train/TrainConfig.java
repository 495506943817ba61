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
 * @param emaDecay decay of the weights' moving average
 * @param schedule noise schedule: {@code linear} or {@code cosine}
 * @param diffusionSteps T, steps of the noise schedule
 * @param checkpointEvery steps between checkpoints
 * @param logEvery steps between progress reports
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
    double emaDecay,
    String schedule,
    int diffusionSteps,
    int checkpointEvery,
    int logEvery) {

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
    atLeast("diffusionSteps", diffusionSteps, 2);
    atLeast("checkpointEvery", checkpointEvery, 1);
    atLeast("logEvery", logEvery, 1);
    if (!(lr > 0) || !(autoencoderLr > 0)) {
      throw new IllegalArgumentException("lr/autoencoderLr: must be > 0, got " + lr + ", " + autoencoderLr);
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
    if (!"linear".equals(schedule) && !"cosine".equals(schedule)) {
      throw new IllegalArgumentException("schedule: must be linear or cosine, got " + schedule);
    }
  }

  /** The default run: the {@code small} preset on 8 frames of 32×32. */
  public static TrainConfig defaults() {
    return new TrainConfig(
        "small", 8, 32, 1, 4096, 3000, 1024, 2e-3, 10000, 32, 5e-4, 0.0, 1.0, 500, 0.999,
        "linear", 1000, 500, 50);
  }

  /** A run small enough for tests: the {@code tiny} preset on 4 frames of 16×16. */
  public static TrainConfig tiny() {
    return new TrainConfig(
        "tiny", 4, 16, 1, 64, 200, 256, 3e-3, 20, 4, 1e-3, 0.0, 1.0, 5, 0.99, "linear", 1000, 10,
        5);
  }

  /** With another step count. */
  public TrainConfig withSteps(int newSteps) {
    return new TrainConfig(
        preset, frames, size, seed, clips, autoencoderSteps, autoencoderBatch, autoencoderLr,
        newSteps, batchSize, lr, weightDecay, maxGradNorm, warmupSteps, emaDecay, schedule,
        diffusionSteps, checkpointEvery, logEvery);
  }

  /** With another seed. */
  public TrainConfig withSeed(long newSeed) {
    return new TrainConfig(
        preset, frames, size, newSeed, clips, autoencoderSteps, autoencoderBatch, autoencoderLr,
        steps, batchSize, lr, weightDecay, maxGradNorm, warmupSteps, emaDecay, schedule,
        diffusionSteps, checkpointEvery, logEvery);
  }

  /** With another preset. */
  public TrainConfig withPreset(String newPreset) {
    return new TrainConfig(
        newPreset, frames, size, seed, clips, autoencoderSteps, autoencoderBatch, autoencoderLr,
        steps, batchSize, lr, weightDecay, maxGradNorm, warmupSteps, emaDecay, schedule,
        diffusionSteps, checkpointEvery, logEvery);
  }

  /** With another checkpoint interval. */
  public TrainConfig withCheckpointEvery(int every) {
    return new TrainConfig(
        preset, frames, size, seed, clips, autoencoderSteps, autoencoderBatch, autoencoderLr,
        steps, batchSize, lr, weightDecay, maxGradNorm, warmupSteps, emaDecay, schedule,
        diffusionSteps, every, logEvery);
  }

  /** Learning rate at a step (0-based): linear warm-up, then constant. */
  public double learningRate(long step) {
    return warmupSteps == 0 || step >= warmupSteps ? lr : lr * (step + 1) / warmupSteps;
  }

  private static void atLeast(String name, long v, long min) {
    if (v < min) {
      throw new IllegalArgumentException(name + ": must be at least " + min + ", got " + v);
    }
  }
}
