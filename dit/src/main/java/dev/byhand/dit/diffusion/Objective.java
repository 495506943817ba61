package dev.byhand.dit.diffusion;

import ai.djl.ndarray.NDArray;

/**
 * What the model is trained to predict from a corrupted latent: the corruption at each of {@link
 * #steps()} discrete levels t, and the regression target. Two implementations: {@link
 * GaussianDiffusion} (DDPM noise prediction, as in DiT) and {@link RectifiedFlow} (velocity along a
 * straight path from data to noise).
 */
public interface Objective {

  /** Short name stored with models: {@code eps} or {@code flow}. */
  String name();

  /** Number of levels; the model's t runs over 0..steps-1, larger t meaning more noise. */
  int steps();

  /** The model's input at level {@code t} per clip, from clean latents and standard noise. */
  NDArray noised(NDArray x0, int[] t, NDArray eps);

  /** What the model should output for that input. */
  NDArray target(NDArray x0, NDArray eps);

  /** The training loss: the full mean squared error (not DJL's half-MSE {@code l2Loss}). */
  default NDArray loss(NDArray predicted, NDArray target) {
    return predicted.sub(target).square().mean();
  }

  /**
   * An objective by name over {@code steps} levels: {@code eps} uses the noise schedule named by
   * {@code schedule}, {@code flow} ignores it.
   *
   * @throws IllegalArgumentException for an unknown name
   */
  static Objective of(String name, String schedule, int steps) {
    return switch (name) {
      case "eps" -> new GaussianDiffusion(NoiseSchedule.of(schedule, steps));
      case "flow" -> new RectifiedFlow(steps);
      default ->
          throw new IllegalArgumentException("objective: unknown '" + name + "'; known: eps, flow");
    };
  }
}
