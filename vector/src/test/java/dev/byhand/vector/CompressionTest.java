package dev.byhand.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Int8, binary and projected navigation with exact re-rank: scores, recall and memory. */
class CompressionTest {

  @Test
  void int8ScoresTrackExactScores() {
    long seed = 21;
    float[][] data = TestData.random(seed, 200, 96);
    for (Metric metric : new Metric[] {Metric.DOT, Metric.L2}) {
      Int8Vectors codes = Int8Vectors.train(96, metric, data);
      for (float[] v : data) {
        codes.append(v);
      }
      VectorScorer scorer = codes.scorer(data[0]);
      for (int i = 0; i < data.length; i++) {
        double exact = TestData.score(metric, data[0], data[i]);
        // each value is off by at most δ/2, so each product term by about δ·(|x|+|y|)/2 ≤ δ
        double bound = codes.step * 96 * (metric == Metric.L2 ? 4 : 1.5);
        assertThat((double) scorer.score(i))
            .as("seed %d metric %s ordinal %d", seed, metric, i)
            .isCloseTo(exact, org.assertj.core.data.Offset.offset(bound));
        assertThat(codes.similarity(0, i)).isEqualTo(scorer.score(i));
      }
    }
  }

  @Test
  void binaryCodesAreSignsAroundTheMean() {
    float[][] sample = {{0, 0, 0}, {2, 2, 2}};
    BinaryVectors codes = BinaryVectors.train(3, Metric.DOT, sample);
    assertThat(codes.mean).containsExactly(1, 1, 1);
    codes.append(new float[] {2, 0, 2}); // bits 1 0 1
    codes.append(new float[] {0, 2, 2}); // bits 0 1 1
    assertThat(codes.similarity(0, 1)).isEqualTo(-2f);
    assertThat(codes.scorer(new float[] {3, 0, 3}).score(0)).isEqualTo(0f);
    assertThat(codes.bytesPerVector()).isEqualTo(8);
  }

  @Test
  void eachCompressionSearchesWithRecallAndReportsMemory() {
    long seed = 22;
    System.out.println("CompressionTest seed " + seed);
    int n = 8_000;
    int d = 64;
    float[][] all = TestData.clustered(seed, n + 100, d, 50);
    float[][] data = Arrays.copyOf(all, n);
    float[][] queries = Arrays.copyOfRange(all, n, n + 100);
    float[][] sample = Arrays.copyOf(data, 1000);
    Object[][] cases = {
      {Compression.none(), 100, 0.97},
      {Compression.int8(sample), 100, 0.95},
      {Compression.projection(Projection.gaussian(d, d / 2, seed)), 400, 0.95},
      {Compression.binary(sample), 200, 0.85},
    };
    for (Metric metric : new Metric[] {Metric.COSINE, Metric.L2}) {
      for (Object[] c : cases) {
        Compression compression = (Compression) c[0];
        int ef = (Integer) c[1];
        double floor = (Double) c[2];
        HnswIndex index =
            HnswIndex.builder(d, metric)
                .m(16)
                .efConstruction(100)
                .seed(seed)
                .compression(compression)
                .build();
        index.addAll(data, 1);
        float[][] stored = new float[n][];
        for (int i = 0; i < n; i++) {
          stored[i] = index.vector(i);
        }
        double recall = 0;
        for (float[] q : queries) {
          int[] truth = TestData.bruteForce(metric, stored, null, q, 10);
          recall += TestData.recall(truth, ExactScanTest.ordinals(index.search(q, 10, ef)));
        }
        recall /= queries.length;
        System.out.printf(
            "%-14s %-6s ef=%d recall@10 %.4f, navigation %d B/vector, heap %.0f B/vector%n",
            compression,
            metric,
            ef,
            recall,
            index.navigationBytesPerVector(),
            index.bytesPerVector());
        if (compression.kind == Compression.Kind.PROJECTION) {
          // A random projection scrambles near-ties, so true neighbours rank deep in projected
          // space: hence the deeper re-rank (ef=400). The exact scan in projected space with the
          // same re-rank depth bounds what the graph can reach.
          double ceiling = projectedScanRecall(compression.projection, metric, stored, queries, ef);
          System.out.printf(
              "%-14s %-6s exact projected scan + re-rank: %.4f%n", compression, metric, ceiling);
          assertThat(ceiling).isGreaterThanOrEqualTo(recall - 1e-9);
        }
        assertThat(recall)
            .as("seed %d %s %s", seed, compression, metric)
            .isGreaterThanOrEqualTo(floor);
        // re-ranked scores are exact scores
        SearchResult top = index.search(queries[0], 1, ef).get(0);
        assertThat((double) top.score())
            .isCloseTo(
                TestData.score(
                    metric, Vectors.prepare(queries[0], d, metric, "q"), stored[top.ordinal()]),
                org.assertj.core.data.Offset.offset(1e-4));
      }
    }
    assertThat(Compression.int8(sample).name()).isEqualTo("int8");
  }

  /** Recall@10 of: the {@code depth} best by brute force in projected space, re-ranked exactly. */
  private static double projectedScanRecall(
      Projection p, Metric metric, float[][] stored, float[][] queries, int depth) {
    Metric projectedMetric = metric == Metric.L2 ? Metric.L2 : Metric.DOT;
    float[][] projected = new float[stored.length][];
    for (int i = 0; i < stored.length; i++) {
      projected[i] = p.apply(stored[i]);
    }
    double recall = 0;
    for (float[] q : queries) {
      float[] prepared = Vectors.prepare(q, q.length, metric, "q");
      int[] candidates =
          TestData.bruteForce(projectedMetric, projected, null, p.apply(prepared), depth);
      TopK top = new TopK(10);
      for (int c : candidates) {
        top.offer(c, (float) TestData.score(metric, prepared, stored[c]));
      }
      int[] truth = TestData.bruteForce(metric, stored, null, q, 10);
      recall += TestData.recall(truth, ExactScanTest.ordinals(top.results()));
    }
    return recall / queries.length;
  }

  @Test
  void rejectsMismatchedProjectionAndEmptySample() {
    assertThatThrownBy(
            () ->
                HnswIndex.builder(8, Metric.L2)
                    .compression(Compression.projection(Projection.gaussian(16, 4, 1)))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("projection: input dimension 16");
    assertThatThrownBy(() -> Compression.int8(new float[0][]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sample");
  }
}
