package dev.byhand.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.byhand.store.Collection;
import dev.byhand.store.CollectionConfig;
import dev.byhand.store.Database;
import dev.byhand.store.Filter;
import dev.byhand.store.Json;
import dev.byhand.store.Point;
import dev.byhand.store.ScoredPoint;
import dev.byhand.store.SearchRequest;
import dev.byhand.store.ShardManifest;
import dev.byhand.store.ShardedCollection;
import dev.byhand.vector.Metric;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The whole way: texts → embed → index → the manifest served as one collection, and text queries
 * joined against it; every answer equal to one ordinary collection's.
 */
class PipelineTest {

  static float[] scores(List<ScoredPoint> hits) {
    float[] s = new float[hits.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = hits.get(i).score();
    }
    return s;
  }

  @Test
  void aSparkBuiltManifestAnswersLikeOneCollection() throws IOException {
    SparkSession spark = TestSpark.get();
    Path dir = TestSpark.folder("pipeline");
    List<String> texts = EmbedJobTest.seedTexts(2_000, 5);
    Path corpus = dir.resolve("corpus.txt");
    Files.write(corpus, texts, StandardCharsets.UTF_8);
    Path vectors = dir.resolve("vectors");
    EmbedJob.run(
        spark,
        new EmbedJob.Options(
            corpus.toString(),
            "text",
            "id",
            "text",
            null,
            EmbedJobTest.spec("seed"),
            3,
            vectors.toString()));
    Path index = dir.resolve("index");
    ShardManifest m =
        IndexJob.run(
            spark,
            IndexJob.Options.of(vectors.toString(), index.toString(), 4, "hash")
                .withName("seedy")
                .withPayloadIndexes(Map.of("text", "keyword")));
    // The embed run's encoder and its metric came along.
    assertThat(m.encoder()).isEqualTo("seed");
    assertThat(m.metric()).isEqualTo(Metric.DOT);

    // One ordinary collection of the same points, for comparison.
    List<Point> points = new ArrayList<>();
    for (Row r : spark.read().parquet(vectors.toString()).collectAsList()) {
      points.add(
          Point.of(
              r.getString(0),
              KnnJoinJob.vector(r.getList(1)),
              Json.parsePayload("payload", r.getString(2))));
    }
    try (Database one = Database.open(dir.resolve("one"));
        ShardedCollection sharded = ShardedCollection.open(index.resolve("manifest.json"))) {
      Collection c = one.create(CollectionConfig.withEncoder("seedy", "seed"));
      for (int i = 0; i < points.size(); i += 1000) {
        c.upsert(points.subList(i, Math.min(points.size(), i + 1000)));
      }
      assertThat(sharded.count(null)).isEqualTo(c.count(null)).isEqualTo(texts.size());
      Filter filter =
          new Filter.Bool(
              List.of(new Filter.Match("text", TextNode.valueOf("who am i"))),
              List.of(),
              List.of());
      assertThat(sharded.count(filter)).isEqualTo(c.count(filter));
      for (String query : List.of("who am i", "how are you", "sora is sky", "good day")) {
        SearchRequest s = SearchRequest.text(query, 10).withEf(4096);
        // The seed's 4 numbers tie a lot: compare the scores, rank by rank.
        assertThat(scores(sharded.search(s))).containsExactly(scores(c.search(s)));
      }

      // Text queries joined against the index: the top 10 scores of serving it.
      List<Row> qs = new ArrayList<>();
      List<String> queries = List.of("who am i", "how are you", "sora is sky", "good day");
      for (int i = 0; i < queries.size(); i++) {
        qs.add(org.apache.spark.sql.RowFactory.create("q" + i, queries.get(i)));
      }
      Path qpath = dir.resolve("queries.parquet");
      spark
          .createDataFrame(
              qs,
              new org.apache.spark.sql.types.StructType()
                  .add("id", org.apache.spark.sql.types.DataTypes.StringType)
                  .add("text", org.apache.spark.sql.types.DataTypes.StringType))
          .write()
          .mode(SaveMode.Overwrite)
          .parquet(qpath.toString());
      Path out = dir.resolve("neighbours");
      KnnJoinJob.run(
          spark,
          KnnJoinJob.Options.of(index.toString(), qpath.toString(), 10, out.toString())
              .withText("text"));
      Map<String, Row> got = new HashMap<>();
      for (Row r : spark.read().parquet(out.toString()).collectAsList()) {
        got.put(r.getString(0), r);
      }
      for (int i = 0; i < queries.size(); i++) {
        List<Float> joined = got.get("q" + i).getList(2);
        float[] served =
            scores(sharded.search(SearchRequest.text(queries.get(i), 10).withEf(4096)));
        assertThat(joined).hasSize(10);
        for (int j = 0; j < 10; j++) {
          assertThat(joined.get(j)).isEqualTo(served[j]);
        }
      }
    }
  }
}
