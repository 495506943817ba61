package dev.byhand.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.byhand.store.Collection;
import dev.byhand.store.Database;
import dev.byhand.store.Point;
import dev.byhand.store.ShardManifest;
import dev.byhand.store.ShardedCollection;
import dev.byhand.vector.Metric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The index job's shards are ordinary collections, together holding every point once. */
class IndexJobTest {

  @Test
  void fourHashShardsEachOpenWithDatabaseOpenAndHoldEveryPointOnce() {
    ShardManifest m = Fixtures.hashIndex();
    Path folder = Fixtures.hashIndexFolder();
    assertThat(m.shards()).hasSize(4);
    assertThat(m.points()).isEqualTo(Fixtures.N);
    assertThat(m.metric()).isEqualTo(Metric.COSINE);
    assertThat(m.dimension()).isEqualTo(Fixtures.D);
    assertThat(m.encoder()).isNull();
    assertThat(ShardManifest.read(folder)).isEqualTo(m);

    Set<String> seen = new HashSet<>();
    for (ShardManifest.Shard s : m.shards()) {
      Path dir = folder.resolve(s.path());
      ShardManifest.verify(dir, s);
      try (Database db = Database.open(dir)) {
        assertThat(db.list()).containsExactly("docs");
        Collection c = db.collection("docs");
        assertThat(c.count(null)).isEqualTo(s.points()).isBetween(400L, 600L);
        assertThat(c.payloadIndexes()).containsKey("blob");
        for (Point p : c.scroll(null, null, 10_000, false).points()) {
          assertThat(ShardManifest.hashShard(p.id(), 4)).isEqualTo(s.shard());
          assertThat(seen.add(p.id())).isTrue();
          assertThat(p.payload().get("blob").asInt())
              .isEqualTo(Integer.parseInt(p.id().substring(1)) % Fixtures.BLOBS);
        }
      }
    }
    assertThat(seen).hasSize(Fixtures.N);
  }

  @Test
  void kmeansShardsFollowTheClustersAndTheirCentroidsAreInTheManifest() {
    Path out = TestSpark.folder("kmeans-index");
    ShardManifest m =
        IndexJob.run(
            TestSpark.get(),
            IndexJob.Options.of(Fixtures.vectorsParquet().toString(), out.toString(), 4, "kmeans")
                .withMetric("l2", "none"));
    assertThat(m.partitioner().kind()).isEqualTo(ShardManifest.Partitioner.Kind.KMEANS);
    assertThat(m.partitioner().centroids()).hasNumberOfRows(4);
    assertThat(m.points()).isEqualTo(Fixtures.N);
    float[][] v = Fixtures.vectors();
    try (ShardedCollection s = ShardedCollection.open(out)) {
      Map<Integer, Set<Integer>> blobsOfShard = new HashMap<>();
      for (int i = 0; i < s.shardCount(); i++) {
        for (Point p : s.shard(i).scroll(null, null, 10_000, false).points()) {
          int n = Integer.parseInt(p.id().substring(1));
          assertThat(m.shardOf(p.id(), v[n])).isEqualTo(i);
          blobsOfShard.computeIfAbsent(i, k -> new HashSet<>()).add(n % Fixtures.BLOBS);
        }
      }
      // Four well separated blobs, four centroids: each shard holds one blob.
      assertThat(blobsOfShard.values()).allSatisfy(b -> assertThat(b).hasSize(1));
    }
  }

  @Test
  void aStoppedIndexRunBuildsOnlyTheMissingShards() throws IOException {
    Path out = TestSpark.folder("resumed-index");
    IndexJob.Options o =
        IndexJob.Options.of(Fixtures.vectorsParquet().toString(), out.toString(), 3, "hash")
            .withMetric("dot", "none");
    ShardManifest first = IndexJob.run(TestSpark.get(), o);
    // As if the run had stopped before shard 1 and the manifest were written.
    ExecutorShards.deleteQuietly(out.resolve("shard-00001"));
    Files.delete(out.resolve(ShardManifest.FILE));
    Path kept = out.resolve("shard-00000").resolve(IndexJob.SHARD_DONE);
    FileTime before = Files.getLastModifiedTime(kept);
    ShardManifest second = IndexJob.run(TestSpark.get(), o);
    assertThat(Files.getLastModifiedTime(kept)).isEqualTo(before);
    assertThat(second.shards().get(0)).isEqualTo(first.shards().get(0));
    assertThat(second.shards().get(1).points()).isEqualTo(first.shards().get(1).points());
    assertThat(second.points()).isEqualTo(Fixtures.N);
    try (ShardedCollection s = ShardedCollection.open(out)) {
      assertThat(s.count(null)).isEqualTo(Fixtures.N);
    }
    assertThatThrownBy(() -> IndexJob.run(TestSpark.get(), o.withHnsw(8, 50)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("another index run");
    assertThat(List.of(first.metric(), second.metric())).containsOnly(Metric.DOT);
  }
}
