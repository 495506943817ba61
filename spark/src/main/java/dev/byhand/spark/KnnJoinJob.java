package dev.byhand.spark;

import static org.apache.spark.sql.functions.col;

import dev.byhand.embed.TextEncoder;
import dev.byhand.store.Point;
import dev.byhand.store.ScoredPoint;
import dev.byhand.store.SearchRequest;
import dev.byhand.store.ShardManifest;
import dev.byhand.vector.SearchResult;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * The {@code knn-join} job: every query of a set against a sharded index (the index job's folder) →
 * its global top k, as Parquet of {@code (query_id, ids array<string>, scores array<float>)}, best
 * first.
 *
 * <p>The queries are split into Q partitions; each task takes one shard and one partition (the S ×
 * Q pairs of a Cartesian product, shard-major), searches its shard — exactly (one blocked scan per
 * batch of queries over the shard's vectors) or through the shard's HNSW graph — and emits each
 * query's top k there, batch by batch (no partition is held whole); the lists are then merged by
 * score per query. A shard is copied to an executor and opened once, whatever the number of tasks
 * that search it there ({@link ExecutorShards}). With k-means shards, {@code probe} limits each
 * query to its nearest shards' centroids.
 *
 * <p>With {@code self}, the queries are the index's own points and the output is the pairs of near
 * duplicates: {@code (id, duplicate_id, score)} with {@code id < duplicate_id} and score at least
 * {@code minScore}, each pair once — a k-NN self-join for deduplication.
 */
public final class KnnJoinJob {

  private KnnJoinJob() {}

  /**
   * @param index the index job's output folder (holding manifest.json)
   * @param queries a Parquet file or folder of queries; null with {@code self}
   * @param idColumn the queries' id column
   * @param vectorColumn their vector column, or null to embed {@code textColumn}
   * @param textColumn their text column, embedded as queries by the index's encoder; or null
   * @param k neighbours per query
   * @param mode {@code exact} or {@code hnsw}
   * @param ef HNSW beam width (0: max(k, 64))
   * @param probe with k-means shards, search only this many nearest shards (0: all)
   * @param partitions Q, query partitions (0: Spark's default parallelism)
   * @param output the output folder (replaced)
   * @param self join the index with itself: near-duplicate pairs
   * @param minScore with {@code self}, the least score of a pair kept
   */
  public record Options(
      String index,
      String queries,
      String idColumn,
      String vectorColumn,
      String textColumn,
      int k,
      String mode,
      int ef,
      int probe,
      int partitions,
      String output,
      boolean self,
      float minScore) {

    /** Exact top {@code k} of the vectors in {@code queries}. */
    public static Options of(String index, String queries, int k, String output) {
      return new Options(
          index, queries, "id", "vector", null, k, "exact", 0, 0, 0, output, false, 0f);
    }

    public Options withMode(String m, int newEf) {
      return new Options(
          index,
          queries,
          idColumn,
          vectorColumn,
          textColumn,
          k,
          m,
          newEf,
          probe,
          partitions,
          output,
          self,
          minScore);
    }

    public Options withProbe(int p) {
      return new Options(
          index,
          queries,
          idColumn,
          vectorColumn,
          textColumn,
          k,
          mode,
          ef,
          p,
          partitions,
          output,
          self,
          minScore);
    }

    public Options withText(String column) {
      return new Options(
          index,
          queries,
          idColumn,
          null,
          column,
          k,
          mode,
          ef,
          probe,
          partitions,
          output,
          self,
          minScore);
    }

    /** The self-join for deduplication, keeping pairs scoring at least {@code min}. */
    public static Options dedup(String index, int k, float min, String output) {
      return new Options(index, null, "id", "vector", null, k, "exact", 0, 0, 0, output, true, min);
    }
  }

  /** One query. */
  record Query(String id, float[] vector) implements Serializable {}

  /** A top list: ids and scores, best first. */
  static final class Hits implements Serializable {
    private static final long serialVersionUID = 1L;
    final String[] ids;
    final float[] scores;

    Hits(String[] ids, float[] scores) {
      this.ids = ids;
      this.scores = scores;
    }

    /** The best {@code k} of both lists (by score, ties by id). */
    Hits merge(Hits o, int k) {
      int n = Math.min(k, ids.length + o.ids.length);
      String[] mi = new String[n];
      float[] ms = new float[n];
      int a = 0;
      int b = 0;
      for (int i = 0; i < n; i++) {
        boolean takeA =
            b >= o.ids.length
                || (a < ids.length
                    && (scores[a] > o.scores[b]
                        || (scores[a] == o.scores[b] && ids[a].compareTo(o.ids[b]) <= 0)));
        if (takeA) {
          mi[i] = ids[a];
          ms[i] = scores[a++];
        } else {
          mi[i] = o.ids[b];
          ms[i] = o.scores[b++];
        }
      }
      return new Hits(mi, ms);
    }
  }

  /** What a run did. */
  public record Result(long queries, long rows) {}

  /** Runs the job. */
  public static Result run(SparkSession spark, Options o) {
    if (o.k() < 1 || o.k() > SearchRequest.MAX_K) {
      throw new IllegalArgumentException(
          "k: must be in [1, " + SearchRequest.MAX_K + "], got " + o.k());
    }
    String mode = o.mode().toLowerCase(Locale.ROOT);
    if (!mode.equals("exact") && !mode.equals("hnsw")) {
      throw new IllegalArgumentException("mode: must be exact or hnsw, got '" + o.mode() + "'");
    }
    HadoopFiles files = new HadoopFiles(spark.sparkContext().hadoopConfiguration());
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    String index = files.qualified(o.index());
    ShardManifest manifest =
        ShardManifest.fromJson(files.read(new Path(index, ShardManifest.FILE)));
    int shards = manifest.shards().size();
    if (o.probe() > 0 && manifest.partitioner().kind() != ShardManifest.Partitioner.Kind.KMEANS) {
      throw new IllegalArgumentException(
          "probe: only k-means shards have centroids to probe; this index is hash-partitioned");
    }
    int probe = o.probe() <= 0 ? shards : Math.min(o.probe(), shards);
    int want = o.self() ? o.k() + 1 : o.k(); // a point finds itself first
    int ef = o.ef() == 0 ? Math.max(want, 64) : Math.max(o.ef(), want);

    JavaRDD<Query> queries =
        o.self() ? indexPoints(jsc, files, index, manifest) : readQueries(spark, o, manifest);
    int q = o.partitions() > 0 ? o.partitions() : jsc.defaultParallelism();
    queries = queries.repartition(q).persist(StorageLevel.MEMORY_AND_DISK());
    long count = queries.count();

    List<Integer> ids = new ArrayList<>();
    for (int s = 0; s < shards; s++) {
      ids.add(s);
    }
    JavaRDD<Integer> shardIds = jsc.parallelize(ids, shards);
    boolean exact = mode.equals("exact");
    JavaPairRDD<String, Hits> perShard =
        // Shards outside, queries inside: the tasks of one shard come one after another, so an
        // executor opens a shard once rather than once per query partition.
        shardIds
            .cartesian(queries)
            .mapPartitionsToPair(
                it -> searchPartition(files, index, manifest, it, want, exact, ef, probe));
    JavaPairRDD<String, Hits> merged = perShard.reduceByKey((a, b) -> a.merge(b, want));

    Dataset<Row> out;
    if (!o.self()) {
      StructType schema =
          new StructType()
              .add("query_id", DataTypes.StringType, false)
              .add("ids", DataTypes.createArrayType(DataTypes.StringType, false), false)
              .add("scores", DataTypes.createArrayType(DataTypes.FloatType, false), false);
      JavaRDD<Row> rows =
          merged.map(
              t -> {
                Float[] sc = new Float[t._2().scores.length];
                for (int i = 0; i < sc.length; i++) {
                  sc[i] = t._2().scores[i];
                }
                return RowFactory.create(t._1(), t._2().ids, sc);
              });
      out = spark.createDataFrame(rows, schema);
    } else {
      float min = o.minScore();
      StructType schema =
          new StructType()
              .add("id", DataTypes.StringType, false)
              .add("duplicate_id", DataTypes.StringType, false)
              .add("score", DataTypes.FloatType, false);
      JavaRDD<Row> pairs =
          merged
              .flatMap(
                  t -> {
                    List<Row> r = new ArrayList<>();
                    Hits h = t._2();
                    for (int i = 0; i < h.ids.length; i++) {
                      String other = h.ids[i];
                      if (!other.equals(t._1()) && h.scores[i] >= min) {
                        boolean first = t._1().compareTo(other) < 0;
                        r.add(
                            RowFactory.create(
                                first ? t._1() : other, first ? other : t._1(), h.scores[i]));
                      }
                    }
                    return r.iterator();
                  })
              .distinct();
      out = spark.createDataFrame(pairs, schema).orderBy(col("id"), col("duplicate_id"));
    }
    out.write().mode(SaveMode.Overwrite).parquet(files.qualified(o.output()));
    queries.unpersist(false);
    return new Result(count, spark.read().parquet(files.qualified(o.output())).count());
  }

  /** The queries as (id, vector): read, or embedded on the executors from a text column. */
  static JavaRDD<Query> readQueries(SparkSession spark, Options o, ShardManifest manifest) {
    Dataset<Row> df = spark.read().parquet(o.queries());
    List<String> have = Arrays.asList(df.columns());
    String valueColumn = o.vectorColumn() != null ? o.vectorColumn() : o.textColumn();
    for (String c : List.of(o.idColumn(), valueColumn)) {
      if (!have.contains(c)) {
        throw new IllegalArgumentException(
            "column '"
                + c
                + "' is not in "
                + o.queries()
                + "; its columns: "
                + String.join(", ", have));
      }
    }
    if (o.vectorColumn() != null) {
      return df.select(
              col("`" + o.idColumn() + "`").cast(DataTypes.StringType),
              col("`" + o.vectorColumn() + "`")
                  .cast(DataTypes.createArrayType(DataTypes.FloatType)))
          .javaRDD()
          .map(r -> new Query(r.getString(0), vector(r.getList(1))));
    }
    if (manifest.encoder() == null) {
      throw new IllegalArgumentException(
          "text: the index has no encoder to embed query text with; give query vectors");
    }
    ExecutorEncoders.Spec spec =
        new ExecutorEncoders.Spec(manifest.encoder(), null, null, "truncate", 32);
    spec.options();
    return df.select(
            col("`" + o.idColumn() + "`").cast(DataTypes.StringType),
            col("`" + o.textColumn() + "`").cast(DataTypes.StringType))
        .javaRDD()
        .mapPartitions(
            it -> {
              TextEncoder enc = ExecutorEncoders.get(spec);
              return batched(
                  it,
                  EmbedJob.CHUNK,
                  rows -> {
                    List<String> texts = new ArrayList<>(rows.size());
                    rows.forEach(r -> texts.add(r.getString(1)));
                    List<float[]> vs = enc.embedQueries(texts);
                    List<Query> out = new ArrayList<>(rows.size());
                    for (int i = 0; i < vs.size(); i++) {
                      out.add(new Query(rows.get(i).getString(0), vs.get(i)));
                    }
                    return out;
                  });
            });
  }

  /**
   * {@code in} in batches of {@code size} through {@code f}, lazily: a partition is never held
   * whole in memory.
   */
  static <I, O> Iterator<O> batched(
      Iterator<I> in, int size, java.util.function.Function<List<I>, List<O>> f) {
    return new Iterator<>() {
      Iterator<O> current = java.util.Collections.emptyIterator();

      @Override
      public boolean hasNext() {
        while (!current.hasNext() && in.hasNext()) {
          List<I> batch = new ArrayList<>(size);
          while (batch.size() < size && in.hasNext()) {
            batch.add(in.next());
          }
          current = f.apply(batch).iterator();
        }
        return current.hasNext();
      }

      @Override
      public O next() {
        if (!hasNext()) {
          throw new java.util.NoSuchElementException();
        }
        return current.next();
      }
    };
  }

  /** Shard {@code s}, open until the task ends (however it ends). */
  static ExecutorShards.Shard acquireForTask(
      HadoopFiles files, String index, ShardManifest manifest, int s) {
    ExecutorShards.Shard shard = ExecutorShards.acquire(files, index, manifest, s);
    org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
    if (task == null) {
      throw new IllegalStateException("shards are opened inside Spark tasks only");
    }
    task.addTaskCompletionListener(
        (org.apache.spark.util.TaskCompletionListener) t -> ExecutorShards.release(shard));
    return shard;
  }

  /** Every point of the index, read from its shards (one task per shard). */
  static JavaRDD<Query> indexPoints(
      JavaSparkContext jsc, HadoopFiles files, String index, ShardManifest manifest) {
    List<Integer> ids = new ArrayList<>();
    for (int s = 0; s < manifest.shards().size(); s++) {
      ids.add(s);
    }
    return jsc.parallelize(ids, ids.size())
        .flatMap(
            s -> {
              Iterator<Point> ps = acquireForTask(files, index, manifest, s).points();
              return new Iterator<Query>() {
                @Override
                public boolean hasNext() {
                  return ps.hasNext();
                }

                @Override
                public Query next() {
                  Point p = ps.next();
                  return new Query(p.id(), p.vector());
                }
              };
            });
  }

  static float[] vector(List<Float> l) {
    float[] v = new float[l.size()];
    for (int i = 0; i < v.length; i++) {
      Float x = l.get(i);
      v[i] = x == null ? Float.NaN : x;
    }
    return v;
  }

  /** Queries per exact batch: one pass over the shard's vectors scores this many at once. */
  static final int BATCH = 64;

  /**
   * One task: a partition of queries against one shard (every pair in the partition names the same
   * shard); each query's top {@code k} there.
   */
  static Iterator<Tuple2<String, Hits>> searchPartition(
      HadoopFiles files,
      String index,
      ShardManifest manifest,
      Iterator<Tuple2<Integer, Query>> pairs,
      int k,
      boolean exact,
      int ef,
      int probe) {
    if (!pairs.hasNext()) {
      return java.util.Collections.emptyIterator();
    }
    Tuple2<Integer, Query> first = pairs.next();
    int s = first._1();
    boolean probing = probe < manifest.shards().size();
    ExecutorShards.Shard shard = acquireForTask(files, index, manifest, s);
    Iterator<Tuple2<Integer, Query>> all =
        new Iterator<>() {
          Tuple2<Integer, Query> head = first;

          @Override
          public boolean hasNext() {
            return head != null || pairs.hasNext();
          }

          @Override
          public Tuple2<Integer, Query> next() {
            Tuple2<Integer, Query> p = head != null ? head : pairs.next();
            head = null;
            if (p._1() != s) {
              throw new IllegalStateException("a task of shard " + s + " got a query of " + p._1());
            }
            return p;
          }
        };
    return batched(
        all,
        BATCH,
        batch -> {
          List<Query> queries = new ArrayList<>(batch.size());
          for (Tuple2<Integer, Query> p : batch) {
            if (!probing || probes(manifest, p._2().vector(), probe, s)) {
              queries.add(p._2());
            }
          }
          List<Tuple2<String, Hits>> out = new ArrayList<>(queries.size());
          search(shard, queries, k, exact, ef, out);
          return out;
        });
  }

  static boolean probes(ShardManifest m, float[] v, int probe, int shard) {
    for (int c : ShardManifest.nearest(m.partitioner().centroids(), m.metric(), v, probe)) {
      if (c == shard) {
        return true;
      }
    }
    return false;
  }

  private static void search(
      ExecutorShards.Shard shard,
      List<Query> batch,
      int k,
      boolean exact,
      int ef,
      List<Tuple2<String, Hits>> out) {
    if (batch.isEmpty()) {
      return;
    }
    if (exact) {
      var index = shard.exact();
      if (index.size() == 0) {
        for (Query q : batch) {
          out.add(new Tuple2<>(q.id(), new Hits(new String[0], new float[0])));
        }
        return;
      }
      float[][] qs = new float[batch.size()][];
      for (int i = 0; i < qs.length; i++) {
        qs[i] = batch.get(i).vector();
      }
      List<List<SearchResult>> res = index.search(qs, k);
      for (int i = 0; i < qs.length; i++) {
        List<SearchResult> r = res.get(i);
        String[] ids = new String[r.size()];
        float[] scores = new float[r.size()];
        for (int j = 0; j < ids.length; j++) {
          ids[j] = shard.id(r.get(j).ordinal());
          scores[j] = r.get(j).score();
        }
        out.add(new Tuple2<>(batch.get(i).id(), sorted(ids, scores)));
      }
      return;
    }
    for (Query q : batch) {
      List<ScoredPoint> hits =
          shard.collection.search(
              SearchRequest.vector(q.vector(), k).withEf(ef).withPayload(false, null));
      String[] ids = new String[hits.size()];
      float[] scores = new float[hits.size()];
      for (int j = 0; j < ids.length; j++) {
        ids[j] = hits.get(j).id();
        scores[j] = hits.get(j).score();
      }
      out.add(new Tuple2<>(q.id(), sorted(ids, scores)));
    }
  }

  /** The list in merge order (score descending, ties by id), which {@link Hits#merge} needs. */
  static Hits sorted(String[] ids, float[] scores) {
    Integer[] order = new Integer[ids.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(
        order,
        (a, b) ->
            scores[a] != scores[b]
                ? Float.compare(scores[b], scores[a])
                : ids[a].compareTo(ids[b]));
    String[] si = new String[ids.length];
    float[] ss = new float[ids.length];
    for (int i = 0; i < order.length; i++) {
      si[i] = ids[order[i]];
      ss[i] = scores[order[i]];
    }
    return new Hits(si, ss);
  }
}
