package dev.byhand.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the shards of a {@link ShardManifest}: each one an ordinary database folder with one
 * collection, filled through the ordinary write path ({@link Collection#upsert} in batches, then a
 * close that folds the log into a segment) and described by its files' sizes and CRC32C. The Spark
 * {@code index} job calls {@link #build} in each task; {@link #buildAll} does a whole sharded
 * collection in one process (tests, small data).
 */
public final class ShardBuilder {

  /** Points per upsert while building. */
  static final int BATCH = 5_000;

  /** Bytes (roughly: vectors, ids, payloads) per upsert while building: a quarter of the limit. */
  static final long BATCH_BYTES = WriteChecks.MAX_BATCH_BYTES / 4;

  private ShardBuilder() {}

  /** The folder name of shard {@code i}: {@code shard-00000}, … */
  public static String folderName(int shard) {
    return String.format(Locale.ROOT, "shard-%05d", shard);
  }

  /**
   * Builds shard {@code shard} in {@code folder} (which must not hold a database yet) from {@code
   * points} and returns its manifest entry, its path being {@link #folderName}.
   *
   * @param payloadIndexes payload indexes to create before the points go in (key → type)
   */
  public static ShardManifest.Shard build(
      Path folder,
      int shard,
      CollectionConfig config,
      Map<String, PayloadIndexType> payloadIndexes,
      Iterator<Point> points) {
    if (Files.exists(folder.resolve("collections").resolve(config.name()))) {
      throw new ConflictException(
          "folder", folder + " already holds collection '" + config.name() + "'");
    }
    long count;
    try (Database db = Database.open(folder)) {
      Collection c = db.create(config);
      payloadIndexes.forEach(c::createPayloadIndex);
      List<Point> batch = new ArrayList<>();
      long bytes = 0;
      while (points.hasNext()) {
        Point p = points.next();
        batch.add(p);
        bytes += estimate(p, config.dimension());
        if (batch.size() >= BATCH || bytes >= BATCH_BYTES) {
          c.upsert(batch);
          batch = new ArrayList<>();
          bytes = 0;
        }
      }
      if (!batch.isEmpty()) {
        c.upsert(batch);
      }
      count = c.count(null);
    }
    return ShardManifest.describe(folder, shard, folderName(shard), count);
  }

  private static long estimate(Point p, int dimension) {
    long n = 64 + 4L * dimension + 3L * p.id().length();
    if (p.payload() != null) {
      n += 3L * p.payload().toString().length();
    }
    if (p.text() != null) {
      n += 6L * p.text().length();
    }
    return n;
  }

  /**
   * Builds a whole sharded collection in {@code folder} in this process: each point goes to its
   * shard by {@code partitioner}, each shard is built by {@link #build}, then {@code manifest.json}
   * is written (last, atomically: a folder without one is unfinished).
   */
  public static ShardManifest buildAll(
      Path folder,
      CollectionConfig config,
      ShardManifest.Partitioner partitioner,
      int shards,
      Map<String, PayloadIndexType> payloadIndexes,
      List<Point> points) {
    if (shards < 1) {
      throw new InvalidRequestException("shards", "must be at least 1, got " + shards);
    }
    if (partitioner.kind() == ShardManifest.Partitioner.Kind.KMEANS
        && partitioner.centroids().length != shards) {
      throw new InvalidRequestException(
          "partitioner.centroids", "needs one centroid per shard (" + shards + ")");
    }
    List<List<Point>> byShard = new ArrayList<>();
    for (int i = 0; i < shards; i++) {
      byShard.add(new ArrayList<>());
    }
    for (Point p : points) {
      int s =
          partitioner.kind() == ShardManifest.Partitioner.Kind.HASH
              ? ShardManifest.hashShard(p.id(), shards)
              : ShardManifest.nearest(partitioner.centroids(), config.metric(), p.vector(), 1)[0];
      byShard.get(s).add(p);
    }
    List<ShardManifest.Shard> entries = new ArrayList<>();
    for (int i = 0; i < shards; i++) {
      entries.add(
          build(
              folder.resolve(folderName(i)), i, config, payloadIndexes, byShard.get(i).iterator()));
    }
    ShardManifest m = manifest(config, partitioner, entries);
    try {
      Storage.writeAtomically(folder.resolve(ShardManifest.FILE), m.toJson());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the manifest in " + folder + ": " + e, e);
    }
    return m;
  }

  /** The manifest of shards built with {@code config}. */
  public static ShardManifest manifest(
      CollectionConfig config,
      ShardManifest.Partitioner partitioner,
      List<ShardManifest.Shard> shards) {
    return new ShardManifest(
        config.name(),
        config.dimension(),
        config.metric(),
        config.encoder(),
        config.m(),
        config.efConstruction(),
        partitioner,
        shards);
  }
}
