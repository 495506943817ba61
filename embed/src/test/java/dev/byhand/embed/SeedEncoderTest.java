package dev.byhand.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SeedEncoderTest {

  @Test
  void vocabularyHas22Words() {
    assertThat(SeedModel.VOCABULARY).hasSize(22).doesNotHaveDuplicates();
  }

  @Test
  void encodesWhoAmIByHand() {
    try (TextEncoder seed = Encoders.open(Encoders.SEED)) {
      EncodingTrace t = seed.trace("who am I");
      assertThat(t.tokens().pieces()).containsExactly("who", "am", "i");
      assertThat(t.wordEmbeddings().orElseThrow())
          .isDeepEqualTo(new float[][] {{0, 0, 1, 1}, {1, 0, 0, 1}, {0, 1, 1, 0}});
      // ReLU(W·x + b), worked out by hand for each word.
      assertThat(t.features())
          .isDeepEqualTo(new float[][] {{1, 0, 0, 2}, {1, 0, 1, 1}, {1, 1, 0, 1}});
      assertThat(t.pooled()).containsExactly(1f, 1f / 3, 1f / 3, 4f / 3);
      // The seed's encoder does not normalise: the vector is the pooled one.
      assertThat(t.vector()).containsExactly(t.pooled());
      assertThat(seed.embed("who am I")).containsExactly(t.vector());
    }
  }

  @Test
  void reluZeroesNegativeFeatures() {
    try (TextEncoder seed = Encoders.open(Encoders.SEED)) {
      // "are" = [0,1,0,1]: W·x + b = [0, 0, -1, 1] → ReLU → [0, 0, 0, 1].
      assertThat(seed.trace("are").features()[0]).containsExactly(0f, 0f, 0f, 1f);
    }
  }

  @Test
  void clsPoolingTakesTheFirstToken() {
    EncoderOptions cls = EncoderOptions.defaults(Encoders.SEED).withPooling(Pooling.CLS);
    try (TextEncoder seed = Encoders.open(Encoders.SEED, cls)) {
      assertThat(seed.embed("who am i")).containsExactly(1f, 0f, 0f, 2f);
    }
  }

  @Test
  void unknownWordsAndEmptyTextAreClearErrors() {
    try (TextEncoder seed = Encoders.open(Encoders.SEED)) {
      assertThatThrownBy(() -> seed.embed("who are they dancing"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("word 'dancing' is not in the seed's 22-word vocabulary");
      assertThatThrownBy(() -> seed.embed("   "))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("at least one word");
      assertThat(seed.embedAll(List.of("how are you", "who are you"))).hasSize(2);
    }
  }

  @Test
  void unknownEncoderNamesTheKnownOnes() {
    assertThatThrownBy(() -> Encoders.open("bert"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "encoder: unknown 'bert'; known encoders: minilm, minilm-q, bge-small, e5-small, seed");
  }
}
