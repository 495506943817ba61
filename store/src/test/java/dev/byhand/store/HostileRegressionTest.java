package dev.byhand.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.vector.Metric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every failure the hostile client ({@link HostileClientTest}) found, minimised to a few calls.
 * Each test states what a user may expect: a refusal with {@link InvalidRequestException}, or the
 * right answer; never another exception, a changed id or vector, a NaN score, or a database that
 * does not open. Issue 14's defect numbers are in the names' comments.
 */
class HostileRegressionTest {

  @TempDir Path dir;

  private static ObjectNode json(String text) {
    return Json.parsePayload("payload", text);
  }

  /** Runs a write a store may refuse as invalid; true if it was applied. */
  private static boolean acceptedOrRefused(Runnable write) {
    try {
      write.run();
      return true;
    } catch (InvalidRequestException refused) {
      return false;
    }
  }

  /** A copy of the folder as a SIGKILL leaves it: what was written, no close, no checkpoint. */
  private Path crashCopy(Path folder) throws IOException {
    Path copy = dir.resolve("crashed-" + System.nanoTime());
    try (Stream<Path> s = Files.walk(folder)) {
      for (Path p : s.toList()) {
        Path to = copy.resolve(folder.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else if (!p.getFileName().toString().equals("byhand.lock")) {
          Files.copy(p, to);
        }
      }
    }
    return copy;
  }

  // ---- issue 14, defect 1: tiny vectors --------------------------------------------------

  /** Defect 1: [1e-25, 1e-25] in a cosine collection broke the write and the next open. */
  @Test
  void aTinyCosineVectorIsRefusedOrNormalisedAndTheDatabaseStillOpens() {
    Path folder = dir.resolve("db");
    boolean accepted;
    try (Database db = Database.open(folder)) {
      Collection c = db.create(CollectionConfig.of("t", 2, Metric.COSINE));
      c.upsert(List.of(Point.of("a", new float[] {1, 0}, null)));
      accepted =
          acceptedOrRefused(
              () -> c.upsert(List.of(Point.of("b", new float[] {1e-25f, 1e-25f}, null))));
      assertThat(c.count(null)).isEqualTo(accepted ? 2 : 1);
    }
    try (Database db = Database.open(folder)) {
      Collection c = db.collection("t");
      assertThat(c.count(null)).isEqualTo(accepted ? 2 : 1);
      if (accepted) {
        float[] v = c.get(List.of("b"), true).get(0).vector();
        assertThat(v[0]).isCloseTo(0.70710677f, within(1e-5f));
      }
    }
  }

  /** Defect 1, with a denormal: the same, one component 1e-42. */
  @Test
  void aDenormalCosineVectorIsRefusedOrNormalised() {
    try (Database db = Database.open(dir.resolve("db"))) {
      Collection c = db.create(CollectionConfig.of("t", 2, Metric.COSINE));
      if (acceptedOrRefused(
          () -> c.upsert(List.of(Point.of("p", new float[] {1e-42f, 0}, null))))) {
        assertThat(c.get(List.of("p"), true).get(0).vector()[0]).isCloseTo(1f, within(1e-6f));
      } else {
        assertThat(c.count(null)).isZero();
      }
    }
  }

  /**
   * Defect 1, on the read side: a tiny cosine query threw a plain IllegalArgumentException (not the
   * store's InvalidRequestException) from inside the index.
   */
  @Test
  void aTinyCosineQueryIsRefusedAsAnInvalidRequestOrAnswered() {
    try (Database db = Database.open(dir.resolve("db"))) {
      Collection c = db.create(CollectionConfig.of("t", 3, Metric.COSINE));
      c.upsert(List.of(Point.of("a", new float[] {-1, -1, -1}, null)));
      List<ScoredPoint> hits;
      try {
        hits = c.search(SearchRequest.vector(new float[] {-1e-34f, -1e-34f, -1e-34f}, 1));
      } catch (InvalidRequestException refused) {
        return;
      }
      assertThat(hits).hasSize(1);
      assertThat(hits.get(0).score()).isCloseTo(1f, within(1e-4f));
    }
  }

  // ---- issue 14, defect 2: lone surrogates in ids ------------------------------------------

  /** Defect 2: "\udbff" became "?" at the checkpoint; with a real "?" the database was bricked. */
  @Test
  void loneSurrogateIdsAreRefusedOrKeptExactlyAcrossAReopen() {
    Path folder = dir.resolve("db");
    boolean accepted;
    try (Database db = Database.open(folder)) {
      Collection c = db.create(CollectionConfig.of("s", 1, Metric.DOT));
      c.upsert(List.of(Point.of("?", new float[] {1}, null)));
      accepted =
          acceptedOrRefused(() -> c.upsert(List.of(Point.of("\udbff", new float[] {-1}, null))));
    }
    try (Database db = Database.open(folder)) {
      Collection c = db.collection("s");
      List<String> ids = c.scroll(null, null, 10, false).points().stream().map(Point::id).toList();
      assertThat(ids).isEqualTo(accepted ? List.of("?", "\udbff") : List.of("?"));
    }
  }

  /** Defect 2, one id alone: "x" × 250 + "\ud800" came back as "x" × 250 + "?". */
  @Test
  void aLoneSurrogateIdCanBeDeletedAfterAReopen() {
    Path folder = dir.resolve("db");
    String id = "x".repeat(250) + "\ud800";
    boolean accepted;
    try (Database db = Database.open(folder)) {
      Collection c = db.create(CollectionConfig.of("s", 1, Metric.DOT));
      accepted = acceptedOrRefused(() -> c.upsert(List.of(Point.of(id, new float[] {1}, null))));
    }
    try (Database db = Database.open(folder)) {
      Collection c = db.collection("s");
      int deleted;
      try {
        deleted = c.delete(List.of(id));
      } catch (InvalidRequestException refused) {
        assertThat(accepted).as("an id it took, it must also take back").isFalse();
        return;
      }
      assertThat(deleted).isEqualTo(accepted ? 1 : 0);
      assertThat(c.count(null)).isZero();
    }
  }

  // ---- new: a lone surrogate in a payload key ----------------------------------------------

  /**
   * New (issue 14's redesign asks for well-formed keys; no numbered defect): a payload key with a
   * lone surrogate was logged, then failed to decode while being applied (answered as file
   * corruption, the point not stored); after a crash the log holds a record the next open refuses,
   * so the database no longer opens.
   */
  @Test
  void aLoneSurrogatePayloadKeyIsRefusedOrKeptAndSurvivesACrash() throws IOException {
    Path folder = dir.resolve("db");
    try (Database db = Database.open(folder)) {
      Collection c = db.create(CollectionConfig.of("k", 1, Metric.DOT));
      boolean accepted =
          acceptedOrRefused(
              () -> c.upsert(List.of(Point.of("a", new float[] {1}, json("{\"\\udc00\":1}")))));
      assertThat(c.count(null)).isEqualTo(accepted ? 1 : 0);
      if (accepted) {
        assertThat(c.get(List.of("a"), false).get(0).payload().has("\udc00")).isTrue();
      }
      Path crashed = crashCopy(folder);
      try (Database again = Database.open(crashed)) {
        assertThat(again.collection("k").count(null)).isEqualTo(accepted ? 1 : 0);
      }
    }
  }

  /**
   * New: an index on a payload key with a lone surrogate was accepted, and its definition written
   * to payload-indexes.json as JSON that the next open cannot read: the database no longer opens.
   */
  @Test
  void aLoneSurrogateIndexKeyIsRefusedOrTheDatabaseStillOpens() {
    Path folder = dir.resolve("db");
    boolean accepted;
    try (Database db = Database.open(folder)) {
      Collection c = db.create(CollectionConfig.of("k", 1, Metric.DOT));
      accepted = acceptedOrRefused(() -> c.createPayloadIndex("\ud800", PayloadIndexType.KEYWORD));
    }
    try (Database db = Database.open(folder)) {
      assertThat(db.collection("k").payloadIndexes())
          .isEqualTo(
              accepted ? java.util.Map.of("\ud800", PayloadIndexType.KEYWORD) : java.util.Map.of());
    }
  }

  // ---- issue 14, defect 4: huge norms -------------------------------------------------------

  /** Defect 4: [2e19, 2e19] in a cosine collection was stored as zeros. */
  @Test
  void aHugeCosineVectorIsRefusedOrNormalised() {
    try (Database db = Database.open(dir.resolve("db"))) {
      Collection c = db.create(CollectionConfig.of("h", 2, Metric.COSINE));
      if (!acceptedOrRefused(
          () -> c.upsert(List.of(Point.of("p", new float[] {2e19f, 2e19f}, null))))) {
        return;
      }
      assertThat(c.get(List.of("p"), true).get(0).vector()[0])
          .isCloseTo(0.70710677f, within(1e-5f));
      assertThat(c.search(SearchRequest.vector(new float[] {1, 1}, 1)).get(0).score())
          .isCloseTo(1f, within(1e-4f));
    }
  }

  /** Defect 4: a single component 3.4e38 (norm² overflows float) was stored as zeros too. */
  @Test
  void oneHugeComponentInACosineVectorIsRefusedOrNormalised() {
    try (Database db = Database.open(dir.resolve("db"))) {
      Collection c = db.create(CollectionConfig.of("h", 3, Metric.COSINE));
      if (acceptedOrRefused(
          () -> c.upsert(List.of(Point.of("p", new float[] {3.4e38f, 0, 0}, null))))) {
        assertThat(c.get(List.of("p"), true).get(0).vector()).containsExactly(1f, 0f, 0f);
      }
    }
  }

  /**
   * Defect 4: in a dot collection [3e38, -3e38] scored NaN against [3e38, 3e38], and NaN ranked
   * above every other point.
   */
  @Test
  void hugeDotVectorsNeverScoreNaNOrOutrankBetterPoints() {
    try (Database db = Database.open(dir.resolve("db"))) {
      Collection c = db.create(CollectionConfig.of("d", 2, Metric.DOT));
      c.upsert(List.of(Point.of("near", new float[] {1, 1}, null)));
      if (!acceptedOrRefused(
          () -> c.upsert(List.of(Point.of("huge", new float[] {3e38f, -3e38f}, null))))) {
        return;
      }
      List<ScoredPoint> hits;
      try {
        hits = c.search(SearchRequest.vector(new float[] {3e38f, 3e38f}, 2));
      } catch (InvalidRequestException refused) {
        return;
      }
      assertThat(hits).extracting(ScoredPoint::score).noneMatch(s -> Float.isNaN(s));
      assertThat(hits.get(0).id()).isEqualTo("near"); // 6e38 (or +inf) beats an exact 0
    }
  }

  /** Defect 4 (L2): both distances overflowed to -inf, and the farther point came first. */
  @Test
  void hugeL2VectorsStillRankTheNearerPointFirst() {
    try (Database db = Database.open(dir.resolve("db"))) {
      Collection c = db.create(CollectionConfig.of("l", 1, Metric.L2));
      if (!acceptedOrRefused(
          () ->
              c.upsert(
                  List.of(
                      Point.of("far", new float[] {-3.5972e37f}, null),
                      Point.of("near", new float[] {-1e-4f}, null))))) {
        return;
      }
      List<ScoredPoint> hits;
      try {
        hits = c.search(SearchRequest.vector(new float[] {3.4e38f}, 1));
      } catch (InvalidRequestException refused) {
        return;
      }
      assertThat(hits).extracting(ScoredPoint::id).containsExactly("near");
    }
  }

  // ---- issue 14, defect 5: payload indexes at 2^53 --------------------------------------------

  /** Defect 5: with an integer index, range gt 2^53+2 missed the value 2^53+3. */
  @Test
  void anIntegerIndexFindsTheSameIntegersAbove2Pow53AsNoIndex() {
    try (Database db = Database.open(dir.resolve("db"))) {
      Collection c = db.create(CollectionConfig.of("i", 1, Metric.DOT));
      c.upsert(List.of(Point.of("a", new float[] {1}, json("{\"t\":9007199254740995}"))));
      Filter gt = Filter.parse("{\"key\":\"t\",\"range\":{\"gt\":9007199254740994}}");
      assertThat(c.count(gt)).isEqualTo(1);
      c.createPayloadIndex("t", PayloadIndexType.INTEGER);
      assertThat(c.count(gt)).isEqualTo(1);
    }
  }

  /** Defect 5: a float index keyed 2^53+1 by its double, 2^53, and range gt 2^53 missed it. */
  @Test
  void aFloatIndexFindsTheSameIntegersAbove2Pow53AsNoIndex() {
    try (Database db = Database.open(dir.resolve("db"))) {
      Collection c = db.create(CollectionConfig.of("i", 1, Metric.DOT));
      c.upsert(List.of(Point.of("a", new float[] {1}, json("{\"t\":9007199254740993}"))));
      Filter gt = Filter.parse("{\"key\":\"t\",\"range\":{\"gt\":9007199254740992}}");
      assertThat(c.count(gt)).isEqualTo(1);
      c.createPayloadIndex("t", PayloadIndexType.FLOAT);
      assertThat(c.count(gt)).isEqualTo(1);
    }
  }

  // ---- new: integer range bounds are rounded to double --------------------------------------

  /**
   * New: a range bound given as a JSON integer is turned into a double, so {@code gte 10^30} misses
   * the payload value 10^30 (the bound becomes 1.0000000000000000199e30) and {@code gte 2^53+1}
   * takes 2^53. The values are compared exactly (see {@code Filter.Range}); the bounds must be too.
   */
  @Test
  void integerRangeBoundsAreComparedExactly() {
    try (Database db = Database.open(dir.resolve("db"))) {
      Collection c = db.create(CollectionConfig.of("r", 1, Metric.DOT));
      c.upsert(
          List.of(
              Point.of("big", new float[] {1}, json("{\"n\":1000000000000000000000000000000}")),
              Point.of("two53", new float[] {1}, json("{\"n\":9007199254740992}"))));
      assertThat(
              c.count(
                  Filter.parse(
                      "{\"key\":\"n\",\"range\":{\"gte\":1000000000000000000000000000000}}")))
          .as("gte 10^30 holds for 10^30")
          .isEqualTo(1);
      assertThat(c.count(Filter.parse("{\"key\":\"n\",\"range\":{\"gte\":9007199254740993}}")))
          .as("gte 2^53+1 does not hold for 2^53")
          .isEqualTo(1);
    }
  }
}
