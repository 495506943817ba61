package dev.byhand.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.store.CollectionConfig;
import dev.byhand.store.Filter;
import dev.byhand.store.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Reading request bodies: every check names the field and the limit, and ends in a 400 or 413,
 * never in an exception the client would see as a 500.
 */
final class Requests {

  /** Most ids one get or delete request takes, the same as the store's upsert batch. */
  static final int MAX_IDS = 10_000;

  private Requests() {}

  /**
   * Reads one value of an object in mid-parse as a tree: the mapper's own reading would take the
   * object's next field for trailing content.
   */
  private static final ObjectReader FIELD_READER =
      Json.MAPPER.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** Reads the body as a JSON object, at most {@code maxBytes} long. */
  static ObjectNode body(InputStream in, long contentLength, long maxBytes) {
    return parse(read(in, contentLength, maxBytes));
  }

  /**
   * A body whose top-level {@code vector}, when it is a plain array of finite numbers, was read
   * straight into {@link #vector} (and is then absent from {@link #node}); otherwise {@code vector}
   * is null and {@code node} is the whole body, as {@link #body} reads it.
   */
  record VectorBody(ObjectNode node, float[] vector) {}

  /**
   * Reads a body that carries a query vector, such as a search: the same checks and errors as
   * {@link #body}, but a well-formed vector of 384 numbers is parsed into a {@code float[]} in one
   * pass instead of 384 tree nodes, each number with Jackson's fast double parser (correctly
   * rounded, so equal to {@link Double#parseDouble}) and then narrowed to a float as before. It is
   * the largest part of a search request and, parsed into a tree, most of the garbage a search
   * makes. Anything unusual in the body falls back to {@link #body}'s reading, so every error stays
   * the same.
   */
  static VectorBody bodyWithVector(
      InputStream in, long contentLength, long maxBytes, int expectedDimension) {
    byte[] bytes = read(in, contentLength, maxBytes);
    VectorBody fast = fastVectorBody(bytes, expectedDimension);
    return fast != null ? fast : new VectorBody(parse(bytes), null);
  }

