package dev.byhand.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.byhand.store.ShardManifest;
import dev.byhand.vector.ExactIndex;
import dev.byhand.vector.Metric;
import dev.byhand.vector.SearchResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.api.Test;

/** The k-NN join merges the shards' top lists into the global top k. */
class KnnJoinJobTest {

  static final int QUERIES = 300;
  static final int K = 10;

  /** Queries near the data: a stored vector plus noise. */
  static float[][] queries() {
    SplittableRandom r = new SplittableRandom(9);
    float[][] v = Fixtures.vectors();
    float[][] q = new float[QUERIES][];
    for (int i = 0; i < QUERIES; i++) {
      float[] base = v[r.nextInt(v.length)];
      q[i] = new float[base.length];
      for (int d = 0; d < base.length; d++) {
        q[i][d] = base[d] + (float) r.nextGaussian() * 0.5f;
      }
    }
    return q;
  }

  static Path queriesParquet(String name, float[][] q) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < q.length; i++) {
      rows.add(Fixtures.row("q" + i, q[i], null));
    }
    Path p = TestSpark.folder(name).resolve("q.parquet");
    TestSpark.get()
        .createDataFrame(rows, Fixtures.schema())
        .repartition(3)
        .write()
        .mode(SaveMode.Overwrite)
        .parquet(p.toString());
    return p;
  }

  /** One exact index over all the vectors: the truth the merged answer must equal. */
  static List<List<SearchResult>> truth(float[][] q, Metric metric) {
    ExactIndex all = new ExactIndex(Fixtures.D, metric);
    for (float[] v : Fixtures.vectors()) {
      all.add(v);
    }
    return all.search(q, K);
  }

  static Map<String, Row> results(Path out) {
    Map<String, Row> m = new HashMap<>();
    for (Row r : TestSpark.get().read().parquet(out.toString()).collectAsList()) {
      m.put(r.getString(0), r);
    }
    return m;
  }

  @Test
  void mergedExactTopKOfFourShardsEqualsOneExactIndexOverAllVectors() {
    float[][] q = queries();
    Path out = TestSpark.folder("knn-exact").resolve("out");
    KnnJoinJob.Result r =
        KnnJoinJob.run(
            TestSpark.get(),
            KnnJoinJob.Options.of(
                Fixtures.hashIndexFolder().toString(),
                queriesParquet("knn-exact-q", q).toString(),
                K,
                out.toString()));
    assertThat(r.queries()).isEqualTo(QUERIES);
    Map<String, Row> got = results(out);
    assertThat(got).hasSize(QUERIES);
    List<List<SearchResult>> truth = truth(q, Metric.COSINE);
    for (int i = 0; i < QUERIES; i++) {
      Row row = got.get("q" + i);
      List<String> ids = row.getList(1);
      List<Float> scores = row.getList(2);
      List<SearchResult> t = truth.get(i);
      assertThat(ids).hasSize(K);
      for (int j = 0; j < K; j++) {
        assertThat(ids.get(j))
            .as("query %d rank %d", i, j)
            .isEqualTo(Fixtures.id(t.get(j).ordinal()));
        assertThat(scores.get(j)).isCloseTo(t.get(j).score(), offset(1e-6f));
      }
    }
  }

  /**
   * The bound stated for merged HNSW answers: recall@10 at least 0.95 against the exact truth (4
   * shards of about 1,000 points each, m 16, ef_construction 100, ef 64).
   */
  static final double HNSW_RECALL_BOUND = 0.95;

  @Test
  void mergedHnswRecallIsAboveTheBound() {
    float[][] q = queries();
    Path out = TestSpark.folder("knn-hnsw").resolve("out");
    KnnJoinJob.run(
        TestSpark.get(),
        KnnJoinJob.Options.of(
                Fixtures.hashIndexFolder().toString(),
                queriesParquet("knn-hnsw-q", q).toString(),
                K,
                out.toString())
            .withMode("hnsw", 64));
    double recall = recall(results(out), truth(q, Metric.COSINE));
    assertThat(recall).isGreaterThanOrEqualTo(HNSW_RECALL_BOUND);
  }

  @Test
  void kmeansShardsProbedTwoOfFourStillFindTheNearest() {
    Path index = TestSpark.folder("knn-kmeans-index");
    ShardManifest m =
        IndexJob.run(
            TestSpark.get(),
            IndexJob.Options.of(Fixtures.vectorsParquet().toString(), index.toString(), 4, "kmeans")
                .withMetric("cosine", "none"));
    assertThat(m.partitioner().kind()).isEqualTo(ShardManifest.Partitioner.Kind.KMEANS);
    float[][] q = queries();
    Path out = TestSpark.folder("knn-kmeans").resolve("out");
    KnnJoinJob.run(
        TestSpark.get(),
        KnnJoinJob.Options.of(
                index.toString(), queriesParquet("knn-kmeans-q", q).toString(), K, out.toString())
            .withProbe(2));
    // The blobs are far apart: a query's neighbours are all in its own blob's shard.
    assertThat(recall(results(out), truth(q, Metric.COSINE))).isGreaterThanOrEqualTo(0.99);
  }

  @Test
  void selfJoinFindsTheNearDuplicates() {
    SplittableRandom r = new SplittableRandom(3);
    List<Row> rows = new ArrayList<>();
    Set<List<String>> planted = new HashSet<>();
    for (int i = 0; i < 400; i++) {
      float[] v = new float[8];
      for (int d = 0; d < v.length; d++) {
        v[d] = (float) r.nextGaussian();
      }
      rows.add(Fixtures.row("a" + i, v, null));
      if (i % 20 == 0) { // 20 near copies
        float[] copy = v.clone();
        copy[0] += 1e-3f;
        rows.add(Fixtures.row("b" + i, copy, null));
        planted.add(List.of("a" + i, "b" + i));
      }
    }
    Path dir = TestSpark.folder("dedup");
    Path vectors = dir.resolve("v.parquet");
    TestSpark.get().createDataFrame(rows, Fixtures.schema()).write().parquet(vectors.toString());
    IndexJob.run(
        TestSpark.get(),
        IndexJob.Options.of(vectors.toString(), dir.resolve("index").toString(), 3, "hash")
            .withMetric("cosine", "none"));
    Path out = dir.resolve("pairs");
    KnnJoinJob.Result res =
        KnnJoinJob.run(
            TestSpark.get(),
            KnnJoinJob.Options.dedup(dir.resolve("index").toString(), 5, 0.9999f, out.toString()));
    assertThat(res.queries()).isEqualTo(rows.size());
    Set<List<String>> found = new HashSet<>();
    for (Row p : TestSpark.get().read().parquet(out.toString()).collectAsList()) {
      found.add(List.of(p.getString(0), p.getString(1)));
      assertThat(p.getFloat(2)).isGreaterThanOrEqualTo(0.9999f);
    }
    assertThat(found).isEqualTo(planted);
  }

  static double recall(Map<String, Row> got, List<List<SearchResult>> truth) {
    int hit = 0;
    int total = 0;
    for (int i = 0; i < truth.size(); i++) {
      Set<String> want = new HashSet<>();
      for (SearchResult s : truth.get(i)) {
        want.add(Fixtures.id(s.ordinal()));
      }
      List<String> ids = got.get("q" + i).getList(1);
      for (String id : ids) {
        if (want.contains(id)) {
          hit++;
        }
      }
      total += want.size();
    }
    return (double) hit / total;
  }
}
