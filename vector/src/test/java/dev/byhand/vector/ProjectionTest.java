package dev.byhand.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ProjectionTest {

  @Test
  void appliesTheGivenMatrix() {
    Projection p = new Projection(new float[][] {{1, 0, 1, 0}, {0, 1, 0, 1}});
    assertThat(p.apply(new float[] {1, 2, 3, 4})).containsExactly(4f, 6f);
  }

  @Test
  void gaussianIsSeededAndScaled() {
    Projection a = Projection.gaussian(384, 64, 7);
    Projection b = Projection.gaussian(384, 64, 7);
    Projection c = Projection.gaussian(384, 64, 8);
    assertThat(a.matrix()).isDeepEqualTo(b.matrix());
    assertThat(a.matrix()).isNotEqualTo(c.matrix());
    // Entries are N(0, 1/r): their variance over 24,576 draws is within a few percent of 1/64.
    double sum = 0;
    double sq = 0;
    int n = 0;
    for (float[] row : a.matrix()) {
      for (float x : row) {
        sum += x;
        sq += (double) x * x;
        n++;
      }
    }
    double mean = sum / n;
    double variance = sq / n - mean * mean;
    assertThat(Math.abs(mean)).isLessThan(0.005);
    assertThat(variance * 64).isBetween(0.95, 1.05);
  }

  @Test
  void keepsDotProductsOnAverage() {
    // Johnson–Lindenstrauss: E[(Px)·(Py)] = x·y; averaged over 200 projections the error is small.
    SplittableRandom random = new SplittableRandom(11);
    float[] x = new float[128];
    float[] y = new float[128];
    for (int i = 0; i < 128; i++) {
      x[i] = (float) random.nextDouble(-1, 1);
      y[i] = x[i] * 0.5f + (float) random.nextDouble(-0.5, 0.5);
    }
    double exact = 0;
    for (int i = 0; i < 128; i++) {
      exact += x[i] * y[i];
    }
    double mean = 0;
    for (int s = 0; s < 200; s++) {
      Projection p = Projection.gaussian(128, 32, s);
      float[] px = p.apply(x);
      float[] py = p.apply(y);
      double d = 0;
      for (int i = 0; i < 32; i++) {
        d += px[i] * py[i];
      }
      mean += d / 200;
    }
    assertThat(Math.abs(mean - exact) / Math.abs(exact)).isLessThan(0.1);
  }

  @Test
  void rejectsBadShapes() {
    assertThatThrownBy(() -> new Projection(new float[][] {{1, 2}, {3}}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("matrix[1]");
    assertThatThrownBy(() -> Projection.gaussian(4, 5, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outputDimension: must be in [1, 4]");
    assertThatThrownBy(() -> new Projection(new float[][] {{1, 2}}).apply(new float[3]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dimension 3");
  }
}
