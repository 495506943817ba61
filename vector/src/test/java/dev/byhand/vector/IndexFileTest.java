package dev.byhand.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Index files: round trip, atomic replace, and refusal of truncated or corrupted files. */
class IndexFileTest {

  @TempDir Path dir;

  private static HnswIndex small(Compression compression, Metric metric, long seed) {
    float[][] data = TestData.clustered(seed, 3_000, 24, 20);
    HnswIndex index =
        HnswIndex.builder(24, metric)
            .m(8)
            .efConstruction(60)
            .seed(seed)
            .compression(compression)
            .build();
    index.addAll(data, 1);
    return index;
  }

  @Test
  void roundTripGivesTheSameResults() throws IOException {
    long seed = 31;
    float[][] sample = TestData.clustered(seed, 500, 24, 20);
    for (Compression c :
        new Compression[] {
          Compression.none(),
          Compression.int8(sample),
          Compression.binary(sample),
          Compression.projection(Projection.gaussian(24, 12, seed))
        }) {
      for (Metric metric : Metric.values()) {
        HnswIndex index = small(c, metric, seed);
        for (int i = 0; i < 300; i += 3) {
          index.delete(i);
        }
        Path file = dir.resolve("index-" + c + "-" + metric + ".hnsw");
        index.save(file);
        HnswIndex loaded = HnswIndex.load(file);
        assertThat(loaded.size()).isEqualTo(index.size());
        assertThat(loaded.liveCount()).isEqualTo(index.liveCount());
        assertThat(loaded.compression().name()).isEqualTo(c.name());
        for (int i = 0; i < index.size(); i += 97) {
          assertThat(loaded.vector(i)).isEqualTo(index.vector(i));
          assertThat(loaded.isDeleted(i)).isEqualTo(index.isDeleted(i));
        }
        float[][] queries = TestData.clustered(seed + 1, 20, 24, 20);
        for (float[] q : queries) {
          assertThat(loaded.search(q, 10, 40))
              .as("%s %s", c, metric)
              .isEqualTo(index.search(q, 10, 40));
        }
        HnswSearcher s = loaded.searcher();
        assertThat(s.search(queries[0], 5, 40, i -> i % 2 == 0))
            .isEqualTo(index.search(queries[0], 5, 40, i -> i % 2 == 0));
        // the loaded index keeps working: adds, deletes, repair, and saving again
        int added = loaded.add(queries[0]);
        // the new vector lives on the heap beside the mapped ones; the exact scan sees both
        // (the approximate search is covered by the structure check after repair: binary codes
        // navigate too coarsely to promise top-1 at a small ef)
        SearchResult top = loaded.searchExact(queries[0], 1, null).get(0);
        if (metric == Metric.DOT) {
          // under the inner product a longer vector can beat the query's own copy
          float self = VectorOps.plain().dot(queries[0], 0, queries[0], 0, 24);
          assertThat(top.score()).as("%s %s", c, metric).isGreaterThanOrEqualTo(self - 1e-4f);
        } else {
          assertThat(top.ordinal()).isEqualTo(added);
        }
        assertThat(loaded.search(queries[0], 10, 40)).hasSize(10);
        loaded.delete(added);
        loaded.repair();
        HnswIndexTest.checkStructure(loaded, true);
        loaded.save(file);
        assertThat(HnswIndex.load(file).size()).isEqualTo(index.size() + 1);
      }
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.filter(p -> p.toString().endsWith(".tmp")))
          .as("temporary files left")
          .isEmpty();
    }
  }

  @Test
  void emptyIndexRoundTrips() throws IOException {
    Path file = dir.resolve("empty.hnsw");
    HnswIndex.builder(5, Metric.DOT).build().save(file);
    HnswIndex loaded = HnswIndex.load(file);
    assertThat(loaded.size()).isZero();
    assertThat(loaded.search(new float[] {1, 2, 3, 4, 5}, 3)).isEmpty();
    loaded.add(new float[] {1, 2, 3, 4, 5});
    assertThat(loaded.search(new float[] {1, 2, 3, 4, 5}, 3)).hasSize(1);
  }

  @Test
  void truncatedFilesAreRefusedNamingTheFile() throws IOException {
    Path file = dir.resolve("whole.hnsw");
    small(Compression.none(), Metric.L2, 32).save(file);
    byte[] bytes = Files.readAllBytes(file);
    SplittableRandom random = new SplittableRandom(32);
    int[] lengths = {
      0,
      1,
      11,
      63,
      80,
      bytes.length / 2,
      bytes.length - 13,
      bytes.length - 1,
      random.nextInt(bytes.length)
    };
    for (int length : lengths) {
      Path cut = dir.resolve("cut-" + length + ".hnsw");
      Files.write(cut, Arrays.copyOf(bytes, length));
      assertThatThrownBy(() -> HnswIndex.load(cut))
          .as("truncated to %d of %d bytes", length, bytes.length)
          .isInstanceOf(CorruptIndexException.class)
          .hasMessageContaining(cut.toString());
    }
  }

  @Test
  void corruptedBytesAreRefusedNamingTheFile() throws IOException {
    Path file = dir.resolve("whole.hnsw");
    small(Compression.none(), Metric.COSINE, 33).save(file);
    byte[] bytes = Files.readAllBytes(file);
    SplittableRandom random = new SplittableRandom(33);
    System.out.println("IndexFileTest.corruptedBytesAreRefusedNamingTheFile seed 33");
    // the header, the tombstones and levels, the vectors, the graph, the trailer: flip one bit each
    int[] positions = {
      0, 5, 20, 100, 400, bytes.length / 3, bytes.length / 2, bytes.length - 20, bytes.length - 5
    };
    for (int i = 0; i < 20; i++) {
      positions = Arrays.copyOf(positions, positions.length + 1);
      positions[positions.length - 1] = random.nextInt(bytes.length);
    }
    for (int pos : positions) {
      byte[] bad = bytes.clone();
      bad[pos] ^= (byte) (1 << random.nextInt(8));
      Path corrupt = dir.resolve("bad-" + pos + ".hnsw");
      Files.write(corrupt, bad);
      assertThatThrownBy(() -> HnswIndex.load(corrupt))
          .as("bit flipped at byte %d of %d", pos, bytes.length)
          .isInstanceOf(CorruptIndexException.class)
          .hasMessageContaining(corrupt.toString());
    }
    Path other = dir.resolve("not-an-index.hnsw");
    Files.write(
        other,
        "hello, this is a text file and certainly not an index file at all, no"
            .repeat(3)
            .getBytes());
    assertThatThrownBy(() -> HnswIndex.load(other))
        .isInstanceOf(CorruptIndexException.class)
        .hasMessageContaining(other.toString());
    assertThatThrownBy(() -> HnswIndex.load(dir.resolve("missing.hnsw")))
        .isInstanceOf(java.nio.file.NoSuchFileException.class);
  }

  @Test
  void savingReplacesTheOldFileWhole() throws IOException {
    Path file = dir.resolve("replace.hnsw");
    HnswIndex a = small(Compression.none(), Metric.DOT, 34);
    a.save(file);
    HnswIndex b = HnswIndex.builder(24, Metric.DOT).build();
    b.add(new float[24]);
    b.save(file);
    HnswIndex loaded = HnswIndex.load(file);
    assertThat(loaded.size()).isEqualTo(1);
    List<SearchResult> r = loaded.search(new float[24], 1);
    assertThat(r).hasSize(1);
  }
}
