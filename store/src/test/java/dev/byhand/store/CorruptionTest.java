package dev.byhand.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.vector.Metric;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorruptionTest {

  @TempDir Path dir;

  @Test
  void walDropsATornTailAndRefusesDamageInTheMiddle() throws IOException {
    Path f = dir.resolve("wal-1.log");
    try (Wal w = Wal.create(f, 1)) {
      for (int i = 0; i < 5; i++) {
        w.append((byte) 1, ("record " + i).getBytes());
      }
      w.awaitDurable(5);
    }
    long full = Files.size(f);
    assertThat(Wal.read(f)).hasSize(5);
    // Cut inside the last record: four records remain and the file is truncated to them.
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength(full - 3);
    }
    assertThat(Wal.read(f)).extracting(Wal.Entry::seq).containsExactly(1L, 2L, 3L, 4L);
    assertThat(Files.size(f)).isEqualTo(full - (Wal.RECORD_HEADER_BYTES + "record 4".length()));
    // A flipped byte in the second record, with valid records after it: damaged, not torn.
    flip(f, Wal.HEADER_BYTES + Wal.RECORD_HEADER_BYTES + 8 + Wal.RECORD_HEADER_BYTES + 2);
    assertThatThrownBy(() -> Wal.read(f))
        .isInstanceOf(CorruptedFileException.class)
        .hasMessageContaining("wal-1.log")
        .hasMessageContaining("damaged, not torn");
  }

  @Test
  void aDamagedSegmentIsRefusedNamingTheFile() throws IOException {
    try (Database db = Database.open(dir)) {
      Collection c = db.create(CollectionConfig.of("c", 4, Metric.DOT));
      c.upsert(
          List.of(
              Point.of("a", new float[] {1, 2, 3, 4}, Json.parsePayload("p", "{\"k\":\"v\"}"))));
    }
    Path points = only(dir.resolve("collections/c"), "segment-*.points");
    flip(points, (int) Files.size(points) / 2);
    // Refused, quarantined: the database opens, the collection does not.
    try (Database db = Database.open(dir)) {
      assertThatThrownBy(() -> db.collection("c"))
          .isInstanceOf(CollectionFailedException.class)
          .hasCauseInstanceOf(CorruptedFileException.class)
          .hasMessageContaining(points.getFileName().toString())
          .hasMessageContaining("checksum");
      assertThat(db.failed())
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.kind()).isEqualTo(FailedCollection.Kind.DAMAGED_FILE);
                assertThat(f.reason())
                    .contains(points.getFileName().toString())
                    .contains("checksum");
              });
    }
    // The lock was released: the folder opens again, and still refuses what is damaged.
    Files.delete(points);
    try (Database db = Database.open(dir)) {
      assertThatThrownBy(() -> db.collection("c"))
          .isInstanceOf(CollectionFailedException.class)
          .hasCauseInstanceOf(CorruptedFileException.class)
          .hasMessageContaining("is missing");
    }
  }

  @Test
  void aDamagedGraphFileIsRefusedNamingTheFile() throws IOException {
    try (Database db = Database.open(dir)) {
      Collection c = db.create(CollectionConfig.of("c", 4, Metric.DOT));
      c.upsert(List.of(Point.of("a", new float[] {1, 2, 3, 4}, null)));
    }
    Path hnsw = only(dir.resolve("collections/c"), "segment-*.hnsw");
    flip(hnsw, (int) Files.size(hnsw) - 10);
    try (Database db = Database.open(dir)) {
      assertThatThrownBy(() -> db.collection("c"))
          .isInstanceOf(CollectionFailedException.class)
          .hasCauseInstanceOf(CorruptedFileException.class)
          .hasMessageContaining(hnsw.getFileName().toString());
    }
  }

  /**
   * Random damage to the log of a collection that was never closed (the segment holds nothing):
   * opening either quarantines the collection with a clear error or recovers a prefix of the
   * writes, exactly.
   */
  @Test
  void randomDamageToTheLogYieldsAnErrorOrAnExactPrefix() throws IOException {
    SplittableRandom random = new SplittableRandom(99);
    Path pristine = dir.resolve("pristine");
    List<Map<String, ObjectNode>> prefixes = new ArrayList<>();
    prefixes.add(Map.of());
    try (Database db = Database.open(pristine)) {
      Collection c = db.create(CollectionConfig.of("c", 4, Metric.DOT));
      Map<String, ObjectNode> state = new HashMap<>();
      for (int i = 0; i < 40; i++) {
        ObjectNode payload = Json.parsePayload("p", "{\"i\":" + i + "}");
        c.upsert(List.of(Point.of("p" + i, new float[] {i, 1, 2, 3}, payload)));
        state.put("p" + i, payload);
        prefixes.add(Map.copyOf(state));
      }
      // Keep the log: copy the folder before close() folds it into a segment.
      copyTree(pristine, dir.resolve("logged"));
    }
    Path log = only(dir.resolve("logged/collections/c"), "wal-*.log");
    int errors = 0;
    int recovered = 0;
    for (int trial = 0; trial < 40; trial++) {
      Path copy = dir.resolve("trial-" + trial);
      copyTree(dir.resolve("logged"), copy);
      Files.deleteIfExists(copy.resolve("byhand.lock"));
      Path damaged = copy.resolve(dir.resolve("logged").relativize(log));
      long size = Files.size(damaged);
      if (random.nextBoolean()) {
        try (RandomAccessFile raf = new RandomAccessFile(damaged.toFile(), "rw")) {
          raf.setLength(random.nextLong(size));
        }
      } else {
        flip(damaged, (int) random.nextLong(size));
      }
      try (Database db = Database.open(copy)) {
        Optional<FailedCollection> failed = db.failure("c");
        if (failed.isPresent()) {
          assertThat(failed.get().cause()).isInstanceOf(CorruptedFileException.class);
          assertThat(failed.get().reason()).contains(copy.toString());
          errors++;
          continue;
        }
        Map<String, ObjectNode> found = new HashMap<>();
        Collection c = db.collection("c");
        for (Point p : c.scroll(null, null, 1000, false).points()) {
          found.put(p.id(), p.payload());
        }
        assertThat(prefixes)
            .as("trial %d recovered a state that was never written", trial)
            .contains(found);
        recovered++;
      }
    }
    assertThat(errors + recovered).isEqualTo(40);
    assertThat(recovered).isPositive();
  }

  static void flip(Path f, int offset) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.seek(offset);
      int b = raf.read();
      raf.seek(offset);
      raf.write(b ^ 0x5A);
    }
  }

  static Path only(Path dir, String glob) throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, glob)) {
      List<Path> all = new ArrayList<>();
      s.forEach(all::add);
      assertThat(all).hasSize(1);
      return all.get(0);
    }
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (var walk = Files.walk(from)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path t = to.resolve(from.relativize(p));
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
  }
}
