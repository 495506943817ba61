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
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * An embedded byhand database: a folder of collections. Thread-safe; one process at a time (a lock
 * file guards the folder). Close it to fold every log into its segment and release the folder.
 *
 * <p>A collection that fails to open is quarantined, not fatal: the database opens and serves the
 * others, {@link #failed()} lists it with the reason, every use of it throws {@link
 * CollectionFailedException}, and an admin can {@link #drop} it or {@link #restore} a snapshot
 * under its name.
 *
 * <p>The database's own lock guards only its table of names. Create, restore and drop reserve the
 * name under it, do their file work outside it and publish the result under it again, so a long
 * restore never holds up a lookup of another collection; a second create, restore or drop of a
 * reserved name is refused at once ({@link ConflictException}).
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

  private static final System.Logger LOG = System.getLogger(Database.class.getName());

  /** How a collection folder is opened: {@link Collection#open}; a test puts a failing one here. */
  interface Opener {
    Collection open(Path dir) throws IOException;
  }

  static volatile Opener opener = Collection::open;

  /** What a name in the table stands for. */
  private sealed interface Slot permits Live, Quarantined, Busy {}

  /** An open collection. */
  private record Live(Collection collection) implements Slot {}

  /** A collection that failed to open. */
  private record Quarantined(FailedCollection failure) implements Slot {}

  /** A name reserved by a create, restore or drop doing its file work; {@code before} or null. */
  private record Busy(Op op, Slot before) implements Slot {}

  private enum Op {
    CREATE("created"),
    RESTORE("restored"),
    DROP("dropped");

    final String participle;

    Op(String participle) {
      this.participle = participle;
    }
  }

  private final Path root;
  private final Path collections;
  private final FileChannel lockChannel;
  private final FileLock lock;
  // All guarded by this; nothing below does file I/O while holding it.
  private final Map<String, Slot> slots = new HashMap<>();
  private final Map<String, ScheduledFuture<?>> syncTasks = new HashMap<>();
  private int busy; // operations between reserve and finish
  private boolean closed;
  private final ScheduledExecutorService syncer;

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
   * A collection that fails to recover is quarantined (see {@link #failed()}); the others open.
   *
   * @throws IllegalStateException if another process has it open
   * @throws UncheckedIOException if the folder itself cannot be created, locked or listed
   */
  public static Database open(Path folder) {
    try {
      Storage.createDirectories(folder.resolve("collections"));
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
      } catch (IOException | RuntimeException e) {
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
    List<Path> dirs = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(collections)) {
      s.forEach(dirs::add);
    }
    dirs.sort(null);
    for (Path dir : dirs) {
      String name = dir.getFileName().toString();
      if (name.startsWith(".")) {
        deleteLeftover(dir); // an unfinished create, restore or drop
        continue;
      }
      if (Files.isDirectory(dir) && CollectionConfig.NAME.matcher(name).matches()) {
        Slot s = openSlot(name, dir);
        synchronized (this) {
          put(name, s);
        }
      }
    }
  }

  /**
   * Opens the collection in {@code dir}, or describes why it cannot be: anything it throws
   * quarantines that one collection. Errors other than running out of memory, a stack overflow or a
   * failed assertion (which a bug in recovery can throw) are left to fail the caller: the JVM is
   * not fit to go on.
   */
  private static Slot openSlot(String name, Path dir) {
    Collection c = null;
    try {
      c = opener.open(dir);
      if (!c.config().name().equals(name)) {
        Path config = dir.resolve("collection.json");
        throw new CorruptedFileException(
            config,
            "names collection '" + c.config().name() + "', but its folder is '" + name + "'");
      }
      return new Live(c);
    } catch (IOException
        | RuntimeException
        | OutOfMemoryError
        | StackOverflowError
        | AssertionError e) {
      if (c != null) {
        try {
          c.close();
        } catch (RuntimeException ignored) {
          // it is quarantined either way
        }
      }
      FailedCollection f = FailedCollection.of(name, dir, e);
      LOG.log(
          System.Logger.Level.WARNING,
          "collection '" + name + "' is quarantined: " + f.reason(),
          f.kind() == FailedCollection.Kind.DAMAGED_FILE ? null : e);
      return new Quarantined(f);
    }
  }

  private static void deleteLeftover(Path dir) {
    try {
      Storage.deleteRecursively(dir);
    } catch (IOException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "cannot delete " + dir + " (left by an unfinished operation): " + e.getMessage());
    }
  }

  /** Sets what {@code name} stands for (null: nothing), starting or stopping its sync timer. */
  private void put(String name, Slot s) {
    assert Thread.holdsLock(this);
    ScheduledFuture<?> task = syncTasks.remove(name);
    if (task != null) {
      task.cancel(false);
    }
    if (s == null) {
      slots.remove(name);
      return;
    }
    slots.put(name, s);
    if (s instanceof Live l && l.collection().config().durability() == Durability.INTERVAL) {
      Collection c = l.collection();
      long ms = c.config().syncIntervalMillis();
      syncTasks.put(name, syncer.scheduleWithFixedDelay(c::syncNow, ms, ms, TimeUnit.MILLISECONDS));
    }
  }

  /**
   * Reserves {@code name} for {@code op} and returns what it stood for (null: nothing). Refuses at
   * once what cannot go ahead: a create or restore over a live collection or a name another
   * operation holds, a drop of nothing.
   */
  private synchronized Slot reserve(String name, Op op) {
    checkOpen();
    Slot s = slots.get(name);
    if (s instanceof Busy b) {
      if (op == Op.DROP && b.op() == Op.DROP) {
        throw notFound(name);
      }
      throw new ConflictException(
          "name",
          "collection '" + name + "' is being " + b.op().participle + " right now; try again");
    }
    if (op == Op.DROP && s == null) {
      throw notFound(name);
    }
    if (op != Op.DROP && s instanceof Live) {
      throw new ConflictException("name", "collection '" + name + "' already exists");
    }
    if (op == Op.CREATE && s instanceof Quarantined q) {
      throw new ConflictException(
          "name",
          "collection '"
              + name
              + "' exists but failed to open ("
              + q.failure().reason()
              + "); drop it or restore a snapshot under its name");
    }
    put(name, new Busy(op, s));
    busy++;
    return s;
  }

  /** Ends an operation begun by {@link #reserve}: {@code name} now stands for {@code s}. */
  private synchronized void finish(String name, Slot s) {
    put(name, s);
    busy--;
    notifyAll();
  }

  /** {@code e} as thrown by the public methods: an I/O error wrapped with {@code what}. */
  private static RuntimeException unchecked(Throwable e, String what) {
    if (e instanceof IOException io) {
      return new UncheckedIOException(what + ": " + io.getMessage(), io);
    }
    if (e instanceof Error err) {
      throw err;
    }
    return (RuntimeException) e;
  }

  private static NotFoundException notFound(String name) {
    return new NotFoundException("collection", "no collection named '" + name + "'");
  }

  /** The failure behind a slot that lookups should report, or null. */
  private static FailedCollection failure(Slot s) {
    if (s instanceof Quarantined q) {
      return q.failure();
    }
    if (s instanceof Busy b && b.op() != Op.DROP && b.before() instanceof Quarantined q) {
      return q.failure(); // a restore over it has not finished yet
    }
    return null;
  }

  /** The folder of this database. */
  public Path folder() {
    return root;
  }

  /**
   * Creates a collection.
   *
   * @throws ConflictException if one of that name exists (quarantined included) or is being
   *     created, restored or dropped
   */
  public Collection create(CollectionConfig config) {
    String name = config.name();
    reserve(name, Op.CREATE);
    Path dir = collections.resolve(name);
    Path tmp = collections.resolve(".create-" + name);
    boolean moved = false;
    try {
      Storage.deleteRecursively(tmp);
      Collection.initialise(tmp, config);
      Storage.move(tmp, dir); // fsyncs collections/: the new folder's name is durable
      moved = true;
      Collection c = Collection.open(dir);
      finish(name, new Live(c));
      return c;
    } catch (IOException | RuntimeException | Error e) {
      // Once in place the folder is there on disk, so the name is too: quarantine it, as the
      // next open would.
      finish(name, moved ? new Quarantined(FailedCollection.of(name, dir, e)) : null);
      if (!moved) {
        deleteLeftover(tmp);
      }
      throw unchecked(e, "cannot create collection '" + name + "'");
    }
  }

  /**
   * The collection of that name.
   *
   * @throws NotFoundException if there is none
   * @throws CollectionFailedException if it failed to open (see {@link #failed()})
   */
  public synchronized Collection collection(String name) {
    checkOpen();
    CollectionConfig.checkName(name);
    Slot s = slots.get(name);
    if (s instanceof Live l) {
      return l.collection();
    }
    FailedCollection f = failure(s);
    if (f != null) {
      throw new CollectionFailedException(f);
    }
    throw notFound(name);
  }

  /**
   * The collection of that name, if it exists.
   *
   * @throws CollectionFailedException if it exists but failed to open
   */
  public synchronized Optional<Collection> find(String name) {
    checkOpen();
    Slot s = slots.get(name);
    if (s instanceof Live l) {
      return Optional.of(l.collection());
    }
    FailedCollection f = failure(s);
    if (f != null) {
      throw new CollectionFailedException(f);
    }
    return Optional.empty();
  }

  /** Names of the collections that are open, sorted; {@link #failed()} lists the others. */
  public synchronized List<String> list() {
    checkOpen();
    List<String> names = new ArrayList<>();
    slots.forEach(
        (n, s) -> {
          if (s instanceof Live) {
            names.add(n);
          }
        });
    names.sort(null);
    return names;
  }

  /** The collections that failed to open and are quarantined, by name. */
  public synchronized List<FailedCollection> failed() {
    checkOpen();
    List<FailedCollection> out = new ArrayList<>();
    slots
        .values()
        .forEach(
            s -> {
              FailedCollection f = failure(s);
              if (f != null) {
                out.add(f);
              }
            });
    out.sort((a, b) -> a.name().compareTo(b.name()));
    return out;
  }

  /** Why the collection of that name is quarantined, if it is. */
  public synchronized Optional<FailedCollection> failure(String name) {
    checkOpen();
    return Optional.ofNullable(failure(slots.get(name)));
  }

  /**
   * Deletes a collection and its files; a quarantined one too.
   *
   * @throws NotFoundException if there is none
   * @throws ConflictException if it is being created or restored right now
   */
  public void drop(String name) {
    CollectionConfig.checkName(name);
    Slot before = reserve(name, Op.DROP);
    Path dir = collections.resolve(name);
    if (before instanceof Live l) {
      Collection c = l.collection();
      dir = c.dir();
      try {
        c.close(); // folds its log into a segment: wasted work here, but it also closes the files
      } catch (RuntimeException e) {
        LOG.log(
            System.Logger.Level.WARNING,
            "closing collection '" + name + "' to drop it: " + e.getMessage());
      }
    } else if (before instanceof Quarantined q) {
      dir = q.failure().folder();
    }
    Path trash = collections.resolve(".drop-" + name + "-" + System.nanoTime());
    try {
      Storage.move(dir, trash); // the drop takes effect here: the next open deletes the trash
    } catch (IOException | RuntimeException e) {
      // Nothing was deleted, but it is closed: quarantined, so that a second drop can finish it.
      finish(name, new Quarantined(FailedCollection.dropFailed(name, dir, e)));
      throw unchecked(e, "cannot delete collection '" + name + "'");
    }
    finish(name, null);
    deleteLeftover(trash);
  }

  /**
   * Restores a snapshot (written by {@link Collection#snapshot}) as the collection named {@code
   * name}: a new one, or in place of a quarantined one of that name. Copied files are fsynced, and
   * the copy opened, before it is put in place, so a damaged snapshot leaves nothing behind (and a
   * quarantined collection it was to replace stays as it was).
   *
   * @throws ConflictException if an open collection of that name exists, or the name is being
   *     created, restored or dropped
   * @throws NotFoundException if the snapshot folder does not exist
   * @throws CorruptedFileException if the snapshot's files are damaged
   */
  public Collection restore(Path snapshot, String name) {
    CollectionConfig.checkName(name);
    Slot before = reserve(name, Op.RESTORE);
    Path tmp = collections.resolve(".restore-" + name);
    Path dir = collections.resolve(name);
    Path trash = null;
    boolean placed = false;
    try {
      if (!Files.isDirectory(snapshot)) {
        throw new NotFoundException("snapshot", "no snapshot folder at " + snapshot);
      }
      CollectionConfig config = Collection.readConfig(snapshot).withName(name);
      Storage.deleteRecursively(tmp);
      Files.createDirectories(tmp); // its name is made durable by the rename's fsync below
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
      // Every copied (and recovered) file, then the folder, before the rename that publishes it.
      Storage.fsyncTree(tmp);
      if (before instanceof Quarantined q) {
        trash = collections.resolve(".drop-" + name + "-" + System.nanoTime());
        Storage.move(q.failure().folder(), trash);
      }
      Storage.move(tmp, dir); // and the parent, after it
      placed = true;
      Collection c = Collection.open(dir);
      finish(name, new Live(c));
      return c;
    } catch (IOException | RuntimeException | Error e) {
      Slot after = before;
      if (placed) {
        after = new Quarantined(FailedCollection.of(name, dir, e));
      } else if (trash != null) {
        try {
          Storage.move(trash, dir); // put the quarantined one back
        } catch (IOException back) {
          e.addSuppressed(back);
          after = null; // it is in the trash: gone at the next open
        }
      }
      finish(name, after);
      throw unchecked(e, "cannot restore " + snapshot);
    } finally {
      deleteLeftover(tmp);
      if (placed && trash != null) {
        deleteLeftover(trash);
      }
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the database at " + root + " is closed; open it again");
    }
  }

  /**
   * Closes every collection (folding logs into segments) and releases the folder. Waits for a
   * create, restore or drop under way to finish first.
   */
  @Override
  public void close() {
    List<Collection> open = new ArrayList<>();
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      boolean interrupted = false;
      while (busy > 0) {
        try {
          wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      syncTasks.values().forEach(t -> t.cancel(false));
      syncTasks.clear();
      slots
          .values()
          .forEach(
              s -> {
                if (s instanceof Live l) {
                  open.add(l.collection());
                }
              });
      slots.clear();
    }
    syncer.shutdown(); // no interrupts: let a running interval fsync finish
    try {
      syncer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    RuntimeException first = null;
    for (Collection c : open) {
      try {
        c.close();
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
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
