package dev.byhand.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.embed.EncodingTrace;
import dev.byhand.embed.TextEncoder;
import dev.byhand.vector.Metric;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One test for each defect of the write path found by playing a hostile client (issue 14), each of
 * which failed before its fix.
 */
class WritePathRegressionTest {

  @TempDir Path dir;

  private static float[] v(float... xs) {
    return xs;
  }

  /** The crash image of a database still open: its files as they are, lock file dropped. */
  private Path crashImage(String name) throws IOException {
    Path copy = dir.resolve(name);
    CorruptionTest.copyTree(dir.resolve("db"), copy);
    Files.deleteIfExists(copy.resolve("byhand.lock"));
    return copy;
  }

  /** Defect 1: a norm that underflows in float was logged, then failed to apply. */
  @Test
  void aTinyVectorIsStoredAndTheDatabaseReopens() throws IOException {
    try (Database db = Database.open(dir.resolve("db"))) {
      Collection c = db.create(CollectionConfig.of("t", 2, Metric.COSINE));
      c.upsert(List.of(Point.of("a", v(1, 0), null), Point.of("b", v(1e-25f, 1e-25f), null)));
      c.upsert(List.of(Point.of("c", v(1e-45f, 0), null))); // the smallest denormal
      List<ScoredPoint> hits = c.search(SearchRequest.vector(v(1, 1), 3));
      assertThat(hits.get(0).id()).isEqualTo("b");
      assertThat(hits.get(0).score()).isCloseTo(1f, within(1e-6f));
      assertThat(c.get(List.of("b"), true).get(0).vector())
          .containsExactly(new float[] {0.70710677f, 0.70710677f}, within(1e-6f));
      assertThat(c.failure()).isNull();
      Path killed = crashImage("killed");
      try (Database again = Database.open(killed)) {
        assertThat(again.collection("t").count(null)).isEqualTo(3);
      }
    }
    try (Database db = Database.open(dir.resolve("db"))) {
      assertThat(db.collection("t").count(null)).isEqualTo(3);
    }
  }

  /** Defect 2: lone surrogates were kept by the log and turned into '?' by the segment. */
  @Test
  void idsAndPayloadsWithUnpairedSurrogatesAreRefusedAndPairsSurvive() throws IOException {
    try (Database db = Database.open(dir.resolve("db"))) {
      Collection c = db.create(CollectionConfig.of("t", 2, Metric.DOT));
      assertThatThrownBy(() -> c.upsert(List.of(Point.of("\ud800", v(1, 0), null))))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("points[0].id")
          .hasMessageContaining("unpaired surrogate (U+D800)");
      assertThatThrownBy(() -> c.upsert(List.of(Point.of("ok\udbff", v(1, 0), null))))
          .isInstanceOf(InvalidRequestException.class);
      ObjectNode key = Json.MAPPER.createObjectNode().put("k\udc00", 1);
      assertThatThrownBy(() -> c.upsert(List.of(Point.of("a", v(1, 0), key))))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("points[0].payload");
      ObjectNode value = Json.MAPPER.createObjectNode().put("k", "x\ud800");
      assertThatThrownBy(() -> c.upsert(List.of(Point.of("a", v(1, 0), value))))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("points[0].payload.k");
      c.upsert(List.of(Point.of("a", v(1, 0), null)));
      assertThatThrownBy(() -> c.setPayload(List.of("a"), value))
          .isInstanceOf(InvalidRequestException.class);
      assertThatThrownBy(() -> c.delete(List.of("\ud800")))
          .isInstanceOf(InvalidRequestException.class);
      assertThat(c.count(null)).isEqualTo(1);
      c.upsert(
          List.of(
              Point.of(
                  "\ud83d\ude00",
                  v(0, 1),
                  Json.MAPPER.createObjectNode().put("e", "\ud83d\ude00"))));
      c.checkpoint();
    }
    try (Database db = Database.open(dir.resolve("db"))) {
      Point p = db.collection("t").get(List.of("\ud83d\ude00"), false).get(0);
      assertThat(p.payload().get("e").asText()).isEqualTo("\ud83d\ude00");
    }
  }

