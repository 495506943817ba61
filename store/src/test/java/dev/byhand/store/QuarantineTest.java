package dev.byhand.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.byhand.vector.Metric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Defect 6 of issue 14: one damaged collection must not take the whole database down. */
class QuarantineTest {

  @TempDir Path dir;

  @AfterEach
  void restoreOpener() {
    Database.opener = Collection::open;
  }

  /** Two collections, {@code good} (2 points) and {@code bad} (3), closed: both in segments. */
  private void twoCollections() {
    try (Database db = Database.open(dir)) {
      db.create(CollectionConfig.of("good", 2, Metric.DOT))
          .upsert(
              List.of(
                  Point.of("a", new float[] {1, 0}, null),
                  Point.of("b", new float[] {0, 1}, null)));
      db.create(CollectionConfig.of("bad", 2, Metric.DOT))
          .upsert(
              List.of(
                  Point.of("x", new float[] {1, 0}, null),
                  Point.of("y", new float[] {0, 1}, null),
                  Point.of("z", new float[] {1, 1}, null)));
    }
  }

  private Path damageBad() throws IOException {
    Path points = CorruptionTest.only(dir.resolve("collections/bad"), "segment-*.points");
    CorruptionTest.flip(points, (int) Files.size(points) / 2);
    return points;
  }

