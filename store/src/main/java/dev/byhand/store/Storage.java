package dev.byhand.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/** File-system steps that make writes atomic and durable. */
final class Storage {

  /**
   * What a test sees of the steps below: each fsync, rename and durable folder creation, in the
   * order made, on the thread that makes it. A test can record them (to check the order of
   * operations) or block in one (to hold an operation in the middle of its I/O). Null in
   * production.
   */
  interface Observer {
    /**
     * {@code op} is one of {@link #FSYNC_FILE}, {@link #FSYNC_DIR}, {@link #MKDIR}, {@link
     * #RENAME}.
     */
    void saw(String op, Path path, Path to);
  }

  static final String FSYNC_FILE = "fsync-file";
  static final String FSYNC_DIR = "fsync-dir";
  static final String MKDIR = "mkdir";
  static final String RENAME = "rename";

  static volatile Observer observer;

  private Storage() {}

  private static void saw(String op, Path path, Path to) {
    Observer o = observer;
    if (o != null) {
      o.saw(op, path, to);
    }
  }

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
    saw(FSYNC_FILE, tmp, null);
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
    saw(RENAME, from, to);
    fsyncDirectory(to.getParent());
  }

  /** Fsyncs a file's contents (it must exist and be writable by us). */
  static void fsyncFile(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    saw(FSYNC_FILE, file, null);
  }

  /**
   * Fsyncs every file directly in {@code dir}, then {@code dir} itself: after this, what the folder
   * holds survives a crash once the folder's own entry does (a rename into place fsyncs that
   * parent). Collection folders are flat; a sub-folder is refused rather than skipped silently.
   */
  static void fsyncTree(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      s.forEach(files::add);
    }
    files.sort(null);
    for (Path f : files) {
      if (Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException(f + " is a folder; a collection folder holds only files");
      }
      fsyncFile(f);
    }
    fsyncDirectory(dir);
  }

  /**
   * Creates {@code dir} and any missing parents, each new folder fsynced in its parent (top down),
   * so that a folder this returns survives a crash with its name. Existing folders are left as they
   * are.
   */
  static void createDirectories(Path dir) throws IOException {
    Path abs = dir.toAbsolutePath().normalize();
    List<Path> missing = new ArrayList<>();
    for (Path p = abs; p != null && !Files.isDirectory(p); p = p.getParent()) {
      missing.add(p);
    }
    for (int i = missing.size() - 1; i >= 0; i--) {
      Path p = missing.get(i);
      try {
        Files.createDirectory(p);
      } catch (FileAlreadyExistsException e) {
        if (!Files.isDirectory(p)) {
          throw e; // a file in the way
        }
        // made meanwhile by someone else: its entry may not be durable yet, so fsync anyway
      }
      saw(MKDIR, p, null);
      fsyncDirectory(p.getParent());
    }
  }

  /** Fsyncs a folder so that a create, rename or delete in it survives a crash. */
  static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
      saw(FSYNC_DIR, dir, null);
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
