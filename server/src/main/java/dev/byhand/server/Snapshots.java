package dev.byhand.server;

import dev.byhand.store.Collection;
import dev.byhand.store.CollectionConfig;
import dev.byhand.store.Database;
import dev.byhand.store.InvalidRequestException;
import dev.byhand.store.NotFoundException;
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
 * Where snapshots live and how they are named, shared by the server and the command line: {@code
 * <data>/snapshots/<collection>/<collection>-<UTC time>}, each name matching the collection-name
 * pattern so that no snapshot name can reach outside that folder.
 */
public final class Snapshots {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");

  private Snapshots() {}

  /** The folder holding the snapshots of {@code collection}. */
  public static Path folder(Database db, String collection) {
    CollectionConfig.checkName(collection);
    return db.folder().resolve("snapshots").resolve(collection);
  }

  /** Takes a snapshot of {@code c} and returns its name. */
  public static synchronized String create(Database db, Collection c) {
    Path folder = folder(db, c.config().name());
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + folder + ": " + e.getMessage(), e);
    }
    String base = c.config().name() + "-" + TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
    // Why cut at 64: a snapshot name obeys the collection-name pattern; the time is kept, the name
    // trimmed.
    base = base.length() > 60 ? base.substring(base.length() - 60) : base;
    String name = base;
    for (int i = 2;
        Files.exists(folder.resolve(name)) || Files.exists(folder.resolve(name + ".tmp"));
        i++) {
      name = base + "-" + i;
    }
    c.snapshot(folder.resolve(name));
    return name;
  }

  /** The names of the snapshots of {@code collection}, sorted (oldest first). */
  public static List<String> list(Database db, String collection) {
    Path folder = folder(db, collection);
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
   * Restores snapshot {@code snapshot} of {@code collection} as a new collection {@code target}.
   *
   * @throws InvalidRequestException if a name does not match the pattern
   * @throws NotFoundException if there is no such snapshot
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
}
