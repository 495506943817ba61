package dev.byhand.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * An embedded byhand database: a folder of collections. Thread-safe; one process at a time (a lock
 * file guards the folder). Close it to fold every log into its segment and release the folder.
 *
 * <pre>{@code
 * try (Database db = Database.open(Path.of("data"))) {
 *   Collection docs = db.create(CollectionConfig.withEncoder("docs", "minilm"));
 *   docs.upsert(List.of(Point.text("1", "the seed walks through it by hand", null)));
 *   List<ScoredPoint> hits = docs.search(SearchRequest.text("by hand", 3));
 * }
 * }</pre>
 */
public final class Database implements AutoCloseable {

  private final Path root;
  private final Path collections;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final Map<String, Collection> open = new HashMap<>();
  private final Map<String, java.util.concurrent.ScheduledFuture<?>> syncTasks = new HashMap<>();
  private final ScheduledExecutorService syncer;
  private boolean closed;

  private Database(Path root, FileChannel lockChannel, FileLock lock) {
    this.root = root;
    this.collections = root.resolve("collections");
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.syncer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "byhand-interval-sync");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Opens (creating if needed) the database in {@code folder} and recovers every collection in it.
   *
   * @throws IllegalStateException if another process has it open
   * @throws CorruptedFileException naming the file if a collection's files are damaged
   */
  public static Database open(Path folder) {
    try {
      Files.createDirectories(folder.resolve("collections"));
      FileChannel ch =
          FileChannel.open(
              folder.resolve("byhand.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        ch.close();
        throw new IllegalStateException(
            "database folder "
                + folder
                + " is open in another process or Database; close that one first");
      }
      Database db = new Database(folder, ch, lock);
      try {
        db.loadAll();
      } catch (RuntimeException e) {
        db.close();
        throw e;
      }
      return db;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot open database folder " + folder + ": " + e.getMessage(), e);
    }
  }

  private void loadAll() throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(collections)) {
      for (Path dir : s) {
        String name = dir.getFileName().toString();
        if (name.startsWith(".")) {
          Storage.deleteRecursively(dir); // an unfinished create, restore or drop
          continue;
        }
        if (Files.isDirectory(dir) && CollectionConfig.NAME.matcher(name).matches()) {
          register(Collection.open(dir));
        }
      }
    }
  }

  private void register(Collection c) {
    open.put(c.config().name(), c);
    if (c.config().durability() == Durability.INTERVAL) {
      long ms = c.config().syncIntervalMillis();
      syncTasks.put(
          c.config().name(),
          syncer.scheduleWithFixedDelay(c::syncNow, ms, ms, TimeUnit.MILLISECONDS));
    }
  }

  /** The folder of this database. */
  public Path folder() {
    return root;
  }

  /**
   * Creates a collection.
   *
   * @throws ConflictException if one of that name exists
   */
  public synchronized Collection create(CollectionConfig config) {
    checkOpen();
    if (open.containsKey(config.name())) {
      throw new ConflictException("name", "collection '" + config.name() + "' already exists");
    }
    Path dir = collections.resolve(config.name());
    Path tmp = collections.resolve(".create-" + config.name());
    try {
      Storage.deleteRecursively(tmp);
      Collection.initialise(tmp, config);
      Storage.move(tmp, dir);
      Collection c = Collection.open(dir);
      register(c);
      return c;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot create collection '" + config.name() + "': " + e.getMessage(), e);
    }
  }

  /**
   * The collection of that name.
   *
   * @throws NotFoundException if there is none
   */
  public synchronized Collection collection(String name) {
    checkOpen();
    CollectionConfig.checkName(name);
    Collection c = open.get(name);
    if (c == null) {
      throw new NotFoundException("collection", "no collection named '" + name + "'");
    }
    return c;
  }

  /** The collection of that name, if it exists. */
  public synchronized Optional<Collection> find(String name) {
    checkOpen();
    return Optional.ofNullable(open.get(name));
  }

  /** Names of all collections, sorted. */
  public synchronized List<String> list() {
    checkOpen();
    List<String> names = new ArrayList<>(open.keySet());
    names.sort(null);
    return names;
  }

  /** Deletes a collection and its files. */
  public synchronized void drop(String name) {
    Collection c = collection(name);
    open.remove(name);
    java.util.concurrent.ScheduledFuture<?> task = syncTasks.remove(name);
    if (task != null) {
      task.cancel(false);
    }
    c.close();
    Path trash = collections.resolve(".drop-" + name + "-" + System.nanoTime());
    try {
      Storage.move(c.dir(), trash);
      Storage.deleteRecursively(trash);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot delete collection '" + name + "': " + e.getMessage(), e);
    }
  }

  /**
   * Restores a snapshot (written by {@link Collection#snapshot}) as a new collection named {@code
   * name}.
   *
   * @throws ConflictException if a collection of that name exists
   * @throws NotFoundException if the snapshot folder does not exist
   * @throws CorruptedFileException if the snapshot's files are damaged
   */
  public synchronized Collection restore(Path snapshot, String name) {
    checkOpen();
    CollectionConfig.checkName(name);
    if (open.containsKey(name)) {
      throw new ConflictException("name", "collection '" + name + "' already exists");
    }
    if (!Files.isDirectory(snapshot)) {
      throw new NotFoundException("snapshot", "no snapshot folder at " + snapshot);
    }
    CollectionConfig config = Collection.readConfig(snapshot).withName(name);
    Path tmp = collections.resolve(".restore-" + name);
    Path dir = collections.resolve(name);
    try {
      Storage.deleteRecursively(tmp);
      Files.createDirectories(tmp);
      try (DirectoryStream<Path> s = Files.newDirectoryStream(snapshot)) {
        for (Path p : s) {
          if (!p.getFileName().toString().equals("collection.json")) {
            Files.copy(p, tmp.resolve(p.getFileName()));
          }
        }
      }
      Collection.initialise(tmp, config);
      // Open it where it is first: a damaged snapshot fails here and leaves nothing behind.
      Collection.open(tmp).close();
      Storage.move(tmp, dir);
      Collection c = Collection.open(dir);
      register(c);
      return c;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot restore " + snapshot + ": " + e.getMessage(), e);
    } finally {
      try {
        Storage.deleteRecursively(tmp);
      } catch (IOException ignored) {
        // The next open removes it.
      }
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the database at " + root + " is closed; open it again");
    }
  }

  /** Closes every collection (folding logs into segments) and releases the folder. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    syncer.shutdown(); // no interrupts: let a running interval fsync finish
    try {
      syncer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    RuntimeException first = null;
    for (Collection c : open.values()) {
      try {
        c.close();
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    open.clear();
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      first = first == null ? new UncheckedIOException(e) : first;
    }
    if (first != null) {
      throw first;
    }
  }
}
