package dev.byhand.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ExactIndexTest {

  /** The naive reference: score everything in double precision, sort, take k. */
  private static List<SearchResult> naive(List<float[]> data, float[] q, Metric metric, int k) {
    List<SearchResult> all = new ArrayList<>();
    for (int i = 0; i < data.size(); i++) {
      float[] v = data.get(i);
      double s = 0;
      double qq = 0;
      double vv = 0;
      for (int j = 0; j < v.length; j++) {
        s += metric == Metric.L2 ? -(q[j] - v[j]) * (double) (q[j] - v[j]) : (double) q[j] * v[j];
        qq += (double) q[j] * q[j];
        vv += (double) v[j] * v[j];
      }
      if (metric == Metric.COSINE) {
        s /= Math.sqrt(qq) * Math.sqrt(vv);
      }
      all.add(new SearchResult(i, (float) s));
    }
    all.sort(
        Comparator.comparingDouble((SearchResult r) -> -r.score())
            .thenComparingInt(SearchResult::ordinal));
    return all.subList(0, Math.min(k, all.size()));
  }

  @ParameterizedTest
  @EnumSource(Metric.class)
  void matchesNaiveReference(Metric metric) {
    long seed = 20261126L + metric.ordinal();
    SplittableRandom random = new SplittableRandom(seed);
    int dim = 37;
    ExactIndex index = new ExactIndex(dim, metric);
    List<float[]> data = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      float[] v = new float[dim];
      for (int j = 0; j < dim; j++) {
        v[j] = (float) random.nextDouble(-1, 1);
      }
      data.add(v);
      assertThat(index.add(v)).isEqualTo(i);
    }
    float[][] queries = new float[20][dim];
    for (float[] q : queries) {
      for (int j = 0; j < dim; j++) {
        q[j] = (float) random.nextDouble(-1, 1);
      }
    }
    List<List<SearchResult>> batch = index.search(queries, 10);
    for (int qi = 0; qi < queries.length; qi++) {
      List<SearchResult> expected = naive(data, queries[qi], metric, 10);
      List<SearchResult> single = index.search(queries[qi], 10);
      assertThat(batch.get(qi)).as("seed %d query %d", seed, qi).isEqualTo(single);
      assertThat(single).hasSize(10);
      for (int r = 0; r < 10; r++) {
        assertThat(single.get(r).ordinal())
            .as("seed %d query %d rank %d", seed, qi, r)
            .isEqualTo(expected.get(r).ordinal());
        assertThat(single.get(r).score())
            .isCloseTo(expected.get(r).score(), org.assertj.core.data.Offset.offset(1e-4f));
      }
    }
  }

  /**
   * Rows are stored in interleaved panels of 16: every row reads back as it went in, across panel
   * and growth boundaries, and {@code scores} gives exactly the numbers {@code search} ranks.
   */
  @ParameterizedTest
  @EnumSource(Metric.class)
  void rowsReadBackAndScoresAreTheSearchedOnes(Metric metric) {
    SplittableRandom random = new SplittableRandom(7 + metric.ordinal());
    int dim = 13;
    ExactIndex index = new ExactIndex(dim, metric);
    List<float[]> stored = new ArrayList<>();
    for (int i = 0; i < 301; i++) { // 18 full panels and a part, past several growths
      float[] v = new float[dim];
      for (int j = 0; j < dim; j++) {
        v[j] = (float) random.nextDouble(-1, 1);
      }
      index.add(v);
      stored.add(Vectors.prepare(v, dim, metric, "vector"));
    }
    for (int i = 0; i < stored.size(); i++) {
      assertThat(index.vector(i)).as("row %d", i).containsExactly(stored.get(i));
    }
    float[] q = new float[dim];
    for (int j = 0; j < dim; j++) {
      q[j] = (float) random.nextDouble(-1, 1);
    }
    float[] scores = index.scores(q);
    assertThat(scores).hasSize(301);
    for (SearchResult r : index.search(q, 301)) {
      assertThat(r.score()).as("ordinal %d", r.ordinal()).isEqualTo(scores[r.ordinal()]);
    }
    float[] prepared = Vectors.prepare(q, dim, metric, "query");
    for (int i = 0; i < stored.size(); i++) {
      assertThat(scores[i])
          .isCloseTo(
              metric.score(VectorOps.plain(), prepared, 0, stored.get(i), 0, dim),
              org.assertj.core.data.Offset.offset(1e-5f));
    }
  }

  @Test
  void returnsFewerThanKWhenTheIndexIsSmall() {
    ExactIndex index = new ExactIndex(2, Metric.DOT);
    assertThat(index.search(new float[] {1, 0}, 5)).isEmpty();
    index.add(new float[] {1, 0});
    index.add(new float[] {0, 1});
    assertThat(index.search(new float[] {1, 0}, 5))
        .containsExactly(new SearchResult(0, 1f), new SearchResult(1, 0f));
  }

  @Test
  void scoresAreTheSeedsDotProducts() {
    ExactIndex index = new ExactIndex(2, Metric.DOT);
    index.add(new float[] {1, 1});
    index.add(new float[] {2, -1});
    assertThat(index.scores(new float[] {3, 4})).containsExactly(7f, 2f);
  }

  @Test
  void equalScoresRankTheEarlierPointFirst() {
    ExactIndex index = new ExactIndex(1, Metric.DOT);
    for (int i = 0; i < 5; i++) {
      index.add(new float[] {1});
    }
    assertThat(index.search(new float[] {1}, 3))
        .extracting(SearchResult::ordinal)
        .containsExactly(0, 1, 2);
  }

  @Test
  void rejectsBadInputNamingTheField() {
    ExactIndex index = new ExactIndex(3, Metric.COSINE);
    assertThatThrownBy(() -> index.add(new float[] {1, 2}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("vector: dimension 2")
        .hasMessageContaining("3");
    assertThatThrownBy(() -> index.add(new float[] {1, Float.NaN, 0}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("vector[1]: must be a finite number");
    assertThatThrownBy(() -> index.add(new float[] {0, 0, 0}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("zero vector");
    assertThatThrownBy(() -> index.search(new float[] {1, 0, 0}, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("k: must be at least 1");
    assertThatThrownBy(() -> new ExactIndex(0, Metric.DOT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dimension");
    assertThat(index.size()).isZero();
  }
}
