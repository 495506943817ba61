package dev.byhand.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.byhand.vector.Metric;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConcurrencyTest {

  /**
   * Writers upsert from several threads while readers search; every write a reader saw acknowledged
   * before its search started must be found by that search, and after reopening every acknowledged
   * point is there.
   */
  @Test
  void readersSeeEveryAcknowledgedWriteWhileWritersRun(@TempDir Path dir) throws Exception {
    int writers = 4;
    int perWriter = 150;
    ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
    List<Throwable> failures = new ArrayList<>();
    try (Database db = Database.open(dir)) {
      Collection c = db.create(CollectionConfig.of("cc", 4, Metric.L2));
      c.checkpointBytes(50_000);
      AtomicBoolean done = new AtomicBoolean();
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        threads.add(
            new Thread(
                () -> {
                  try {
                    start.await();
                    for (int i = 0; i < perWriter; i++) {
                      String id = "w" + writer + "-" + i;
                      c.upsert(List.of(Point.of(id, new float[] {writer, i, 1, 0}, null)));
                      acknowledged.add(id);
                    }
                  } catch (Throwable t) {
                    synchronized (failures) {
                      failures.add(t);
                    }
                  }
                }));
      }
      Thread reader =
          new Thread(
              () -> {
                try {
                  start.await();
                  while (!done.get()) {
                    List<String> before = new ArrayList<>(acknowledged);
                    if (before.isEmpty()) {
                      continue;
                    }
                    String id = before.get(before.size() - 1);
                    String[] parts = id.substring(1).split("-");
                    float[] v = {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), 1, 0};
                    List<ScoredPoint> hits = c.search(SearchRequest.vector(v, 1).withEf(100));
                    if (hits.isEmpty() || !hits.get(0).id().equals(id)) {
                      throw new AssertionError("acknowledged " + id + " not found: " + hits);
                    }
                    if (c.get(List.of(id), false).isEmpty()) {
                      throw new AssertionError("acknowledged " + id + " not returned by get");
                    }
                  }
                } catch (Throwable t) {
                  synchronized (failures) {
                    failures.add(t);
                  }
                }
              });
      threads.forEach(Thread::start);
      reader.start();
      start.countDown();
      for (Thread t : threads) {
        t.join();
      }
      done.set(true);
      reader.join();
      assertThat(failures).isEmpty();
      assertThat(c.count(null)).isEqualTo((long) writers * perWriter);
    }
    try (Database db = Database.open(dir)) {
      assertThat(db.collection("cc").ids()).containsExactlyInAnyOrderElementsOf(acknowledged);
    }
  }

  /**
   * A FileChannel is closed for good when a thread using it is interrupted: the log must not be
   * one, or one caller's interrupt (a timeout, Ctrl-C) would break every later write.
   */
  @Test
  void anInterruptedWriterDoesNotBreakTheCollection(@TempDir Path dir) {
    try (Database db = Database.open(dir)) {
      Collection c = db.create(CollectionConfig.of("intr", 2, Metric.DOT));
      Thread.currentThread().interrupt();
      try {
        c.upsert(List.of(Point.of("a", new float[] {1, 0}, null)));
        assertThat(Thread.currentThread().isInterrupted())
            .as("the flag is left for the caller")
            .isTrue();
      } finally {
        Thread.interrupted();
      }
      c.upsert(List.of(Point.of("b", new float[] {0, 1}, null)));
      assertThat(c.get(List.of("a", "b"), false)).hasSize(2);
    }
    try (Database db = Database.open(dir)) {
      assertThat(db.collection("intr").get(List.of("a", "b"), false)).hasSize(2);
    }
  }
}
