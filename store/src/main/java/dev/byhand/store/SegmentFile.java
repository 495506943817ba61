package dev.byhand.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The point table of a segment: for each live point its ordinal in the segment's HNSW file, its id
 * and its payload. Immutable once written; written atomically; the last four bytes are a CRC32C of
 * everything before them.
 *
 * <pre>
 * int magic "BHSG" | int version | long last sequence number | int count
 * count × ( int ordinal | short id length | id UTF-8 | int payload length (−1: none) | payload JSON )
 * int CRC32C
 * </pre>
 */
final class SegmentFile {

  static final int MAGIC = 0x42485347; // "BHSG"
  static final int VERSION = 1;

  /** One live point of the segment. */
  record Row(int ordinal, String id, ObjectNode payload) {}

  /** A segment's contents. */
  record Contents(long lastSeq, List<Row> rows) {}

  private SegmentFile() {}

  /** Receives the rows of a point table as it is read. */
  interface RowHandler {
    void accept(Row row);
  }

  /** Writes a point table of {@code count} rows, streamed (a table of any size). */
  static void write(Path file, long lastSeq, int count, Iterable<Row> rows) throws IOException {
    Storage.writeAtomically(
        file,
        raw -> {
          CRC32C crc = new CRC32C();
          DataOutputStream out = new DataOutputStream(new CheckedOutputStream(raw, crc));
          out.writeInt(MAGIC);
          out.writeInt(VERSION);
          out.writeLong(lastSeq);
          out.writeInt(count);
          int written = 0;
          for (Row r : rows) {
            out.writeInt(r.ordinal());
            byte[] id = r.id().getBytes(StandardCharsets.UTF_8);
            out.writeShort(id.length);
            out.write(id);
            if (r.payload() == null) {
              out.writeInt(-1);
            } else {
              byte[] p = Json.bytes(r.payload());
              out.writeInt(p.length);
              out.write(p);
            }
            written++;
          }
          if (written != count) {
            throw new IllegalStateException(
                "point table of " + count + " rows was given " + written);
          }
          out.flush();
          new DataOutputStream(raw).writeInt((int) crc.getValue());
        });
  }

  static void write(Path file, long lastSeq, List<Row> rows) throws IOException {
    write(file, lastSeq, rows.size(), rows);
  }

  /**
   * Reads a segment's point table, streamed: the checksum is checked in a first pass, then rows go
   * to {@code handler} as they are read (a caller builds its state aside and drops it on an
   * exception). Returns the table's last sequence number.
   *
   * @throws CorruptedFileException naming the file if it is short, has a bad magic number, version
   *     or checksum, or does not parse
   */
  static long read(Path file, RowHandler handler) throws IOException {
    long size = Files.size(file);
    if (size < 24) {
      throw new CorruptedFileException(file, "segment file is cut short (" + size + " bytes)");
    }
    // 1. The checksum first, in a pass of its own: damage is reported as damage, whatever the
    // damaged bytes would have parsed as.
    CRC32C crc = new CRC32C();
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      DataInputStream head = new DataInputStream(raw);
      int magic = head.readInt();
      int version = head.readInt();
      if (magic != MAGIC) {
        throw new CorruptedFileException(file, "not a byhand segment file (bad magic number)");
      }
      if (version != VERSION) {
        throw new CorruptedFileException(
            file,
            "segment version " + version + " is not supported (this build reads " + VERSION + ")");
      }
      ByteBuffer head8 = ByteBuffer.allocate(8).putInt(magic).putInt(version);
      crc.update(head8.array(), 0, 8);
      InputStream rest = new CheckedInputStream(new BoundedStream(raw, size - 12), crc);
      byte[] buf = new byte[1 << 16];
      while (rest.read(buf) >= 0) {}
      if ((int) crc.getValue() != head.readInt()) {
        throw new CorruptedFileException(
            file, "segment checksum does not match: the file is damaged");
      }
    }
    // 2. Then the rows.
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      DataInputStream in = new DataInputStream(new BoundedStream(raw, size - 4));
      if (in.readInt() != MAGIC) {
        throw new CorruptedFileException(file, "not a byhand segment file (bad magic number)");
      }
      int version = in.readInt();
      if (version != VERSION) {
        throw new CorruptedFileException(
            file,
            "segment version " + version + " is not supported (this build reads " + VERSION + ")");
      }
      long lastSeq = in.readLong();
      int count = in.readInt();
      if (count < 0) {
        throw new CorruptedFileException(file, "negative point count");
      }
      try {
        for (int i = 0; i < count; i++) {
          int ordinal = in.readInt();
          byte[] id = new byte[in.readUnsignedShort()];
          in.readFully(id);
          int plen = in.readInt();
          ObjectNode payload = null;
          if (plen >= 0) {
            if (plen > Json.MAX_PAYLOAD_BYTES * 2) {
              throw new CorruptedFileException(file, "a payload of " + plen + " bytes");
            }
            byte[] p = new byte[plen];
            in.readFully(p);
            payload = Json.object(p);
          }
          handler.accept(new Row(ordinal, new String(id, StandardCharsets.UTF_8), payload));
        }
        if (in.read() != -1) {
          throw new CorruptedFileException(file, "segment has trailing bytes after its points");
        }
      } catch (java.io.EOFException | ClassCastException e) {
        throw new CorruptedFileException(file, "segment does not parse: " + e, e);
      } catch (IOException e) {
        if (e instanceof com.fasterxml.jackson.core.JacksonException) {
          throw new CorruptedFileException(file, "segment does not parse: " + e, e);
        }
        throw e;
      }
      return lastSeq;
    } catch (java.io.EOFException e) {
      throw new CorruptedFileException(file, "segment does not parse: " + e, e);
    }
  }

  /** Reads a whole point table into memory (tests, small tables). */
  static Contents read(Path file) throws IOException {
    List<Row> rows = new ArrayList<>();
    long lastSeq = read(file, rows::add);
    return new Contents(lastSeq, rows);
  }

  /** The first {@code limit} bytes of a stream. */
  private static final class BoundedStream extends java.io.FilterInputStream {
    private long left;

    BoundedStream(InputStream in, long limit) {
      super(in);
      this.left = limit;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) {
        return -1;
      }
      int b = super.read();
      if (b >= 0) {
        left--;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) {
        return -1;
      }
      int n = super.read(b, off, (int) Math.min(len, left));
      if (n > 0) {
        left -= n;
      }
      return n;
    }
  }
}
