package dev.byhand.dit.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.byhand.dit.data.Rng;
import java.util.function.IntConsumer;

/**
 * Reverse diffusion (seed step [12], done properly): from pure noise {@code x_T} to a clean latent,
 * step by step. Two samplers:
 *
 * <ul>
 *   <li>DDPM ancestral (Ho et al.): every step t → t-1 draws {@code x_{t-1} ~ N(μ̃_t, β̃_t)} with
 *       the posterior mean {@code μ̃_t = c0·x̂_0 + c1·x_t} and the fixed "small" variance {@code
 *       β̃_t = β_t (1 - ᾱ_{t-1}) / (1 - ᾱ_t)}.
 *   <li>DDIM (Song et al.) over any subsequence of steps: {@code x_prev = sqrt(ᾱ_prev)·x̂_0 +
 *       sqrt(1 - ᾱ_prev - σ²)·eps + σ·z} with {@code σ = η·sqrt((1 - ᾱ_prev)/(1 - ᾱ_t))·sqrt(1 -
 *       ᾱ_t/ᾱ_prev)}: η = 0 is deterministic, η = 1 over all steps is DDPM again.
 * </ul>
 *
 * Noise comes from a seeded {@link Rng} (the start noise first, then one draw per stochastic step),
 * so a sample reproduces from its seed. Latents stay on the Java heap between steps; each step's
 * arrays live in a scope.
 */
public final class Sampler {
  private final GaussianDiffusion diffusion;

  /** A sampler for {@code diffusion}'s schedule. */
  public Sampler(GaussianDiffusion diffusion) {
    this.diffusion = diffusion;
  }

  /**
   * DDPM ancestral sampling over all T steps.
   *
   * @param shape latent shape, batch first
   * @param progress called with the number of steps done (may be null)
   * @return the clean latents, row-major
   */
  public float[] ddpm(
      NoisePredictor model, Shape shape, NDManager manager, Rng rng, IntConsumer progress) {
    NoiseSchedule s = diffusion.schedule();
    float[] x = noise(shape, rng);
    int n = (int) shape.get(0);
    for (int t = s.steps() - 1; t >= 0; t--) {
      double abar = s.alphaCumprod(t);
      double abarPrev = s.alphaCumprodPrev(t);
      double beta = s.beta(t);
      double c0 = beta * Math.sqrt(abarPrev) / (1 - abar);
      double c1 = (1 - abarPrev) * Math.sqrt(1 - beta) / (1 - abar);
      double sigma = Math.sqrt(beta * (1 - abarPrev) / (1 - abar));
      float[] eps = predict(model, x, t, n, shape, manager);
      double a = Math.sqrt(abar);
      double b = Math.sqrt(1 - abar);
      float[] z = t > 0 ? noise(shape, rng) : null;
      for (int i = 0; i < x.length; i++) {
        double x0 = (x[i] - b * eps[i]) / a;
        double mean = c0 * x0 + c1 * x[i];
        x[i] = (float) (z == null ? mean : mean + sigma * z[i]);
      }
      if (progress != null) {
        progress.accept(s.steps() - t);
      }
    }
    return x;
  }

  /**
   * DDIM sampling over {@code steps} evenly spaced steps of the schedule.
   *
   * @param eta 0 for deterministic DDIM, 1 for DDPM-like noise
   * @return the clean latents, row-major
   * @throws IllegalArgumentException if steps is outside 1..T or η is negative
   */
  public float[] ddim(
      NoisePredictor model,
      Shape shape,
      NDManager manager,
      Rng rng,
      int steps,
      double eta,
      IntConsumer progress) {
    NoiseSchedule s = diffusion.schedule();
    if (steps < 1 || steps > s.steps()) {
      throw new IllegalArgumentException("steps: must be in 1.." + s.steps() + ", got " + steps);
    }
    if (!(eta >= 0)) {
      throw new IllegalArgumentException("eta: must be ≥ 0, got " + eta);
    }
    int[] times = spacedSteps(s.steps(), steps);
    float[] x = noise(shape, rng);
    int n = (int) shape.get(0);
    for (int k = times.length - 1; k >= 0; k--) {
      int t = times[k];
      double abar = s.alphaCumprod(t);
      double abarPrev = k == 0 ? 1.0 : s.alphaCumprod(times[k - 1]);
      double sigma = eta * Math.sqrt((1 - abarPrev) / (1 - abar)) * Math.sqrt(1 - abar / abarPrev);
      double direction = Math.sqrt(Math.max(1 - abarPrev - sigma * sigma, 0));
      float[] eps = predict(model, x, t, n, shape, manager);
      float[] z = sigma > 0 ? noise(shape, rng) : null;
      double a = Math.sqrt(abar);
      double b = Math.sqrt(1 - abar);
      double aPrev = Math.sqrt(abarPrev);
      for (int i = 0; i < x.length; i++) {
        double x0 = (x[i] - b * eps[i]) / a;
        double next = aPrev * x0 + direction * eps[i];
        x[i] = (float) (z == null ? next : next + sigma * z[i]);
      }
      if (progress != null) {
        progress.accept(times.length - k);
      }
    }
    return x;
  }

  /**
   * Rectified-flow sampling: Euler steps of the predicted velocity from pure noise (s = 1) to data
   * (s = 0) over {@code steps} equal parts; the model's output is read as the velocity {@code eps -
   * x_0}.
   *
   * @return the clean latents, row-major
   * @throws IllegalArgumentException if steps is outside 1..flow.steps()
   */
  public static float[] flow(
      RectifiedFlow flow,
      NoisePredictor model,
      Shape shape,
      NDManager manager,
      Rng rng,
      int steps,
      IntConsumer progress) {
    if (steps < 1 || steps > flow.steps()) {
      throw new IllegalArgumentException("steps: must be in 1.." + flow.steps() + ", got " + steps);
    }
    float[] x = noise(shape, rng);
    int n = (int) shape.get(0);
    for (int i = steps; i >= 1; i--) {
      // Step i sits near s = i/steps, at the model's nearest level t; the Euler step runs from
      // that level's exact s to the next one's (0 at the end), so no step is lost to rounding.
      int t = flowStep(flow, i, steps);
      double s = flow.level(t);
      double next = i == 1 ? 0 : flow.level(flowStep(flow, i - 1, steps));
      float[] v = predict(model, x, t, n, shape, manager);
      for (int k = 0; k < x.length; k++) {
        x[k] += (float) ((next - s) * v[k]);
      }
      if (progress != null) {
        progress.accept(steps - i + 1);
      }
    }
    return x;
  }

  /** The model level for step i of {@code steps}: t = round(i/steps · T) - 1. */
  private static int flowStep(RectifiedFlow flow, int i, int steps) {
    return (int) Math.round((double) i * flow.steps() / steps) - 1;
  }

  /** {@code count} steps spread evenly over 0..total-1, ascending, starting at 0. */
  static int[] spacedSteps(int total, int count) {
    int[] out = new int[count];
    for (int i = 0; i < count; i++) {
      out[i] = (int) ((long) i * total / count);
    }
    return out;
  }

  private static float[] predict(
      NoisePredictor model, float[] x, int t, int n, Shape shape, NDManager manager) {
    int[] ts = new int[n];
    java.util.Arrays.fill(ts, t);
    try (NDManager step = manager.newSubManager();
        NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      NDArray xt = step.create(x, shape);
      return model.predict(xt, ts).toFloatArray();
    }
  }

  private static float[] noise(Shape shape, Rng rng) {
    float[] z = new float[(int) shape.size()];
    rng.fillGaussian(z);
    return z;
  }
}
