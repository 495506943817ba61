package dev.byhand.dit.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Gaussian diffusion over latents (Ho et al., DDPM), as DiT trains it: the forward process {@code
 * q(x_t | x_0)}, the noise-prediction loss, and the clean latent implied by a noise prediction.
 * Works on arrays of any shape whose first axis is the batch.
 */
public final class GaussianDiffusion implements Objective {
  private final NoiseSchedule schedule;

  /** Diffusion over {@code schedule}. */
  public GaussianDiffusion(NoiseSchedule schedule) {
    this.schedule = schedule;
  }

  /** The schedule. */
  public NoiseSchedule schedule() {
    return schedule;
  }

  @Override
  public String name() {
    return "eps";
  }

  @Override
  public int steps() {
    return schedule.steps();
  }

  /** {@link #qSample}: the noised latent {@code x_t}. */
  @Override
  public NDArray noised(NDArray x0, int[] t, NDArray eps) {
    return qSample(x0, t, eps);
  }

  /** The noise itself: DiT predicts {@code eps}. */
  @Override
  public NDArray target(NDArray x0, NDArray eps) {
    return eps;
  }

  /**
   * Samples {@code x_t ~ q(x_t | x_0)}: {@code x_t = sqrt(ᾱ_t)·x_0 + sqrt(1 - ᾱ_t)·eps}.
   *
   * @param x0 clean latents, (N, ...)
   * @param t step per clip
   * @param eps standard normal noise, the shape of {@code x0}
   */
  public NDArray qSample(NDArray x0, int[] t, NDArray eps) {
    float[] a = new float[t.length];
    float[] b = new float[t.length];
    for (int i = 0; i < t.length; i++) {
      checkStep(t[i]);
      a[i] = (float) Math.sqrt(schedule.alphaCumprod(t[i]));
      b[i] = (float) Math.sqrt(1 - schedule.alphaCumprod(t[i]));
    }
    NDArray signal = perClip(x0, a); // (N, 1, ..., 1)
    NDArray noise = perClip(x0, b); // (N, 1, ..., 1)
    return x0.mul(signal).add(eps.mul(noise));
  }

  /**
   * The clean latent implied by a noise prediction: {@code x̂_0 = (x_t - sqrt(1 - ᾱ_t)·eps) /
   * sqrt(ᾱ_t)}.
   */
  public NDArray predictX0(NDArray xt, int[] t, NDArray eps) {
    float[] inv = new float[t.length];
    float[] b = new float[t.length];
    for (int i = 0; i < t.length; i++) {
      checkStep(t[i]);
      inv[i] = (float) (1 / Math.sqrt(schedule.alphaCumprod(t[i])));
      b[i] = (float) Math.sqrt(1 - schedule.alphaCumprod(t[i]));
    }
    return xt.sub(eps.mul(perClip(xt, b))).mul(perClip(xt, inv));
  }

  /** One coefficient per clip, shaped (N, 1, ..., 1) to broadcast against {@code like}. */
  static NDArray perClip(NDArray like, float[] values) {
    long[] shape = new long[like.getShape().dimension()];
    java.util.Arrays.fill(shape, 1);
    shape[0] = values.length;
    return like.getManager().create(values, new Shape(shape));
  }

  private void checkStep(int t) {
    if (t < 0 || t >= schedule.steps()) {
      throw new IllegalArgumentException("t: " + t + " is outside 0.." + (schedule.steps() - 1));
    }
  }
}