  /**
   * The one-pass reading of {@link #bodyWithVector}, or null for anything it leaves to the tree.
   */
  private static VectorBody fastVectorBody(byte[] bytes, int expectedDimension) {
    try (JsonParser p = Json.MAPPER.createParser(bytes)) {
      p.enable(JsonParser.Feature.USE_FAST_DOUBLE_PARSER);
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      ObjectNode node = Json.MAPPER.createObjectNode();
      float[] vector = null;
      JsonToken t;
      for (t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("vector") && value == JsonToken.START_ARRAY) {
          vector = floats(p, expectedDimension);
          if (vector == null) {
            return null;
          }
        } else {
          JsonNode v = FIELD_READER.readTree(p);
          node.set(field, v == null ? NullNode.getInstance() : v);
        }
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
        return null; // trailing content: the tree reading says what is wrong
      }
      return vector == null ? null : new VectorBody(node, vector);
    } catch (IOException | RuntimeException e) {
      return null; // the tree reading gives the error its usual words
    }
  }

  /**
   * The numbers of an array as floats, as {@link #vector} converts them; null if any is not a
   * finite number. {@code expected} sizes the array (the collection's dimension: no copy when it
   * matches).
   */
  private static float[] floats(JsonParser p, int expected) throws IOException {
    float[] v = new float[Math.max(1, Math.min(expected, CollectionConfig.MAX_DIMENSION))];
    int n = 0;
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      float x;
      if (t == JsonToken.VALUE_NUMBER_FLOAT) {
        x = (float) p.getDoubleValue(); // as DoubleNode.floatValue()
      } else if (t == JsonToken.VALUE_NUMBER_INT) {
        x =
            switch (p.getNumberType()) {
              case INT -> (float) p.getIntValue();
              case LONG -> (float) p.getLongValue();
              default -> p.getBigIntegerValue().floatValue();
            };
      } else {
        return null;
      }
      if (!Float.isFinite(x) || n == CollectionConfig.MAX_DIMENSION) {
        return null;
      }
      if (n == v.length) {
        v = Arrays.copyOf(v, Math.min(2 * n, CollectionConfig.MAX_DIMENSION));
      }
      v[n++] = x;
    }
    return n == v.length ? v : Arrays.copyOf(v, n);
  }

  /**
   * The body's bytes: exactly Content-Length of them when the client sent one (no buffer sized for
   * the limit), else up to the limit.
   */
  private static byte[] read(InputStream in, long contentLength, long maxBytes) {
    if (contentLength > maxBytes) {
      throw ApiError.tooLarge("body", "is " + contentLength + " bytes; the limit is " + maxBytes);
    }
    byte[] bytes;
    try {
      bytes =
          contentLength >= 0
              ? in.readNBytes((int) contentLength)
              : in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
    } catch (IOException e) {
      throw ApiError.badRequest("body", "could not be read: " + e.getMessage());
    }
    if (bytes.length > maxBytes) {
      throw ApiError.tooLarge("body", "is longer than the limit of " + maxBytes + " bytes");
    }
    if (bytes.length == 0) {
      throw ApiError.badRequest("body", "a JSON object is required");
    }
    return bytes;
  }

  private static ObjectNode parse(byte[] bytes) {
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(bytes);
    } catch (StreamConstraintsException e) {
      throw ApiError.badRequest(
          "body", "nests deeper than the limit of " + Json.MAX_DEPTH + " levels");
    } catch (JsonProcessingException e) {
      throw ApiError.badRequest(
          "body", "is not valid JSON: " + e.getOriginalMessage().lines().findFirst().orElse(""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (node == null || !node.isObject()) {
      throw ApiError.badRequest("body", "must be a JSON object");
    }
    return (ObjectNode) node;
  }

  /**
   * Refuses fields other than {@code allowed}: a misspelt option should not be silently ignored.
   */
  static void only(ObjectNode o, String where, Set<String> allowed) {
    for (var it = o.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        throw ApiError.badRequest(
            where.isEmpty() ? f : where + "." + f,
            "unknown field; allowed: " + String.join(", ", allowed.stream().sorted().toList()));
      }
    }
  }

  static boolean has(ObjectNode o, String f) {
    JsonNode n = o.get(f);
    return n != null && !n.isNull();
  }

  static int integer(ObjectNode o, String f, int def, int min, int max) {
    JsonNode n = o.get(f);
    if (n == null || n.isNull()) {
      return def;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < min || n.intValue() > max) {
      throw ApiError.badRequest(
          f, "must be an integer in [" + min + ", " + max + "], got " + brief(n));
    }
    return n.intValue();
  }

  static boolean bool(ObjectNode o, String f, boolean def) {
    JsonNode n = o.get(f);
    if (n == null || n.isNull()) {
      return def;
    }
    if (!n.isBoolean()) {
      throw ApiError.badRequest(f, "must be true or false, got " + brief(n));
    }
    return n.booleanValue();
  }

  static String string(ObjectNode o, String f, String def) {
    JsonNode n = o.get(f);
    if (n == null || n.isNull()) {
      return def;
    }
    if (!n.isTextual()) {
      throw ApiError.badRequest(f, "must be a string, got " + brief(n));
    }
    return n.textValue();
  }

  static Float number(ObjectNode o, String f) {
    JsonNode n = o.get(f);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isNumber() || !Float.isFinite(n.floatValue())) {
      throw ApiError.badRequest(f, "must be a finite number, got " + brief(n));
    }
    return n.floatValue();
  }

  static ObjectNode object(ObjectNode o, String f) {
    JsonNode n = o.get(f);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isObject()) {
      throw ApiError.badRequest(f, "must be a JSON object, got " + brief(n));
    }
    return (ObjectNode) n;
  }

  /** A vector: an array of at most 4096 finite numbers (as floats). */
  static float[] vector(JsonNode n, String field) {
    if (n == null || !n.isArray()) {
      throw ApiError.badRequest(field, "must be an array of numbers");
    }
    if (n.size() > CollectionConfig.MAX_DIMENSION) {
      throw ApiError.badRequest(
          field, "has " + n.size() + " numbers; the limit is " + CollectionConfig.MAX_DIMENSION);
    }
    float[] v = new float[n.size()];
    for (int i = 0; i < v.length; i++) {
      JsonNode x = n.get(i);
      if (!x.isNumber() || !Float.isFinite(x.floatValue())) {
        throw ApiError.badRequest(
            field + "[" + i + "]", "must be a finite number (as a 32-bit float), got " + brief(x));
      }
      v[i] = x.floatValue();
    }
    return v;
  }

  /** Largest point id Qdrant allows: an unsigned 64-bit integer. */
  static final java.math.BigInteger MAX_ID =
      java.math.BigInteger.ONE.shiftLeft(64).subtract(java.math.BigInteger.ONE);

  /**
   * A point id: a non-negative integer (up to 2^64 − 1, as Qdrant) kept as its decimal string, or a
   * string (a UUID, as Qdrant; byhand also takes any other string of at most 256 bytes). An id kept
   * as canonical digits is answered as a JSON number ({@link JsonAnswer#id}).
   */
  static String id(JsonNode n, String field) {
    if (n != null && n.isTextual()) {
      return n.textValue();
    }
    if (n != null
        && n.isIntegralNumber()
        && n.bigIntegerValue().signum() >= 0
        && n.bigIntegerValue().compareTo(MAX_ID) <= 0) {
      return n.bigIntegerValue().toString();
    }
    throw ApiError.badRequest(
        field, "must be an unsigned integer or a UUID string, got " + brief(n));
  }

  /** A list of at most {@value #MAX_IDS} ids. */
  static List<String> ids(ObjectNode o, String f) {
    JsonNode n = o.get(f);
    if (n == null || !n.isArray()) {
      throw ApiError.badRequest(f, "must be an array of ids");
    }
    if (n.size() > MAX_IDS) {
      throw ApiError.tooLarge(f, "has " + n.size() + " ids; the limit is " + MAX_IDS);
    }
    List<String> ids = new ArrayList<>(n.size());
    for (int i = 0; i < n.size(); i++) {
      ids.add(id(n.get(i), f + "[" + i + "]"));
    }
    return ids;
  }

  /** A list of strings (payload keys or field names), at most 1,000. */
  static List<String> strings(JsonNode n, String f) {
    if (n == null || !n.isArray()) {
      throw ApiError.badRequest(f, "must be an array of strings");
    }
    if (n.size() > 1000) {
      throw ApiError.tooLarge(f, "has " + n.size() + " entries; the limit is 1000");
    }
    List<String> out = new ArrayList<>(n.size());
    for (int i = 0; i < n.size(); i++) {
      if (!n.get(i).isTextual()) {
        throw ApiError.badRequest(f + "[" + i + "]", "must be a string, got " + brief(n.get(i)));
      }
      out.add(n.get(i).textValue());
    }
    return out;
  }

  /** The filter under {@code f}, or null. */
  static Filter filter(ObjectNode o, String f) {
    return filter(o, f, f);
  }

  /**
   * The filter under {@code key}, or null; errors name it {@code field} (such as {@code
   * searches[3].filter}).
   */
  static Filter filter(ObjectNode o, String field, String key) {
    JsonNode n = o.get(key);
    return n == null || n.isNull() ? null : Filter.parse(n, field);
  }

  /** A short description of a value for an error message (never the whole of a huge value). */
  static String brief(JsonNode n) {
    if (n == null || n.isMissingNode()) {
      return "nothing";
    }
    if (n.isContainerNode()) {
      return n.isArray() ? "an array" : "an object";
    }
    String s = n.toString();
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }
}