  /** Defect 4: a dot score of [3e38, -3e38] was NaN; a cosine [2e19, 2e19] was stored as zeros. */
  @Test
  void hugeNormsAreRefusedNamingTheLimitAndLargeOnesStayFinite() throws IOException {
    try (Database db = Database.open(dir.resolve("db"))) {
      Collection dot = db.create(CollectionConfig.of("dot", 2, Metric.DOT));
      assertThatThrownBy(() -> dot.upsert(List.of(Point.of("a", v(3e38f, -3e38f), null))))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("points[0].vector")
          .hasMessageContaining("at most 1e+18");
      assertThat(dot.count(null)).isZero();
      dot.upsert(List.of(Point.of("big", v(7e17f, -7e17f), null), Point.of("one", v(1, 0), null)));
      assertThatThrownBy(() -> dot.search(SearchRequest.vector(v(3e38f, 3e38f), 2)))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("vector");
      for (ScoredPoint h : dot.search(SearchRequest.vector(v(7e17f, 7e17f), 2))) {
        assertThat(Float.isFinite(h.score())).as("score of %s", h.id()).isTrue();
      }
      // A threshold never lets a NaN through: none can occur.
      assertThat(
              dot.search(
                  SearchRequest.vector(v(-7e17f, 7e17f), 2).withScoreThreshold(Float.MAX_VALUE)))
          .isEmpty();

      Collection cos = db.create(CollectionConfig.of("cos", 2, Metric.COSINE));
      cos.upsert(List.of(Point.of("h", v(2e19f, 2e19f), null)));
      assertThat(cos.get(List.of("h"), true).get(0).vector())
          .containsExactly(new float[] {0.70710677f, 0.70710677f}, within(1e-6f));
      // Compaction re-reads every stored vector: it used to throw on the zeros, for ever.
      List<Point> more = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        more.add(Point.of("p" + i, v(1, i), null));
      }
      cos.upsert(more);
      cos.delete(more.stream().map(Point::id).toList());
      cos.compact();
      assertThat(cos.info().deletedInIndex()).isZero();
      assertThat(cos.search(SearchRequest.vector(v(1, 1), 1)).get(0).id()).isEqualTo("h");
    }
  }

  /** Defect 3: the point table was built in one array (2 GiB at most); it is streamed now. */
  @Test
  void pointTablesAndLogsAreStreamedInAndOut() throws IOException {
    Path table = dir.resolve("segment-7.points");
    int n = 30_000;
    ObjectNode payload = Json.MAPPER.createObjectNode().put("text", "x".repeat(200));
    Iterable<SegmentFile.Row> rows =
        () ->
            new Iterator<>() {
              int i;

              @Override
              public boolean hasNext() {
                return i < n;
              }

              @Override
              public SegmentFile.Row next() {
                return new SegmentFile.Row(i, "id-" + i++, payload);
              }
            };
    SegmentFile.write(table, 7, n, rows);
    int[] seen = {0};
    long seq =
        SegmentFile.read(
            table,
            r -> {
              assertThat(r.id()).isEqualTo("id-" + r.ordinal());
              seen[0]++;
            });
    assertThat(seq).isEqualTo(7);
    assertThat(seen[0]).isEqualTo(n);
    // A table whose rows are not the count it announced is refused, and nothing is left behind.
    assertThatThrownBy(() -> SegmentFile.write(dir.resolve("segment-8.points"), 8, n + 1, rows))
        .isInstanceOf(IllegalStateException.class);
    assertThat(dir.resolve("segment-8.points")).doesNotExist();
    assertThat(dir.resolve("segment-8.points.tmp")).doesNotExist();
    // A log read back through the small buffer, record by record, past many buffer lengths.
    Path log = dir.resolve("wal-1.log");
    byte[] body = new byte[50_000];
    try (Wal w = Wal.create(log, 1)) {
      for (int i = 0; i < 40; i++) {
        body[0] = (byte) i;
        w.append((byte) 1, body);
      }
      w.awaitDurable(40);
    }
    List<Wal.Entry> back = Wal.read(log);
    assertThat(back).hasSize(40);
    assertThat(back.get(39).body()[0]).isEqualTo((byte) 39);
  }

  /** Defect 7: a short log was deleted silently; a damaged final record was cut as if torn. */
  @Test
  void aShortLogOrADamagedLastRecordIsRefusedAndATornOneIsCut() throws IOException {
    Path log = dir.resolve("wal-1.log");
    try (Wal w = Wal.create(log, 1)) {
      for (int i = 0; i < 3; i++) {
        w.append((byte) 1, ("record " + i).getBytes());
      }
      w.awaitDurable(3);
    }
    long full = Files.size(log);
    Path damaged = dir.resolve("damaged.log");
    Files.copy(log, damaged);
    CorruptionTest.flip(damaged, (int) full - 4); // inside the last record's body
    assertThatThrownBy(() -> Wal.read(damaged))
        .isInstanceOf(CorruptedFileException.class)
        .hasMessageContaining("damaged.log")
        .hasMessageContaining("whole but fails its checksum");
    assertThat(Files.size(damaged)).isEqualTo(full); // nothing was cut
    // Bytes the disk never got (zeros at the end) are a torn write: cut, the rest kept.
    Path torn = dir.resolve("torn.log");
    Files.copy(log, torn);
    try (RandomAccessFile raf = new RandomAccessFile(torn.toFile(), "rw")) {
      raf.seek(full - 5);
      raf.write(new byte[5]);
    }
    assertThat(Wal.read(torn)).hasSize(2);
    // A log shorter than its header: logs are created whole, so this is damage, never deleted.
    Path c = dir.resolve("c");
    Collection.initialise(c, CollectionConfig.of("c", 2, Metric.DOT));
    Files.write(c.resolve("wal-5.log"), new byte[] {0x42, 0x48});
    assertThatThrownBy(() -> Collection.open(c))
        .isInstanceOf(CorruptedFileException.class)
        .hasMessageContaining("wal-5.log")
        .hasMessageContaining("shorter than");
    assertThat(c.resolve("wal-5.log")).exists();
  }

  /** Defect 12: a graph file of another collection was loaded without a check. */
  @Test
  void aGraphOfAnotherDimensionOrMetricIsRefused() throws IOException {
    try (Database db = Database.open(dir.resolve("db"))) {
      db.create(CollectionConfig.of("two", 2, Metric.DOT))
          .upsert(List.of(Point.of("a", v(1, 0), null)));
      db.create(CollectionConfig.of("three", 3, Metric.DOT))
          .upsert(List.of(Point.of("a", v(1, 0, 0), null)));
    }
    Path two = dir.resolve("db/collections/two");
    Path three = dir.resolve("db/collections/three");
    Path graph = CorruptionTest.only(two, "segment-*.hnsw");
    Files.copy(
        CorruptionTest.only(three, "segment-*.hnsw"),
        graph,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> Collection.open(two))
        .isInstanceOf(CorruptedFileException.class)
        .hasMessageContaining(graph.getFileName().toString())
        .hasMessageContaining("different collections");
  }

  /**
   * Defect 12: any exception in recovery was reported as file damage. A record that decodes but
   * cannot be applied (a NaN no write check would let through) is reported as a bug.
   */
  @Test
  void aRecordThatDecodesButCannotBeAppliedIsReportedAsABug() throws IOException {
    Path c = dir.resolve("c");
    Collection.initialise(c, CollectionConfig.of("c", 2, Metric.DOT));
    byte[] body =
        LogRecord.encode(
            new LogRecord.Upsert(List.of(new LogRecord.Entry("a", v(Float.NaN, 0), null))));
    try (Wal w = Wal.create(c.resolve("wal-1.log"), 1)) {
      w.awaitDurable(w.append(LogRecord.UPSERT, body));
    }
    assertThatThrownBy(() -> Collection.open(c))
        .isInstanceOf(Recovery.RecoveryBugException.class)
        .hasMessageContaining("wal-1.log")
        .hasMessageContaining("bug");
  }

  /** Defect 12: a drop could close the encoder while a search was using it. */
  @Test
  void theEncoderClosesOnlyWhenItsLastUserIsDone() throws Exception {
    AtomicBoolean closed = new AtomicBoolean();
    TextEncoder fake =
        new TextEncoder() {
          @Override
          public String name() {
            return "fake";
          }

          @Override
          public int dimension() {
            return 1;
          }

          @Override
          public List<float[]> embedDocuments(List<String> texts) {
            if (closed.get()) {
              throw new IllegalStateException("used after close");
            }
            return texts.stream().map(t -> new float[] {1}).toList();
          }

          @Override
          public List<float[]> embedQueries(List<String> texts) {
            return embedDocuments(texts);
          }

          @Override
          public EncodingTrace trace(String text) {
            throw new UnsupportedOperationException();
          }

          @Override
          public EncodingTrace traceQuery(String text) {
            throw new UnsupportedOperationException();
          }

          @Override
          public void close() {
            closed.set(true);
          }
        };
    EncoderHandle handle = new EncoderHandle(() -> fake, "c");
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicReference<Throwable> failed = new AtomicReference<>();
    Thread search =
        new Thread(
            () -> {
              try {
                handle.use(
                    e -> {
                      inside.countDown();
                      try {
                        release.await();
                      } catch (InterruptedException x) {
                        throw new IllegalStateException(x);
                      }
                      return e.embedAll(List.of("q"));
                    });
              } catch (Throwable t) {
                failed.set(t);
              }
            });
    search.start();
    inside.await();
    handle.close(); // a drop, while the search is inside
    assertThat(closed).isFalse();
    release.countDown();
    search.join();
    assertThat(failed.get()).isNull();
    assertThat(closed).isTrue();
    assertThatThrownBy(() -> handle.use(e -> e.embedAll(List.of("q"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  /**
   * Found by {@code bench/run crash} (round 75, seed 4): a kill just after a checkpoint switched to
   * a new, empty log left that log as the one recovery appends to; the next checkpoint then tried
   * to create it again, and close failed.
   */
  @Test
  void aCheckpointAfterRecoveringIntoAnEmptyLogSucceeds() throws IOException {
    Path d = dir.resolve("c");
    Collection.initialise(d, CollectionConfig.of("c", 2, Metric.DOT));
    Collection c = Collection.open(d);
    c.upsert(List.of(Point.of("a", v(1, 0), null)));
    // The state a kill leaves after a checkpoint's first phase: the records in wal-1, an empty
    // wal-2 that new writes were switched to, no segment yet.
    Path image = dir.resolve("image");
    CorruptionTest.copyTree(d, image);
    Wal.create(image.resolve("wal-2.log"), 2).close();
    Collection again = Collection.open(image);
    again.close(); // its checkpoint tried to create wal-2.log, the log it was appending to
    Collection third = Collection.open(image);
    assertThat(third.ids()).containsExactly("a");
    third.upsert(List.of(Point.of("b", v(0, 1), null)));
    third.checkpoint();
    assertThat(third.ids()).containsExactlyInAnyOrder("a", "b");
    // The logs the segment covers are gone, the old one included.
    try (var files = Files.list(image)) {
      assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("wal-")))
          .hasSize(1);
    }
    third.close();
    c.close();
  }

  /**
   * Defect 10: a batch of many hits copied every payload (up to 10,000 × 1 MiB) before the server
   * could measure its answer. Hits and points read back share the stored payload; a copy is made
   * only when asked for, and it is the caller's own.
   */
  @Test
  void hitsShareTheStoredPayloadAndCopiesAreTheCallersOwn() throws IOException {
    try (Database db = Database.open(dir.resolve("db"))) {
      Collection c = db.create(CollectionConfig.of("t", 2, Metric.DOT));
      c.upsert(
          List.of(Point.of("a", v(1, 0), Json.MAPPER.createObjectNode().put("k", 1).put("j", 2))));
      ScoredPoint first = c.search(SearchRequest.vector(v(1, 0), 1)).get(0);
      ScoredPoint second = c.search(SearchRequest.vector(v(1, 0), 1)).get(0);
      assertThat(first.payloadView()).isSameAs(second.payloadView());
      assertThat(c.get(List.of("a"), false).get(0).payloadView()).isSameAs(first.payloadView());
      ObjectNode mine = first.payload();
      mine.put("k", 99);
      c.get(List.of("a"), false).get(0).payload().put("j", 99);
      Point stored = c.get(List.of("a"), false).get(0);
      assertThat(stored.payloadView().get("k").asInt()).isEqualTo(1);
      assertThat(stored.payloadView().get("j").asInt()).isEqualTo(2);
      // Asking for some fields shares their values too.
      ScoredPoint some =
          c.search(SearchRequest.vector(v(1, 0), 1).withPayload(true, List.of("k"))).get(0);
      assertThat(some.payloadView().fieldNames()).toIterable().containsExactly("k");
    }
  }
}
