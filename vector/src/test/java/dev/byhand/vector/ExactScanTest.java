package dev.byhand.vector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The parallel, blocked exact scan against a double-precision brute force. */
class ExactScanTest {

  @Test
  void parallelBatchScanMatchesBruteForce() {
    long seed = 7001;
    System.out.println("ExactScanTest seed " + seed);
    float[][] data = TestData.random(seed, 20_003, 64);
    float[][] queries = TestData.random(seed + 1, 9, 64);
    for (Metric metric : Metric.values()) {
      ExactIndex index = new ExactIndex(64, metric);
      for (float[] v : data) {
        index.add(v);
      }
      List<List<SearchResult>> batch = index.search(queries, 10);
      for (int j = 0; j < queries.length; j++) {
        int[] truth = TestData.bruteForce(metric, data, null, queries[j], 10);
        List<SearchResult> got = batch.get(j);
        assertThat(got).hasSize(10);
        for (int r = 0; r < 10; r++) {
          double expected = TestData.score(metric, queries[j], data[truth[r]]);
          assertThat((double) got.get(r).score())
              .as("seed %d metric %s query %d rank %d", seed, metric, j, r)
              .isCloseTo(
                  expected,
                  org.assertj.core.data.Offset.offset(1e-3 * Math.max(1, Math.abs(expected))));
        }
        assertThat(TestData.recall(truth, ordinals(got)))
            .as("seed %d metric %s query %d", seed, metric, j)
            .isEqualTo(1.0);
        assertThat(index.search(queries[j], 10)).isEqualTo(got);
      }
      index.setThreads(1);
      assertThat(index.search(queries, 10)).as("one thread gives the same").isEqualTo(batch);
      index.setThreads(Runtime.getRuntime().availableProcessors());
    }
  }

  @Test
  void filteredScanReturnsOnlyAcceptedOrdinals() {
    long seed = 7002;
    float[][] data = TestData.random(seed, 30_000, 32);
    float[][] queries = TestData.random(seed + 1, 4, 32);
    ExactIndex index = new ExactIndex(32, Metric.DOT);
    boolean[] live = new boolean[data.length];
    for (int i = 0; i < data.length; i++) {
      index.add(data[i]);
      live[i] = i % 7 == 3;
    }
    List<List<SearchResult>> got = index.search(queries, 5, i -> i % 7 == 3);
    for (int j = 0; j < queries.length; j++) {
      int[] truth = TestData.bruteForce(Metric.DOT, data, live, queries[j], 5);
      assertThat(ordinals(got.get(j))).as("seed %d query %d", seed, j).containsExactly(truth);
    }
  }

  static int[] ordinals(List<SearchResult> results) {
    return results.stream().mapToInt(SearchResult::ordinal).toArray();
  }
}
