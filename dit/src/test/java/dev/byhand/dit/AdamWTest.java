package dev.byhand.dit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.byhand.dit.nn.Parameters;
import dev.byhand.dit.train.AdamW;
import dev.byhand.dit.train.Ema;
import org.junit.jupiter.api.Test;

class AdamWTest {

  /** Loss Σ c_i w_i² has gradient 2 c_i w_i: steps checked against the update written out. */
  @Test
  void twoStepsWithDecayAndClippingMatchTheFormula() {
    float[] c = {1f, -3f, 0.5f};
    double lr = 0.1;
    double wd = 0.05;
    double maxNorm = 1.0;
    double[] w = {0.5, 1.0, -2.0};
    double[] m = new double[3];
    double[] v = new double[3];
    try (NDManager manager = NDManager.newBaseManager();
        Parameters params = new Parameters(manager.newSubManager(), true)) {
      params.add("w", 3);
      params.set("w", 0.5f, 1.0f, -2.0f);
      try (AdamW adam = new AdamW(params, 0.9, 0.999, 1e-8, wd)) {
        for (int step = 1; step <= 2; step++) {
          NDArray weights = params.get("w");
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = weights.square().mul(manager.create(c)).sum();
            gc.backward(loss);
          }
          double[] g = new double[3];
          double norm = 0;
          for (int i = 0; i < 3; i++) {
            g[i] = 2 * c[i] * w[i];
            norm += g[i] * g[i];
          }
          norm = Math.sqrt(norm);
          double clip = Math.min(1, maxNorm / (norm + 1e-6));
          for (int i = 0; i < 3; i++) {
            g[i] *= clip;
            m[i] = 0.9 * m[i] + 0.1 * g[i];
            v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
            w[i] *= 1 - lr * wd;
            double mHat = m[i] / (1 - Math.pow(0.9, step));
            double vHat = v[i] / (1 - Math.pow(0.999, step));
            w[i] -= lr * mHat / (Math.sqrt(vHat) + 1e-8);
          }
          double reported = adam.step(lr, maxNorm);
          assertThat(reported).isCloseTo(norm, within(1e-4 * norm));
          float[] actual = params.get("w").toFloatArray();
          for (int i = 0; i < 3; i++) {
            assertThat((double) actual[i])
                .as("step %d w[%d]", step, i)
                .isCloseTo(w[i], within(1e-6));
          }
        }
        assertThat(adam.step()).isEqualTo(2);
        // Gradients are zeroed after each step.
        assertThat(params.get("w").getGradient().abs().sum().getFloat()).isEqualTo(0f);
      }
    }
  }

  @Test
  void emaMovesTowardsTheWeightsByOneMinusDecay() {
    try (NDManager manager = NDManager.newBaseManager();
        Parameters params = new Parameters(manager.newSubManager(), true);
        Parameters average = new Parameters(manager.newSubManager(), false)) {
      params.add("w", 2);
      average.add("w", 2);
      params.set("w", 1f, 2f);
      Ema ema = new Ema(params, average);
      params.set("w", 3f, -2f);
      ema.update(0.75);
      assertThat(average.get("w").toFloatArray()).containsExactly(1.5f, 1f);
    }
  }
}
