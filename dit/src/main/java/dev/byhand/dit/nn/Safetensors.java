package dev.byhand.dit.nn;

import dev.byhand.dit.data.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (Hugging Face), float32 only: an 8-byte little-endian header length, a
 * JSON header naming each tensor's dtype, shape and byte range, an optional {@code __metadata__}
 * map of strings, then the raw little-endian data. PyTorch users load our weights with {@code
 * safetensors.torch.load_file}.
 */
public final class Safetensors {
  private static final String METADATA = "__metadata__";

  /** What a file holds. */
  public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

  private Safetensors() {}

  /**
   * Writes tensors (in map order) and metadata, atomically: a crash leaves the old file or the new
   * one, never half of one.
   */
  public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
    StringBuilder header = new StringBuilder("{");
    if (!metadata.isEmpty()) {
      header.append(Json.quote(METADATA)).append(":{");
      boolean first = true;
      for (Map.Entry<String, String> e : metadata.entrySet()) {
        header.append(first ? "" : ",").append(Json.quote(e.getKey())).append(':');
        header.append(Json.quote(e.getValue()));
        first = false;
      }
      header.append('}');
    }
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      Tensor t = e.getValue();
      header.append(header.length() > 1 ? "," : "").append(Json.quote(e.getKey()));
      header.append(":{\"dtype\":\"F32\",\"shape\":[");
      for (int i = 0; i < t.shape().length; i++) {
        header.append(i == 0 ? "" : ",").append(t.shape()[i]);
      }
      long end = offset + 4L * t.data().length;
      header.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
      offset = end;
    }
    header.append('}');
    // The data must start 8-byte aligned: pad the header with spaces.
    while (header.length() % 8 != 0) {
      header.append(' ');
    }
    byte[] headerBytes = header.toString().getBytes(StandardCharsets.UTF_8);
    while (headerBytes.length % 8 != 0) {
      header.append(' ');
      headerBytes = header.toString().getBytes(StandardCharsets.UTF_8);
    }
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      if (file.toAbsolutePath().getParent() != null) {
        Files.createDirectories(file.toAbsolutePath().getParent());
      }
      try (OutputStream out = Files.newOutputStream(temp)) {
        ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        out.write(length.putLong(headerBytes.length).array());
        out.write(headerBytes);
        for (Tensor t : tensors.values()) {
          ByteBuffer buf = ByteBuffer.allocate(4 * t.data().length).order(ByteOrder.LITTLE_ENDIAN);
          buf.asFloatBuffer().put(t.data());
          out.write(buf.array());
        }
      }
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * Reads a file written by {@link #write} or by the Python safetensors library (F32 tensors).
   *
   * @throws IllegalArgumentException naming the file if it is not a float32 safetensors file
   * @throws UncheckedIOException if it cannot be read
   */
  public static Contents read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    if (bytes.length < 8) {
      throw new IllegalArgumentException(file + ": too short for a safetensors file");
    }
    ByteBuffer all = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long headerLength = all.getLong(0);
    if (headerLength < 2 || headerLength > bytes.length - 8) {
      throw new IllegalArgumentException(
          file + ": header length " + headerLength + " does not fit the file; not safetensors");
    }
    String headerText = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
    Object parsed;
    try {
      parsed = Json.parse(headerText);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": bad safetensors header: " + e.getMessage(), e);
    }
    if (!(parsed instanceof Map<?, ?> header)) {
      throw new IllegalArgumentException(file + ": safetensors header is not an object");
    }
    int dataStart = 8 + (int) headerLength;
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : header.entrySet()) {
      String name = (String) e.getKey();
      if (METADATA.equals(name)) {
        if (e.getValue() instanceof Map<?, ?> meta) {
          meta.forEach((k, v) -> metadata.put((String) k, String.valueOf(v)));
        }
        continue;
      }
      Map<?, ?> info = (Map<?, ?>) e.getValue();
      if (!"F32".equals(info.get("dtype"))) {
        throw new IllegalArgumentException(
            file + ": tensor " + name + " has dtype " + info.get("dtype") + "; only F32 is read");
      }
      List<?> shapeList = (List<?>) info.get("shape");
      long[] shape = new long[shapeList.size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = ((Number) shapeList.get(i)).longValue();
      }
      List<?> offsets = (List<?>) info.get("data_offsets");
      long begin = ((Number) offsets.get(0)).longValue();
      long end = ((Number) offsets.get(1)).longValue();
      if (begin < 0 || end < begin || dataStart + end > bytes.length || (end - begin) % 4 != 0) {
        throw new IllegalArgumentException(
            file
                + ": tensor "
                + name
                + " has byte range ["
                + begin
                + ", "
                + end
                + ") outside the file");
      }
      float[] data = new float[(int) ((end - begin) / 4)];
      ByteBuffer slice =
          ByteBuffer.wrap(bytes, (int) (dataStart + begin), (int) (end - begin))
              .order(ByteOrder.LITTLE_ENDIAN);
      slice.asFloatBuffer().get(data);
      try {
        tensors.put(name, new Tensor(shape, data));
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException(file + ": tensor " + name + ": " + ex.getMessage(), ex);
      }
    }
    return new Contents(tensors, metadata);
  }
}
