package dev.byhand.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.byhand.vector.Metric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sharded collection answers as one collection holding the same points would. */
class ShardedCollectionTest {

  @TempDir Path dir;

  static final int N = 1_200;
  static final int D = 8;

  static List<Point> points(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Point> out = new ArrayList<>();
    String[] colors = {"red", "green", "blue"};
    for (int i = 0; i < N; i++) {
      out.add(
          Point.of(
              "p" + i,
              CollectionTest.random(r, D),
              CollectionTest.json(
                  "{\"color\":\"" + colors[i % 3] + "\",\"n\":" + i + ",\"tag\":\"t" + i + "\"}")));
    }
    return out;
  }

  /** The same points in one collection of a database at {@code folder}. */
  static Database single(Path folder, CollectionConfig config, List<Point> points) {
    Database db = Database.open(folder);
    Collection c = db.create(config);
    c.upsert(points);
    return db;
  }

  @Test
  void answersLikeOneCollection() {
    CollectionConfig config = CollectionConfig.of("docs", D, Metric.COSINE).withHnsw(16, 200);
    List<Point> points = points(1);
    ShardManifest m =
        ShardBuilder.buildAll(
            dir.resolve("index"),
            config,
            ShardManifest.Partitioner.hash(),
            4,
            Map.of("color", PayloadIndexType.KEYWORD),
            points);
    assertThat(m.points()).isEqualTo(N);
    assertThat(m.shards()).hasSize(4).allSatisfy(s -> assertThat(s.points()).isBetween(200L, 400L));

    try (Database one = single(dir.resolve("one"), config, points);
        ShardedCollection sharded = ShardedCollection.open(dir.resolve("index/manifest.json"))) {
      Collection c = one.collection("docs");
      assertThat(sharded.count(null)).isEqualTo(N);
      assertThat(sharded.info().points()).isEqualTo(N);
      assertThat(sharded.payloadIndexes()).containsEntry("color", PayloadIndexType.KEYWORD);
      Filter red = Filter.parse("{\"must\":[{\"key\":\"color\",\"match\":{\"value\":\"red\"}}]}");
      assertThat(sharded.count(red)).isEqualTo(c.count(red)).isEqualTo(N / 3);

      SplittableRandom r = new SplittableRandom(7);
      for (int q = 0; q < 20; q++) {
        // ef above every shard's size and the whole collection's: both answers are exact.
        SearchRequest s = SearchRequest.vector(CollectionTest.random(r, D), 10).withEf(N + 100);
        assertThat(ids(sharded.search(s))).isEqualTo(ids(c.search(s)));
        SearchRequest f = s.withFilter(red).withScoreThreshold(0.2f);
        assertThat(ids(sharded.search(f))).isEqualTo(ids(c.search(f)));
        assertThat(sharded.search(f)).allSatisfy(h -> assertThat(h.score()).isGreaterThan(0.2f));
      }
      List<SearchRequest> batch =
          List.of(
              SearchRequest.vector(CollectionTest.random(r, D), 3).withEf(2000),
              SearchRequest.vector(CollectionTest.random(r, D), 5).withEf(2000));
      List<List<ScoredPoint>> a = sharded.search(batch);
      List<List<ScoredPoint>> b = c.search(batch);
      assertThat(ids(a.get(0))).isEqualTo(ids(b.get(0)));
      assertThat(ids(a.get(1))).isEqualTo(ids(b.get(1)));

      assertThat(sharded.get(List.of("p5", "nope", "p1"), true))
          .extracting(Point::id)
          .containsExactly("p5", "p1");
      assertThat(sharded.get(List.of("p5"), false).get(0).payload().get("n").asInt()).isEqualTo(5);

      // Scroll: the same pages, in id order, with and without a filter.
      for (Filter filter : new Filter[] {null, red}) {
        List<String> all = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        String cursor = null;
        String cursor1 = null;
        do {
          Page p = sharded.scroll(filter, cursor, 97, false);
          Page p1 = c.scroll(filter, cursor1, 97, false);
          assertThat(p.nextCursor()).isEqualTo(p1.nextCursor());
          p.points().forEach(x -> all.add(x.id()));
          p1.points().forEach(x -> expected.add(x.id()));
          cursor = p.nextCursor();
          cursor1 = p1.nextCursor();
        } while (cursor != null);
        assertThat(all).isEqualTo(expected).hasSize(filter == null ? N : N / 3);
      }
    }
  }

