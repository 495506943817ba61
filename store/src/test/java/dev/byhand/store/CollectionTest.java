package dev.byhand.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.vector.Metric;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CollectionTest {

  @TempDir Path dir;

  static ObjectNode json(String s) {
    return Json.parsePayload("payload", s);
  }

  static float[] random(SplittableRandom r, int d) {
    float[] v = new float[d];
    for (int i = 0; i < d; i++) {
      v[i] = (float) r.nextDouble(-1, 1);
    }
    return v;
  }

  @Test
  void upsertGetCountDeleteAndReopen() {
    try (Database db = Database.open(dir)) {
      Collection c = db.create(CollectionConfig.of("docs", 3, Metric.DOT));
      c.upsert(
          List.of(
              Point.of("a", new float[] {1, 0, 0}, json("{\"color\":\"red\",\"n\":1}")),
              Point.of("b", new float[] {0, 1, 0}, json("{\"color\":\"blue\",\"n\":2}")),
              Point.of("c", new float[] {0, 0, 1}, null)));
      assertThat(c.count(null)).isEqualTo(3);
      assertThat(c.get(List.of("b", "zz", "a"), true))
          .extracting(Point::id)
          .containsExactly("b", "a");
      assertThat(c.get(List.of("a"), true).get(0).vector()).containsExactly(1f, 0f, 0f);
      assertThat(c.delete(List.of("c", "nope"))).isEqualTo(1);
      // Replace a point: new vector and payload under the same id.
      c.upsert(List.of(Point.of("a", new float[] {0, 0, 2}, json("{\"color\":\"green\"}"))));
      assertThat(c.count(null)).isEqualTo(2);
    }
    try (Database db = Database.open(dir)) {
      Collection c = db.collection("docs");
      assertThat(db.list()).containsExactly("docs");
      assertThat(c.count(null)).isEqualTo(2);
      Point a = c.get(List.of("a"), true).get(0);
      assertThat(a.vector()).containsExactly(0f, 0f, 2f);
      assertThat(a.payload().toString()).isEqualTo("{\"color\":\"green\"}");
      assertThat(c.get(List.of("c"), false)).isEmpty();
      List<ScoredPoint> hits = c.search(SearchRequest.vector(new float[] {0, 0, 1}, 1));
      assertThat(hits).extracting(ScoredPoint::id).containsExactly("a");
      assertThat(hits.get(0).score()).isEqualTo(2f);
    }
  }

  @Test
  void writesSurviveReopenFromTheLogAloneAndAfterCheckpoints() {
    SplittableRandom r = new SplittableRandom(5);
    List<float[]> vectors = new ArrayList<>();
    try (Database db = Database.open(dir)) {
      Collection c = db.create(CollectionConfig.of("v", 8, Metric.L2));
      c.checkpointBytes(4_000); // fold into segments every few writes
      for (int i = 0; i < 300; i++) {
        float[] v = random(r, 8);
        vectors.add(v);
        c.upsert(List.of(Point.of("p" + i, v, json("{\"i\":" + i + "}"))));
      }
      c.delete(Filter.parse("{\"key\":\"i\",\"range\":{\"lt\":100}}"));
      assertThat(c.info().segmentSequence()).isGreaterThan(0);
    }
    try (Database db = Database.open(dir)) {
      Collection c = db.collection("v");
      assertThat(c.count(null)).isEqualTo(200);
      for (int i = 100; i < 300; i += 17) {
        List<ScoredPoint> hit =
            c.search(SearchRequest.vector(vectors.get(i), 1).withPayload(true, List.of("i")));
        assertThat(hit.get(0).id()).isEqualTo("p" + i);
        assertThat(hit.get(0).payload().get("i").asInt()).isEqualTo(i);
      }
    }
  }

  @Test
  void payloadOperations() {
    try (Database db = Database.open(dir)) {
      Collection c = db.create(CollectionConfig.of("p", 2, Metric.DOT));
      c.upsert(
          List.of(
              Point.of("a", new float[] {1, 0}, json("{\"x\":1,\"y\":{\"z\":true}}")),
              Point.of("b", new float[] {0, 1}, json("{\"x\":2}"))));
      c.setPayload(List.of("a"), json("{\"w\":\"new\",\"x\":5}"));
      assertThat(c.get(List.of("a"), false).get(0).payload().toString())
          .isEqualTo("{\"x\":5,\"y\":{\"z\":true},\"w\":\"new\"}");
      c.deletePayloadKeys(List.of("a"), List.of("y", "w"));
      assertThat(c.get(List.of("a"), false).get(0).payload().toString()).isEqualTo("{\"x\":5}");
      c.overwritePayload(List.of("b"), json("{\"only\":1}"));
      assertThat(c.get(List.of("b"), false).get(0).payload().toString()).isEqualTo("{\"only\":1}");
      assertThat(
              c.setPayload(
                  Filter.parse("{\"key\":\"x\",\"match\":{\"value\":5}}"), json("{\"tag\":\"t\"}")))
          .isEqualTo(1);
      assertThatThrownBy(() -> c.setPayload(List.of("a", "ghost"), json("{\"q\":1}")))
          .isInstanceOf(NotFoundException.class)
          .hasMessageContaining("ids[1]: no point with id 'ghost'");
      assertThat(c.get(List.of("a"), false).get(0).payload().has("q"))
          .as("nothing half-applied")
          .isFalse();
    }
  }

  @Test
  void scrollVisitsEveryPointOnceInIdOrder() {
    try (Database db = Database.open(dir)) {
      Collection c = db.create(CollectionConfig.of("s", 2, Metric.DOT));
      List<Point> batch = new ArrayList<>();
      for (int i = 0; i < 95; i++) {
        batch.add(
            Point.of(
                String.format("id%03d", i),
                new float[] {i, 1},
                json("{\"even\":" + (i % 2 == 0) + "}")));
      }
      c.upsert(batch);
      List<String> seen = new ArrayList<>();
      String cursor = null;
      do {
        Page page = c.scroll(null, cursor, 10, false);
        page.points().forEach(p -> seen.add(p.id()));
        cursor = page.nextCursor();
      } while (cursor != null);
      assertThat(seen).hasSize(95).isSorted().doesNotHaveDuplicates();
      Page evens = c.scroll(Filter.match("even", true), null, 100, false);
      assertThat(evens.points()).hasSize(48);
      assertThat(evens.nextCursor()).isNull();
    }
  }

  @Test
  void filteredSearchReturnsKWheneverKPass() {
    SplittableRandom r = new SplittableRandom(11);
    try (Database db = Database.open(dir)) {
      Collection c = db.create(CollectionConfig.of("f", 16, Metric.COSINE));
      List<Point> batch = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        batch.add(
            Point.of(
                "p" + i,
                random(r, 16),
                json("{\"bucket\":" + (i % 100) + ",\"tags\":[\"t" + (i % 7) + "\"]}")));
      }
      c.upsert(batch);
      float[] q = random(r, 16);
      // 1% of points pass: 20 of them; ask for 10.
      Filter rare = Filter.match("bucket", 3);
      List<ScoredPoint> hits = c.search(SearchRequest.vector(q, 10).withFilter(rare));
      assertThat(hits).hasSize(10);
      for (ScoredPoint h : hits) {
        assertThat(Integer.parseInt(h.id().substring(1)) % 100).isEqualTo(3);
      }
      // Arrays match on any element.
      Filter tag = Filter.parse("{\"must\":[{\"key\":\"tags\",\"match\":{\"any\":[\"t2\"]}}]}");
      assertThat(c.count(tag)).isEqualTo(286);
      // Threshold drops weak hits; payload selection keeps only the named keys.
      List<ScoredPoint> strong =
          c.search(
              SearchRequest.vector(q, 50)
                  .withScoreThreshold(0.5f)
                  .withPayload(true, List.of("bucket")));
      assertThat(strong).allSatisfy(h -> assertThat(h.score()).isGreaterThanOrEqualTo(0.5f));
      assertThat(strong).allSatisfy(h -> assertThat(h.payload().has("tags")).isFalse());
    }
  }

  @Test
  void badInputIsRefusedWholeNamingTheField() {
    try (Database db = Database.open(dir)) {
      Collection c = db.create(CollectionConfig.of("bad", 3, Metric.COSINE));
      c.upsert(List.of(Point.of("keep", new float[] {1, 2, 3}, null)));
      assertThatThrownBy(
              () ->
                  c.upsert(
                      List.of(
                          Point.of("ok", new float[] {1, 1, 1}, null),
                          Point.of("short", new float[] {1, 1}, null))))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessage("points[1].vector: has 2 numbers; collection 'bad' takes 3");
      assertThat(c.get(List.of("ok"), false)).as("the batch is all or nothing").isEmpty();
      assertThatThrownBy(
              () -> c.upsert(List.of(Point.of("n", new float[] {1, Float.NaN, 0}, null))))
          .hasMessage("points[0].vector[1]: must be a finite number, got NaN");
      assertThatThrownBy(() -> c.upsert(List.of(Point.of("z", new float[] {0, 0, 0}, null))))
          .hasMessageContaining("all zeros");
      assertThatThrownBy(
              () -> c.upsert(List.of(Point.of("x".repeat(257), new float[] {1, 1, 1}, null))))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessage("points[0].id: is 257 bytes of UTF-8; the limit is 256");
      assertThatThrownBy(() -> Json.parsePayload("payload", "{\"a\":"))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageStartingWith("payload: is not valid JSON");
      assertThatThrownBy(() -> Json.parsePayload("payload", "[1,2]"))
          .hasMessage("payload: must be a JSON object, got array");
      assertThatThrownBy(() -> c.upsert(List.of(Point.text("t", "hello", null))))
          .hasMessageContaining("points[0].text: collection 'bad' has no encoder");
      assertThatThrownBy(() -> c.search(SearchRequest.vector(new float[] {1, 2, 3}, 0)))
          .hasMessage("k: must be in [1, 1000], got 0");
      assertThatThrownBy(() -> db.collection("nope"))
          .isInstanceOf(NotFoundException.class)
          .hasMessage("collection: no collection named 'nope'");
      assertThatThrownBy(() -> db.create(CollectionConfig.of("bad", 3, Metric.DOT)))
          .isInstanceOf(ConflictException.class);
      assertThatThrownBy(() -> CollectionConfig.of("../etc", 3, Metric.DOT))
          .hasMessageContaining("name: must match [A-Za-z0-9_-]{1,64}");
      assertThat(c.count(null)).isEqualTo(1);
    }
  }

  @Test
  void textPointsAreEmbeddedAndKeptInThePayload() {
    try (Database db = Database.open(dir)) {
      Collection c = db.create(CollectionConfig.withEncoder("seed", "seed"));
      c.upsert(
          List.of(
              Point.text("1", "how are you", null),
              Point.text("2", "who are you", null),
              Point.text("3", "who am I", json("{\"lang\":\"en\"}"))));
      List<ScoredPoint> hits = c.search(SearchRequest.text("am I you", 3));
      // The seed's walkthrough without the projection: "who am I" is still nearest.
      assertThat(hits.get(0).id()).isEqualTo("3");
      assertThat(hits.get(0).payload().toString())
          .isEqualTo("{\"lang\":\"en\",\"text\":\"who am I\"}");
      assertThatThrownBy(() -> c.upsert(List.of(Point.text("4", "dancing queen", null))))
          .hasMessageContaining("word 'dancing'");
    }
  }

  @Test
  void snapshotIsAPointInTimeCopyThatRestoresUnderANewName() {
    Path snap = dir.resolve("snap-1");
    try (Database db = Database.open(dir.resolve("db"))) {
      Collection c = db.create(CollectionConfig.of("orig", 2, Metric.DOT));
      c.upsert(List.of(Point.of("a", new float[] {1, 0}, json("{\"v\":1}"))));
      c.snapshot(snap);
      c.upsert(List.of(Point.of("b", new float[] {0, 1}, null)));
      Collection copy = db.restore(snap, "copy");
      assertThat(copy.count(null)).isEqualTo(1);
      assertThat(copy.get(List.of("a"), true).get(0).payload().get("v").asInt()).isEqualTo(1);
      assertThat(copy.config().name()).isEqualTo("copy");
      assertThat(c.count(null)).isEqualTo(2);
      assertThatThrownBy(() -> c.snapshot(snap)).isInstanceOf(ConflictException.class);
      assertThatThrownBy(() -> db.restore(dir.resolve("missing"), "x"))
          .isInstanceOf(NotFoundException.class);
    }
    try (Database db = Database.open(dir.resolve("db"))) {
      assertThat(db.list()).containsExactly("copy", "orig");
      db.drop("copy");
      assertThat(db.list()).containsExactly("orig");
    }
  }

  @Test
  void compactionDropsDeletedPointsFromTheGraph() {
    SplittableRandom r = new SplittableRandom(3);
    Set<String> live = new HashSet<>();
    try (Database db = Database.open(dir)) {
      Collection c = db.create(CollectionConfig.of("c", 8, Metric.L2));
      List<Point> batch = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        batch.add(Point.of("p" + i, random(r, 8), null));
        live.add("p" + i);
      }
      c.upsert(batch);
      List<String> gone = new ArrayList<>();
      for (int i = 0; i < 1000; i += 2) {
        gone.add("p" + i);
        live.remove("p" + i);
      }
      c.delete(gone);
      assertThat(c.info().deletedInIndex()).isEqualTo(500);
      c.compact();
      assertThat(c.info().deletedInIndex()).isZero();
      assertThat(c.ids()).containsExactlyInAnyOrderElementsOf(live);
      float[] v = c.get(List.of("p1"), true).get(0).vector();
      assertThat(c.search(SearchRequest.vector(v, 1)).get(0).id()).isEqualTo("p1");
    }
  }

  @Test
  void writesDuringABackgroundCompactionAreKept() throws Exception {
    SplittableRandom r = new SplittableRandom(8);
    java.util.Map<String, float[]> model = new java.util.HashMap<>();
    try (Database db = Database.open(dir)) {
      Collection c = db.create(CollectionConfig.of("bg", 8, Metric.L2));
      List<Point> batch = new ArrayList<>();
      for (int i = 0; i < 3000; i++) {
        float[] v = random(r, 8);
        batch.add(Point.of("p" + i, v, json("{\"i\":" + i + "}")));
        model.put("p" + i, v);
      }
      c.upsert(batch);
      List<String> gone = new ArrayList<>();
      for (int i = 0; i < 3000; i += 3) {
        gone.add("p" + i);
        model.remove("p" + i);
      }
      c.delete(gone);
      long tombstones = c.info().deletedInIndex();
      assertThat(tombstones).isEqualTo(1000);
      Thread compaction = new Thread(c::compact);
      compaction.start();
      // Meanwhile: replace, delete and add points, some of them ones the compaction is copying.
      for (int i = 1; i < 600; i += 2) {
        float[] v = random(r, 8);
        c.upsert(List.of(Point.of("p" + i, v, json("{\"moved\":true}"))));
        model.put("p" + i, v);
        c.delete(List.of("p" + (i + 1000)));
        model.remove("p" + (i + 1000));
        c.upsert(List.of(Point.of("new" + i, v, null)));
        model.put("new" + i, v);
      }
      compaction.join();
      // The compacted graph holds only the points rewritten during the build as tombstones.
      assertThat(c.info().deletedInIndex()).as("the compaction swapped in").isLessThan(tombstones);
      assertThat(c.ids()).containsExactlyInAnyOrderElementsOf(model.keySet());
      for (var e : model.entrySet()) {
        assertThat(c.get(List.of(e.getKey()), true).get(0).vector())
            .as(e.getKey())
            .containsExactly(e.getValue());
      }
      assertThat(c.get(List.of("p1"), false).get(0).payload().toString())
          .isEqualTo("{\"moved\":true}");
      int found = 0;
      for (var e : model.entrySet()) {
        if (c.search(SearchRequest.vector(e.getValue(), 10).withEf(100)).stream()
            .anyMatch(h -> h.id().equals(e.getKey()))) {
          found++;
        }
      }
      assertThat(found).isGreaterThanOrEqualTo(model.size() * 99 / 100);
    }
    try (Database db = Database.open(dir)) {
      assertThat(db.collection("bg").ids()).containsExactlyInAnyOrderElementsOf(model.keySet());
    }
  }

  @Test
  void intervalDurabilityAcknowledgesAndStillRecovers() {
    try (Database db = Database.open(dir)) {
      Collection c =
          db.create(CollectionConfig.of("i", 2, Metric.DOT).withDurability(Durability.INTERVAL, 5));
      for (int i = 0; i < 50; i++) {
        c.upsert(List.of(Point.of("p" + i, new float[] {i, 1}, null)));
      }
      assertThat(c.config().durability()).isEqualTo(Durability.INTERVAL);
    }
    try (Database db = Database.open(dir)) {
      assertThat(db.collection("i").count(null)).isEqualTo(50);
      assertThat(db.collection("i").config().syncIntervalMillis()).isEqualTo(5);
    }
    assertThatThrownBy(
            () -> CollectionConfig.of("x", 2, Metric.DOT).withDurability(Durability.INTERVAL, 0))
        .hasMessage("syncIntervalMillis: must be in [1, 60000], got 0");
  }

  @Test
  void aSecondOpenOfTheSameFolderIsRefused() {
    try (Database db = Database.open(dir)) {
      assertThatThrownBy(() -> Database.open(dir))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("is open in another process");
    }
  }
}
