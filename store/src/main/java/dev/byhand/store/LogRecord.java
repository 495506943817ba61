package dev.byhand.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One write, as the log holds it and as {@link CollectionState#apply} applies it: live writes and
 * recovery run the same record through the same code. Every record is complete in itself: a write
 * that selects points by filter is logged with the ids the filter resolved to, so replay is exact.
 *
 * <p>The codec ({@link #encode}, {@link #decode}) is the only place that knows the byte layout. It
 * is the layout the store has always written (type codes 1–5; ids and keys in Java's modified UTF-8
 * through {@link DataOutputStream#writeUTF}, which round-trips every Java string exactly; payloads
 * as UTF-8 JSON with an int length, −1 for none), so logs written before this class still replay.
 */
sealed interface LogRecord {

  byte UPSERT = 1;
  byte DELETE = 2;
  byte SET_PAYLOAD = 3;
  byte OVERWRITE_PAYLOAD = 4;
  byte DELETE_PAYLOAD_KEYS = 5;

  /** The record's type code in the log. */
  byte type();

  /** One point of an upsert: an id, its vector (already checked), its payload or null. */
  record Entry(String id, float[] vector, ObjectNode payload) {}

  /** Inserts or replaces points; ids are distinct within the record. */
  record Upsert(List<Entry> points) implements LogRecord {
    @Override
    public byte type() {
      return UPSERT;
    }
  }

  /** Deletes points; ids that do not exist are skipped. */
  record Delete(List<String> ids) implements LogRecord {
    @Override
    public byte type() {
      return DELETE;
    }
  }

  /** Merges {@code values} into the payload of each point. */
  record SetPayload(List<String> ids, ObjectNode values) implements LogRecord {
    @Override
    public byte type() {
      return SET_PAYLOAD;
    }
  }

  /** Replaces the payload of each point. */
  record OverwritePayload(List<String> ids, ObjectNode payload) implements LogRecord {
    @Override
    public byte type() {
      return OVERWRITE_PAYLOAD;
    }
  }

  /** Removes top-level keys from the payload of each point. */
  record DeletePayloadKeys(List<String> ids, List<String> keys) implements LogRecord {
    @Override
    public byte type() {
      return DELETE_PAYLOAD_KEYS;
    }
  }

  /** The record's body as the log stores it. */
  static byte[] encode(LogRecord record) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      if (record instanceof Upsert u) {
        out.writeInt(u.points().size());
        for (Entry e : u.points()) {
          out.writeUTF(e.id());
          for (float x : e.vector()) {
            out.writeFloat(x);
          }
          writePayload(out, e.payload());
        }
      } else if (record instanceof Delete d) {
        writeIds(out, d.ids());
      } else if (record instanceof SetPayload p) {
        writeIds(out, p.ids());
        writePayload(out, p.values());
      } else if (record instanceof OverwritePayload p) {
        writeIds(out, p.ids());
        writePayload(out, p.payload());
      } else if (record instanceof DeletePayloadKeys p) {
        writeIds(out, p.ids());
        writeIds(out, p.keys());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // an in-memory stream does not fail
    }
    return bytes.toByteArray();
  }

  /**
   * Decodes a record body of a collection of {@code dimension}.
   *
   * @throws IOException if the body does not decode: wrong type, cut short, trailing bytes, or a
   *     payload that is not a JSON object
   */
  static LogRecord decode(byte type, byte[] body, int dimension) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(body));
    LogRecord r =
        switch (type) {
          case UPSERT -> {
            int n = count(in, body.length);
            List<Entry> points = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
              String id = in.readUTF();
              float[] v = new float[dimension];
              for (int j = 0; j < dimension; j++) {
                v[j] = in.readFloat();
              }
              points.add(new Entry(id, v, readPayload(in)));
            }
            yield new Upsert(points);
          }
          case DELETE -> new Delete(readIds(in, body.length));
          case SET_PAYLOAD -> new SetPayload(readIds(in, body.length), required(readPayload(in)));
          case OVERWRITE_PAYLOAD ->
              new OverwritePayload(readIds(in, body.length), required(readPayload(in)));
          case DELETE_PAYLOAD_KEYS ->
              new DeletePayloadKeys(readIds(in, body.length), readIds(in, body.length));
          default -> throw new IOException("unknown record type " + type);
        };
    if (in.available() != 0) {
      throw new IOException(in.available() + " bytes after the end of a type-" + type + " record");
    }
    return r;
  }

  private static void writeIds(DataOutputStream out, List<String> ids) throws IOException {
    out.writeInt(ids.size());
    for (String id : ids) {
      out.writeUTF(id);
    }
  }

  private static void writePayload(DataOutputStream out, ObjectNode payload) throws IOException {
    if (payload == null) {
      out.writeInt(-1);
    } else {
      byte[] json = Json.bytes(payload);
      out.writeInt(json.length);
      out.write(json);
    }
  }

  private static int count(DataInputStream in, int bodyBytes) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > bodyBytes) {
      throw new IOException("a count of " + n + " in a record of " + bodyBytes + " bytes");
    }
    return n;
  }

  private static List<String> readIds(DataInputStream in, int bodyBytes) throws IOException {
    int n = count(in, bodyBytes);
    List<String> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(in.readUTF());
    }
    return ids;
  }

  private static ObjectNode readPayload(DataInputStream in) throws IOException {
    int len = in.readInt();
    if (len < 0) {
      return null;
    }
    byte[] json = in.readNBytes(len);
    if (json.length != len) {
      throw new EOFException("payload cut short");
    }
    if (!(Json.MAPPER.readTree(json) instanceof ObjectNode o)) {
      throw new IOException("a payload that is not a JSON object");
    }
    return o;
  }

  private static ObjectNode required(ObjectNode payload) throws IOException {
    if (payload == null) {
      throw new IOException("a payload write without a payload");
    }
    return payload;
  }
}
