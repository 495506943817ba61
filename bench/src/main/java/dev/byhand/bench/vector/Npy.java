package dev.byhand.bench.vector;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Two-dimensional little-endian float32 and int32 matrices in NumPy's {@code .npy} format (version
 * 1.0): a header naming the type and the shape (rows, columns), then the rows. The Python peers
 * read the same files with {@code numpy.load}. Files are streamed in both directions (a 1M × 128
 * matrix never needs a second copy as one byte array), written to a temporary file and renamed into
 * place, and rejected on read when the header's type or shape is not the expected one or the file
 * is shorter or longer than the header says.
 */
final class Npy {

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\((\\d+),\\s*(\\d+),?\\s*\\)");
  private static final int CHUNK = 1 << 20;

  private Npy() {}

  /**
   * The shape a file's header declares, or an {@link IOException} if it is no 2-D .npy file of
   * {@code descr}.
   */
  record Shape(int rows, int cols, int headerBytes) {}

  static void writeFloats(Path path, float[][] rows) throws IOException {
    write(
        path,
        "<f4",
        rows.length,
        rows.length == 0 ? 0 : rows[0].length,
        (b, i) -> {
          for (float x : rows[i]) {
            b.putFloat(x);
          }
        });
  }

  static void writeInts(Path path, int[][] rows) throws IOException {
    write(
        path,
        "<i4",
        rows.length,
        rows.length == 0 ? 0 : rows[0].length,
        (b, i) -> {
          for (int x : rows[i]) {
            b.putInt(x);
          }
        });
  }

  /** Reads a float32 matrix that must have exactly {@code rows} × {@code cols}. */
  static float[][] readFloats(Path path, int rows, int cols) throws IOException {
    float[][] out = new float[rows][cols];
    read(
        path,
        "<f4",
        rows,
        cols,
        (b, i) -> {
          for (int j = 0; j < cols; j++) {
            out[i][j] = b.getFloat();
          }
        });
    return out;
  }

  /** Reads an int32 matrix that must have exactly {@code rows} × {@code cols}. */
  static int[][] readInts(Path path, int rows, int cols) throws IOException {
    int[][] out = new int[rows][cols];
    read(
        path,
        "<i4",
        rows,
        cols,
        (b, i) -> {
          for (int j = 0; j < cols; j++) {
            out[i][j] = b.getInt();
          }
        });
    return out;
  }

  /**
   * The header of {@code path}, checked: magic, version 1.0, C order, type {@code descr}, two
   * dimensions, and a file length of exactly header + rows × cols × 4.
   */
  static Shape shape(Path path, String descr) throws IOException {
    try (InputStream in = Files.newInputStream(path)) {
      Shape s = header(new DataInputStream(in), path, descr);
      long expected = s.headerBytes() + 4L * s.rows() * s.cols();
      long size = Files.size(path);
      if (size != expected) {
        throw new IOException(
            path
                + ": "
                + size
                + " bytes, the header's shape ("
                + s.rows()
                + ", "
                + s.cols()
                + ") needs "
                + expected
                + " (truncated or overwritten)");
      }
      return s;
    }
  }

  private interface RowWriter {
    void put(ByteBuffer b, int row);
  }

  private interface RowReader {
    void get(ByteBuffer b, int row);
  }

  private static void write(Path path, String descr, int rows, int cols, RowWriter rowWriter)
      throws IOException {
    String dict =
        "{'descr': '"
            + descr
            + "', 'fortran_order': False, 'shape': ("
            + rows
            + ", "
            + cols
            + "), }";
    // magic (6) + version (2) + header length (2) + dict + padding + '\n', a multiple of 64 bytes
    int unpadded = 10 + dict.length() + 1;
    int total = (unpadded + 63) / 64 * 64;
    StringBuilder header = new StringBuilder(dict);
    header.append(" ".repeat(total - unpadded)).append('\n');
    Files.createDirectories(path.toAbsolutePath().getParent());
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    int rowBytes = 4 * cols;
    ByteBuffer b =
        ByteBuffer.allocate(Math.max(CHUNK, rowBytes) + total).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) (total - 10));
      b.put(header.toString().getBytes(StandardCharsets.US_ASCII));
      for (int i = 0; i < rows; i++) {
        if (b.remaining() < rowBytes) {
          drain(ch, b);
        }
        rowWriter.put(b, i);
      }
      drain(ch, b);
      ch.force(true);
    }
    Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void drain(FileChannel ch, ByteBuffer b) throws IOException {
    b.flip();
    while (b.hasRemaining()) {
      ch.write(b);
    }
    b.clear();
  }

  private static void read(Path path, String descr, int rows, int cols, RowReader rowReader)
      throws IOException {
    Shape s = shape(path, descr);
    if (s.rows() != rows || s.cols() != cols) {
      throw new IOException(
          path
              + ": shape ("
              + s.rows()
              + ", "
              + s.cols()
              + "), expected ("
              + rows
              + ", "
              + cols
              + ")");
    }
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(path), CHUNK))) {
      in.skipNBytes(s.headerBytes());
      int rowBytes = 4 * cols;
      int perChunk = Math.max(1, CHUNK / Math.max(1, rowBytes));
      ByteBuffer b = ByteBuffer.allocate(perChunk * rowBytes).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < rows; ) {
        int take = Math.min(perChunk, rows - i);
        b.clear();
        in.readFully(b.array(), 0, take * rowBytes);
        b.limit(take * rowBytes);
        for (int r = 0; r < take; r++, i++) {
          rowReader.get(b, i);
        }
      }
    }
  }

  private static Shape header(DataInputStream in, Path path, String descr) throws IOException {
    byte[] magic = new byte[MAGIC.length + 4];
    try {
      in.readFully(magic);
    } catch (EOFException e) {
      throw new IOException(path + ": too short for a .npy header");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (magic[i] != MAGIC[i]) {
        throw new IOException(path + ": not a .npy file (bad magic)");
      }
    }
    if (magic[6] != 1 || magic[7] != 0) {
      throw new IOException(
          path + ": .npy version " + magic[6] + "." + magic[7] + ", expected 1.0");
    }
    int len = (magic[8] & 0xff) | (magic[9] & 0xff) << 8;
    byte[] dict = new byte[len];
    in.readFully(dict);
    String h = new String(dict, StandardCharsets.US_ASCII);
    Matcher d = DESCR.matcher(h);
    Matcher f = FORTRAN.matcher(h);
    Matcher s = SHAPE.matcher(h);
    if (!d.find() || !f.find() || !s.find()) {
      throw new IOException(path + ": not a 2-D .npy header: " + h.trim());
    }
    if (!d.group(1).equals(descr) || f.group(1).equals("True")) {
      throw new IOException(
          path
              + ": type "
              + d.group(1)
              + " (fortran_order "
              + f.group(1)
              + "), expected "
              + descr
              + " in C order");
    }
    return new Shape(Integer.parseInt(s.group(1)), Integer.parseInt(s.group(2)), 10 + len);
  }
}