  @Test
  void kmeansShardsHoldTheirNearestPoints() {
    CollectionConfig config = CollectionConfig.of("docs", D, Metric.L2);
    SplittableRandom r = new SplittableRandom(3);
    float[][] centroids = {CollectionTest.random(r, D), CollectionTest.random(r, D)};
    List<Point> points = points(2);
    ShardManifest m =
        ShardBuilder.buildAll(
            dir, config, ShardManifest.Partitioner.kmeans(centroids), 2, Map.of(), points);
    ShardManifest read = ShardManifest.read(dir);
    assertThat(read.partitioner().centroids()).isDeepEqualTo(centroids);
    assertThat(read.points()).isEqualTo(N);
    try (ShardedCollection s = ShardedCollection.open(dir)) {
      for (int i = 0; i < 2; i++) {
        for (Point p : s.shard(i).scroll(null, null, 10_000, true).points()) {
          assertThat(m.shardOf(p.id(), p.vector())).isEqualTo(i);
        }
      }
      assertThat(s.get(List.of("p3", "p4"), false)).hasSize(2);
    }
  }

  @Test
  void textQueriesAreEmbeddedOnceWithTheCollectionsEncoder() {
    CollectionConfig config = CollectionConfig.withEncoder("seedy", "seed");
    List<Point> points = new ArrayList<>();
    String[] texts = {"how are you", "who are you", "who am I", "you are who", "am I you"};
    for (int i = 0; i < texts.length; i++) {
      points.add(Point.text("t" + i, texts[i], null));
    }
    ShardBuilder.buildAll(
        dir.resolve("x"), config, ShardManifest.Partitioner.hash(), 2, Map.of(), points);
    try (Database one = single(dir.resolve("one"), config, points);
        ShardedCollection s = ShardedCollection.open(dir.resolve("x"))) {
      SearchRequest q = SearchRequest.text("am I you", 5);
      List<ScoredPoint> a = s.search(q);
      List<ScoredPoint> b = one.collection("seedy").search(q);
      assertThat(a).hasSize(5);
      for (int i = 0; i < 5; i++) {
        assertThat(a.get(i).score()).isEqualTo(b.get(i).score());
      }
    }
  }

  @Test
  void servingLeavesTheShardFilesAsBuiltAndADamagedFileIsRefused() throws Exception {
    CollectionConfig config = CollectionConfig.of("docs", D, Metric.DOT);
    ShardManifest m =
        ShardBuilder.buildAll(
            dir, config, ShardManifest.Partitioner.hash(), 3, Map.of(), points(4));
    for (int round = 0; round < 2; round++) {
      try (ShardedCollection s = ShardedCollection.open(dir)) {
        assertThat(s.count(null)).isEqualTo(N);
      }
    }
    for (ShardManifest.Shard s : m.shards()) {
      ShardManifest.verify(dir.resolve(s.path()), s); // unchanged by two opens and closes
    }
    ShardManifest.FileSum segment =
        m.shards().get(1).files().stream()
            .filter(f -> f.path().endsWith(".points"))
            .findFirst()
            .orElseThrow();
    Path file = dir.resolve(m.shards().get(1).path()).resolve(segment.path());
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 1;
    Files.write(file, bytes);
    assertThatThrownBy(() -> ShardedCollection.open(dir))
        .isInstanceOf(CorruptedFileException.class)
        .hasMessageContaining(segment.path())
        .hasMessageContaining("CRC32C");
  }

  @Test
  void manifestRoundTripsAndBadOnesAreRefused() {
    ShardManifest m =
        ShardBuilder.buildAll(
            dir,
            CollectionConfig.of("docs", D, Metric.DOT),
            ShardManifest.Partitioner.hash(),
            2,
            Map.of(),
            points(5));
    ShardManifest back = ShardManifest.fromJson(m.toJson());
    assertThat(back.shards()).isEqualTo(m.shards());
    assertThat(back.collectionConfig()).isEqualTo(m.collectionConfig());
    assertThatThrownBy(() -> ShardManifest.fromJson("{\"format\":\"x\"}".getBytes()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("format");
    assertThatThrownBy(() -> ShardedCollection.open(dir.resolve("nothing-here")))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void hashIsFixed() {
    // Manifests on disk depend on these values never changing.
    assertThat(ShardManifest.hash("")).isEqualTo(HASH_EMPTY);
    assertThat(ShardManifest.hash("p0")).isEqualTo(HASH_P0);
    assertThat(ShardManifest.hashShard("p0", 4)).isEqualTo(SHARD_P0_OF_4);
    int[] counts = new int[8];
    for (int i = 0; i < 80_000; i++) {
      counts[ShardManifest.hashShard(Integer.toString(i), 8)]++;
    }
    for (int c : counts) {
      assertThat(c).isBetween(9_500, 10_500);
    }
  }

  static final long HASH_EMPTY = -1166397803181037274L;
  static final long HASH_P0 = 2896035438239678564L;
  static final int SHARD_P0_OF_4 = 0;

  static List<String> ids(List<ScoredPoint> hits) {
    return hits.stream().map(ScoredPoint::id).toList();
  }
}
