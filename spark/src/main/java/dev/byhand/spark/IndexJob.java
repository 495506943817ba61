package dev.byhand.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.store.CollectionConfig;
import dev.byhand.store.Json;
import dev.byhand.store.PayloadIndexType;
import dev.byhand.store.Point;
import dev.byhand.store.ShardBuilder;
import dev.byhand.store.ShardManifest;
import dev.byhand.vector.Metric;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.Partitioner;
import org.apache.spark.SparkFiles;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import scala.Tuple2;

/**
 * The {@code index} job: vectors (the embed job's Parquet, or any with an id and a vector column) →
 * S shards, each one ordinary byhand collection (HNSW, payload, payload indexes) built in its own
 * task through the store's write path, copied to the output folder on any Hadoop file system, plus
 * {@code manifest.json} (shard count, partitioner and its centroids, metric, encoder, every shard's
 * points, files and checksums), which {@code byhand db serve --manifest} serves and the {@code
 * knn-join} job searches.
 *
 * <p>Points go to shards by {@code hash(id) mod S} ({@link ShardManifest#hash}) or to the shard of
 * their nearest k-means centroid (Spark MLlib's k-means on a sample; cosine k-means for cosine
 * collections), which puts near points together so a query may search only its nearest shards.
 *
 * <p><b>Resumable by shard.</b> A finished shard's folder holds {@code _shard.json}, its entry of
 * the manifest; a run finds those and keeps them, building only the shards that are missing, and
 * {@code _index.json} keeps the settings (and the centroids, so a resumed run assigns points
 * alike). The manifest is written last: a folder without one is unfinished.
 */
public final class IndexJob {

  /** The job's settings file in the output folder. */
  public static final String SETTINGS = "_index.json";

  /** A finished shard's marker, inside its folder. */
  public static final String SHARD_DONE = "_shard.json";

  private IndexJob() {}

  /**
   * What to index and how.
   *
   * @param input a Parquet file or folder
   * @param idColumn its id column
   * @param vectorColumn its vector column (array of float or double)
   * @param payloadColumn a column of JSON objects (text), or null for none
   * @param output the output folder
   * @param name the collection's name
   * @param shards S
   * @param partitioner {@code hash} or {@code kmeans}
   * @param metric {@code cosine}, {@code dot} or {@code l2}; null for the embed run's encoder's (or
   *     cosine)
   * @param encoder the encoder that made the vectors (for text queries), null for the embed run's
   *     (or none); {@code none} for none
   * @param m HNSW links per node per layer
   * @param efConstruction HNSW beam width while building
   * @param payloadIndexes payload indexes to create in every shard, key → type
   * @param kmeansIterations k-means iterations
   * @param kmeansSample most points k-means is trained on (a random sample)
   * @param seed k-means and sampling seed
   */
  public record Options(
      String input,
      String idColumn,
      String vectorColumn,
      String payloadColumn,
      String output,
      String name,
      int shards,
      String partitioner,
      String metric,
      String encoder,
      int m,
      int efConstruction,
      Map<String, String> payloadIndexes,
      int kmeansIterations,
      int kmeansSample,
      long seed) {

    /** The defaults for an input and an output. */
    public static Options of(String input, String output, int shards, String partitioner) {
      return new Options(
          input,
          "id",
          "vector",
          "payload",
          output,
          "docs",
          shards,
          partitioner,
          null,
          null,
          16,
          100,
          Map.of(),
          20,
          200_000,
          1);
    }

    public Options withName(String n) {
      return new Options(
          input,
          idColumn,
          vectorColumn,
          payloadColumn,
          output,
          n,
          shards,
          partitioner,
          metric,
          encoder,
          m,
          efConstruction,
          payloadIndexes,
          kmeansIterations,
          kmeansSample,
          seed);
    }

    public Options withMetric(String mt, String enc) {
      return new Options(
          input,
          idColumn,
          vectorColumn,
          payloadColumn,
          output,
          name,
          shards,
          partitioner,
          mt,
          enc,
          m,
          efConstruction,
          payloadIndexes,
          kmeansIterations,
          kmeansSample,
          seed);
    }

    public Options withHnsw(int newM, int ef) {
      return new Options(
          input,
          idColumn,
          vectorColumn,
          payloadColumn,
          output,
          name,
          shards,
          partitioner,
          metric,
          encoder,
          newM,
          ef,
          payloadIndexes,
          kmeansIterations,
          kmeansSample,
          seed);
    }

    public Options withPayloadIndexes(Map<String, String> indexes) {
      return new Options(
          input,
          idColumn,
          vectorColumn,
          payloadColumn,
          output,
          name,
          shards,
          partitioner,
          metric,
          encoder,
          m,
          efConstruction,
          indexes,
          kmeansIterations,
          kmeansSample,
          seed);
    }
  }

