package dev.byhand.store;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One write-ahead-log file: a header, then records appended in order, each with its own checksum.
 *
 * <pre>
 * header:  int magic "BHWL" | int version | long first sequence number
 * record:  int magic "BHRC" | int body length | int CRC32C(length, seq, type, body) | long seq | byte type | body
 * </pre>
 *
 * <p><b>Group commit.</b> {@link #append} writes a record to the file (callers serialise appends);
 * {@link #awaitDurable} returns once an fsync covering that record has finished. The first waiter
 * becomes the leader and fsyncs everything appended so far; waiters that arrive meanwhile sleep and
 * are covered by the next fsync, so N concurrent writers share far fewer than N fsyncs.
 *
 * <p><b>Reading back.</b> {@link #read} returns every record in order. A record cut short or
 * failing its checksum at the very end is a torn write (the process died while appending, so it was
 * never acknowledged) and is dropped, and the file is truncated there. A bad record followed by any
 * valid one means the file was damaged after it was written: that is refused, naming the file.
 */
final class Wal implements AutoCloseable {

  static final int MAGIC = 0x4248574C; // "BHWL"
  static final int RECORD_MAGIC = 0x42485243; // "BHRC"
  static final int VERSION = 1;
  static final int HEADER_BYTES = 16;
  static final int RECORD_HEADER_BYTES = 21;

  /** Largest record body: 256 MiB, far above the largest batch the store accepts. */
  static final int MAX_BODY = 256 << 20;

  /** One record read back. */
  record Entry(long seq, byte type, byte[] body) {}

  private final Path file;

  /**
   * A RandomAccessFile, not a FileChannel: a FileChannel is closed for good when a thread using it
   * is interrupted, which would take the collection down with one caller's Ctrl-C or timeout.
   */
  private final RandomAccessFile raf;

  private final Object syncMonitor = new Object();
  private volatile long appendedSeq;
  private long syncedSeq;
  private boolean syncing;
  private volatile boolean closed;

  /** Why the log refuses further work after a failed fsync, or null. */
  private volatile String failed;

  private long size;

  private Wal(Path file, RandomAccessFile raf, long lastSeq, long size) {
    this.file = file;
    this.raf = raf;
    this.appendedSeq = lastSeq;
    this.syncedSeq = lastSeq;
    this.size = size;
  }

  /** Creates a new, empty log whose first record will have sequence number {@code firstSeq}. */
  static Wal create(Path file, long firstSeq) throws IOException {
    if (Files.exists(file)) {
      throw new java.nio.file.FileAlreadyExistsException(file.toString());
    }
    // Header written under a temporary name and renamed: a log file always has a whole header.
    ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.BIG_ENDIAN);
    h.putInt(MAGIC).putInt(VERSION).putLong(firstSeq);
    Storage.writeAtomically(file, h.array());
    RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw");
    raf.seek(HEADER_BYTES);
    return new Wal(file, raf, firstSeq - 1, HEADER_BYTES);
  }

  /** Opens an existing log for appending after {@code lastSeq}, its last valid record. */
  static Wal openForAppend(Path file, long lastSeq) throws IOException {
    RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw");
    long size = raf.length();
    raf.seek(size);
    return new Wal(file, raf, lastSeq, size);
  }

  /** The first sequence number of a log file, from its header. */
  static long firstSeq(Path file) throws IOException {
    byte[] h = new byte[HEADER_BYTES];
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.wrap(h);
      while (b.hasRemaining() && ch.read(b) > 0) {}
      if (b.hasRemaining()) {
        throw new CorruptedFileException(
            file, "shorter than the " + HEADER_BYTES + "-byte log header");
      }
    }
    ByteBuffer b = ByteBuffer.wrap(h);
    checkHeader(file, b);
    return b.getLong(8);
  }

  private static void checkHeader(Path file, ByteBuffer b) {
    if (b.getInt(0) != MAGIC) {
      throw new CorruptedFileException(file, "not a byhand write-ahead log (bad magic number)");
    }
    if (b.getInt(4) != VERSION) {
      throw new CorruptedFileException(
          file,
          "write-ahead log version "
              + b.getInt(4)
              + " is not supported (this build reads "
              + VERSION
              + ")");
    }
  }

  /**
   * Reads every valid record of a log, truncating a torn tail in place.
   *
   * @throws CorruptedFileException if the file is damaged anywhere but its tail
   */
  static List<Entry> read(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    if (all.length < HEADER_BYTES) {
      throw new CorruptedFileException(
          file, "shorter than the " + HEADER_BYTES + "-byte log header");
    }
    ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.BIG_ENDIAN);
    checkHeader(file, b);
    long expectSeq = b.getLong(8);
    List<Entry> out = new ArrayList<>();
    int off = HEADER_BYTES;
    while (off < all.length) {
      Entry e = recordAt(b, off, all.length);
      if (e == null || e.seq() != expectSeq) {
        // 1. Not a valid record here. If any valid record follows, the file was damaged.
        for (int p = off + 1; p + RECORD_HEADER_BYTES <= all.length; p++) {
          if (b.getInt(p) == RECORD_MAGIC && recordAt(b, p, all.length) != null) {
            throw new CorruptedFileException(
                file,
                "record at byte "
                    + off
                    + (e == null
                        ? " fails its checksum"
                        : " has sequence number " + e.seq() + ", expected " + expectSeq)
                    + " but valid records follow it: the log is damaged, not torn; restore from a snapshot");
          }
        }
        // 2. Nothing valid follows: a torn final append, never acknowledged. Cut it off.
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
          ch.truncate(off);
          ch.force(true);
        }
        break;
      }
      out.add(e);
      expectSeq++;
      off += RECORD_HEADER_BYTES + e.body().length;
    }
    return out;
  }

  /** The record at {@code off}, or null if it is cut short or fails its checks. */
  private static Entry recordAt(ByteBuffer b, int off, int limit) {
    if (off + RECORD_HEADER_BYTES > limit || b.getInt(off) != RECORD_MAGIC) {
      return null;
    }
    int len = b.getInt(off + 4);
    if (len < 0 || len > MAX_BODY || (long) off + RECORD_HEADER_BYTES + len > limit) {
      return null;
    }
    int crc = b.getInt(off + 8);
    long seq = b.getLong(off + 12);
    byte type = b.get(off + 20);
    byte[] body = new byte[len];
    b.get(off + RECORD_HEADER_BYTES, body);
    if (crc(len, seq, type, body) != crc) {
      return null;
    }
    return new Entry(seq, type, body);
  }

  private static int crc(int len, long seq, byte type, byte[] body) {
    CRC32C c = new CRC32C();
    ByteBuffer h = ByteBuffer.allocate(13).order(ByteOrder.BIG_ENDIAN);
    h.putInt(len).putLong(seq).put(type).flip();
    c.update(h);
    c.update(body);
    return (int) c.getValue();
  }

  Path file() {
    return file;
  }

  /** Bytes in the file. */
  long size() {
    return size;
  }

  long lastSeq() {
    return appendedSeq;
  }

  /**
   * Appends one record and returns its sequence number. Callers serialise appends; the record is in
   * the operating system's hands when this returns, on disk after {@link #awaitDurable}.
   */
  long append(byte type, byte[] body) throws IOException {
    if (body.length > MAX_BODY) {
      throw new IllegalArgumentException(
          "a log record holds at most "
              + MAX_BODY
              + " bytes, got "
              + body.length
              + ": split the write");
    }
    if (failed != null) {
      throw new IllegalStateException(file + ": " + failed);
    }
    long seq = appendedSeq + 1;
    ByteBuffer r =
        ByteBuffer.allocate(RECORD_HEADER_BYTES + body.length).order(ByteOrder.BIG_ENDIAN);
    r.putInt(RECORD_MAGIC)
        .putInt(body.length)
        .putInt(crc(body.length, seq, type, body))
        .putLong(seq)
        .put(type)
        .put(body);
    raf.write(r.array());
    size += RECORD_HEADER_BYTES + body.length;
    appendedSeq = seq;
    return seq;
  }

  /**
   * Returns once every record up to {@code seq} is fsynced (group commit; see the class comment).
   */
  void awaitDurable(long seq) {
    while (true) {
      long target;
      synchronized (syncMonitor) {
        while (syncing && syncedSeq < seq && failed == null) {
          try {
            syncMonitor.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(
                "interrupted while waiting for the log to reach the disk", e);
          }
        }
        if (syncedSeq >= seq) {
          return;
        }
        if (failed != null) {
          throw new UncheckedIOException(file + ": " + failed, new IOException(failed));
        }
        // This thread leads the next fsync; it covers everything appended up to now.
        syncing = true;
        target = appendedSeq;
      }
      IOException failure = null;
      try {
        syncFile();
      } catch (IOException e) {
        failure = e;
      }
      synchronized (syncMonitor) {
        syncing = false;
        if (failure == null) {
          syncedSeq = Math.max(syncedSeq, target);
        } else {
          // Sticky: a retried fsync may "succeed" after the kernel dropped the dirty pages.
          failed = "an fsync failed (" + failure.getMessage() + "); nothing after it is trusted";
        }
        syncMonitor.notifyAll();
      }
      if (failure != null) {
        throw new UncheckedIOException(file + ": fsync failed: " + failure.getMessage(), failure);
      }
    }
  }

  /** Fsyncs everything appended so far (the interval-sync timer and close use this). */
  void sync() throws IOException {
    long target = appendedSeq;
    syncFile();
    synchronized (syncMonitor) {
      syncedSeq = Math.max(syncedSeq, target);
      syncMonitor.notifyAll();
    }
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    if (failed == null) {
      sync();
    }
    synchronized (this) {
      closed = true;
      raf.close();
    }
  }

  /** fsync, unless already closed (close() fsynced everything first). */
  private synchronized void syncFile() throws IOException {
    if (failed != null) {
      throw new IOException(failed);
    }
    if (!closed) {
      try {
        raf.getFD().sync();
      } catch (IOException e) {
        failed = "an fsync failed (" + e.getMessage() + "); nothing after it is trusted";
        throw e;
      }
    }
  }
}
