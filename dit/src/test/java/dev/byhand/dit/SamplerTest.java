package dev.byhand.dit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.byhand.dit.data.Rng;
import dev.byhand.dit.diffusion.GaussianDiffusion;
import dev.byhand.dit.diffusion.NoisePredictor;
import dev.byhand.dit.diffusion.NoiseSchedule;
import dev.byhand.dit.diffusion.Sampler;
import org.junit.jupiter.api.Test;

class SamplerTest {
  private static final Shape SHAPE = new Shape(2, 3);
  private static final float[] TARGET = {0.5f, -1f, 2f, 0f, 1.5f, -0.25f};

  /**
   * The exact noise prediction when the data is one point c: {@code eps = (x_t - sqrt(ᾱ_t)·c) /
   * sqrt(1 - ᾱ_t)}. Any correct sampler must land on c.
   */
  private static NoisePredictor oracle(NDManager manager, NoiseSchedule s) {
    return (xt, t) -> {
      double abar = s.alphaCumprod(t[0]);
      NDArray c = xt.getManager().create(TARGET, SHAPE);
      return xt.sub(c.mul(Math.sqrt(abar))).div(Math.sqrt(1 - abar));
    };
  }

  @Test
  void samplersWithTheExactPredictorLandOnTheData() {
    NoiseSchedule schedule = NoiseSchedule.linear(100, 1e-4, 0.1);
    Sampler sampler = new Sampler(new GaussianDiffusion(schedule));
    try (NDManager manager = NDManager.newBaseManager()) {
      float[] ddim =
          sampler.ddim(oracle(manager, schedule), SHAPE, manager, new Rng(1), 10, 0, null);
      float[] ddpm = sampler.ddpm(oracle(manager, schedule), SHAPE, manager, new Rng(2), null);
      for (int i = 0; i < TARGET.length; i++) {
        assertThat(ddim[i]).isCloseTo(TARGET[i], within(1e-3f));
        assertThat(ddpm[i]).isCloseTo(TARGET[i], within(1e-3f));
      }
    }
  }

  @Test
  void flowSamplingWithTheExactVelocityLandsOnTheData() {
    dev.byhand.dit.diffusion.RectifiedFlow flow = new dev.byhand.dit.diffusion.RectifiedFlow(1000);
    // For data at one point c, x_s = (1 - s)·c + s·eps, so the velocity eps - c is (x - c) / s.
    NoisePredictor oracle =
        (xt, t) -> {
          NDArray c = xt.getManager().create(TARGET, SHAPE);
          return xt.sub(c).div(flow.level(t[0]));
        };
    try (NDManager manager = NDManager.newBaseManager()) {
      for (int steps : new int[] {1, 7, 50}) {
        float[] x = Sampler.flow(flow, oracle, SHAPE, manager, new Rng(3), steps, null);
        for (int i = 0; i < TARGET.length; i++) {
          assertThat(x[i]).as("%d steps", steps).isCloseTo(TARGET[i], within(1e-4f));
        }
      }
      assertThatThrownBy(() -> Sampler.flow(flow, oracle, SHAPE, manager, new Rng(3), 1001, null))
          .hasMessageContaining("steps");
    }
  }

