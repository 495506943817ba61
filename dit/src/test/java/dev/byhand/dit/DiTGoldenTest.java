package dev.byhand.dit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.byhand.dit.DiTConfig.AttentionLayout;
import dev.byhand.dit.DiTConfig.Conditioning;
import dev.byhand.dit.DiTConfig.FeedForward;
import dev.byhand.dit.DiTConfig.TimestepEncoding;
import dev.byhand.dit.nn.Safetensors;
import dev.byhand.dit.nn.Tensor;
import dev.byhand.dit.train.AdamW;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Compares the DiT's forward pass, gradients and one AdamW step with numbers computed once by an
 * independent PyTorch implementation ({@code bench/python/dit_golden.py}, Debian's torch 1.13) for
 * the same random weights and inputs. Adam's ε is 1e-6 there and here, so that gradients which are
 * zero in exact arithmetic (the key bias: softmax ignores a per-row constant) but round to ~1e-9
 * differently in two libraries do not decide the result.
 */
class DiTGoldenTest {
  private static final double TOLERANCE = 1e-4;

  private static final DiTConfig CONFIG =
      DiTConfig.builder()
          .optName("golden")
          .optGrid(2, 4, 4, 3)
          .optPatch(1, 2, 2)
          .optHiddenSize(24)
          .optDepth(2)
          .optNumHeads(2)
          .optMlpRatio(4.0)
          .optTextDim(5)
          .optTextDropProb(0.1)
          .optTimestepEncoding(TimestepEncoding.SINUSOIDAL)
          .optTimestepDim(16)
          .optConditioning(Conditioning.ADALN_ZERO)
          .optValueProjection(true)
          .optFeedForward(FeedForward.MLP)
          .optPositionalEmbedding(true)
          .optAttention(AttentionLayout.FULL)
          .optTextTokens(0)
          .build();

  @Test
  void forwardGradientsAndOneAdamWStepMatchPyTorch() throws URISyntaxException {
    check("/golden/dit_golden.safetensors", CONFIG);
  }

  /**
   * The same with cross-attention to the prompt's token vectors ({@code dit_golden.py
   * --cross-attention}): one clip with three tokens and a padded fourth, one dropped to the null
   * token.
   */
  @Test
  void crossAttentionToPromptTokensMatchesPyTorch() throws URISyntaxException {
    check("/golden/dit_golden_xattn.safetensors", CONFIG.toBuilder().optTextTokens(4).build());
  }

  private void check(String resource, DiTConfig config) throws URISyntaxException {
    Path file = Path.of(getClass().getResource(resource).toURI());
    Map<String, Tensor> golden = Safetensors.read(file).tensors();
    try (NDManager manager = NDManager.newBaseManager();
        DiT model = new DiT(config, manager);
        AdamW optimizer = new AdamW(model.parameters(), 0.9, 0.999, 1e-6, 0.01)) {
      model.parameters().load(golden, "param.");
      Tensor x = golden.get("input.x");
      Shape shape = new Shape(x.shape());
      NDArray xt = manager.create(x.data(), shape);
      NDArray eps = manager.create(golden.get("input.eps").data(), shape);
      NDArray text = manager.create(golden.get("input.text").data(), new Shape(2, 5));
      float[] tValues = golden.get("input.t").data();
      float[] dropValues = golden.get("input.drop").data();
      int[] t = {(int) tValues[0], (int) tValues[1]};
      boolean[] drop = {dropValues[0] == 1f, dropValues[1] == 1f};
      assertThat(drop)
          .containsExactly(false, true); // one clip with text, one with the null embedding

      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray tokens = null;
        NDArray mask = null;
        if (config.textTokens() > 0) {
          tokens =
              manager.create(
                  golden.get("input.tokens").data(), new Shape(golden.get("input.tokens").shape()));
          mask =
              manager.create(
                  golden.get("input.mask").data(), new Shape(golden.get("input.mask").shape()));
        }
        NDArray predicted = model.forward(xt, t, text, tokens, mask, drop);
        assertClose("predicted", predicted.toFloatArray(), golden.get("output.predicted").data());
        NDArray loss = predicted.sub(eps).square().mean();
        assertThat((double) loss.getFloat())
            .isCloseTo(golden.get("output.loss").data()[0], within(TOLERANCE));
        collector.backward(loss);
      }
      for (Map.Entry<String, NDArray> p : model.parameters().all().entrySet()) {
        try (NDArray g = p.getValue().getGradient()) {
          assertClose(
              "grad " + p.getKey(), g.toFloatArray(), golden.get("grad." + p.getKey()).data());
        }
      }
      double norm = optimizer.step(1e-2, 1.0);
      assertThat(norm).isCloseTo(golden.get("output.grad_norm").data()[0], within(1e-3));
      assertThat(norm).isGreaterThan(1.0); // so clipping was exercised
      for (Map.Entry<String, NDArray> p : model.parameters().all().entrySet()) {
        assertClose(
            "after " + p.getKey(),
            p.getValue().toFloatArray(),
            golden.get("after." + p.getKey()).data());
      }
    }
  }

  private static void assertClose(String what, float[] actual, float[] expected) {
    assertThat(actual).as(what).hasSameSizeAs(expected);
    for (int i = 0; i < actual.length; i++) {
      assertThat((double) actual[i])
          .as(what + "[" + i + "]")
          .isCloseTo(expected[i], within(TOLERANCE));
    }
  }
}
