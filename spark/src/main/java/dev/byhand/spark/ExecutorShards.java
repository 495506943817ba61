package dev.byhand.spark;

import dev.byhand.store.Collection;
import dev.byhand.store.Database;
import dev.byhand.store.Page;
import dev.byhand.store.Point;
import dev.byhand.store.ShardManifest;
import dev.byhand.vector.ExactIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;

/**
 * The shards an executor JVM has open: each copied once from the index folder (any Hadoop file
 * system) into the executor's local folder, checked against the manifest's CRC32C, opened as an
 * ordinary {@link Database}, and shared by every task of the JVM that searches it. At most {@code
 * spark.byhand.cachedShards} (default 4) stay open; the least recently used shard that no task is
 * using is closed and deleted to make room.
 */
final class ExecutorShards {

  /** One open shard. */
  static final class Shard {
    final String key;
    final java.nio.file.Path folder;
    final Database db;
    final Collection collection;
    private int users;
    private ExactIndex exact;
    private String[] ids;

    Shard(String key, java.nio.file.Path folder, Database db, Collection collection) {
      this.key = key;
      this.folder = folder;
      this.db = db;
      this.collection = collection;
    }

    /** An exact index over the shard's vectors (built on first use) and its ids by ordinal. */
    synchronized ExactIndex exact() {
      if (exact == null) {
        ExactIndex x =
            new ExactIndex(collection.config().dimension(), collection.config().metric());
        x.setThreads(1); // one core per task
        List<String> names = new ArrayList<>();
        String cursor = null;
        do {
          Page p = collection.scroll(null, cursor, 10_000, true);
          for (Point pt : p.points()) {
            x.add(pt.vector());
            names.add(pt.id());
          }
          cursor = p.nextCursor();
        } while (cursor != null);
        ids = names.toArray(String[]::new);
        exact = x;
      }
      return exact;
    }

    /** The id of ordinal {@code ord} of {@link #exact()}. */
    synchronized String id(int ord) {
      return ids[ord];
    }

    /** Every point of the shard with its vector, in id order. */
    Iterator<Point> points() {
      return new Iterator<>() {
        Iterator<Point> page = List.<Point>of().iterator();
        String cursor = null;
        boolean started;

        @Override
        public boolean hasNext() {
          while (!page.hasNext() && (!started || cursor != null)) {
            Page p = collection.scroll(null, cursor, 10_000, true);
            started = true;
            cursor = p.nextCursor();
            page = p.points().iterator();
          }
          return page.hasNext();
        }

        @Override
        public Point next() {
          if (!hasNext()) {
            throw new java.util.NoSuchElementException();
          }
          return page.next();
        }
      };
    }
  }

  private static final Map<String, Shard> OPEN = new LinkedHashMap<>(16, 0.75f, true);

  private ExecutorShards() {}

  private static int capacity() {
    SparkEnv env = SparkEnv.get();
    return env == null ? 4 : env.conf().getInt("spark.byhand.cachedShards", 4);
  }

  /**
   * Shard {@code s} of the index in {@code indexFolder}, opened for the caller until {@link
   * #release}.
   */
  static synchronized Shard acquire(
      HadoopFiles files, String indexFolder, ShardManifest manifest, int s) {
    ShardManifest.Shard entry = manifest.shards().get(s);
    String key = indexFolder + "#" + entry.path() + "#" + entry.checksum();
    Shard open = OPEN.get(key);
    if (open == null) {
      evict(capacity() - 1);
      open = load(files, indexFolder, manifest, entry, key);
      OPEN.put(key, open);
    }
    open.users++;
    return open;
  }

  static synchronized void release(Shard shard) {
    shard.users--;
    evict(capacity());
  }

  /** Closes unused shards, oldest use first, until at most {@code keep} are open. */
  private static void evict(int keep) {
    for (Iterator<Shard> it = OPEN.values().iterator(); it.hasNext() && OPEN.size() > keep; ) {
      Shard old = it.next();
      if (old.users == 0) {
        it.remove();
        old.db.close();
        deleteQuietly(old.folder);
      }
    }
  }

  private static Shard load(
      HadoopFiles files,
      String indexFolder,
      ShardManifest manifest,
      ShardManifest.Shard entry,
      String key) {
    java.nio.file.Path local =
        java.nio.file.Path.of(SparkFiles.getRootDirectory())
            .resolve("byhand-shards")
            .resolve(Integer.toHexString(key.hashCode()) + "-" + entry.path());
    deleteQuietly(local);
    Path src = new Path(indexFolder, entry.path());
    try {
      Files.createDirectories(local.getParent());
      copyToLocal(files.fs(src), src, local);
      ShardManifest.verify(local, entry);
      Database db = Database.open(local);
      return new Shard(key, local, db, db.collection(manifest.name()));
    } catch (IOException e) {
      deleteQuietly(local);
      throw new UncheckedIOException("cannot copy shard " + src + " here: " + e, e);
    }
  }

  /**
   * Copies a shard folder to a local one: straight through java.nio on a local file system (no
   * checksum side files), through Hadoop otherwise.
   */
  static void copyToLocal(FileSystem fs, Path src, java.nio.file.Path dst) throws IOException {
    if ("file".equals(fs.getUri().getScheme())) {
      java.nio.file.Path from = java.nio.file.Path.of(src.toUri());
      try (Stream<java.nio.file.Path> all = Files.walk(from)) {
        for (java.nio.file.Path p : (Iterable<java.nio.file.Path>) all::iterator) {
          String name = p.getFileName().toString();
          if (name.endsWith(".crc") && name.startsWith(".")) {
            continue;
          }
          java.nio.file.Path to = dst.resolve(from.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(to);
          } else {
            Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
    } else {
      fs.copyToLocalFile(false, src, new Path(dst.toUri()), true);
    }
  }

  /**
   * Copies a local folder to {@code dst} (which must not exist), the way {@link #copyToLocal} does
   * in the other direction.
   */
  static void copyFromLocal(java.nio.file.Path src, FileSystem fs, Path dst) throws IOException {
    if ("file".equals(fs.getUri().getScheme())) {
      java.nio.file.Path to = java.nio.file.Path.of(fs.makeQualified(dst).toUri());
      try (Stream<java.nio.file.Path> all = Files.walk(src)) {
        for (java.nio.file.Path p : (Iterable<java.nio.file.Path>) all::iterator) {
          java.nio.file.Path t = to.resolve(src.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(t);
          } else {
            Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      deleteQuietly(src);
    } else {
      fs.copyFromLocalFile(true, true, new Path(src.toUri()), dst);
    }
  }

  static void deleteQuietly(java.nio.file.Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<java.nio.file.Path> all = Files.walk(p)) {
      for (java.nio.file.Path x : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(x);
      }
    } catch (IOException ignored) {
      // Spark deletes its local folders when the application ends.
    }
  }
}
