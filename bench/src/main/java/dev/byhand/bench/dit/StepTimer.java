package dev.byhand.bench.dit;

import ai.djl.ndarray.NDManager;
import dev.byhand.dit.DiT;
import dev.byhand.dit.DiTConfig;
import dev.byhand.dit.Trace;
import dev.byhand.dit.data.Rng;
import dev.byhand.dit.diffusion.GaussianDiffusion;
import dev.byhand.dit.diffusion.NoiseSchedule;
import dev.byhand.dit.train.AdamW;
import dev.byhand.dit.train.TrainingStep;
import java.util.Arrays;
import java.util.Locale;

/**
 * Times one DiT training step ({@link TrainingStep#run}: forward, MSE on noise, backward,
 * global-norm clip, AdamW) on random data, for the side-by-side with {@code
 * bench/python/dit_step_time.py}. A measurement tool, not a test.
 */
public final class StepTimer {
  private StepTimer() {}

  /**
   * Median wall-clock and CPU milliseconds of one step after 5 warm-up steps. CPU time is the
   * calling thread's: with {@code -Dai.djl.pytorch.num_threads=1} libtorch computes on it, and the
   * figure stays fair on a machine shared with other work.
   *
   * @param wallMillis the median wall time per step
   * @param cpuMillis the median CPU time per step
   */
  public record Timing(double wallMillis, double cpuMillis) {}

  /**
   * Times {@code steps} steps after 5 warm-up steps.
   *
   * @throws IllegalArgumentException if batch or steps is below 1
   */
  public static Timing time(DiTConfig config, int batch, int steps) {
    if (batch < 1 || steps < 1) {
      throw new IllegalArgumentException(
          "batch/steps: must be at least 1, got " + batch + ", " + steps);
    }
    try (NDManager manager = NDManager.newBaseManager();
        DiT model = new DiT(config, manager);
        AdamW optimizer = new AdamW(model.parameters(), 0.9, 0.999, 1e-8, 0.0)) {
      model.initializeWeights(new Rng(1));
      Rng rng = new Rng(2);
      int size = config.frames() * config.height() * config.width() * config.inChannels();
      float[] x0 = new float[batch * size];
      float[] eps = new float[batch * size];
      float[] text = new float[batch * config.textDim()];
      rng.fillGaussian(x0);
      rng.fillGaussian(eps);
      rng.fillGaussian(text);
      int[] t = new int[batch];
      for (int i = 0; i < batch; i++) {
        t[i] = rng.nextInt(1000);
      }
      TrainingStep.Batch b = new TrainingStep.Batch(x0, eps, t, text, new boolean[batch]);
      GaussianDiffusion diffusion = new GaussianDiffusion(NoiseSchedule.linear1000());
      double[] times = new double[steps];
      double[] cpu = new double[steps];
      java.lang.management.ThreadMXBean threads =
          java.lang.management.ManagementFactory.getThreadMXBean();
      TrainingStep runner = new TrainingStep();
      for (int i = 0; i < steps + 5; i++) {
        long start = System.nanoTime();
        long startCpu = threads.getCurrentThreadCpuTime();
        runner.step(model, optimizer, diffusion, b, 1e-4, 1.0, null, Trace.NONE);
        if (i >= 5) { // the first steps allocate and warm caches
          times[i - 5] = (System.nanoTime() - start) / 1e6;
          cpu[i - 5] = (threads.getCurrentThreadCpuTime() - startCpu) / 1e6;
        }
      }
      Arrays.sort(times);
      Arrays.sort(cpu);
      return new Timing(times[steps / 2], cpu[steps / 2]);
    }
  }

  /**
   * Model FLOPs of one training step: the matrix products of the forward pass (patch embedding, per
   * block qkv, attention scores and mix, output projection and the MLP, the final layer) times 3
   * for forward and backward. Element-wise work, norms and the conditioning MLPs (per clip, not per
   * token) are left out, as in the usual utilisation accounting.
   */
  public static double stepFlops(DiTConfig c, int batch) {
    double d = c.hiddenSize();
    double tokens = c.tokens();
    double hidden = d * c.mlpRatio();
    double perTokenBlock = 2 * d * 3 * d + 2 * d * d + 2 * 2 * d * hidden + 2 * 2 * tokens * d;
    double perToken = c.depth() * perTokenBlock + 2 * 2 * c.patchDim() * d;
    return 3 * batch * tokens * perToken;
  }

  /**
   * What libtorch itself reaches on this machine with the same threads: the median rate of a
   * 1024×1024 by 1024×1024 float product, the denominator of the utilisation figure (the VM hides
   * the clock and vector width, so a datasheet peak is not available).
   */
  public static double matmulFlopsPerSecond() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Rng rng = new Rng(3);
      float[] values = new float[1024 * 1024];
      rng.fillGaussian(values);
      ai.djl.ndarray.NDArray a = manager.create(values, new ai.djl.ndarray.types.Shape(1024, 1024));
      double[] times = new double[9];
      for (int i = 0; i < times.length + 2; i++) {
        long start = System.nanoTime();
        try (ai.djl.ndarray.NDArray product = a.matMul(a)) {
          product.getFloat(0, 0); // waits for the result
        }
        if (i >= 2) {
          times[i - 2] = (System.nanoTime() - start) / 1e9;
        }
      }
      Arrays.sort(times);
      return 2.0 * 1024 * 1024 * 1024 / times[times.length / 2];
    }
  }

  /** {@code StepTimer [preset] [batch] [steps]}: defaults small, 32, 20. */
  public static void main(String[] args) {
    DiTConfig config = DiTConfig.of(args.length > 0 ? args[0] : "small");
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    int steps = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    Timing t = time(config, batch, steps);
    double flops = stepFlops(config, batch);
    double achieved = flops / (t.wallMillis() / 1e3);
    double peak = matmulFlopsPerSecond();
    System.out.printf(
        Locale.ROOT,
        "byhand DJL %s batch %d median step %.1f ms, median CPU %.1f ms;"
            + " %.1f GFLOP a step, %.1f GFLOP/s = %.0f %% of libtorch's 1024² matmul rate (%.1f GFLOP/s)%n",
        config.name(),
        batch,
        t.wallMillis(),
        t.cpuMillis(),
        flops / 1e9,
        achieved / 1e9,
        100 * achieved / peak,
        peak / 1e9);
  }
}
