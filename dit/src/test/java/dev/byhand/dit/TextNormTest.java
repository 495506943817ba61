package dev.byhand.dit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.byhand.dit.nn.Tensor;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TextNormTest {

  @Test
  void fittedNormCentresTheCaptionsAndGivesThemUnitRootMeanSquare() {
    float[][] e = {{1, 2, 0}, {3, 2, 0}, {2, 5, 3}, {2, 3, 1}};
    TextNorm norm = TextNorm.fit(e);
    assertThat(norm.mean()).containsExactly(2f, 3f, 1f);
    double[] sum = new double[3];
    double squares = 0;
    for (float[] v : e) {
      float[] s = norm.apply(v);
      for (int i = 0; i < 3; i++) {
        sum[i] += s[i];
        squares += s[i] * s[i];
      }
    }
    for (double s : sum) {
      assertThat(s).isCloseTo(0, within(1e-5));
    }
    assertThat(squares / 12).isCloseTo(1, within(1e-5));
    // An affine map: differences between captions keep their direction, only their size changes.
    float[] a = norm.apply(e[0]);
    float[] b = norm.apply(e[1]);
    assertThat((a[0] - b[0]) / (e[0][0] - e[1][0])).isCloseTo(norm.scale(), within(1e-5f));
  }

  @Test
  void identicalCaptionsAreOnlyCentred() {
    TextNorm norm = TextNorm.fit(new float[][] {{0.5f, 0.5f}, {0.5f, 0.5f}});
    assertThat(norm.scale()).isEqualTo(1f);
    assertThat(norm.apply(new float[] {1f, 0.5f})).containsExactly(0.5f, 0f);
  }

  @Test
  void savedNextToTheWeightsAndReadBack() {
    TextNorm norm = TextNorm.fit(new float[][] {{1, 0}, {0, 1}, {1, 1}});
    Map<String, Tensor> tensors = new HashMap<>(norm.tensors());
    tensors.put("blocks.0.weight", new Tensor(new long[] {1}, new float[] {7}));
    TextNorm back = TextNorm.from(tensors, 2);
    assertThat(back.mean()).containsExactly(norm.mean());
    assertThat(back.scale()).isEqualTo(norm.scale());
    // Models saved before the norm existed: the identity.
    TextNorm none = TextNorm.from(Map.of(), 2);
    assertThat(none.apply(new float[] {0.25f, -1f})).containsExactly(0.25f, -1f);
  }

  @Test
  void badInputIsRefusedWithTheFieldNamed() {
    assertThatThrownBy(() -> TextNorm.fit(new float[0][])).hasMessageStartingWith("embeddings:");
    assertThatThrownBy(() -> TextNorm.fit(new float[][] {{1, 2}, {1}}))
        .hasMessageStartingWith("embeddings: lengths differ");
    assertThatThrownBy(() -> TextNorm.identity(3).apply(new float[2]))
        .hasMessageStartingWith("embedding: 2 numbers");
    Map<String, Tensor> onlyMean =
        Map.of(TextNorm.MEAN, new Tensor(new long[] {2}, new float[] {0, 0}));
    assertThatThrownBy(() -> TextNorm.from(onlyMean, 2)).hasMessageStartingWith("weights:");
  }
}
