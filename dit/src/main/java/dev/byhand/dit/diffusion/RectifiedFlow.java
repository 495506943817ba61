package dev.byhand.dit.diffusion;

import ai.djl.ndarray.NDArray;

/**
 * Rectified flow (Liu et al.; flow matching, Lipman et al.): the corrupted latent lies on the
 * straight line {@code x_s = (1 - s)·x_0 + s·eps}, and the model predicts the velocity {@code dx/ds
 * = eps - x_0}. Level t of {@link #steps()} is {@code s = (t + 1) / steps}, so t = steps - 1 is
 * pure noise, as in the diffusion convention. Sampling integrates the velocity from s = 1 to 0
 * ({@link Sampler#flow}).
 */
public final class RectifiedFlow implements Objective {
  private final int steps;

  /**
   * @param steps discrete levels the model's t takes
   * @throws IllegalArgumentException if steps is below 1
   */
  public RectifiedFlow(int steps) {
    if (steps < 1) {
      throw new IllegalArgumentException("steps: must be at least 1, got " + steps);
    }
    this.steps = steps;
  }

  @Override
  public String name() {
    return "flow";
  }

  @Override
  public int steps() {
    return steps;
  }

  /** The position s in (0, 1] on the path for level t. */
  public double level(int t) {
    if (t < 0 || t >= steps) {
      throw new IllegalArgumentException("t: " + t + " is outside 0.." + (steps - 1));
    }
    return (t + 1.0) / steps;
  }

  @Override
  public NDArray noised(NDArray x0, int[] t, NDArray eps) {
    float[] data = new float[t.length];
    float[] noise = new float[t.length];
    for (int i = 0; i < t.length; i++) {
      double s = level(t[i]);
      data[i] = (float) (1 - s);
      noise[i] = (float) s;
    }
    return x0.mul(GaussianDiffusion.perClip(x0, data))
        .add(eps.mul(GaussianDiffusion.perClip(x0, noise)));
  }

  @Override
  public NDArray target(NDArray x0, NDArray eps) {
    return eps.sub(x0);
  }
}
