package dev.byhand.dit.diffusion;

/**
 * The variance schedule {@code β_t} of the forward process and the quantities derived from it, in
 * the standard convention: t = 0 is the first noising step (nearly clean), t = T-1 is nearly pure
 * noise. {@code ᾱ_t = Π_{s≤t} (1 - β_s)}.
 */
public final class NoiseSchedule {
  private final double[] betas;
  private final double[] alphasCumprod;

  /**
   * @throws IllegalArgumentException if a β is outside (0, 1)
   */
  public NoiseSchedule(double[] betas) {
    if (betas.length < 1) {
      throw new IllegalArgumentException("betas: need at least one step");
    }
    this.betas = betas.clone();
    this.alphasCumprod = new double[betas.length];
    double product = 1;
    for (int t = 0; t < betas.length; t++) {
      if (!(betas[t] > 0 && betas[t] < 1)) {
        throw new IllegalArgumentException(
            "betas: β[" + t + "] = " + betas[t] + " is outside (0, 1)");
      }
      product *= 1 - betas[t];
      alphasCumprod[t] = product;
    }
  }

  /** DDPM's and DiT's schedule: β linear from {@code start} to {@code end} over {@code steps}. */
  public static NoiseSchedule linear(int steps, double start, double end) {
    if (steps < 1) {
      throw new IllegalArgumentException("steps: must be at least 1, got " + steps);
    }
    double[] betas = new double[steps];
    for (int t = 0; t < steps; t++) {
      betas[t] = steps == 1 ? start : start + (end - start) * t / (steps - 1);
    }
    return new NoiseSchedule(betas);
  }

  /** The default: linear β 1e-4 → 0.02 over 1000 steps. */
  public static NoiseSchedule linear1000() {
    return linear(1000, 1e-4, 0.02);
  }

  /**
   * Nichol and Dhariwal's cosine schedule: {@code ᾱ(t) ∝ cos²((t/T + s)/(1 + s) · π/2)}, s = 0.008,
   * β clipped at 0.999.
   */
  public static NoiseSchedule cosine(int steps) {
    if (steps < 1) {
      throw new IllegalArgumentException("steps: must be at least 1, got " + steps);
    }
    double s = 0.008; // keeps β_0 from being vanishingly small (the paper's offset)
    double[] betas = new double[steps];
    for (int t = 0; t < steps; t++) {
      double a1 = f(t / (double) steps, s);
      double a2 = f((t + 1) / (double) steps, s);
      betas[t] = Math.min(1 - a2 / a1, 0.999);
    }
    return new NoiseSchedule(betas);
  }

  private static double f(double x, double s) {
    double c = Math.cos((x + s) / (1 + s) * Math.PI / 2);
    return c * c;
  }

  /**
   * A schedule by name: {@code linear} (1e-4 → 0.02) or {@code cosine}.
   *
   * @throws IllegalArgumentException for another name
   */
  public static NoiseSchedule of(String name, int steps) {
    return switch (name) {
      case "linear" -> linear(steps, 1e-4, 0.02);
      case "cosine" -> cosine(steps);
      default ->
          throw new IllegalArgumentException(
              "schedule: unknown '" + name + "'; known: linear, cosine");
    };
  }

  /** Number of steps T. */
  public int steps() {
    return betas.length;
  }

  /** β_t. */
  public double beta(int t) {
    return betas[t];
  }

  /** ᾱ_t. */
  public double alphaCumprod(int t) {
    return alphasCumprod[t];
  }

  /** ᾱ_{t-1}, with ᾱ_{-1} = 1. */
  public double alphaCumprodPrev(int t) {
    return t == 0 ? 1.0 : alphasCumprod[t - 1];
  }
}
