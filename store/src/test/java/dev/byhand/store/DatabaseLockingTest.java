package dev.byhand.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.byhand.vector.Metric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Defect 9 of issue 14: create, restore and drop do their file work outside the database's lock, so
 * a slow one holds up nothing but its own name. A {@link Gate} stops the operation in the middle of
 * its file work (at one of {@link Storage}'s steps) until the test lets it go; nothing here
 * measures time. The timeouts on {@code Future.get} only turn a lookup that would block forever
 * (the defect) into a failure instead of a hung build.
 */
class DatabaseLockingTest {

  /** Far longer than any lookup takes, even on a loaded machine: only a blocked one reaches it. */
  private static final long HANG = 30;

  @TempDir Path dir;

  private ExecutorService pool;
  private Gate gate;

  /** Holds the first thread whose Storage step matches until {@link #release}. */
  static final class Gate implements Storage.Observer {
    private final BiPredicate<String, Path> at;
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    Gate(BiPredicate<String, Path> at) {
      this.at = at;
    }

    @Override
    public void saw(String op, Path path, Path to) {
      if (entered.getCount() > 0 && at.test(op, path)) {
        entered.countDown();
        try {
          released.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    void awaitEntered() throws InterruptedException {
      assertThat(entered.await(HANG, TimeUnit.SECONDS))
          .as("the operation reached its file work")
          .isTrue();
    }

    void release() {
      released.countDown();
    }
  }

  private static BiPredicate<String, Path> under(String folderName) {
    return (op, path) -> path.toString().contains(folderName);
  }

  @BeforeEach
  void start() {
    pool = Executors.newFixedThreadPool(3);
  }

  @AfterEach
  void stop() {
    if (gate != null) {
      gate.release();
    }
    Storage.observer = null;
    pool.shutdownNow();
  }

  private void hold(BiPredicate<String, Path> at) {
    gate = new Gate(at);
    Storage.observer = gate;
  }

  /** Lookups of other names, on another thread: they must finish while the gate is shut. */
  private void lookupsOfOthersGoOn(Database db, String... open) throws Exception {
    Future<List<String>> lookups =
        pool.submit(
            () -> {
              db.collection("a").count(null);
              db.find("a");
              db.find("nothing");
              db.failed();
              return db.list();
            });
    assertThat(lookups.get(HANG, TimeUnit.SECONDS)).containsExactly(open);
  }

  private static Collection withOnePoint(Database db, String name) {
    Collection c = db.create(CollectionConfig.of(name, 2, Metric.DOT));
    c.upsert(List.of(Point.of("p", new float[] {1, 0}, null)));
    return c;
  }

  @Test
  void aSlowRestoreHoldsUpNoLookupAndRefusesItsNameToOthers() throws Exception {
    try (Database db = Database.open(dir)) {
      withOnePoint(db, "a");
      String snap = Snapshots.create(db, "a");
      hold(under(".restore-r"));
      Future<Collection> restore = pool.submit(() -> Snapshots.restore(db, "a", snap, "r"));
      gate.awaitEntered();
      try {

        lookupsOfOthersGoOn(db, "a");
        assertThatThrownBy(() -> db.collection("r")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> db.create(CollectionConfig.of("r", 2, Metric.DOT)))
            .isInstanceOf(ConflictException.class)
            .hasMessageContaining("being restored");
        assertThatThrownBy(() -> Snapshots.restore(db, "a", snap, "r"))
            .isInstanceOf(ConflictException.class);
        assertThatThrownBy(() -> db.drop("r")).isInstanceOf(ConflictException.class);

      } finally {
        gate.release(); // also when a check fails: close() must not wait on the gate
      }
      assertThat(restore.get(HANG, TimeUnit.SECONDS).count(null)).isEqualTo(1);
      assertThat(db.list()).containsExactly("a", "r");
    }
  }

  @Test
  void aSlowDropHoldsUpNoLookupAndItsNameIsGoneAtOnce() throws Exception {
    try (Database db = Database.open(dir)) {
      withOnePoint(db, "a");
      withOnePoint(db, "d");
      Path folder = dir.resolve("collections/d");
      hold((op, path) -> op.equals(Storage.RENAME) && path.endsWith(folder.getFileName()));
      Future<?> drop = pool.submit(() -> db.drop("d"));
      gate.awaitEntered();
      try {

        lookupsOfOthersGoOn(db, "a");
        assertThatThrownBy(() -> db.collection("d")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> db.drop("d")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> db.create(CollectionConfig.of("d", 2, Metric.DOT)))
            .isInstanceOf(ConflictException.class)
            .hasMessageContaining("being dropped");

      } finally {
        gate.release(); // also when a check fails: close() must not wait on the gate
      }
      drop.get(HANG, TimeUnit.SECONDS);
      assertThat(folder).doesNotExist();
      assertThat(db.list()).containsExactly("a");
      db.create(CollectionConfig.of("d", 3, Metric.DOT));
    }
  }

  @Test
  void twoCreatesOfOneNameOneWinsTheOtherIsRefused() throws Exception {
    try (Database db = Database.open(dir)) {
      withOnePoint(db, "a");
      hold(under(".create-n"));
      Future<Collection> first =
          pool.submit(() -> db.create(CollectionConfig.of("n", 2, Metric.DOT)));
      gate.awaitEntered();
      try {

        lookupsOfOthersGoOn(db, "a");
        assertThatThrownBy(() -> db.create(CollectionConfig.of("n", 5, Metric.L2)))
            .isInstanceOf(ConflictException.class)
            .hasMessageContaining("being created");
        assertThatThrownBy(() -> db.collection("n")).isInstanceOf(NotFoundException.class);

      } finally {
        gate.release(); // also when a check fails: close() must not wait on the gate
      }
      assertThat(first.get(HANG, TimeUnit.SECONDS).config().dimension()).isEqualTo(2);
      assertThat(db.collection("n").config().dimension()).isEqualTo(2);
      assertThatThrownBy(() -> db.create(CollectionConfig.of("n", 5, Metric.L2)))
          .isInstanceOf(ConflictException.class)
          .hasMessageContaining("already exists");
    }
  }

  @Test
  void closeWaitsForARestoreUnderWayAndKeepsWhatItRestored() throws Exception {
    Database db = Database.open(dir);
    withOnePoint(db, "a");
    String snap = Snapshots.create(db, "a");
    hold(under(".restore-r"));
    Future<Collection> restore = pool.submit(() -> Snapshots.restore(db, "a", snap, "r"));
    gate.awaitEntered();
    Thread closer = new Thread(db::close, "closer");
    closer.start();
    try {
      // The closer parks in Object.wait until the restore finishes (a state, not a time).
      Thread.State state;
      while ((state = closer.getState()) != Thread.State.WAITING
          && state != Thread.State.BLOCKED
          && state != Thread.State.TERMINATED) {
        Thread.sleep(1);
      }
      assertThat(state)
          .as("close neither returned during the restore nor blocked on the database's lock")
          .isEqualTo(Thread.State.WAITING);
      assertThatThrownBy(db::list)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
    } finally {
      gate.release();
    }
    restore.get(HANG, TimeUnit.SECONDS);
    closer.join(TimeUnit.SECONDS.toMillis(HANG));
    assertThat(closer.isAlive()).isFalse();
    try (Database again = Database.open(dir)) {
      assertThat(again.list()).containsExactly("a", "r");
      assertThat(again.collection("r").count(null)).isEqualTo(1);
    }
    assertThat(Files.exists(dir.resolve("collections/.restore-r"))).isFalse();
  }
}
