package dev.byhand.vector;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The HNSW index file, all little-endian:
 *
 * <pre>
 * header    int magic "BYHW", int version, int headerBytes, then the parameters
 *           (dimension, metric, m, efConstruction, ef, repairFraction, seed, size, entry,
 *           compression kind and its trained state)
 * deleted   ⌈size/64⌉ longs, the tombstone bits
 * levels    size ints: a node's top level, −1 for a node removed by repair
 * vectors   at an offset that is a multiple of 64: size × dimension floats (memory-mapped on load)
 * graph     per live node, per level: int count, count ints (neighbours), count floats (scores)
 * trailer   long CRC32C of every byte before it, int magic "WHYB"
 * </pre>
 *
 * Writing is atomic: a temporary file in the same folder is written, forced to disk, renamed over
 * the target, and the folder is forced so the rename itself survives a crash. Loading checks the
 * trailer's checksum over the whole file before trusting any byte, then checks every count and
 * ordinal against its bound, so a truncated or corrupted file is refused with a {@link
 * CorruptIndexException} naming it, never searched.
 */
final class IndexFile {

  static final int MAGIC = 0x57485942; // "BYHW" read as little-endian bytes
  static final int FOOTER_MAGIC = 0x42594857; // "WHYB"
  static final int VERSION = 1;
  private static final int TRAILER_BYTES = Long.BYTES + Integer.BYTES;

  /** Vectors mapped per segment stay under 2^31 bytes (one MappedByteBuffer). */
  private static final long MAX_SEGMENT_BYTES = Integer.MAX_VALUE - 64;

  private IndexFile() {}

  /** A serialisable snapshot of an index, taken under the index's locks. */
  static final class Snapshot {
    int dimension;
    Metric metric;
    int m;
    int efConstruction;
    int ef;
    double repairFraction;
    long seed;
    int size;
    long entry;
    Compression.Kind kind;
    float int8Centre;
    float int8Step;
    float[] binaryMean;
    Projection projection;
    long[] deleted;
    int[] levels;
    FloatVectors vectors;
    HnswGraph graph;
  }

