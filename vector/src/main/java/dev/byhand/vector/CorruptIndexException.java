package dev.byhand.vector;

import java.io.IOException;
import java.nio.file.Path;

/** An index file that is truncated, corrupted or not an index file at all; names the file. */
public final class CorruptIndexException extends IOException {

  private static final long serialVersionUID = 1L;

  private final Path file;

  /**
   * @param file the refused file
   * @param reason what is wrong, and what was expected
   */
  public CorruptIndexException(Path file, String reason) {
    super(file + ": " + reason);
    this.file = file;
  }

  /** The refused file. */
  public Path file() {
    return file;
  }
}
