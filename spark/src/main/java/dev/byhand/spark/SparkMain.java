package dev.byhand.spark;

import dev.byhand.store.InvalidRequestException;
import dev.byhand.store.NotFoundException;
import dev.byhand.store.ShardManifest;
import java.io.FileNotFoundException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The jobs' command line: {@code embed}, {@code index}, {@code knn-join} and {@code dedup}. Under
 * {@code spark-submit} it runs on the cluster spark-submit names; started any other way (as {@code
 * spark/run} does) it runs in local mode on every core, bound to 127.0.0.1.
 *
 * <p>Exit codes as byhand's: 0 done, 1 bad usage, 2 something named does not exist, 3 the job
 * failed.
 */
@Command(
    name = "byhand-spark",
    mixinStandardHelpOptions = true,
    description = "byhand on Apache Spark: embed a corpus, build sharded collections, k-NN join.",
    subcommands = {
      SparkMain.Embed.class,
      SparkMain.Index.class,
      SparkMain.KnnJoin.class,
      SparkMain.Dedup.class,
      CommandLine.HelpCommand.class
    })
public final class SparkMain implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line and returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new SparkMain());
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler(
        (e, a) -> {
          err.println("byhand-spark: " + e.getMessage());
          return 1;
        });
    cli.setExecutionExceptionHandler(
        (e, c, p) -> {
          err.println("byhand-spark: " + message(e));
          return e instanceof IllegalArgumentException || e instanceof InvalidRequestException
              ? 1
              : e instanceof NotFoundException
                      || e instanceof FileNotFoundException
                      || e.getClass().getSimpleName().equals("AnalysisException")
                  ? 2
                  : 3;
        });
    return cli.execute(args);
  }

  private static String message(Throwable e) {
    String m = e.getMessage();
    return m == null ? e.toString() : m.lines().findFirst().orElse(e.toString());
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options every job has. */
  abstract static class Job implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--master",
        description =
            "Spark master outside spark-submit (default: local[*]); spark-submit's --master wins.")
    String master;

    abstract int run(SparkSession spark);

    @Override
    public Integer call() {
      SparkSession spark = session(master, spec.name());
      try {
        return run(spark);
      } finally {
        spark.stop();
      }
    }

    PrintWriter out() {
      return spec.commandLine().getOut();
    }
  }

  /**
   * The session: spark-submit's when there is one (its conf sets spark.master), else local mode on
   * 127.0.0.1 without the web UI.
   */
  static SparkSession session(String master, String job) {
    SparkConf conf = new SparkConf();
    SparkSession.Builder b = SparkSession.builder().appName("byhand " + job);
    if (!conf.contains("spark.master")) {
      b.master(master == null ? "local[*]" : master)
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .config("spark.ui.enabled", "false");
    }
    SparkSession s = b.getOrCreate();
    s.sparkContext().setLogLevel("WARN");
    return s;
  }

  @Command(
      name = "embed",
      mixinStandardHelpOptions = true,
      description =
          "Embed a corpus: text lines, JSON Lines, CSV or Parquet -> Parquet (id, vector, payload)."
              + " Resumable: run it again to finish the partitions not yet written.")
  static final class Embed extends Job {
    @Option(names = "--input", required = true, description = "File or folder (any Hadoop FS).")
    String input;

    @Option(
        names = "--format",
        defaultValue = "text",
        description = "text (one text a line; id = line number), jsonl, csv or parquet.")
    String format;

    @Option(names = "--id-column", defaultValue = "id")
    String idColumn;

    @Option(names = "--text-column", defaultValue = "text")
    String textColumn;

    @Option(
        names = "--payload-columns",
        split = ",",
        description = "Columns kept as the payload (default: all but the id; '' for none).")
    List<String> payloadColumns;

    @Option(
        names = "--encoder",
        defaultValue = "minilm",
        description = "minilm, minilm-q, bge-small, e5-small or seed.")
    String encoder;

    @Option(names = "--pooling", description = "mean or cls (default: the model's own).")
    String pooling;

    @Option(
        names = "--normalize",
        negatable = true,
        description = "L2-normalise (default: on, except for seed).")
    Boolean normalize;

    @Option(names = "--long-text", defaultValue = "truncate", description = "truncate or windows.")
    String longText;

    @Option(names = "--batch", defaultValue = "32", description = "Texts per model call.")
    int batch;

    @Option(
        names = "--partitions",
        defaultValue = "0",
        description = "Output parts (default: the input's, at least 2 per core).")
    int partitions;

    @Option(names = "--output", required = true)
    String output;

    @Override
    int run(SparkSession spark) {
      List<String> payload =
          payloadColumns == null
              ? null
              : payloadColumns.stream().filter(s -> !s.isBlank()).toList();
      EmbedJob.Result r =
          EmbedJob.run(
              spark,
              new EmbedJob.Options(
                  input,
                  format,
                  idColumn,
                  textColumn,
                  payload,
                  new ExecutorEncoders.Spec(encoder, pooling, normalize, longText, batch),
                  partitions,
                  output));
      out()
          .printf(
              Locale.ROOT,
              "byhand embed: %d partitions, %d embedded now (%,d texts), %d already done%s -> %s%n",
              r.partitions(),
              r.embedded(),
              r.texts(),
              r.skipped(),
              r.dropped() > 0 ? ", " + r.dropped() + " rows without id or text left out" : "",
              output);
      return 0;
    }
  }

  @Command(
      name = "index",
      mixinStandardHelpOptions = true,
      description =
          "Build S shards (each one byhand collection) and manifest.json from vectors."
              + " Resumable: run it again to build the shards not yet done.")
  static final class Index extends Job {
    @Option(names = "--input", required = true, description = "Parquet of (id, vector, payload).")
    String input;

    @Option(names = "--output", required = true)
    String output;

    @Option(names = "--shards", defaultValue = "4")
    int shards;

    @Option(names = "--partitioner", defaultValue = "hash", description = "hash or kmeans.")
    String partitioner;

    @Option(names = "--name", defaultValue = "docs", description = "Collection name.")
    String name;

    @Option(
        names = "--metric",
        description = "cosine, dot or l2 (default: the encoder's, or cosine).")
    String metric;

    @Option(
        names = "--encoder",
        description = "Encoder of the vectors (default: the embed run's), or none.")
    String encoder;

    @Option(names = "--m", defaultValue = "16")
    int m;

    @Option(names = "--ef-construction", defaultValue = "100")
    int efConstruction;

    @Option(
        names = "--payload-index",
        paramLabel = "KEY:TYPE",
        description = "A payload index in every shard (keyword, integer, float, bool); repeatable.")
    List<String> payloadIndexes = List.of();

    @Option(names = "--id-column", defaultValue = "id")
    String idColumn;

    @Option(names = "--vector-column", defaultValue = "vector")
    String vectorColumn;

    @Option(names = "--payload-column", defaultValue = "payload")
    String payloadColumn;

    @Option(names = "--kmeans-iterations", defaultValue = "20")
    int iterations;

    @Option(names = "--kmeans-sample", defaultValue = "200000")
    int sample;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Override
    int run(SparkSession spark) {
      Map<String, String> indexes = new LinkedHashMap<>();
      for (String p : payloadIndexes) {
        int c = p.lastIndexOf(':');
        if (c <= 0) {
          throw new IllegalArgumentException("payload-index: expected KEY:TYPE, got '" + p + "'");
        }
        indexes.put(p.substring(0, c), p.substring(c + 1));
      }
      ShardManifest mf =
          IndexJob.run(
              spark,
              new IndexJob.Options(
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
                  iterations,
                  sample,
                  seed));
      out()
          .printf(
              Locale.ROOT,
              "byhand index: %,d points in %d shards (%s, %s) -> %s/%s%n",
              mf.points(),
              mf.shards().size(),
              mf.partitioner().kind().name().toLowerCase(Locale.ROOT),
              mf.metric(),
              output,
              ShardManifest.FILE);
      return 0;
    }
  }

  @Command(
      name = "knn-join",
      mixinStandardHelpOptions = true,
      description =
          "The global top k of every query against a sharded index -> Parquet (query_id, ids, scores).")
  static final class KnnJoin extends Job {
    @Option(names = "--index", required = true, description = "The index job's output folder.")
    String index;

    @Option(names = "--queries", required = true, description = "Parquet of queries.")
    String queries;

    @Option(names = "--id-column", defaultValue = "id")
    String idColumn;

    @Option(names = "--vector-column", defaultValue = "vector")
    String vectorColumn;

    @Option(
        names = "--text-column",
        description = "Embed this column as queries with the index's encoder instead.")
    String textColumn;

    @Option(names = "--k", defaultValue = "10")
    int k;

    @Option(names = "--mode", defaultValue = "exact", description = "exact or hnsw.")
    String mode;

    @Option(
        names = "--ef",
        defaultValue = "0",
        description = "HNSW beam width (default: max(k, 64)).")
    int ef;

    @Option(
        names = "--probe",
        defaultValue = "0",
        description = "k-means shards: search the N nearest (default: all).")
    int probe;

    @Option(
        names = "--partitions",
        defaultValue = "0",
        description = "Query partitions (default: Spark's parallelism).")
    int partitions;

    @Option(names = "--output", required = true)
    String output;

    @Override
    int run(SparkSession spark) {
      KnnJoinJob.Result r =
          KnnJoinJob.run(
              spark,
              new KnnJoinJob.Options(
                  index,
                  queries,
                  idColumn,
                  textColumn == null ? vectorColumn : null,
                  textColumn,
                  k,
                  mode,
                  ef,
                  probe,
                  partitions,
                  output,
                  false,
                  0f));
      out()
          .printf(
              Locale.ROOT,
              "byhand knn-join: %,d queries, top %d each -> %s%n",
              r.queries(),
              k,
              output);
      return 0;
    }
  }

  @Command(
      name = "dedup",
      mixinStandardHelpOptions = true,
      description =
          "k-NN self-join of a sharded index: pairs of near duplicates -> Parquet (id, duplicate_id, score).")
  static final class Dedup extends Job {
    @Option(names = "--index", required = true, description = "The index job's output folder.")
    String index;

    @Option(names = "--k", defaultValue = "10", description = "Neighbours looked at per point.")
    int k;

    @Option(
        names = "--min-score",
        defaultValue = "0.95",
        description = "Least score of a pair kept.")
    float minScore;

    @Option(names = "--mode", defaultValue = "exact", description = "exact or hnsw.")
    String mode;

    @Option(names = "--output", required = true)
    String output;

    @Override
    int run(SparkSession spark) {
      KnnJoinJob.Result r =
          KnnJoinJob.run(
              spark, KnnJoinJob.Options.dedup(index, k, minScore, output).withMode(mode, 0));
      out()
          .printf(
              Locale.ROOT,
              "byhand dedup: %,d points, %,d pairs scoring at least %s -> %s%n",
              r.queries(),
              r.rows(),
              minScore,
              output);
      return 0;
    }
  }
}
