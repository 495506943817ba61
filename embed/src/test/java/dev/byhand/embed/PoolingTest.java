package dev.byhand.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PoolingTest {

  @Test
  void meanAveragesColumns() {
    float[][] x = {{1, 2}, {3, 4}, {5, 9}};
    assertThat(Pooling.MEAN.pool(x)).containsExactly(3f, 5f);
  }

  @Test
  void clsTakesTheFirstRow() {
    float[][] x = {{1, 2}, {3, 4}};
    float[] pooled = Pooling.CLS.pool(x);
    assertThat(pooled).containsExactly(1f, 2f);
    pooled[0] = 42;
    assertThat(x[0][0]).as("pooling returns a copy").isEqualTo(1f);
  }

  @Test
  void normalizeGivesUnitLengthAndKeepsZero() {
    assertThat(Vectors.normalize(new float[] {3, 4})).containsExactly(0.6f, 0.8f);
    assertThat(Vectors.normalize(new float[] {0, 0})).containsExactly(0f, 0f);
  }

  @Test
  void rejectsEmptyInputAndUnknownNames() {
    assertThatThrownBy(() -> Pooling.MEAN.pool(new float[0][]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1 token");
    assertThatThrownBy(() -> Pooling.parse("max"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pooling: unknown 'max'");
    assertThat(Pooling.parse("CLS")).isEqualTo(Pooling.CLS);
  }
}
