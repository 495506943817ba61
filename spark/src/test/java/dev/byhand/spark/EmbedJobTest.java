package dev.byhand.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.byhand.embed.EncoderOptions;
import dev.byhand.embed.Encoders;
import dev.byhand.embed.SeedModel;
import dev.byhand.embed.TextEncoder;
import dev.byhand.store.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The embed job gives the vectors {@code byhand embed} gives, and resumes by partition. */
class EmbedJobTest {

  static final int TEXTS = 3_000;

  static ExecutorEncoders.Spec spec(String encoder) {
    return new ExecutorEncoders.Spec(encoder, null, null, "truncate", 32);
  }

  /** Sentences of the seed's 22 words, as many as asked. */
  static List<String> seedTexts(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int words = 1 + r.nextInt(8);
      StringBuilder b = new StringBuilder();
      for (int w = 0; w < words; w++) {
        b.append(w == 0 ? "" : " ")
            .append(SeedModel.VOCABULARY.get(r.nextInt(SeedModel.VOCABULARY.size())));
      }
      out.add(b.toString());
    }
    return out;
  }

  /** What {@code byhand embed --encoder NAME --file …} prints, as vectors: its very code path. */
  static List<float[]> byhandEmbed(String encoder, List<String> texts) {
    try (TextEncoder e = Encoders.open(encoder, EncoderOptions.defaults(encoder))) {
      return e.embedDocuments(texts);
    }
  }

  static Map<String, Row> byId(SparkSession spark, Path folder) {
    Map<String, Row> out = new HashMap<>();
    for (Row r : spark.read().parquet(folder.toString()).collectAsList()) {
      out.put(r.getString(r.fieldIndex("id")), r);
    }
    return out;
  }

  static float[] vector(Row r) {
    return KnnJoinJob.vector(r.getList(r.fieldIndex("vector")));
  }

  @Test
  void textLinesWithTheSeedEncoderEqualByhandEmbedAndResumeByPartition() throws IOException {
    SparkSession spark = TestSpark.get();
    Path dir = TestSpark.folder("embed-seed");
    List<String> texts = seedTexts(TEXTS, 1);
    Path corpus = dir.resolve("corpus.txt");
    Files.write(corpus, texts, StandardCharsets.UTF_8);
    Path out = dir.resolve("vectors");
    EmbedJob.Options o =
        new EmbedJob.Options(
            corpus.toString(), "text", "id", "text", null, spec("seed"), 4, out.toString());

    EmbedJob.Result first = EmbedJob.run(spark, o);
    assertThat(first.partitions()).isEqualTo(4);
    assertThat(first.embedded()).isEqualTo(4);
    assertThat(first.texts()).isEqualTo(TEXTS);
    assertThat(first.dropped()).isZero();

    List<float[]> expected = byhandEmbed("seed", texts);
    Map<String, Row> rows = byId(spark, out);
    assertThat(rows).hasSize(TEXTS);
    for (int i = 0; i < TEXTS; i++) {
      Row r = rows.get(Integer.toString(i + 1)); // ids are line numbers, from 1
      assertThat(vector(r)).as("line %d", i + 1).containsExactly(expected.get(i));
      assertThat(Json.MAPPER.readTree(r.getString(r.fieldIndex("payload"))).get("text").asText())
          .isEqualTo(texts.get(i));
    }

    // Stopped after three parts: the next run embeds only the missing one.
    Path part = out.resolve("part-00002.parquet");
    Files.delete(part);
    long before = Files.getLastModifiedTime(out.resolve("part-00001.parquet")).toMillis();
    EmbedJob.Result second = EmbedJob.run(spark, o);
    assertThat(second.embedded()).isEqualTo(1);
    assertThat(second.skipped()).isEqualTo(3);
    assertThat(second.texts()).isBetween(1L, (long) TEXTS - 1);
    assertThat(Files.getLastModifiedTime(out.resolve("part-00001.parquet")).toMillis())
        .isEqualTo(before);
    assertThat(byId(spark, out)).hasSize(TEXTS);
    try (Stream<Path> files = Files.list(out)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .filteredOn(n -> n.endsWith(".parquet"))
          .hasSize(4);
    }

    // Other settings into the same folder are refused, not mixed in.
    EmbedJob.Options other =
        new EmbedJob.Options(
            corpus.toString(), "text", "id", "text", null, spec("seed"), 5, out.toString());
    assertThatThrownBy(() -> EmbedJob.run(spark, other))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("another embed run");
  }

  @Test
  void jsonLinesWithMiniLmEqualByhandEmbedWithTheirPayload() throws IOException {
    SparkSession spark = TestSpark.get();
    Path dir = TestSpark.folder("embed-minilm");
    List<String> texts =
        List.of(
            "Volcanoes erupt when magma rises through the crust.",
            "The cat sat on the mat.",
            "A transformer encodes every token with attention over the others.",
            "How are you today?",
            "",
            "Spark runs one task per core and shuffles between stages.",
            "The seed document works through the whole pipeline by hand.",
            "Paris is the capital of France.");
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      lines.add(
          Json.MAPPER
              .createObjectNode()
              .put("doc", "d" + i)
              .put("body", texts.get(i))
              .put("lang", "en")
              .put("rank", i)
              .toString());
    }
    lines.add("{\"doc\": null, \"body\": \"no id: left out\"}");
    lines.add("{\"doc\": \"d99\"}");
    Path input = dir.resolve("corpus.jsonl");
    Files.write(input, lines, StandardCharsets.UTF_8);
    Path out = dir.resolve("vectors");
    EmbedJob.Result r =
        EmbedJob.run(
            spark,
            new EmbedJob.Options(
                input.toString(),
                "jsonl",
                "doc",
                "body",
                List.of("body", "rank"),
                spec("minilm"),
                2,
                out.toString()));
    assertThat(r.texts()).isEqualTo(texts.size());
    assertThat(r.dropped()).isEqualTo(2);

    List<float[]> expected = byhandEmbed("minilm", texts);
    Map<String, Row> rows = byId(spark, out);
    assertThat(rows).hasSize(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      Row row = rows.get("d" + i);
      float[] got = vector(row);
      assertThat(got).hasSize(384);
      for (int d = 0; d < 384; d++) {
        // Batches of other texts (other padding) move a number by a few ulps at most.
        assertThat(got[d])
            .isCloseTo(expected.get(i)[d], org.assertj.core.data.Offset.offset(1e-5f));
      }
      var payload = Json.MAPPER.readTree(row.getString(row.fieldIndex("payload")));
      assertThat(payload.get("body").asText()).isEqualTo(texts.get(i));
      assertThat(payload.get("rank").asInt()).isEqualTo(i);
      assertThat(payload.has("lang")).isFalse();
    }
  }

  @Test
  void csvAndParquetInputsAndBadColumnsAreNamed() throws IOException {
    SparkSession spark = TestSpark.get();
    Path dir = TestSpark.folder("embed-csv");
    List<String> texts = seedTexts(50, 2);
    List<String> lines = new ArrayList<>(List.of("key,sentence,score"));
    for (int i = 0; i < texts.size(); i++) {
      lines.add("k" + i + "," + texts.get(i) + "," + i);
    }
    Path csv = dir.resolve("in.csv");
    Files.write(csv, lines, StandardCharsets.UTF_8);
    Path out = dir.resolve("from-csv");
    EmbedJob.run(
        spark,
        new EmbedJob.Options(
            csv.toString(), "csv", "key", "sentence", null, spec("seed"), 2, out.toString()));
    Map<String, Row> rows = byId(spark, out);
    List<float[]> expected = byhandEmbed("seed", texts);
    for (int i = 0; i < texts.size(); i++) {
      Row row = rows.get("k" + i);
      assertThat(vector(row)).containsExactly(expected.get(i));
      assertThat(
              Json.MAPPER.readTree(row.getString(row.fieldIndex("payload"))).get("score").asText())
          .isEqualTo(Integer.toString(i));
    }

    // The CSV's rows as Parquet, embedded again: the same vectors.
    Path parquet = dir.resolve("in.parquet");
    spark.read().option("header", "true").csv(csv.toString()).write().parquet(parquet.toString());
    Path out2 = dir.resolve("from-parquet");
    EmbedJob.run(
        spark,
        new EmbedJob.Options(
            parquet.toString(),
            "parquet",
            "key",
            "sentence",
            List.of(),
            spec("seed"),
            3,
            out2.toString()));
    Map<String, Row> rows2 = byId(spark, out2);
    assertThat(rows2).hasSize(texts.size());
    assertThat(vector(rows2.get("k7"))).containsExactly(expected.get(7));
    assertThat(rows2.get("k7").isNullAt(rows2.get("k7").fieldIndex("payload"))).isTrue();

    assertThatThrownBy(
            () ->
                EmbedJob.run(
                    spark,
                    new EmbedJob.Options(
                        csv.toString(),
                        "csv",
                        "nope",
                        "sentence",
                        null,
                        spec("seed"),
                        2,
                        dir.resolve("x").toString())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'nope'")
        .hasMessageContaining("key, sentence, score");
  }
}
