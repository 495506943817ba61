package dev.byhand.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.byhand.vector.Metric;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Defect 7 of issue 14 (the database and snapshot parts): what restore and folder creation fsync,
 * and in which order, recorded through {@link Storage.Observer}.
 *
 * <p>What this proves: the calls are made, on the right files and folders, in the right order. What
 * it cannot: that the disk honours them. That needs a power cut (or a file system that drops
 * unsynced data, like a fault-injecting FUSE layer), which a unit test does not have.
 */
class DurableFoldersTest {

  record Event(String op, Path path, Path to, List<String> contents) {}

  @TempDir Path dir;

  private final List<Event> events = new ArrayList<>();

  @BeforeEach
  void record() {
    Storage.observer =
        (op, path, to) -> {
          List<String> contents = List.of();
          if (op.equals(Storage.RENAME) && Files.isDirectory(to)) {
            contents = names(to); // what the rename published
          }
          synchronized (events) {
            events.add(new Event(op, abs(path), to == null ? null : abs(to), contents));
          }
        };
  }

  @AfterEach
  void stop() {
    Storage.observer = null;
  }

  private static Path abs(Path p) {
    return p.toAbsolutePath().normalize();
  }

  private static List<String> names(Path folder) {
    try (Stream<Path> s = Files.list(folder)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private int first(String op, Path path, int from) {
    for (int i = from; i < events.size(); i++) {
      if (events.get(i).op().equals(op) && events.get(i).path().equals(abs(path))) {
        return i;
      }
    }
    return -1;
  }

  private int last(String op, Path path, int before) {
    for (int i = before - 1; i >= 0; i--) {
      if (events.get(i).op().equals(op) && events.get(i).path().equals(abs(path))) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void restoreFsyncsEveryFileAndTheFolderBeforeTheRenameAndTheParentAfter() {
    String snap;
    try (Database db = Database.open(dir)) {
      Collection a = db.create(CollectionConfig.of("a", 2, Metric.DOT));
      a.upsert(List.of(Point.of("p", new float[] {1, 0}, null)));
      a.createPayloadIndex("k", PayloadIndexType.KEYWORD);
      snap = Snapshots.create(db, "a");
      events.clear();
      Snapshots.restore(db, "a", snap, "r");
    }
    Path collections = dir.resolve("collections");
    Path tmp = collections.resolve(".restore-r");
    int rename = -1;
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      if (e.op().equals(Storage.RENAME)
          && e.path().equals(abs(tmp))
          && e.to().equals(abs(collections.resolve("r")))) {
        rename = i;
      }
    }
    assertThat(rename).as("the copy is renamed into place").isNotNegative();
    List<String> published = events.get(rename).contents();
    assertThat(published)
        .contains("collection.json", "CURRENT", PayloadIndexes_FILE)
        .anyMatch(f -> f.endsWith(".hnsw"))
        .anyMatch(f -> f.endsWith(".points"));
    int folderSynced = last(Storage.FSYNC_DIR, tmp, rename);
    assertThat(folderSynced).as("the copy's folder is fsynced before the rename").isNotNegative();
    for (String f : published) {
      int synced = last(Storage.FSYNC_FILE, tmp.resolve(f), rename);
      assertThat(synced).as("%s is fsynced before the rename", f).isNotNegative();
      assertThat(synced).as("%s is fsynced before its folder", f).isLessThan(folderSynced);
    }
    assertThat(first(Storage.FSYNC_DIR, collections, rename + 1))
        .as("collections/ is fsynced after the rename")
        .isPositive();
  }

  private static final String PayloadIndexes_FILE = Collection.PAYLOAD_INDEXES;

  @Test
  void everyNewFolderIsFsyncedInItsParent() {
    Path data = dir.resolve("nested/data");
    try (Database db = Database.open(data)) {
      db.create(CollectionConfig.of("c", 2, Metric.DOT))
          .upsert(List.of(Point.of("p", new float[] {1, 0}, null)));
      Snapshots.create(db, "c");
    }
    for (Path folder :
        List.of(
            dir.resolve("nested"),
            data,
            data.resolve("collections"),
            data.resolve("snapshots"),
            data.resolve("snapshots/c"))) {
      int made = first(Storage.MKDIR, folder, 0);
      assertThat(made).as("%s is made through Storage", folder).isNotNegative();
      assertThat(first(Storage.FSYNC_DIR, folder.getParent(), made + 1))
          .as("%s is fsynced in its parent after it is made", folder)
          .isPositive();
    }
    // A new collection's folder is made under a temporary name and renamed into place.
    int placed = -1;
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      if (e.op().equals(Storage.RENAME) && e.to().equals(abs(data.resolve("collections/c")))) {
        placed = i;
      }
    }
    assertThat(placed).isNotNegative();
    assertThat(first(Storage.FSYNC_DIR, data.resolve("collections"), placed + 1)).isPositive();
  }

  @Test
  void createDirectoriesLeavesExistingFoldersAloneAndRefusesAFileInTheWay() throws IOException {
    Files.createDirectories(dir.resolve("x/y"));
    Storage.createDirectories(dir.resolve("x/y"));
    assertThat(events).isEmpty();
    Files.writeString(dir.resolve("x/file"), "in the way");
    assertThatThrownBy(() -> Storage.createDirectories(dir.resolve("x/file/z")))
        .isInstanceOf(IOException.class);
  }
}