  /** What every shard's collection is, in a form that travels to the executors. */
  record ShardSpec(
      String name,
      int dimension,
      String metric,
      String encoder,
      int m,
      int efConstruction,
      Map<String, String> payloadIndexes)
      implements Serializable {

    CollectionConfig config() {
      return ShardManifest.collectionConfig(
          name, dimension, Metric.parse(metric), encoder, m, efConstruction);
    }

    Map<String, PayloadIndexType> indexes() {
      Map<String, PayloadIndexType> out = new LinkedHashMap<>();
      payloadIndexes.forEach((k, t) -> out.put(k, PayloadIndexType.parse(t)));
      return out;
    }
  }

  /** Routes shard number s to partition s. */
  static final class ShardPartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int shards;

    ShardPartitioner(int shards) {
      this.shards = shards;
    }

    @Override
    public int numPartitions() {
      return shards;
    }

    @Override
    public int getPartition(Object key) {
      return (Integer) key;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ShardPartitioner p && p.shards == shards;
    }

    @Override
    public int hashCode() {
      return shards;
    }
  }

  /** Runs the job and returns the manifest it wrote. */
  public static ShardManifest run(SparkSession spark, Options o) {
    if (o.shards() < 1 || o.shards() > 100_000) {
      throw new IllegalArgumentException("shards: must be in [1, 100000], got " + o.shards());
    }
    String kind = o.partitioner().toLowerCase(Locale.ROOT);
    if (!kind.equals("hash") && !kind.equals("kmeans")) {
      throw new IllegalArgumentException(
          "partitioner: must be hash or kmeans, got '" + o.partitioner() + "'");
    }
    HadoopFiles files = new HadoopFiles(spark.sparkContext().hadoopConfiguration());
    String out = files.qualified(o.output());

    // What the vectors are: given, or as the embed run that made them says.
    JsonNode embed = EmbedJob.settings(files, o.input());
    String encoder =
        o.encoder() != null
            ? (o.encoder().equals("none") ? null : o.encoder())
            : embed == null ? null : embed.path("encoder").asText(null);
    String metricName =
        o.metric() != null
            ? o.metric()
            : encoder == null
                ? "cosine"
                : CollectionConfig.withEncoder("x", encoder).metric().toString();
    Metric metric = Metric.parse(metricName);

    Dataset<Row> rows = select(spark, o);
    List<Row> first = rows.limit(1).collectAsList();
    if (first.isEmpty()) {
      throw new IllegalArgumentException("input: " + o.input() + " holds no rows");
    }
    int dimension = first.get(0).getList(1).size();
    ShardSpec spec =
        new ShardSpec(
            o.name(),
            dimension,
            metric.toString(),
            encoder,
            o.m(),
            o.efConstruction(),
            new LinkedHashMap<>(o.payloadIndexes()));
    CollectionConfig config = spec.config(); // bad settings fail here, not in a task
    spec.indexes();

    ObjectNode settings = Json.MAPPER.createObjectNode();
    settings.put("input", files.qualified(o.input()));
    settings.put("name", config.name());
    settings.put("dimension", dimension);
    settings.put("metric", metric.toString());
    settings.put("encoder", encoder);
    settings.put("shards", o.shards());
    settings.put("partitioner", kind);
    settings.put("m", o.m());
    settings.put("ef_construction", o.efConstruction());
    ObjectNode idx = settings.putObject("payload_indexes");
    o.payloadIndexes().forEach(idx::put);
    Path settingsFile = new Path(out, SETTINGS);
    float[][] centroids = null;
    JsonNode before = null;
    if (files.exists(settingsFile)) {
      try {
        before = Json.MAPPER.readTree(files.read(settingsFile));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      ObjectNode withoutCentroids = ((ObjectNode) before.deepCopy());
      withoutCentroids.remove("centroids");
      if (!withoutCentroids.equals(settings)) {
        throw new IllegalArgumentException(
            "output: "
                + out
                + " holds shards of another index run ("
                + SETTINGS
                + ": "
                + withoutCentroids
                + "); give another --output, or delete it to start over");
      }
      if (before.has("centroids")) {
        centroids = floats(before.get("centroids"));
      }
    }
    if (kind.equals("kmeans")) {
      rows = rows.dropDuplicates("id"); // one id, one vector, one shard
      if (centroids == null) {
        centroids = kmeans(spark, rows, o, metric);
      }
      ArrayNode cs = settings.putArray("centroids");
      for (float[] c : centroids) {
        ArrayNode a = cs.addArray();
        for (float x : c) {
          a.add(x);
        }
      }
    }
    files.mkdirs(new Path(out));
    files.write(settingsFile, settings.toString().getBytes(StandardCharsets.UTF_8));

    int shards = o.shards();
    float[][] cents = centroids;
    JavaPairRDD<Integer, Row> keyed =
        rows.javaRDD()
            .mapToPair(
                r -> {
                  int s =
                      cents == null
                          ? ShardManifest.hashShard(r.getString(0), shards)
                          : ShardManifest.nearest(cents, metric, vector(r), 1)[0];
                  return new Tuple2<>(s, r);
                });
    List<String> entries =
        keyed
            .partitionBy(new ShardPartitioner(shards))
            .mapPartitionsWithIndex(
                (s, it) -> List.of(buildShard(files, out, s, it, spec)).iterator(), false)
            .collect();
    List<ShardManifest.Shard> built = new ArrayList<>();
    for (String e : entries) {
      try {
        built.add(ShardManifest.shard(Json.MAPPER.readTree(e)));
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    }
    ShardManifest manifest =
        ShardBuilder.manifest(
            config,
            cents == null
                ? ShardManifest.Partitioner.hash()
                : ShardManifest.Partitioner.kmeans(cents),
            built);
    files.write(new Path(out, ShardManifest.FILE), manifest.toJson());
    return manifest;
  }

  /** The input as {@code (id string, vector array<float>, payload string)}. */
  static Dataset<Row> select(SparkSession spark, Options o) {
    Dataset<Row> df = spark.read().parquet(o.input());
    List<String> have = Arrays.asList(df.columns());
    for (String c : List.of(o.idColumn(), o.vectorColumn())) {
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
    boolean payload = o.payloadColumn() != null && have.contains(o.payloadColumn());
    return df.select(
            col("`" + o.idColumn() + "`").cast(DataTypes.StringType).as("id"),
            col("`" + o.vectorColumn() + "`")
                .cast(DataTypes.createArrayType(DataTypes.FloatType))
                .as("vector"),
            (payload ? col("`" + o.payloadColumn() + "`") : lit(null))
                .cast(DataTypes.StringType)
                .as("payload"))
        .where(col("id").isNotNull().and(col("vector").isNotNull()));
  }

  static float[] vector(Row r) {
    List<Float> l = r.getList(1);
    float[] v = new float[l.size()];
    for (int i = 0; i < v.length; i++) {
      Float x = l.get(i);
      v[i] = x == null ? Float.NaN : x; // NaN is refused by the store's check, with the id
    }
    return v;
  }

  static float[][] floats(JsonNode arrays) {
    float[][] out = new float[arrays.size()][];
    for (int i = 0; i < out.length; i++) {
      JsonNode a = arrays.get(i);
      out[i] = new float[a.size()];
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] = (float) a.get(j).asDouble();
      }
    }
    return out;
  }

  /** Spark MLlib's k-means on a sample: S centroids (unit length for cosine). */
  static float[][] kmeans(SparkSession spark, Dataset<Row> rows, Options o, Metric metric) {
    long count = rows.count();
    double fraction = Math.min(1.0, (double) o.kmeansSample() / Math.max(1, count));
    Dataset<Row> sample = fraction < 1 ? rows.sample(false, fraction, o.seed()) : rows;
    Dataset<Row> features =
        sample.select(org.apache.spark.ml.functions.array_to_vector(col("vector")).as("features"));
    KMeansModel model =
        new KMeans()
            .setK(o.shards())
            .setSeed(o.seed())
            .setMaxIter(o.kmeansIterations())
            .setDistanceMeasure(metric == Metric.COSINE ? "cosine" : "euclidean")
            .setFeaturesCol("features")
            .fit(features);
    Vector[] centers = model.clusterCenters();
    if (centers.length != o.shards()) {
      throw new IllegalArgumentException(
          "k-means found "
              + centers.length
              + " centres for "
              + o.shards()
              + " shards (too few distinct vectors); use fewer shards or --partitioner hash");
    }
    float[][] out = new float[centers.length][];
    for (int c = 0; c < centers.length; c++) {
      double[] d = centers[c].toArray();
      double norm = 0;
      for (double x : d) {
        norm += x * x;
      }
      double scale = metric == Metric.COSINE && norm > 0 ? 1 / Math.sqrt(norm) : 1;
      out[c] = new float[d.length];
      for (int i = 0; i < d.length; i++) {
        out[c][i] = (float) (d[i] * scale);
      }
    }
    return out;
  }

  /**
   * Builds shard {@code s} in a local folder of the executor, copies it to {@code out/shard-s},
   * marks it done; returns its manifest entry as JSON. A shard already marked done is kept as it
   * is.
   */
  static String buildShard(
      HadoopFiles files, String out, int s, Iterator<Tuple2<Integer, Row>> rows, ShardSpec spec)
      throws IOException {
    Path target = new Path(out, ShardBuilder.folderName(s));
    Path done = new Path(target, SHARD_DONE);
    if (files.exists(done)) {
      return new String(files.read(done), StandardCharsets.UTF_8);
    }
    FileSystem fs = files.fs(target);
    fs.delete(target, true); // what a failed attempt left
    TaskContext task = TaskContext.get();
    java.nio.file.Path local =
        java.nio.file.Path.of(SparkFiles.getRootDirectory())
            .resolve(
                "byhand-index-"
                    + ShardBuilder.folderName(s)
                    + "-"
                    + (task == null ? System.nanoTime() : task.taskAttemptId()));
    Iterator<Point> points =
        new Iterator<>() {
          @Override
          public boolean hasNext() {
            return rows.hasNext();
          }

          @Override
          public Point next() {
            Row r = rows.next()._2();
            return Point.of(
                r.getString(0),
                vector(r),
                r.isNullAt(2)
                    ? null
                    : Json.parsePayload("payload of " + r.getString(0), r.getString(2)));
          }
        };
    ShardManifest.Shard shard = ShardBuilder.build(local, s, spec.config(), spec.indexes(), points);
    Files.deleteIfExists(local.resolve("byhand.lock"));
    ExecutorShards.copyFromLocal(local, fs, target);
    String json = ShardManifest.shardJson(shard).toString();
    files.write(done, json.getBytes(StandardCharsets.UTF_8));
    System.err.printf(
        Locale.ROOT,
        "byhand index: %s built, %,d points, %,d bytes%n",
        ShardBuilder.folderName(s),
        shard.points(),
        shard.bytes());
    return json;
  }
}
