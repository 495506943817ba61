package dev.byhand.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A collection that could not be opened and is quarantined: the database serves the others, and
 * every use of this one fails with {@link CollectionFailedException} until an admin drops it or
 * restores a snapshot under its name.
 *
 * @param name the collection's name (its folder's name)
 * @param folder its folder
 * @param kind what went wrong, as far as the store can tell
 * @param reason for a person: what failed, naming the file where one is at fault; one line
 * @param cause the exception the open threw
 */
public record FailedCollection(
    String name, Path folder, FailedCollection.Kind kind, String reason, Throwable cause) {

  /** What went wrong. */
  public enum Kind {
    /** A file fails its checks (checksum, length, format): restore it from a snapshot. */
    DAMAGED_FILE,
    /** The operating system refused a read or write (permissions, a failing disk). */
    IO_ERROR,
    /** Not the files: a bug in byhand (say, a NullPointerException). The files may be fine. */
    INTERNAL_ERROR,
    /** The JVM ran out of heap loading it. */
    OUT_OF_MEMORY;

    /** The lower-case name used by the server and the command line, e.g. {@code damaged_file}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Classifies what {@code opening} the collection in {@code folder} threw. */
  static FailedCollection of(String name, Path folder, Throwable e) {
    Kind kind;
    String reason;
    Throwable bug = e instanceof CorruptedFileException ? bugIn(e.getCause()) : null;
    if (bug != null) {
      // Recovery reports whatever a loader threw as damage to the file; some of it is not.
      kind = Kind.INTERNAL_ERROR;
      reason =
          e.getMessage()
              + "; but the cause is a "
              + bug.getClass().getSimpleName()
              + ", a bug in byhand (perhaps set off by damage to the file; please report it)";
    } else if (e instanceof CorruptedFileException) {
      kind = Kind.DAMAGED_FILE;
      reason = e.getMessage(); // begins with the file's path
    } else if (e instanceof IOException || e instanceof UncheckedIOException) {
      kind = Kind.IO_ERROR;
      Throwable io = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
      reason = "cannot read " + folder + ": " + describe(io);
    } else if (e instanceof OutOfMemoryError) {
      kind = Kind.OUT_OF_MEMORY;
      reason =
          "ran out of memory loading "
              + folder
              + "; give the JVM more heap (-Xmx) and open the database again";
    } else {
      kind = Kind.INTERNAL_ERROR;
      reason =
          "a bug in byhand, not damage to the files, while opening "
              + folder
              + ": "
              + describe(e)
              + " (please report it with the log)";
    }
    return new FailedCollection(name, folder, kind, oneLine(reason), e);
  }

  /** A drop that could not remove the folder: the files are still there. */
  static FailedCollection dropFailed(String name, Path folder, Throwable e) {
    return new FailedCollection(
        name,
        folder,
        e instanceof IOException || e instanceof UncheckedIOException
            ? Kind.IO_ERROR
            : Kind.INTERNAL_ERROR,
        oneLine("a drop could not remove " + folder + ": " + describe(e) + "; drop it again"),
        e);
  }

  /**
   * The first throwable in the cause chain that only a bug throws (a loader that meets bad bytes
   * must say so, not dereference null), or null.
   */
  private static Throwable bugIn(Throwable t) {
    for (int depth = 0; t != null && depth < 16; t = t.getCause(), depth++) {
      if (t instanceof NullPointerException
          || t instanceof ClassCastException
          || t instanceof IllegalMonitorStateException
          || t instanceof AssertionError
          || t instanceof StackOverflowError) {
        return t;
      }
    }
    return null;
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
  }

  private static String oneLine(String s) {
    return s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
  }
}
