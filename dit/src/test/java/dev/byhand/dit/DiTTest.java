package dev.byhand.dit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.byhand.dit.data.Rng;
import dev.byhand.dit.diffusion.GaussianDiffusion;
import dev.byhand.dit.diffusion.NoiseSchedule;
import dev.byhand.dit.nn.Tensor;
import dev.byhand.dit.train.AdamW;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DiTTest {

  private static float[] gaussian(int n, Rng rng) {
    float[] v = new float[n];
    rng.fillGaussian(v);
    return v;
  }

  private static int latentSize(DiTConfig c) {
    return c.frames() * c.height() * c.width() * c.inChannels();
  }

  @Test
  void freshModelPredictsZeroBecauseTheFinalLayerStartsAtZero() {
    DiTConfig config = DiTConfig.tiny();
    try (NDManager manager = NDManager.newBaseManager();
        DiT model = new DiT(config, manager)) {
      model.initializeWeights(new Rng(1));
      Rng rng = new Rng(2);
      NDArray x =
          manager.create(
              gaussian(2 * latentSize(config), rng),
              new Shape(2, config.frames(), config.height(), config.width(), config.inChannels()));
      NDArray text =
          manager.create(gaussian(2 * config.textDim(), rng), new Shape(2, config.textDim()));
      NDArray out = model.forward(x, new int[] {0, 999}, text, null);
      assertThat(out.getShape()).isEqualTo(x.getShape());
      assertThat(out.abs().max().getFloat()).isEqualTo(0f);
      // Block weights are not zero: only the adaLN modulation and final layer are.
      assertThat(model.parameters().get("blocks.0.attn.qkv.weight").abs().max().getFloat())
          .isGreaterThan(0.01f);
    }
  }

  @Test
  void oneTrainingStepMovesOnlyTheFinalLayerBySignOfGradientTimesLr() {
    DiTConfig config = DiTConfig.tiny();
    double lr = 1e-3;
    try (NDManager manager = NDManager.newBaseManager();
        DiT model = new DiT(config, manager);
        AdamW optimizer = new AdamW(model.parameters(), 0.9, 0.999, 1e-8, 0.0)) {
      model.initializeWeights(new Rng(1));
      Map<String, Tensor> before = model.parameters().snapshot();
      Rng rng = new Rng(3);
      int n = 2;
      float[] epsValues = gaussian(n * latentSize(config), rng);
      Shape shape =
          new Shape(n, config.frames(), config.height(), config.width(), config.inChannels());
      NDArray x0 = manager.create(gaussian(n * latentSize(config), rng), shape);
      NDArray eps = manager.create(epsValues, shape);
      NDArray text =
          manager.create(gaussian(n * config.textDim(), rng), new Shape(n, config.textDim()));
      GaussianDiffusion diffusion = new GaussianDiffusion(NoiseSchedule.linear1000());
      int[] t = {10, 500};
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray xt = diffusion.qSample(x0, t, eps);
        NDArray loss = diffusion.loss(model.forward(xt, t, text, null), eps);
        // The model predicts 0, so the loss is the mean square of the noise.
        double meanSquare = 0;
        for (float e : epsValues) {
          meanSquare += e * e;
        }
        assertThat(loss.getFloat())
            .isCloseTo((float) (meanSquare / epsValues.length), within(1e-5f));
        collector.backward(loss);
      }
      optimizer.step(lr, Double.POSITIVE_INFINITY);
      Map<String, Tensor> after = model.parameters().snapshot();

      // adaLN-Zero: with the final layer at zero no gradient reaches the blocks or the embedders.
      for (String name : before.keySet()) {
        if (!name.equals("final_layer.linear.weight") && !name.equals("final_layer.linear.bias")) {
          assertThat(after.get(name).data()).as(name).containsExactly(before.get(name).data());
        }
      }
      // The output bias gets d loss / d b_j = -2 Σ eps over patch entry j / numel; Adam's first
      // step moves it by lr · g / (|g| + 1e-8), i.e. lr against the sign of that gradient.
      int p = config.patchDim();
      double[] gradient = new double[p];
      int tokens = config.tokens();
      float[] patched = new float[epsValues.length];
      try (NDArray e = manager.create(epsValues, shape)) {
        patched = DiT.patchify(e, config.patchT(), config.patchH(), config.patchW()).toFloatArray();
      }
      for (int i = 0; i < patched.length; i++) {
        gradient[i % p] += -2.0 * patched[i] / patched.length;
      }
      float[] bias = after.get("final_layer.linear.bias").data();
      for (int j = 0; j < p; j++) {
        double g = gradient[j];
        double expected = -lr * g / (Math.abs(g) + 1e-8);
        assertThat((double) bias[j]).as("bias " + j).isCloseTo(expected, within(1e-7));
      }
      assertThat(tokens).isEqualTo(16);
    }
  }

  @Test
  void badInputsAreRefusedByName() {
    DiTConfig config = DiTConfig.tiny();
    try (NDManager manager = NDManager.newBaseManager();
        DiT model = new DiT(config, manager)) {
      NDArray wrong = manager.zeros(new Shape(1, 4, 4, 4, 3));
      NDArray text = manager.zeros(new Shape(1, 384));
      assertThatThrownBy(() -> model.forward(wrong, new int[] {0}, text, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("x:");
    }
    assertThatThrownBy(() -> DiTConfig.of("huge")).hasMessageContaining("tiny, small, seed");
    assertThatThrownBy(() -> DiTConfig.tiny().withGrid(4, 5, 4, 4)).hasMessageContaining("height");
  }

  /**
   * Factorised attention: after one spatial block, frame 0's outputs ignore frame 1; a temporal
   * block after it mixes them, as does full attention.
   */
  @Test
  void factorisedAttentionMixesFramesOnlyInTemporalBlocks() {
    DiTConfig base = DiTConfig.tiny().withTextDim(4);
    DiTConfig oneSpatial =
        base.toBuilder()
            .optName("t")
            .optDepth(1)
            .optAttention(DiTConfig.AttentionLayout.SPATIAL_TEMPORAL)
            .build();
    assertThat(frameZeroChanges(oneSpatial)).isEqualTo(0f);
    assertThat(frameZeroChanges(base.withAttention(DiTConfig.AttentionLayout.SPATIAL_TEMPORAL)))
        .isGreaterThan(1e-4f);
    assertThat(frameZeroChanges(base)).isGreaterThan(1e-4f);
  }

  /** Largest change in frame 0's predicted noise when only frame 1 of the input changes. */
  private static float frameZeroChanges(DiTConfig config) {
    try (NDManager manager = NDManager.newBaseManager();
        DiT model = new DiT(config, manager)) {
      Rng rng = new Rng(8);
      for (String name : model.parameters().all().keySet()) {
        model.parameters().normal(name, 0.2, rng);
      }
      int size = latentSize(config);
      float[] x = gaussian(size, rng);
      float[] y = x.clone();
      int frame = config.height() * config.width() * config.inChannels();
      for (int i = frame; i < 2 * frame; i++) {
        y[i] += 1f;
      }
      Shape shape =
          new Shape(1, config.frames(), config.height(), config.width(), config.inChannels());
      NDArray text =
          manager.create(gaussian(config.textDim(), rng), new Shape(1, config.textDim()));
      float[] a = model.forward(manager.create(x, shape), new int[] {5}, text, null).toFloatArray();
      float[] b = model.forward(manager.create(y, shape), new int[] {5}, text, null).toFloatArray();
      float max = 0;
      for (int i = 0; i < frame; i++) {
        max = Math.max(max, Math.abs(a[i] - b[i]));
      }
      assertThat(Math.abs(a[frame] - b[frame]) + Math.abs(a[frame + 1] - b[frame + 1]))
          .isGreaterThan(0f);
      return max;
    }
  }

  @Test
  void positionalEmbeddingsDifferPerTokenAndAreBounded() {
    float[] pos = DiT.posEmbed3d(32, 4, 2, 2);
    assertThat(pos).hasSize(16 * 32);
    for (int a = 0; a < 16; a++) {
      for (int b = a + 1; b < 16; b++) {
        double d = 0;
        for (int k = 0; k < 32; k++) {
          d += Math.abs(pos[a * 32 + k] - pos[b * 32 + k]);
        }
        assertThat(d).as("tokens " + a + ", " + b).isGreaterThan(0.1);
      }
    }
    // Token 0 sits at the origin: every sin is 0 and every cos is 1.
    assertThat(pos[0]).isEqualTo(0f);
    assertThat(pos[7]).isEqualTo(1f);
  }

  /**
   * Cross-attention to the prompt's tokens: a fresh model ignores them (its output projections
   * start at zero); with weights that use them, padding positions and the tokens of a dropped
   * prompt change nothing, and real tokens do.
   */
  @Test
  void crossAttentionReadsRealTokensOnly() {
    DiTConfig config = DiTConfig.tiny().toBuilder().optTextDim(8).optTextTokens(5).build();
    Rng rng = new Rng(3);
    int n = 2;
    int l = 5;
    try (NDManager manager = NDManager.newBaseManager();
        DiT model = new DiT(config, manager)) {
      model.initializeWeights(new Rng(1));
      Shape shape =
          new Shape(n, config.frames(), config.height(), config.width(), config.inChannels());
      NDArray x = manager.create(gaussian(n * latentSize(config), rng), shape);
      NDArray text = manager.create(gaussian(n * 8, rng), new Shape(n, 8));
      float[] tokenValues = gaussian(n * l * 8, rng);
      NDArray mask =
          manager.create(new float[] {1, 1, 1, 0, 0, 1, 1, 1, 1, 1}, new Shape(n, l)); // 3 and 5
      int[] t = {10, 900};
      float[] fresh = forward(model, x, t, text, tokenValues, mask, null);
      float[] other = forward(model, x, t, text, gaussian(n * l * 8, rng), mask, null);
      assertThat(other).containsExactly(fresh);
      // Weights everywhere, so every path of every block does work.
      for (Map.Entry<String, NDArray> p : model.parameters().all().entrySet()) {
        dev.byhand.dit.nn.Parameters.write(p.getValue(), gaussian((int) p.getValue().size(), rng));
        p.getValue().muli(0.2);
      }
      float[] base = forward(model, x, t, text, tokenValues, mask, null);
      float[] padded = tokenValues.clone();
      for (int k = 3 * 8; k < 5 * 8; k++) {
        padded[k] = 7f; // clip 0's positions 3 and 4 are padding
      }
      float[] withPadding = forward(model, x, t, text, padded, mask, null);
      assertThat(withPadding).containsExactly(base);
      float[] real = tokenValues.clone();
      real[0] += 1f; // clip 0's first token
      float[] changed = forward(model, x, t, text, real, mask, null);
      int half = changed.length / 2;
      assertThat(maxDifference(changed, base, 0, half)).isGreaterThan(1e-4f);
      assertThat(maxDifference(changed, base, half, changed.length)).isEqualTo(0f);
      boolean[] drop = {true, false};
      float[] dropped = forward(model, x, t, text, tokenValues, mask, drop);
      float[] droppedOther = forward(model, x, t, text, real, mask, drop);
      assertThat(droppedOther).containsExactly(dropped);
      assertThatThrownBy(() -> model.forward(x, t, text, null, null, null))
          .hasMessageStartingWith("tokens:");
    }
  }

  private static float[] forward(
      DiT model, NDArray x, int[] t, NDArray text, float[] tokens, NDArray mask, boolean[] drop) {
    NDArray tokenArray =
        x.getManager().create(tokens, new Shape(t.length, tokens.length / t.length / 8, 8));
    return model.forward(x, t, text, tokenArray, mask, drop).toFloatArray();
  }

  private static float maxDifference(float[] a, float[] b, int from, int to) {
    float max = 0;
    for (int i = from; i < to; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
