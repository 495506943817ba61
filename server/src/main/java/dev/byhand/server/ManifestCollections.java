package dev.byhand.server;

import dev.byhand.store.Database;
import dev.byhand.store.ShardedCollection;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sharded collections a server was started with ({@code byhand db serve --manifest
 * index/manifest.json}), served beside the database's own under each manifest's name. {@link
 * Routes} answers their read routes (search, query, their batches, count, scroll, get, info) as for
 * one collection, through {@link dev.byhand.store.CollectionView}, merged over the shards by {@link
 * ShardedCollection}; their writes answer 409, since a sharded collection is rebuilt offline (the
 * Spark index job), never written in place.
 */
final class ManifestCollections implements AutoCloseable {

  private final Map<String, ShardedCollection> byName;

  private ManifestCollections(Map<String, ShardedCollection> byName) {
    this.byName = Collections.unmodifiableMap(byName);
  }

  /**
   * Opens each manifest's sharded collection (checking every shard file's CRC32C).
   *
   * @throws IllegalArgumentException if two manifests, or a manifest and a collection of the
   *     database, have one name
   */
  static ManifestCollections open(List<Path> manifests, Database db) {
    Map<String, ShardedCollection> byName = new LinkedHashMap<>();
    try {
      for (Path m : manifests) {
        ShardedCollection c = ShardedCollection.open(m);
        String name = c.config().name();
        if (byName.containsKey(name) || db.list().contains(name)) {
          c.close();
          throw new IllegalArgumentException(
              "manifest: "
                  + m
                  + " is collection '"
                  + name
                  + "', a name "
                  + (byName.containsKey(name) ? "another manifest" : "the database " + db.folder())
                  + " already has");
        }
        byName.put(name, c);
      }
    } catch (RuntimeException e) {
      byName.values().forEach(ShardedCollection::close);
      throw e;
    }
    return new ManifestCollections(byName);
  }

  /** The sharded collections by name. */
  Map<String, ShardedCollection> byName() {
    return byName;
  }

  @Override
  public void close() {
    RuntimeException first = null;
    for (ShardedCollection c : byName.values()) {
      try {
        c.close();
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
