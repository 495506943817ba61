package dev.byhand.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a database's snapshots live and how they are named, for every caller (the server, the
 * command line, embedded use): {@code <data>/snapshots/<collection>/<collection>-<UTC time>}, each
 * name matching the collection-name pattern so that no snapshot name can reach outside that folder.
 * {@link Collection#snapshot} writes one; {@link Database#restore} reads one back.
 */
public final class Snapshots {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");

  private Snapshots() {}

  /** The folder holding the snapshots of {@code collection}. */
  public static Path folder(Database db, String collection) {
    CollectionConfig.checkName(collection);
    return db.folder().resolve("snapshots").resolve(collection);
  }

  /**
   * Takes a snapshot of {@code collection} and returns its name.
   *
   * @throws NotFoundException if there is no such collection
   * @throws CollectionFailedException if it is quarantined
   */
  public static String create(Database db, String collection) {
    Collection c = db.collection(collection);
    Path folder = folder(db, collection);
    try {
      Storage.createDirectories(folder); // snapshots/ and snapshots/<c>/, durable in their parents
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + folder + ": " + e.getMessage(), e);
    }
    String base = collection + "-" + TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
    // Why cut at 64: a snapshot name obeys the collection-name pattern; the time is kept, the name
    // trimmed.
    base = base.length() > 60 ? base.substring(base.length() - 60) : base;
    for (int i = 1; ; i++) {
      String name = i == 1 ? base : base + "-" + i;
      if (Files.exists(folder.resolve(name))) {
        continue;
      }
      try {
        c.snapshot(folder.resolve(name));
        return name;
      } catch (ConflictException taken) {
        // a snapshot of the same millisecond got there first (snapshots of one collection take
        // turns on its write lock): the next suffix
      }
    }
  }

  /**
   * The names of the snapshots of {@code collection}, sorted (oldest first). A quarantined
   * collection's are listed too: they are what an admin restores under its name.
   *
   * @throws NotFoundException if there is no collection of that name, open or quarantined
   */
  public static List<String> list(Database db, String collection) {
    Path folder = folder(db, collection);
    if (db.failure(collection).isEmpty()) {
      db.collection(collection); // not found if it does not exist
    }
    List<String> names = new ArrayList<>();
    if (Files.isDirectory(folder)) {
      try (DirectoryStream<Path> s = Files.newDirectoryStream(folder)) {
        for (Path p : s) {
          String n = p.getFileName().toString();
          if (Files.isDirectory(p) && CollectionConfig.NAME.matcher(n).matches()) {
            names.add(n);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + folder + ": " + e.getMessage(), e);
      }
    }
    names.sort(null);
    return names;
  }

  /**
   * Restores snapshot {@code snapshot} of {@code collection} as collection {@code target}: a new
   * one, or in place of a quarantined one (see {@link Database#restore}). {@code collection} need
   * not exist any more.
   *
   * @throws InvalidRequestException if a name does not match the pattern
   * @throws NotFoundException if there is no such snapshot
   * @throws ConflictException if an open collection named {@code target} exists
   */
  public static Collection restore(Database db, String collection, String snapshot, String target) {
    if (snapshot == null || !CollectionConfig.NAME.matcher(snapshot).matches()) {
      throw new InvalidRequestException("snapshot", "must match [A-Za-z0-9_-]{1,64}");
    }
    CollectionConfig.checkName(target);
    Path dir = folder(db, collection).resolve(snapshot);
    if (!Files.isDirectory(dir)) {
      throw new NotFoundException(
          "snapshot", "no snapshot '" + snapshot + "' of collection '" + collection + "'");
    }
    return db.restore(dir, target);
  }

  /**
   * Deletes a snapshot of a collection (Qdrant's delete snapshot).
   *
   * @throws NotFoundException if there is no such snapshot
   */
  public static void delete(Database db, String collection, String snapshot) {
    if (snapshot == null || !CollectionConfig.NAME.matcher(snapshot).matches()) {
      throw new InvalidRequestException("snapshot", "must match [A-Za-z0-9_-]{1,64}");
    }
    Path dir = folder(db, collection).resolve(snapshot);
    if (!Files.isDirectory(dir)) {
      throw new NotFoundException(
          "snapshot", "no snapshot '" + snapshot + "' of collection '" + collection + "'");
    }
    try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir + ": " + e.getMessage(), e);
    }
  }
}
