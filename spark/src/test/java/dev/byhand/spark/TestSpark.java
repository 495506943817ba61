package dev.byhand.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The one Spark session of the module's tests: local[2], bound to 127.0.0.1, no web UI, few shuffle
 * partitions; started on first use, stopped when the test JVM ends.
 */
final class TestSpark {

  private static SparkSession session;
  private static Path root;

  private TestSpark() {}

  static synchronized SparkSession get() {
    if (session == null) {
      Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
      session =
          SparkSession.builder()
              .appName("byhand spark tests")
              .master("local[2]")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1")
              .config("spark.ui.enabled", "false")
              .config("spark.ui.showConsoleProgress", "false")
              .config("spark.sql.shuffle.partitions", "4")
              .config("spark.default.parallelism", "4")
              .config("spark.local.dir", tmp.resolve("spark-local").toString())
              .config("spark.sql.warehouse.dir", tmp.resolve("spark-warehouse").toString())
              .getOrCreate();
      session.sparkContext().setLogLevel("WARN");
      Runtime.getRuntime().addShutdownHook(new Thread(session::stop, "stop test spark"));
    }
    return session;
  }

  /** A new empty folder under target/ for one test (kept after the run, for a look). */
  static synchronized Path folder(String name) {
    try {
      if (root == null) {
        root = Path.of(System.getProperty("java.io.tmpdir")).resolve("spark-tests");
        ExecutorShards.deleteQuietly(root);
        Files.createDirectories(root);
      }
      Path p = root.resolve(name);
      ExecutorShards.deleteQuietly(p);
      Files.createDirectories(p);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