  static void write(Snapshot s, Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path temp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        Writer w = new Writer(ch);
        w.putInt(MAGIC);
        w.putInt(VERSION);
        w.putInt(0); // header bytes, informative only
        w.putInt(s.dimension);
        w.putInt(s.metric.ordinal());
        w.putInt(s.m);
        w.putInt(s.efConstruction);
        w.putInt(s.ef);
        w.putDouble(s.repairFraction);
        w.putLong(s.seed);
        w.putInt(s.size);
        w.putLong(s.entry);
        w.putInt(s.kind.ordinal());
        switch (s.kind) {
          case INT8:
            w.putFloat(s.int8Centre);
            w.putFloat(s.int8Step);
            break;
          case BINARY:
            for (float x : s.binaryMean) {
              w.putFloat(x);
            }
            break;
          case PROJECTION:
            w.putInt(s.projection.outputDimension());
            for (float[] row : s.projection.matrix()) {
              for (float x : row) {
                w.putFloat(x);
              }
            }
            break;
          default:
            break;
        }
        int words = (s.size + 63) >>> 6;
        for (int i = 0; i < words; i++) {
          w.putLong(i < s.deleted.length ? s.deleted[i] : 0);
        }
        for (int i = 0; i < s.size; i++) {
          w.putInt(s.levels[i]);
        }
        w.padTo(64);
        float[] row = new float[s.dimension];
        for (int i = 0; i < s.size; i++) {
          s.vectors.copy(i, row);
          for (float x : row) {
            w.putFloat(x);
          }
        }
        // Neighbours at or past size are dropped: a save of the first ordinals while inserts go
        // on (HnswIndex.saveFirst) sees links to nodes it does not hold.
        int[] ids = new int[2 * s.m + 1];
        float[] scores = new float[2 * s.m + 1];
        for (int node = 0; node < s.size; node++) {
          for (int l = 0; l <= s.levels[node]; l++) {
            NeighborArray na = s.graph.neighbours(node, l);
            int count = 0;
            synchronized (na) {
              for (int i = 0; i < na.size(); i++) {
                if (na.node(i) < s.size) {
                  ids[count] = na.node(i);
                  scores[count++] = na.score(i);
                }
              }
            }
            w.putInt(count);
            for (int i = 0; i < count; i++) {
              w.putInt(ids[i]);
            }
            for (int i = 0; i < count; i++) {
              w.putFloat(scores[i]);
            }
          }
        }
        w.finish();
        ch.force(true);
      }
      try {
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException(
            target + ": the file system cannot rename atomically; write the index to a local disk",
            e);
      }
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      } catch (IOException e) {
        // some file systems refuse to open a folder for reading; the rename itself was atomic
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Buffered little-endian writes through one staging buffer, checksummed as they go. */
  private static final class Writer {
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc = new CRC32C();
    private long position;

    Writer(FileChannel channel) {
      this.channel = channel;
    }

    private void room(int bytes) throws IOException {
      if (buffer.remaining() < bytes) {
        flush();
      }
    }

    private void flush() throws IOException {
      buffer.flip();
      crc.update(buffer.array(), 0, buffer.limit());
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      buffer.clear();
    }

    void putInt(int x) throws IOException {
      room(4);
      buffer.putInt(x);
      position += 4;
    }

    void putLong(long x) throws IOException {
      room(8);
      buffer.putLong(x);
      position += 8;
    }

    void putFloat(float x) throws IOException {
      room(4);
      buffer.putFloat(x);
      position += 4;
    }

    void putDouble(double x) throws IOException {
      room(8);
      buffer.putDouble(x);
      position += 8;
    }

    void padTo(int alignment) throws IOException {
      while (position % alignment != 0) {
        room(1);
        buffer.put((byte) 0);
        position++;
      }
    }

    void finish() throws IOException {
      flush();
      long sum = crc.getValue();
      putLong(sum);
      putInt(FOOTER_MAGIC);
      buffer.flip();
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      buffer.clear();
    }
  }

  static Snapshot read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long length = ch.size();
      if (length < 64 + TRAILER_BYTES) {
        throw new CorruptIndexException(file, "too short for an index file (" + length + " bytes)");
      }
      verifyChecksum(file, ch, length);
      long bodyEnd = length - TRAILER_BYTES;
      Reader r = new Reader(file, ch, bodyEnd);
      int magic = r.getInt();
      if (magic != MAGIC) {
        throw new CorruptIndexException(
            file,
            String.format("not a byhand HNSW index (magic 0x%08x, expected 0x%08x)", magic, MAGIC));
      }
      int version = r.getInt();
      if (version != VERSION) {
        throw new CorruptIndexException(
            file,
            "index file version "
                + version
                + " is not supported (this build reads "
                + VERSION
                + ")");
      }
      r.getInt();
      Snapshot s = new Snapshot();
      s.dimension = r.checked(r.getInt(), 1, 65536, "dimension");
      s.metric = Metric.values()[r.checked(r.getInt(), 0, Metric.values().length - 1, "metric")];
      s.m = r.checked(r.getInt(), 2, 512, "m");
      s.efConstruction = r.checked(r.getInt(), 1, 100_000, "efConstruction");
      s.ef = r.checked(r.getInt(), 1, 100_000, "ef");
      s.repairFraction = r.getDouble();
      if (!(s.repairFraction > 0 && s.repairFraction <= 1)) {
        throw new CorruptIndexException(
            file, "repairFraction " + s.repairFraction + " outside (0, 1]");
      }
      s.seed = r.getLong();
      s.size = r.checked(r.getInt(), 0, Integer.MAX_VALUE - 8, "size");
      s.entry = r.getLong();
      Compression.Kind[] kinds = Compression.Kind.values();
      s.kind = kinds[r.checked(r.getInt(), 0, kinds.length - 1, "compression")];
      switch (s.kind) {
        case INT8:
          s.int8Centre = r.getFloat();
          s.int8Step = r.getFloat();
          if (!(s.int8Step > 0) || !Float.isFinite(s.int8Centre)) {
            throw new CorruptIndexException(file, "int8 step " + s.int8Step + " is not positive");
          }
          break;
        case BINARY:
          s.binaryMean = new float[s.dimension];
          for (int i = 0; i < s.dimension; i++) {
            s.binaryMean[i] = r.getFloat();
          }
          break;
        case PROJECTION:
          int rows = r.checked(r.getInt(), 1, s.dimension, "projection rows");
          float[][] matrix = new float[rows][s.dimension];
          for (float[] row : matrix) {
            for (int i = 0; i < s.dimension; i++) {
              row[i] = r.getFloat();
            }
          }
          try {
            s.projection = new Projection(matrix);
          } catch (IllegalArgumentException e) {
            throw new CorruptIndexException(file, "projection matrix: " + e.getMessage());
          }
          break;
        default:
          break;
      }
      int words = (s.size + 63) >>> 6;
      s.deleted = new long[Math.max(16, words)];
      for (int i = 0; i < words; i++) {
        s.deleted[i] = r.getLong();
      }
      s.levels = new int[s.size];
      int maxLevel = -1;
      for (int i = 0; i < s.size; i++) {
        s.levels[i] = r.checked(r.getInt(), -1, 64, "level of node " + i);
        maxLevel = Math.max(maxLevel, s.levels[i]);
      }
      r.padTo(64);
      long vectorBytes = (long) s.size * s.dimension * Float.BYTES;
      long vectorStart = r.position();
      if (vectorStart + vectorBytes > bodyEnd) {
        throw new CorruptIndexException(
            file,
            "vectors need " + vectorBytes + " bytes at offset " + vectorStart + ", past the end");
      }
      long rowBytes = (long) s.dimension * Float.BYTES;
      int perSegment = (int) Math.max(1, Math.min(Integer.MAX_VALUE, MAX_SEGMENT_BYTES / rowBytes));
      int segments = (int) ((s.size + (long) perSegment - 1) / perSegment);
      FloatBuffer[] mapped = new FloatBuffer[segments];
      for (int seg = 0; seg < segments; seg++) {
        long first = (long) seg * perSegment;
        long count = Math.min(perSegment, s.size - first);
        MappedByteBuffer mb =
            ch.map(FileChannel.MapMode.READ_ONLY, vectorStart + first * rowBytes, count * rowBytes);
        mapped[seg] = mb.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      }
      s.vectors = new FloatVectors(s.dimension, s.metric, mapped, s.size, perSegment);
      r.skip(vectorBytes);
      s.graph = new HnswGraph(s.m, s.efConstruction);
      int[] ids = new int[2 * s.m + 1];
      float[] scores = new float[2 * s.m + 1];
      for (int node = 0; node < s.size; node++) {
        int top = s.levels[node];
        s.graph.restoreNode(node, top);
        for (int l = 0; l <= top; l++) {
          int maxDegree = s.graph.maxDegree(l);
          int count =
              r.checked(r.getInt(), 0, maxDegree, "degree of node " + node + " on level " + l);
          for (int i = 0; i < count; i++) {
            int nb = r.checked(r.getInt(), 0, s.size - 1, "neighbour of node " + node);
            if (s.levels[nb] < l) {
              throw new CorruptIndexException(
                  file,
                  "node " + node + " links to node " + nb + " on level " + l + " it does not have");
            }
            ids[i] = nb;
          }
          for (int i = 0; i < count; i++) {
            scores[i] = r.getFloat();
          }
          NeighborArray na = s.graph.neighbours(node, l);
          synchronized (na) {
            na.set(ids, scores, count);
          }
        }
      }
      if (r.position() != bodyEnd) {
        throw new CorruptIndexException(
            file, (bodyEnd - r.position()) + " unexpected bytes before the trailer");
      }
      boolean entryOk;
      if (s.entry == -1) {
        entryOk = true; // empty, or every node deleted and repaired away
      } else {
        int node = HnswGraph.entryNode(s.entry);
        entryOk =
            s.entry >= 0
                && node >= 0
                && node < s.size
                && HnswGraph.entryLevel(s.entry) == s.levels[node];
      }
      if (!entryOk) {
        throw new CorruptIndexException(
            file, "entry point " + s.entry + " is not a node of its level");
      }
      s.graph.restoreEntry(s.entry);
      return s;
    }
  }

  private static void verifyChecksum(Path file, FileChannel ch, long length) throws IOException {
    long bodyEnd = length - TRAILER_BYTES;
    ByteBuffer trailer = ByteBuffer.allocate(TRAILER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    readFully(file, ch, trailer, bodyEnd);
    trailer.flip();
    long stored = trailer.getLong();
    int footer = trailer.getInt();
    if (footer != FOOTER_MAGIC) {
      throw new CorruptIndexException(
          file, "no index trailer at the end (truncated or not an index file)");
    }
    CRC32C crc = new CRC32C();
    long chunk = 1L << 30;
    for (long pos = 0; pos < bodyEnd; pos += chunk) {
      long n = Math.min(chunk, bodyEnd - pos);
      crc.update(ch.map(FileChannel.MapMode.READ_ONLY, pos, n));
    }
    if (crc.getValue() != stored) {
      throw new CorruptIndexException(
          file,
          String.format(
              "checksum mismatch (stored 0x%08x, computed 0x%08x): the file is corrupted",
              stored, crc.getValue()));
    }
  }

  private static void readFully(Path file, FileChannel ch, ByteBuffer dst, long position)
      throws IOException {
    while (dst.hasRemaining()) {
      int n = ch.read(dst, position);
      if (n < 0) {
        throw new CorruptIndexException(file, "ends early at byte " + position);
      }
      position += n;
    }
  }

  /** Little-endian reads through a small buffer, with bounds on every count. */
  private static final class Reader {
    private final Path file;
    private final FileChannel channel;
    private final long end;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private long bufferStart;

    Reader(Path file, FileChannel channel, long end) {
      this.file = file;
      this.channel = channel;
      this.end = end;
      buffer.limit(0);
    }

    long position() {
      return bufferStart + buffer.position();
    }

    private void need(int bytes) throws IOException {
      if (buffer.remaining() >= bytes) {
        return;
      }
      long pos = position();
      if (pos + bytes > end) {
        throw new CorruptIndexException(
            file, "ends early: needed " + bytes + " bytes at offset " + pos);
      }
      buffer.clear();
      buffer.limit((int) Math.min(buffer.capacity(), end - pos));
      bufferStart = pos;
      readFully(file, channel, buffer, pos);
      buffer.flip();
    }

    int getInt() throws IOException {
      need(4);
      return buffer.getInt();
    }

    long getLong() throws IOException {
      need(8);
      return buffer.getLong();
    }

    float getFloat() throws IOException {
      need(4);
      return buffer.getFloat();
    }

    double getDouble() throws IOException {
      need(8);
      return buffer.getDouble();
    }

    void padTo(int alignment) throws IOException {
      long pos = position();
      long target = (pos + alignment - 1) / alignment * alignment;
      skip(target - pos);
    }

    void skip(long bytes) {
      long target = position() + bytes;
      bufferStart = target;
      buffer.limit(0);
    }

    int checked(int value, int min, int max, String field) throws CorruptIndexException {
      if (value < min || value > max) {
        throw new CorruptIndexException(
            file, field + " " + value + " outside [" + min + ", " + max + "]");
      }
      return value;
    }
  }
}
