package dev.byhand.store;

import java.nio.file.Path;

/**
 * A file of the database fails its checks (magic number, version, checksum, length). The store
 * refuses to serve from it rather than return wrong data; the message names the file and what is
 * wrong, so it can be restored from a snapshot.
 */
public class CorruptedFileException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient Path file;

  public CorruptedFileException(Path file, String message) {
    super(file + ": " + message);
    this.file = file;
  }

  public CorruptedFileException(Path file, String message, Throwable cause) {
    super(file + ": " + message, cause);
    this.file = file;
  }

  /** The file at fault. */
  public Path file() {
    return file;
  }
}
