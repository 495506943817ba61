package dev.byhand.dit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.byhand.dit.explain.Matrix;
import dev.byhand.dit.explain.SeedWalkthrough;
import dev.byhand.dit.explain.SeedWalkthrough.Step;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Checks the walkthrough's numbers against the seed and against arithmetic done here by hand. */
class SeedWalkthroughTest {
  private static final List<Step> STEPS = SeedWalkthrough.run();

  private static Step step(String number) {
    return STEPS.stream().filter(s -> s.number().equals(number)).findFirst().orElseThrow();
  }

  @Test
  void hasFourteenStepsInOrder() {
    assertThat(STEPS)
        .extracting(Step::number)
        .containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14");
  }

  @Test
  void conditionAndModulationAreTheSeedsNumbers() {
    assertThat(step("5").matrix("condition c").values()).containsExactly(0, 1, -1, 1, 1);
    assertThat(step("6").matrix("scale").values()).containsExactly(2, -1);
    assertThat(step("6").matrix("shift").values()).containsExactly(-1, 5);
  }

  @Test
  void encoderIsReluOfPatchesTimesWeights() {
    Matrix latent = step("3").matrix("latent");
    assertThat(latent.values()).containsExactly(2, 0, 0, 2, 1, 1, 2, 1);
  }

  @Test
  void eachStepFollowsFromThePreviousByHand() {
    Matrix xt = step("4").matrix("noised latent x_t");
    Matrix eps = step("4").matrix("sampled noise eps");
    Matrix latent = step("3").matrix("latent");
    double a = Math.sqrt(0.9 * 0.8 * 0.7 * 0.6);
    double b = Math.sqrt(1 - 0.9 * 0.8 * 0.7 * 0.6);
    Matrix conditioned = step("7").matrix("conditioned noised latent");
    Matrix attention = step("8").matrix("attention A");
    Matrix pooled = step("9").matrix("attention-weighted features");
    Matrix predicted = step("10").matrix("predicted noise");
    float[] scale = {2, -1};
    float[] shift = {-1, 5};
    for (int r = 0; r < 4; r++) {
      double rowSum = 0;
      for (int c = 0; c < 4; c++) {
        rowSum += attention.get(r, c);
      }
      assertThat(rowSum).isCloseTo(1, within(1e-5));
      for (int c = 0; c < 2; c++) {
        assertThat((double) xt.get(r, c))
            .isCloseTo(a * latent.get(r, c) + b * eps.get(r, c), within(1e-5));
        assertThat(conditioned.get(r, c))
            .isCloseTo(xt.get(r, c) * scale[c] + shift[c], within(1e-5f));
        double p = 0;
        for (int k = 0; k < 4; k++) {
          p += attention.get(r, k) * conditioned.get(k, c);
        }
        assertThat((double) pooled.get(r, c)).isCloseTo(p, within(1e-4));
      }
      // FFN weights [[1, 0], [1, -1]], bias [0, 1].
      assertThat(predicted.get(r, 0)).isCloseTo(pooled.get(r, 0), within(1e-5f));
      assertThat(predicted.get(r, 1))
          .isCloseTo(pooled.get(r, 0) - pooled.get(r, 1) + 1, within(1e-5f));
    }
  }

  @Test
  void lossAndFeedForwardBiasGradientMatchTheFormula() {
    Matrix eps = step("4").matrix("sampled noise eps");
    Matrix predicted = step("10").matrix("predicted noise");
    double loss = 0;
    double[] biasGradient = new double[2];
    for (int r = 0; r < 4; r++) {
      for (int c = 0; c < 2; c++) {
        double d = predicted.get(r, c) - eps.get(r, c);
        loss += d * d / 8;
        biasGradient[c] += 2 * d / 8;
      }
    }
    Step train = step("11");
    assertThat((double) train.matrix("loss = mean((predicted - eps)²)").values()[0])
        .isCloseTo(loss, within(1e-4));
    float[] g = train.matrix("∂loss/∂blocks.0.mlp.fc.bias").values();
    assertThat((double) g[0]).isCloseTo(biasGradient[0], within(1e-4));
    assertThat((double) g[1]).isCloseTo(biasGradient[1], within(1e-4));
    // Adam's first step moves each weight by lr against its gradient's sign.
    float[] after = train.matrix("blocks.0.mlp.fc.bias after").values();
    assertThat((double) after[0]).isCloseTo(0 - 0.01 * Math.signum(g[0]), within(1e-6));
    assertThat((double) after[1]).isCloseTo(1 - 0.01 * Math.signum(g[1]), within(1e-6));
    assertThat(train.matrices()).extracting(Matrix::name).noneMatch(n -> n.contains("coder"));
  }

  @Test
  void denoiseDecodeAndReassembleFollowTheFormulas() {
    Matrix xt = step("4").matrix("noised latent x_t");
    Matrix predicted = step("10").matrix("predicted noise");
    Matrix denoised = step("12").matrix("denoised latent");
    double abar = 0.9 * 0.8 * 0.7 * 0.6;
    for (int r = 0; r < 4; r++) {
      for (int c = 0; c < 2; c++) {
        double expected =
            (xt.get(r, c) - Math.sqrt(1 - abar) * predicted.get(r, c)) / Math.sqrt(abar);
        assertThat((double) denoised.get(r, c)).isCloseTo(expected, within(1e-4));
      }
      // Decoder weights [[1,0],[0,1],[1,0],[0,1]], ReLU: each patch is [z0, z1, z0, z1]⁺.
      Matrix pixels = step("13").matrix("patches");
      assertThat(pixels.get(r, 0)).isEqualTo(Math.max(0, denoised.get(r, 0)));
      assertThat(pixels.get(r, 3)).isEqualTo(Math.max(0, denoised.get(r, 1)));
    }
    assertThat(step("14").matrix("video").values())
        .containsExactly(step("13").matrix("patches").values());
  }

  @Test
  void printsEveryStep() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    SeedWalkthrough.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String text = bytes.toString(StandardCharsets.UTF_8);
    for (int i = 1; i <= 14; i++) {
      assertThat(text).contains("[" + i + "] ");
    }
    assertThat(text).contains("sora is sky");
  }
}