  @Test
  void aDamagedCollectionIsQuarantinedAndTheOthersAreServed() throws IOException {
    twoCollections();
    Path points = damageBad();
    try (Database db = Database.open(dir)) {
      assertThat(db.list()).containsExactly("good");
      assertThat(db.collection("good").count(null)).isEqualTo(2);
      db.collection("good").upsert(List.of(Point.of("c", new float[] {1, 1}, null)));

      assertThat(db.failed())
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.name()).isEqualTo("bad");
                assertThat(f.folder()).isEqualTo(dir.resolve("collections/bad"));
                assertThat(f.kind()).isEqualTo(FailedCollection.Kind.DAMAGED_FILE);
                assertThat(f.reason()).contains(points.toString()).contains("checksum");
                assertThat(f.cause()).isInstanceOf(CorruptedFileException.class);
              });
      assertThat(db.failure("bad")).isPresent();
      assertThat(db.failure("good")).isEmpty();
      for (var use :
          List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
              () -> db.collection("bad"), () -> db.find("bad"))) {
        assertThatThrownBy(use)
            .isInstanceOf(CollectionFailedException.class)
            .hasMessageContaining("'bad'")
            .hasMessageContaining(points.getFileName().toString())
            .hasMessageContaining("drop it or restore a snapshot");
      }
      assertThatThrownBy(() -> db.create(CollectionConfig.of("bad", 2, Metric.DOT)))
          .isInstanceOf(ConflictException.class)
          .hasMessageContaining("failed to open");
      assertThatThrownBy(() -> Snapshots.create(db, "bad"))
          .isInstanceOf(CollectionFailedException.class);
    }
    // Quarantine changes nothing on disk: the damaged files wait for an admin.
    assertThat(points).exists();
  }

  @Test
  void aQuarantinedCollectionCanBeDroppedAndItsNameReused() throws IOException {
    twoCollections();
    damageBad();
    try (Database db = Database.open(dir)) {
      db.drop("bad");
      assertThat(db.failed()).isEmpty();
      assertThat(dir.resolve("collections/bad")).doesNotExist();
      assertThatThrownBy(() -> db.collection("bad")).isInstanceOf(NotFoundException.class);
      assertThatThrownBy(() -> db.drop("bad")).isInstanceOf(NotFoundException.class);
      db.create(CollectionConfig.of("bad", 3, Metric.L2));
    }
    try (Database db = Database.open(dir)) {
      assertThat(db.failed()).isEmpty();
      assertThat(db.list()).containsExactly("bad", "good");
      assertThat(db.collection("bad").config().dimension()).isEqualTo(3);
    }
  }

  @Test
  void aSnapshotCanBeRestoredOverAQuarantinedCollectionOrBesideIt() throws IOException {
    twoCollections();
    String snap;
    try (Database db = Database.open(dir)) {
      snap = Snapshots.create(db, "bad");
      db.collection("bad").upsert(List.of(Point.of("later", new float[] {2, 2}, null)));
    }
    damageBad();
    try (Database db = Database.open(dir)) {
      // The admin finds the snapshots of the quarantined collection...
      assertThat(Snapshots.list(db, "bad")).containsExactly(snap);
      // ...restores one beside it, which leaves it quarantined...
      assertThat(Snapshots.restore(db, "bad", snap, "bad2").count(null)).isEqualTo(3);
      assertThat(db.failure("bad")).isPresent();
      // ...and one in its place.
      Collection restored = Snapshots.restore(db, "bad", snap, "bad");
      assertThat(restored.count(null)).isEqualTo(3);
      assertThat(db.failed()).isEmpty();
      assertThat(db.list()).containsExactly("bad", "bad2", "good");
      assertThat(db.collection("bad")).isSameAs(restored);
    }
    try (Database db = Database.open(dir)) {
      assertThat(db.failed()).isEmpty();
      assertThat(db.collection("bad").count(null)).isEqualTo(3);
      assertThat(dir.resolve("collections")).isDirectoryNotContaining("glob:**/.*");
    }
  }

  @Test
  void aDamagedSnapshotRestoredOverAQuarantinedCollectionLeavesItAsItWas() throws IOException {
    twoCollections();
    String snap;
    try (Database db = Database.open(dir)) {
      snap = Snapshots.create(db, "bad");
    }
    Path points = damageBad();
    Path snapPoints = CorruptionTest.only(dir.resolve("snapshots/bad/" + snap), "segment-*.points");
    CorruptionTest.flip(snapPoints, (int) Files.size(snapPoints) / 2);
    try (Database db = Database.open(dir)) {
      String before = db.failure("bad").orElseThrow().reason();
      assertThatThrownBy(() -> Snapshots.restore(db, "bad", snap, "bad"))
          .isInstanceOf(CorruptedFileException.class);
      assertThat(db.failure("bad").orElseThrow().reason()).isEqualTo(before);
      assertThat(points).exists();
      assertThat(dir.resolve("collections")).isDirectoryNotContaining("glob:**/.*");
      assertThat(db.list()).containsExactly("good");
    }
  }

  @Test
  void aBugWhileOpeningIsQuarantinedAndToldApartFromDamage() {
    twoCollections();
    Database.opener =
        d -> {
          if (d.getFileName().toString().equals("bad")) {
            throw new NullPointerException("a bug in recovery");
          }
          return Collection.open(d);
        };
    try (Database db = Database.open(dir)) {
      assertThat(db.list()).containsExactly("good");
      FailedCollection f = db.failure("bad").orElseThrow();
      assertThat(f.kind()).isEqualTo(FailedCollection.Kind.INTERNAL_ERROR);
      assertThat(f.reason())
          .contains("a bug in byhand, not damage to the files")
          .contains("NullPointerException: a bug in recovery")
          .contains(dir.resolve("collections/bad").toString());
      assertThatThrownBy(() -> db.collection("bad"))
          .isInstanceOf(CollectionFailedException.class)
          .hasCauseInstanceOf(NullPointerException.class);
    }
  }

  @Test
  void aBugReportedAsDamageToAFileIsToldApartByItsCause() {
    twoCollections();
    Path hnsw = dir.resolve("collections/bad/segment-1.hnsw");
    Database.opener =
        d -> {
          if (d.getFileName().toString().equals("bad")) {
            // What Collection.recover does with any RuntimeException from HnswIndex.load.
            throw new CorruptedFileException(
                hnsw, "cannot be loaded: null", new NullPointerException());
          }
          return Collection.open(d);
        };
    try (Database db = Database.open(dir)) {
      FailedCollection f = db.failure("bad").orElseThrow();
      assertThat(f.kind()).isEqualTo(FailedCollection.Kind.INTERNAL_ERROR);
      assertThat(f.reason())
          .contains(hnsw.toString())
          .contains("NullPointerException, a bug in byhand");
    }
  }

  @Test
  void runningOutOfMemoryOrAnIoErrorIsQuarantinedToo() {
    twoCollections();
    Database.opener =
        d -> {
          if (d.getFileName().toString().equals("bad")) {
            throw new OutOfMemoryError("Java heap space");
          }
          throw new java.nio.file.AccessDeniedException(d.resolve("CURRENT").toString());
        };
    try (Database db = Database.open(dir)) {
      assertThat(db.list()).isEmpty();
      assertThat(db.failed())
          .extracting(FailedCollection::name, FailedCollection::kind)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("bad", FailedCollection.Kind.OUT_OF_MEMORY),
              org.assertj.core.groups.Tuple.tuple("good", FailedCollection.Kind.IO_ERROR));
      assertThat(db.failure("bad").orElseThrow().reason()).contains("-Xmx");
      assertThat(db.failure("good").orElseThrow().reason())
          .contains("AccessDeniedException")
          .contains(dir.resolve("collections/good/CURRENT").toString());
    }
  }

  @Test
  void aFolderWhoseConfigNamesAnotherCollectionIsQuarantined() throws IOException {
    twoCollections();
    CorruptionTest.copyTree(dir.resolve("collections/good"), dir.resolve("collections/copy"));
    try (Database db = Database.open(dir)) {
      // Before: the copy registered as a second 'good', and one of the two was silently hidden.
      assertThat(db.list()).containsExactly("bad", "good");
      assertThat(db.failure("copy").orElseThrow().reason())
          .contains("collection.json")
          .contains("names collection 'good', but its folder is 'copy'");
      assertThat(db.collection("good").config().name()).isEqualTo("good");
    }
  }
}
