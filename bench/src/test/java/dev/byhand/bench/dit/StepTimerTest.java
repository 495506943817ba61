package dev.byhand.bench.dit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.byhand.dit.DiTConfig;
import org.junit.jupiter.api.Test;

class StepTimerTest {
  @Test
  void stepFlopsCountTheMatrixProductsOfTheSmallPreset() {
    // Per token and block: qkv 2·D·3D, projection 2·D·D, MLP 2·2·D·4D, scores and mix 2·2·T·D;
    // patch embedding and final layer 2·2·P·D per token; times 3 for the backward pass.
    double d = 128;
    double tokens = 128;
    double perToken = 4 * (6 * d * d + 2 * d * d + 16 * d * d + 4 * tokens * d) + 4 * 32 * d;
    assertThat(StepTimer.stepFlops(DiTConfig.small(), 32))
        .isEqualTo(3 * 32 * tokens * perToken)
        .isBetween(22.7e9, 22.8e9);
  }
}
