package dev.byhand.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.store.InvalidRequestException;
import dev.byhand.store.Json;
import dev.byhand.store.Point;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns the lines of an input file into points, one document a line, with ids that depend only on
 * the file and the line, so that ingesting again (or resuming) replaces instead of duplicating.
 *
 * <ul>
 *   <li>{@code jsonl}: each line a JSON object; {@code id} (else {@code <file>:<line>}), {@code
 *       text} or {@code vector}, and {@code payload} (else every other field is the payload).
 *   <li>{@code csv}: a header line, then rows; the {@code text} column is embedded, an {@code id}
 *       column is the id, the other columns become string payload fields. Quoted fields may hold
 *       commas and doubled quotes, not line breaks.
 *   <li>{@code text}: each non-blank line is a document, its id {@code <file>:<line>}.
 * </ul>
 */
final class IngestSource {

  /** The formats read. */
  enum Format {
    JSONL,
    CSV,
    TEXT;

    static Format of(Path file, String given) {
      if (given != null) {
        try {
          return valueOf(given.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "format: must be jsonl, csv or text, got '" + given + "'");
        }
      }
      String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
      return name.endsWith(".jsonl") || name.endsWith(".ndjson")
          ? JSONL
          : name.endsWith(".csv") ? CSV : TEXT;
    }
  }

  private final Path file;
  private final Format format;
  private final String textField;
  private final String idPrefix;
  private List<String> header;

  IngestSource(Path file, Format format, String textField) {
    this.file = file;
    this.format = format;
    this.textField = textField;
    String base = file.getFileName().toString();
    // Why 200: ids are at most 256 bytes, and ":<line>" needs room.
    this.idPrefix = base.length() > 200 ? base.substring(0, 200) : base;
  }

  /** Documents in the file (lines that make a point), counted in one pass. */
  long count() throws IOException {
    long n = 0;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      boolean first = true;
      while ((line = r.readLine()) != null) {
        if (format == Format.CSV && first) {
          first = false;
          continue;
        }
        if (!line.isBlank()) {
          n++;
        }
      }
    }
    return n;
  }

  /** The point of line {@code lineNumber} (1-based), or null for a blank line or the CSV header. */
  Point point(String line, long lineNumber) {
    if (format == Format.CSV && header == null) {
      header = csv(line, lineNumber);
      if (!header.contains(textField)) {
        throw new InvalidRequestException(
            "text-field", "the CSV header of " + file + " has no column '" + textField + "'");
      }
      return null;
    }
    if (line.isBlank()) {
      return null;
    }
    String where = file.getFileName() + ":" + lineNumber;
    String defaultId = idPrefix + ":" + lineNumber;
    switch (format) {
      case TEXT:
        return Point.text(defaultId, line.strip(), null);
      case CSV:
        {
          List<String> cells = csv(line, lineNumber);
          if (cells.size() != header.size()) {
            throw new InvalidRequestException(
                where, "has " + cells.size() + " cells; the header has " + header.size());
          }
          ObjectNode payload = Json.MAPPER.createObjectNode();
          String id = defaultId;
          String text = null;
          for (int i = 0; i < cells.size(); i++) {
            String col = header.get(i);
            if (col.equals("id")) {
              id = cells.get(i);
            } else if (col.equals(textField)) {
              text = cells.get(i);
            } else {
              payload.put(col, cells.get(i));
            }
          }
          return Point.text(id, text, payload.isEmpty() ? null : payload);
        }
      default:
        {
          JsonNode n;
          try {
            n = Json.MAPPER.readTree(line);
          } catch (IOException e) {
            throw new InvalidRequestException(
                where, "is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
          }
          if (n == null || !n.isObject()) {
            throw new InvalidRequestException(where, "must be a JSON object");
          }
          ObjectNode o = (ObjectNode) n;
          String id = o.hasNonNull("id") ? o.get("id").asText() : defaultId;
          String text = o.hasNonNull(textField) ? o.get(textField).asText() : null;
          float[] vector = null;
          if (o.hasNonNull("vector")) {
            JsonNode v = o.get("vector");
            if (!v.isArray()) {
              throw new InvalidRequestException(where + ".vector", "must be an array of numbers");
            }
            vector = new float[v.size()];
            for (int i = 0; i < vector.length; i++) {
              vector[i] = v.get(i).floatValue();
            }
            text = null; // a given vector wins; the text stays in the payload below
          }
          ObjectNode payload;
          if (o.has("payload")) {
            payload = Json.checkPayload(where + ".payload", o.get("payload"));
          } else {
            payload = o.deepCopy();
            payload.remove(List.of("id", "vector"));
            if (vector == null) {
              payload.remove(textField); // the store keeps the embedded text as "text"
            }
            payload = payload.isEmpty() ? null : payload;
          }
          if (text == null && vector == null) {
            throw new InvalidRequestException(
                where, "has neither '" + textField + "' nor 'vector'");
          }
          return new Point(id, vector, text, payload);
        }
    }
  }

  /** Splits one CSV line (RFC 4180 quoting, no line breaks inside fields). */
  static List<String> csv(String line, long lineNumber) {
    List<String> out = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cell.append(c);
        }
      } else if (c == '"' && cell.length() == 0) {
        quoted = true;
      } else if (c == ',') {
        out.add(cell.toString());
        cell.setLength(0);
      } else {
        cell.append(c);
      }
    }
    if (quoted) {
      throw new InvalidRequestException("line " + lineNumber, "has an unclosed quote");
    }
    out.add(cell.toString());
    return out;
  }
}
