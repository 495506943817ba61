package dev.byhand.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

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

  static void write(Path file, long lastSeq, List<Row> rows) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + rows.size() * 64);
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(MAGIC);
    out.writeInt(VERSION);
    out.writeLong(lastSeq);
    out.writeInt(rows.size());
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
    }
    out.flush();
    CRC32C crc = new CRC32C();
    crc.update(bytes.toByteArray());
    out.writeInt((int) crc.getValue());
    out.flush();
    Storage.writeAtomically(file, bytes.toByteArray());
  }

  /**
   * Reads a segment's point table.
   *
   * @throws CorruptedFileException naming the file if it is short, has a bad magic number, version
   *     or checksum, or does not parse
   */
  static Contents read(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    if (all.length < 24) {
      throw new CorruptedFileException(
          file, "segment file is cut short (" + all.length + " bytes)");
    }
    CRC32C crc = new CRC32C();
    crc.update(all, 0, all.length - 4);
    ByteBuffer b = ByteBuffer.wrap(all);
    if (b.getInt(0) != MAGIC) {
      throw new CorruptedFileException(file, "not a byhand segment file (bad magic number)");
    }
    if (b.getInt(4) != VERSION) {
      throw new CorruptedFileException(
          file,
          "segment version "
              + b.getInt(4)
              + " is not supported (this build reads "
              + VERSION
              + ")");
    }
    if ((int) crc.getValue() != b.getInt(all.length - 4)) {
      throw new CorruptedFileException(
          file, "segment checksum does not match: the file is damaged");
    }
    try {
      b.position(8);
      long lastSeq = b.getLong();
      int count = b.getInt();
      if (count < 0) {
        throw new CorruptedFileException(file, "negative point count");
      }
      List<Row> rows = new ArrayList<>(Math.min(count, 1 << 20));
      for (int i = 0; i < count; i++) {
        int ordinal = b.getInt();
        byte[] id = new byte[b.getShort() & 0xFFFF];
        b.get(id);
        int plen = b.getInt();
        ObjectNode payload = null;
        if (plen >= 0) {
          byte[] p = new byte[plen];
          b.get(p);
          payload = Json.object(p);
        }
        rows.add(new Row(ordinal, new String(id, StandardCharsets.UTF_8), payload));
      }
      if (b.position() != all.length - 4) {
        throw new CorruptedFileException(file, "segment has trailing bytes after its points");
      }
      return new Contents(lastSeq, rows);
    } catch (BufferUnderflowException
        | IOException
        | ClassCastException
        | NegativeArraySizeException e) {
      throw new CorruptedFileException(file, "segment does not parse: " + e, e);
    }
  }
}