  @Test
  void flowInterpolatesStraightFromDataToNoiseAndTargetsTheVelocity() {
    dev.byhand.dit.diffusion.RectifiedFlow flow = new dev.byhand.dit.diffusion.RectifiedFlow(4);
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray x0 = manager.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
      NDArray eps = manager.create(new float[] {-1, 0, 1, 0}, new Shape(2, 2));
      // t = 0 → s = 1/4, t = 3 → s = 1 (pure noise).
      float[] mixed = flow.noised(x0, new int[] {0, 3}, eps).toFloatArray();
      assertThat(mixed).containsExactly(0.5f, 1.5f, 1f, 0f);
      assertThat(flow.target(x0, eps).toFloatArray()).containsExactly(-2, -2, -2, -4);
    }
  }

  @Test
  void ddimWithEtaOneOverAllStepsIsDdpmForTheSameNoise() {
    NoiseSchedule schedule = NoiseSchedule.linear(50, 1e-3, 0.2);
    Sampler sampler = new Sampler(new GaussianDiffusion(schedule));
    // A predictor that is not the oracle, so the trajectories depend on every noise draw.
    NoisePredictor model = (xt, t) -> xt.mul(0.3).add(0.1 * Math.sin(t[0]));
    try (NDManager manager = NDManager.newBaseManager()) {
      float[] ddpm = sampler.ddpm(model, SHAPE, manager, new Rng(7), null);
      float[] ddim = sampler.ddim(model, SHAPE, manager, new Rng(7), 50, 1.0, null);
      float[] other = sampler.ddim(model, SHAPE, manager, new Rng(8), 50, 1.0, null);
      for (int i = 0; i < ddpm.length; i++) {
        assertThat(ddim[i]).isCloseTo(ddpm[i], within(1e-4f));
      }
      assertThat(other).isNotEqualTo(ddim);
    }
  }

  @Test
  void ddimWithEtaZeroUsesOnlyTheStartNoise() {
    NoiseSchedule schedule = NoiseSchedule.linear1000();
    Sampler sampler = new Sampler(new GaussianDiffusion(schedule));
    NoisePredictor model = (xt, t) -> xt.mul(0.5);
    try (NDManager manager = NDManager.newBaseManager()) {
      Rng rng = new Rng(3);
      float[] a = sampler.ddim(model, SHAPE, manager, rng, 20, 0, null);
      float[] b = sampler.ddim(model, SHAPE, manager, new Rng(3), 20, 0, null);
      assertThat(a).containsExactly(b);
      Rng fresh = new Rng(3);
      fresh.fillGaussian(new float[(int) SHAPE.size()]);
      assertThat(rng.state()).isEqualTo(fresh.state());
      assertThatThrownBy(() -> sampler.ddim(model, SHAPE, manager, new Rng(1), 0, 0, null))
          .hasMessageContaining("steps");
    }
  }

  @Test
  void guidanceCombinesConditionalAndUnconditionalPredictions() {
    DiTConfig config = DiTConfig.tiny().withTextDim(8);
    try (NDManager manager = NDManager.newBaseManager();
        DiT model = new DiT(config, manager)) {
      Rng rng = new Rng(4);
      model.initializeWeights(rng);
      // Give every zero-initialised weight random values, so text and t change the output.
      for (String name : model.parameters().all().keySet()) {
        model.parameters().normal(name, 0.1, rng);
      }
      int n = 2;
      float[] embedding = new float[8];
      rng.fillGaussian(embedding);
      float[] x =
          new float[n * config.frames() * config.height() * config.width() * config.inChannels()];
      rng.fillGaussian(x);
      NDArray xt =
          manager.create(
              x,
              new Shape(n, config.frames(), config.height(), config.width(), config.inChannels()));
      float[] texts = new float[n * 8];
      System.arraycopy(embedding, 0, texts, 0, 8);
      System.arraycopy(embedding, 0, texts, 8, 8);
      NDArray text = manager.create(texts, new Shape(n, 8));
      int[] t = {400, 400};
      float[] cond = model.forward(xt, t, text, null).toFloatArray();
      float[] uncond = model.forward(xt, t, text, new boolean[] {true, true}).toFloatArray();
      assertThat(cond).isNotEqualTo(uncond);
      try (TextEmbeddings unused = new TextEmbeddings(s -> embedding, 8, null)) {
        float[] g1 = guidedWith(model, embedding, 1.0, xt, t);
        float[] g0 = guidedWith(model, embedding, 0.0, xt, t);
        float[] g3 = guidedWith(model, embedding, 3.0, xt, t);
        for (int i = 0; i < cond.length; i++) {
          assertThat(g1[i]).isEqualTo(cond[i]);
          assertThat(g0[i]).isCloseTo(uncond[i], within(1e-5f));
          assertThat(g3[i]).isCloseTo(uncond[i] + 3 * (cond[i] - uncond[i]), within(1e-4f));
        }
      }
    }
  }

  private static float[] guidedWith(
      DiT model, float[] embedding, double scale, NDArray xt, int[] t) {
    return VideoGenerator.guidance(model, new TextCondition(embedding, null, 0), scale)
        .predict(xt, t)
        .toFloatArray();
  }
}
