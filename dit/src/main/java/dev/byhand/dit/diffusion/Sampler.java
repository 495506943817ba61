package dev.byhand.dit.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
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
 * Noise comes from a seeded {@link Rng} (the start noise first, then one draw per stochastic step,
 * into one reused buffer), so a sample reproduces from its seed. The latents stay in libtorch from
 * the first step to the last and come back to the heap once, at the end; each step's temporaries
 * live in a scope. The update of each step is computed in double precision and rounded to float
 * once, as the same formulas on the heap would be.
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
    try (Latents x = new Latents(manager, shape, rng)) {
      for (int t = s.steps() - 1; t >= 0; t--) {
        double abar = s.alphaCumprod(t);
        double abarPrev = s.alphaCumprodPrev(t);
        double beta = s.beta(t);
        double c0 = beta * Math.sqrt(abarPrev) / (1 - abar);
        double c1 = (1 - abarPrev) * Math.sqrt(1 - beta) / (1 - abar);
        double sigma = Math.sqrt(beta * (1 - abarPrev) / (1 - abar));
        double a = Math.sqrt(abar);
        double b = Math.sqrt(1 - abar);
        boolean noisy = t > 0;
        x.step(
            model,
            t,
            (xd, eps) -> {
              // x0 = (x - b·eps) / a; mean = c0·x0 + c1·x; x = mean + σ·z
              NDArray x0 = xd.sub(eps.mul(b)).div(a);
              NDArray mean = x0.mul(c0).add(xd.mul(c1));
              return noisy ? mean.add(x.noise().mul(sigma)) : mean;
            });
        if (progress != null) {
          progress.accept(s.steps() - t);
        }
      }
      return x.values();
    }
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
    try (Latents x = new Latents(manager, shape, rng)) {
      for (int k = times.length - 1; k >= 0; k--) {
        int t = times[k];
        double abar = s.alphaCumprod(t);
        double abarPrev = k == 0 ? 1.0 : s.alphaCumprod(times[k - 1]);
        double sigma =
            eta * Math.sqrt((1 - abarPrev) / (1 - abar)) * Math.sqrt(1 - abar / abarPrev);
        double direction = Math.sqrt(Math.max(1 - abarPrev - sigma * sigma, 0));
        double a = Math.sqrt(abar);
        double b = Math.sqrt(1 - abar);
        double aPrev = Math.sqrt(abarPrev);
        x.step(
            model,
            t,
            (xd, eps) -> {
              // x0 = (x - b·eps) / a; x = sqrt(ᾱ_prev)·x0 + direction·eps + σ·z
              NDArray x0 = xd.sub(eps.mul(b)).div(a);
              NDArray next = x0.mul(aPrev).add(eps.mul(direction));
              return sigma > 0 ? next.add(x.noise().mul(sigma)) : next;
            });
        if (progress != null) {
          progress.accept(times.length - k);
        }
      }
      return x.values();
    }
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
    try (Latents x = new Latents(manager, shape, rng)) {
      for (int i = steps; i >= 1; i--) {
        // Step i sits near s = i/steps, at the model's nearest level t; the Euler step runs from
        // that level's exact s to the next one's (0 at the end), so no step is lost to rounding.
        int t = flowStep(flow, i, steps);
        double s = flow.level(t);
        double next = i == 1 ? 0 : flow.level(flowStep(flow, i - 1, steps));
        x.euler(model, t, next - s);
        if (progress != null) {
          progress.accept(steps - i + 1);
        }
      }
      return x.values();
    }
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

  /** One step's update from the current latents and the prediction, both in double precision. */
  @FunctionalInterface
  private interface Update {
    NDArray next(NDArray x, NDArray eps);
  }

  /**
   * The latents being sampled, kept in libtorch: a float array of the batch's shape in a manager of
   * its own, replaced by each step's result; plus one heap buffer for the step noise drawn from the
   * sampler's {@link Rng}.
   */
  private static final class Latents implements AutoCloseable {
    private final NDManager manager;
    private final Shape shape;
    private final Rng rng;
    private final float[] buffer;
    private final int[] times;
    private NDArray x;

    Latents(NDManager parent, Shape shape, Rng rng) {
      this.manager = parent.newSubManager();
      this.shape = shape;
      this.rng = rng;
      this.buffer = new float[Math.toIntExact(shape.size())];
      this.times = new int[(int) shape.get(0)];
      rng.fillGaussian(buffer); // the start noise x_T
      this.x = manager.create(buffer, shape);
    }

    /** The next noise draw z, in double precision, valid during the current step. */
    NDArray noise() {
      rng.fillGaussian(buffer);
      return manager.create(buffer, shape).toType(DataType.FLOAT64, false);
    }

    /** Predicts at level t and replaces x with {@code update(x, prediction)}, rounded to float. */
    void step(NoisePredictor model, int t, Update update) {
      java.util.Arrays.fill(times, t);
      try (NDScope scope = new NDScope()) {
        scope.suppressNotUsedWarning();
        NDArray eps = model.predict(x, times).toType(DataType.FLOAT64, false);
        NDArray next = update.next(x.toType(DataType.FLOAT64, false), eps);
        replace(next.toType(DataType.FLOAT32, false));
      }
    }

    /** The Euler step {@code x += (float) (h · v)}: the product in double, the sum in float. */
    void euler(NoisePredictor model, int t, double h) {
      java.util.Arrays.fill(times, t);
      try (NDScope scope = new NDScope()) {
        scope.suppressNotUsedWarning();
        NDArray v = model.predict(x, times).toType(DataType.FLOAT64, false);
        replace(x.add(v.mul(h).toType(DataType.FLOAT32, false)));
      }
    }

    private void replace(NDArray next) {
      NDScope.unregister(next);
      next.attach(manager);
      x.close();
      x = next;
    }

    /** The latents, row-major, on the heap. */
    float[] values() {
      return x.toFloatArray();
    }

    @Override
    public void close() {
      manager.close();
    }
  }
}
