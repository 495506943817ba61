package dev.byhand.spark;

import dev.byhand.store.ShardManifest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Data the tests share, made once per test JVM: {@value #N} random vectors in {@value #BLOBS}
 * clusters (the embed job's schema), and that set indexed into 4 hash shards.
 */
final class Fixtures {

  static final int N = 2_000;
  static final int D = 16;
  static final int BLOBS = 4;

  private static float[][] vectors;
  private static Path vectorsParquet;
  private static ShardManifest hashIndex;
  private static Path hashIndexFolder;

  private Fixtures() {}

  /** The id of point i. */
  static String id(int i) {
    return "v" + i;
  }

  /** Point i's vector: its blob's centre (±3 on each axis) plus noise of 1. */
  static synchronized float[][] vectors() {
    if (vectors == null) {
      SplittableRandom r = new SplittableRandom(42);
      float[][] centres = new float[BLOBS][D];
      for (float[] c : centres) {
        for (int d = 0; d < D; d++) {
          c[d] = r.nextBoolean() ? 3 : -3;
        }
      }
      vectors = new float[N][D];
      for (int i = 0; i < N; i++) {
        for (int d = 0; d < D; d++) {
          vectors[i][d] = centres[i % BLOBS][d] + (float) r.nextGaussian();
        }
      }
    }
    return vectors;
  }

  static StructType schema() {
    return new StructType()
        .add("id", DataTypes.StringType, false)
        .add("vector", DataTypes.createArrayType(DataTypes.FloatType, false), false)
        .add("payload", DataTypes.StringType, true);
  }

  static Row row(String id, float[] v, String payload) {
    Float[] boxed = new Float[v.length];
    for (int i = 0; i < v.length; i++) {
      boxed[i] = v[i];
    }
    return RowFactory.create(id, boxed, payload);
  }

  /** The vectors as Parquet of (id, vector, payload {"blob": i % 4, "n": i}). */
  static synchronized Path vectorsParquet() {
    if (vectorsParquet == null) {
      float[][] v = vectors();
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < N; i++) {
        rows.add(row(id(i), v[i], "{\"blob\":" + (i % BLOBS) + ",\"n\":" + i + "}"));
      }
      Path p = TestSpark.folder("vectors").resolve("v.parquet");
      TestSpark.get()
          .createDataFrame(rows, schema())
          .repartition(4)
          .write()
          .mode(SaveMode.Overwrite)
          .parquet(p.toString());
      vectorsParquet = p;
    }
    return vectorsParquet;
  }

  /** The vectors in 4 hash shards, cosine, with a keyword index on nothing. */
  static synchronized ShardManifest hashIndex() {
    if (hashIndex == null) {
      hashIndexFolder = TestSpark.folder("hash-index");
      hashIndex =
          IndexJob.run(
              TestSpark.get(),
              IndexJob.Options.of(
                      vectorsParquet().toString(), hashIndexFolder.toString(), 4, "hash")
                  .withMetric("cosine", "none")
                  .withPayloadIndexes(java.util.Map.of("blob", "integer")));
    }
    return hashIndex;
  }

  static synchronized Path hashIndexFolder() {
    hashIndex();
    return hashIndexFolder;
  }
}
