package dev.byhand.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.embed.TextEncoder;
import dev.byhand.store.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;

/**
 * The {@code embed} job: a corpus → Parquet of {@code (id string, vector array<float>, payload
 * string)}, each text embedded by a byhand encoder inside the task that holds it.
 *
 * <p>The input is text (one text a line; the id is the line's number in the input, from 1, as
 * {@code byhand embed --file} counts them, and the payload {@code {"text": line}}), JSON Lines, CSV
 * (with a header) or Parquet, with an id column, a text column and payload columns (by default
 * every column but the id, turned into one JSON object).
 *
 * <p><b>Resumable by partition.</b> The rows are spread over P partitions by their id (Spark's hash
 * of the id, so a row always lands in the same one), and partition p is written as {@code
 * part-p.parquet}: first to {@code _tmp/}, then renamed into place. A run finds the parts already
 * there and skips them, so a stopped or failed run, started again with the same command, embeds
 * only what is missing. {@code _embed.json} records the run's settings; a run with other settings
 * into the same folder is refused.
 */
public final class EmbedJob {

  /** The job's settings file in the output folder. */
  public static final String SETTINGS = "_embed.json";

  /** Texts handed to the encoder at once. */
  static final int CHUNK = 256;

  private EmbedJob() {}

  /**
   * What to embed and how.
   *
   * @param input a file or folder on any Hadoop file system
   * @param format {@code text}, {@code jsonl}, {@code csv} or {@code parquet}
   * @param idColumn the id column (not for text)
   * @param textColumn the text column (not for text)
   * @param payloadColumns columns kept as the payload; null for every column but the id, empty for
   *     none (not for text)
   * @param encoder the encoder and its options
   * @param partitions P, or 0 for max(input partitions, 2 × default parallelism)
   * @param output the output folder
   */
  public record Options(
      String input,
      String format,
      String idColumn,
      String textColumn,
      List<String> payloadColumns,
      ExecutorEncoders.Spec encoder,
      int partitions,
      String output) {}

  /**
   * What a run did.
   *
   * @param partitions P
   * @param embedded partitions embedded by this run
   * @param skipped partitions found done and skipped
   * @param texts texts embedded by this run
   * @param dropped rows without an id or a text, left out
   */
  public record Result(int partitions, int embedded, int skipped, long texts, long dropped) {}

  /** Runs the job. */
  public static Result run(SparkSession spark, Options o) {
    o.encoder().options(); // bad options fail here, not in a task
    HadoopFiles files = new HadoopFiles(spark.sparkContext().hadoopConfiguration());
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    LongAccumulator dropped = spark.sparkContext().longAccumulator("byhand rows dropped");
    Dataset<Row> rows = read(spark, jsc, o, dropped);
    int partitions =
        o.partitions() > 0
            ? o.partitions()
            : Math.max(rows.rdd().getNumPartitions(), 2 * jsc.defaultParallelism());
    String out = files.qualified(o.output());
    checkSettings(files, new Path(out), o, partitions);

    ExecutorEncoders.Spec spec = o.encoder();
    JavaRDD<Row> parts = rows.repartition(partitions, col("id")).javaRDD();
    List<long[]> stats =
        parts
            .mapPartitionsWithIndex(
                (idx, it) -> List.of(embedPartition(files, out, idx, it, spec)).iterator(), false)
            .collect();
    files.delete(new Path(out, "_tmp"));
    int embedded = 0;
    int skipped = 0;
    long texts = 0;
    for (long[] s : stats) {
      if (s[0] == 1) {
        embedded++;
        texts += s[1];
      } else {
        skipped++;
      }
    }
    return new Result(partitions, embedded, skipped, texts, dropped.value());
  }

  /** The input as {@code (id, text, payload)}. */
  static Dataset<Row> read(
      SparkSession spark, JavaSparkContext jsc, Options o, LongAccumulator dropped) {
    String format = o.format().toLowerCase(Locale.ROOT);
    StructType schema =
        new StructType()
            .add("id", DataTypes.StringType, false)
            .add("text", DataTypes.StringType, false)
            .add("payload", DataTypes.StringType, true);
    if (format.equals("text")) {
      JavaRDD<Row> lines =
          jsc.textFile(o.input())
              .zipWithIndex()
              .map(
                  t -> {
                    ObjectNode p = Json.MAPPER.createObjectNode().put("text", t._1());
                    return RowFactory.create(Long.toString(t._2() + 1), t._1(), p.toString());
                  });
      return spark.createDataFrame(lines, schema);
    }
    Dataset<Row> df =
        switch (format) {
          case "jsonl", "json" -> spark.read().json(o.input());
          case "csv" -> spark.read().option("header", "true").csv(o.input());
          case "parquet" -> spark.read().parquet(o.input());
          default ->
              throw new IllegalArgumentException(
                  "format: unknown '" + o.format() + "'; expected text, jsonl, csv or parquet");
        };
    List<String> have = Arrays.asList(df.columns());
    for (String c : List.of(o.idColumn(), o.textColumn())) {
      if (!have.contains(c)) {
        throw new IllegalArgumentException(
            "column '"
                + c
                + "' is not in "
                + o.input()
                + "; its columns: "
                + String.join(", ", have));
      }
    }
    List<String> payload = new ArrayList<>();
    if (o.payloadColumns() == null) {
      for (String c : have) {
        if (!c.equals(o.idColumn())) {
          payload.add(c);
        }
      }
    } else {
      for (String c : o.payloadColumns()) {
        if (!have.contains(c)) {
          throw new IllegalArgumentException(
              "payload column '"
                  + c
                  + "' is not in "
                  + o.input()
                  + "; its columns: "
                  + String.join(", ", have));
        }
        payload.add(c);
      }
    }
    Column payloadJson =
        payload.isEmpty()
            ? lit(null).cast(DataTypes.StringType)
            : to_json(struct(payload.stream().map(c -> col("`" + c + "`")).toArray(Column[]::new)));
    Dataset<Row> selected =
        df.select(
            col("`" + o.idColumn() + "`").cast(DataTypes.StringType).as("id"),
            col("`" + o.textColumn() + "`").cast(DataTypes.StringType).as("text"),
            payloadJson.as("payload"));
    JavaRDD<Row> kept =
        selected
            .javaRDD()
            .filter(
                r -> {
                  boolean ok = !r.isNullAt(0) && !r.getString(0).isEmpty() && !r.isNullAt(1);
                  if (!ok) {
                    dropped.add(1);
                  }
                  return ok;
                });
    return spark.createDataFrame(kept, schema);
  }

