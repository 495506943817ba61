package dev.byhand.store;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
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

  /** Receives the records of a log in order. */
  interface RecordHandler {
    void accept(Entry e) throws IOException;
  }

  /**
   * Reads every valid record of a log, truncating a torn tail in place.
   *
   * @throws CorruptedFileException if the file is damaged anywhere but its tail
   */
  static List<Entry> read(Path file) throws IOException {
    List<Entry> out = new ArrayList<>();
    read(file, out::add);
    return out;
  }

  /**
   * Streams every valid record of a log to {@code handler}, in order, reading the file once with a
   * small buffer (a log of any size). What ends the log:
   *
   * <ul>
   *   <li>the end of the file after a whole record: the normal case;
   *   <li>a <b>torn</b> final record, which the process was writing when it died (so it was never
   *       acknowledged): it is cut short by the end of the file, or holds bytes the disk never got
   *       (a zero last byte, or a zero-filled 512-byte sector: no whole record ends in a zero byte,
   *       since ids, keys and payloads are written in forms without one). It is cut off;
   *   <li>anything else is damage, refused naming the file: a bad record followed by a valid one,
   *       or a whole final record that fails its checksum.
   * </ul>
   *
   * Records handed to {@code handler} before damage is found have been read already: a caller
   * builds its state aside and drops it on the exception.
   */
  static void read(Path file, RecordHandler handler) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < HEADER_BYTES) {
        throw new CorruptedFileException(
            file,
            "shorter than the "
                + HEADER_BYTES
                + "-byte log header ("
                + size
                + " bytes); logs are created whole, so the file is damaged");
      }
      ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
      readFully(ch, header, 0);
      checkHeader(file, header);
      long expectSeq = header.getLong(8);
      DataInputStream in =
          new DataInputStream(
              new BufferedInputStream(Channels.newInputStream(ch.position(HEADER_BYTES)), 1 << 16));
      long off = HEADER_BYTES;
      byte[] head = new byte[RECORD_HEADER_BYTES];
      while (off < size) {
        String bad = null;
        Entry e = null;
        if (size - off < RECORD_HEADER_BYTES) {
          bad = "cut short";
        } else {
          in.readFully(head);
          ByteBuffer h = ByteBuffer.wrap(head);
          int len = h.getInt(4);
          if (h.getInt(0) != RECORD_MAGIC) {
            bad = "has no record marker";
          } else if (len < 0 || len > MAX_BODY || off + RECORD_HEADER_BYTES + len > size) {
            bad = "cut short";
          } else {
            byte[] body = new byte[len];
            in.readFully(body);
            long seq = h.getLong(12);
            byte type = h.get(20);
            if (crc(len, seq, type, body) != h.getInt(8)) {
              bad = "fails its checksum";
            } else if (seq != expectSeq) {
              bad = "has sequence number " + seq + ", expected " + expectSeq;
            } else {
              e = new Entry(seq, type, body);
            }
          }
        }
        if (bad != null) {
          endAt(file, ch, off, size, bad);
          return;
        }
        handler.accept(e);
        expectSeq++;
        off += RECORD_HEADER_BYTES + e.body().length;
      }
    }
  }

  /** A bad record at {@code off}: cut a torn tail there, or refuse damage (see {@link #read}). */
  private static void endAt(Path file, FileChannel ch, long off, long size, String bad)
      throws IOException {
    long valid = validRecordAfter(ch, off + 1, size);
    if (valid >= 0) {
      throw new CorruptedFileException(
          file,
          "record at byte "
              + off
              + " "
              + bad
              + " but a valid record follows it at byte "
              + valid
              + ": the log is damaged, not torn; restore the collection from a snapshot");
    }
    if (!bad.equals("cut short") && !unwritten(ch, off, size)) {
      throw new CorruptedFileException(
          file,
          "its last record (at byte "
              + off
              + ") is whole but "
              + bad
              + ": the log is damaged, not torn (a torn write is cut short or ends in bytes the"
              + " disk never got); restore the collection from a snapshot");
    }
    // A torn final append, never acknowledged: cut it off.
    try (FileChannel w = FileChannel.open(file, StandardOpenOption.WRITE)) {
      w.truncate(off);
      w.force(true);
    }
  }

  /** Whether [off, size) shows bytes the disk never got: a zero last byte or a zero sector. */
  private static boolean unwritten(FileChannel ch, long off, long size) throws IOException {
    ByteBuffer last = ByteBuffer.allocate(1);
    readFully(ch, last, size - 1);
    if (last.get(0) == 0) {
      return true;
    }
    ByteBuffer sector = ByteBuffer.allocate(512);
    for (long p = (off + 511) & ~511L; p + 512 <= size; p += 512) {
      sector.clear();
      readFully(ch, sector, p);
      boolean zero = true;
      for (int i = 0; i < 512 && zero; i++) {
        zero = sector.get(i) == 0;
      }
      if (zero) {
        return true;
      }
    }
    return false;
  }

  /** The offset of the first valid record at or after {@code from}, or −1. */
  private static long validRecordAfter(FileChannel ch, long from, long size) throws IOException {
    ByteBuffer block = ByteBuffer.allocate(1 << 20);
    for (long start = from; start + RECORD_HEADER_BYTES <= size; start += block.capacity() - 3) {
      block.clear();
      block.limit((int) Math.min(block.capacity(), size - start));
      readFully(ch, block, start);
      for (int i = 0; i + 4 <= block.limit(); i++) {
        if (block.getInt(i) == RECORD_MAGIC && recordAt(ch, start + i, size)) {
          return start + i;
        }
      }
    }
    return -1;
  }

  /** Whether a whole record with a good checksum starts at {@code off}. */
  private static boolean recordAt(FileChannel ch, long off, long size) throws IOException {
    if (off + RECORD_HEADER_BYTES > size) {
      return false;
    }
    ByteBuffer h = ByteBuffer.allocate(RECORD_HEADER_BYTES);
    readFully(ch, h, off);
    int len = h.getInt(4);
    if (h.getInt(0) != RECORD_MAGIC
        || len < 0
        || len > MAX_BODY
        || off + RECORD_HEADER_BYTES + len > size) {
      return false;
    }
    ByteBuffer body = ByteBuffer.allocate(len);
    readFully(ch, body, off + RECORD_HEADER_BYTES);
    return crc(len, h.getLong(12), h.get(20), body.array()) == h.getInt(8);
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
    long p = position;
    while (b.hasRemaining()) {
      int n = ch.read(b, p);
      if (n < 0) {
        throw new java.io.EOFException("end of file at byte " + p);
      }
      p += n;
    }
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
