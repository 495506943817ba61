package dev.byhand.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/** File-system steps that make writes atomic and durable. */
final class Storage {

  private Storage() {}

  /**
   * Writes {@code bytes} to {@code target} atomically: a temporary file beside it is written and
   * fsynced, renamed over the target, and the folder fsynced, so a crash leaves the old file or the
   * new one, never a mix.
   */
  static void writeAtomically(Path target, byte[] bytes) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
    move(tmp, target);
  }

  /** Writes a file's contents to a stream. */
  interface Writer {
    void write(java.io.OutputStream out) throws IOException;
  }

  /**
   * Like {@link #writeAtomically(Path, byte[])}, streaming: {@code writer} writes the contents
   * through a buffer, so a file of any size is written without holding it in memory. If the writer
   * fails, the temporary file is deleted and the target is untouched.
   */
  static void writeAtomically(Path target, Writer writer) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try {
      try (FileChannel ch =
              FileChannel.open(
                  tmp,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.TRUNCATE_EXISTING,
                  StandardOpenOption.WRITE);
          java.io.OutputStream out =
              new java.io.BufferedOutputStream(
                  java.nio.channels.Channels.newOutputStream(ch), 1 << 16)) {
        writer.write(out);
        out.flush();
        ch.force(true);
      }
    } catch (IOException | RuntimeException | Error e) {
      if (Files.isRegularFile(tmp, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        Files.delete(tmp);
      }
      throw e;
    }
    move(tmp, target);
  }

  /** Renames atomically and fsyncs the folder. */
  static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the file system cannot rename " + from + " atomically", e);
    }
    fsyncDirectory(to.getParent());
  }

  /** Fsyncs a folder so that a create, rename or delete in it survives a crash. */
  static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some platforms cannot open folders; Linux, the one we ship for, can.
      if (System.getProperty("os.name", "").toLowerCase().contains("linux")) {
        throw e;
      }
    }
  }

  /** Deletes a folder and everything in it; a missing folder is fine. */
  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
            if (exc != null) {
              throw exc;
            }
            Files.delete(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