  /** The Parquet schema of the output, which Spark reads as (string, array<float>, string). */
  static final MessageType SCHEMA =
      Types.buildMessage()
          .required(PrimitiveTypeName.BINARY)
          .as(LogicalTypeAnnotation.stringType())
          .named("id")
          .requiredList()
          .requiredElement(PrimitiveTypeName.FLOAT)
          .named("vector")
          .optional(PrimitiveTypeName.BINARY)
          .as(LogicalTypeAnnotation.stringType())
          .named("payload")
          .named("spark_schema");

  /**
   * Embeds one partition into its part file; {@code [1, texts]} if it did, {@code [0, 0]} if done.
   */
  static long[] embedPartition(
      HadoopFiles files, String out, int idx, Iterator<Row> rows, ExecutorEncoders.Spec spec)
      throws IOException {
    String name = String.format(Locale.ROOT, "part-%05d.parquet", idx);
    Path target = new Path(out, name);
    if (files.exists(target)) {
      return new long[] {0, 0};
    }
    TextEncoder encoder = ExecutorEncoders.get(spec);
    TaskContext task = TaskContext.get();
    Path tmp =
        new Path(
            new Path(out, "_tmp"),
            name + "-" + (task == null ? System.nanoTime() : task.taskAttemptId()));
    SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
    long n = 0;
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(HadoopOutputFile.fromPath(tmp, files.conf()))
            .withType(SCHEMA)
            .withConf(files.conf())
            .withCompressionCodec(CompressionCodecName.SNAPPY)
            .withWriteMode(org.apache.parquet.hadoop.ParquetFileWriter.Mode.OVERWRITE)
            .build()) {
      List<Row> chunk = new ArrayList<>(CHUNK);
      while (rows.hasNext()) {
        chunk.add(rows.next());
        if (chunk.size() == CHUNK || !rows.hasNext()) {
          List<String> texts = new ArrayList<>(chunk.size());
          for (Row r : chunk) {
            texts.add(r.getString(1));
          }
          List<float[]> vectors = encoder.embedDocuments(texts);
          for (int i = 0; i < chunk.size(); i++) {
            Row r = chunk.get(i);
            Group g = groups.newGroup().append("id", r.getString(0));
            Group list = g.addGroup("vector");
            for (float x : vectors.get(i)) {
              list.addGroup("list").append("element", x);
            }
            if (!r.isNullAt(2)) {
              g.append("payload", r.getString(2));
            }
            w.write(g);
          }
          n += chunk.size();
          chunk.clear();
        }
      }
    }
    var fs = files.fs(target);
    if (!fs.rename(tmp, target)) {
      // Another attempt of this partition finished first (a retry or a speculative copy).
      fs.delete(tmp, false);
      if (!fs.exists(target)) {
        throw new IOException("cannot rename " + tmp + " to " + target);
      }
    }
    System.err.printf(Locale.ROOT, "byhand embed: %s done, %,d texts%n", name, n);
    return new long[] {1, n};
  }

  /** Writes the run's settings, or checks them against the ones a previous run wrote. */
  static void checkSettings(HadoopFiles files, Path out, Options o, int partitions) {
    ObjectNode s = Json.MAPPER.createObjectNode();
    s.put("input", files.qualified(o.input()));
    s.put("format", o.format().toLowerCase(Locale.ROOT));
    s.put("id_column", o.idColumn());
    s.put("text_column", o.textColumn());
    if (o.payloadColumns() == null) {
      s.putNull("payload_columns");
    } else {
      ArrayNode a = s.putArray("payload_columns");
      o.payloadColumns().forEach(a::add);
    }
    ExecutorEncoders.Spec e = o.encoder();
    s.put("encoder", e.encoder());
    s.put("pooling", e.options().pooling().name().toLowerCase(Locale.ROOT));
    s.put("normalize", e.options().normalize());
    s.put("long_text", e.longText().toLowerCase(Locale.ROOT));
    s.put("max_tokens", e.options().maxTokens());
    s.put("dimension", dev.byhand.embed.Encoders.dimension(e.encoder()));
    s.put("partitions", partitions);
    Path file = new Path(out, SETTINGS);
    if (files.exists(file)) {
      JsonNode before;
      try {
        before = Json.MAPPER.readTree(files.read(file));
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
      if (!before.equals(s)) {
        throw new IllegalArgumentException(
            "output: "
                + out
                + " holds parts of another embed run ("
                + SETTINGS
                + ": "
                + before
                + "); give another --output, or delete it to start over");
      }
      return;
    }
    files.mkdirs(out);
    files.write(file, s.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** The settings of the embed run that wrote {@code folder}, or null if none did. */
  static JsonNode settings(HadoopFiles files, String folder) {
    Path file = new Path(folder, SETTINGS);
    if (!files.exists(file)) {
      return null;
    }
    try {
      return Json.MAPPER.readTree(files.read(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
