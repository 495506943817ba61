package dev.byhand.store;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The store's one JSON mapper and the payload limits it enforces. */
public final class Json {

  /**
   * Deepest nesting a payload or filter may have: enough for real documents, too little to blow a
   * stack.
   */
  public static final int MAX_DEPTH = 32;

  /** Largest payload of one point, as UTF-8 JSON: 1 MiB. */
  public static final int MAX_PAYLOAD_BYTES = 1 << 20;

  /** The shared mapper: strict (no duplicate keys, no trailing tokens), depth-limited. */
  public static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  static {
    MAPPER
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH + 8).build());
  }

  private Json() {}

  /**
   * Parses a payload: a JSON object, at most {@link #MAX_PAYLOAD_BYTES}, nested at most {@link
   * #MAX_DEPTH}.
   */
  public static ObjectNode parsePayload(String field, String json) {
    if (json == null) {
      return null;
    }
    // Characters ≤ bytes of UTF-8 ≤ 3 × characters: check cheaply first, exactly only when close.
    if (json.length() > Json.MAX_PAYLOAD_BYTES
        || (json.length() * 3L > Json.MAX_PAYLOAD_BYTES
            && json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                > Json.MAX_PAYLOAD_BYTES)) {
      throw new InvalidRequestException(field, "larger than " + Json.MAX_PAYLOAD_BYTES + " bytes");
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(json);
    } catch (IOException e) {
      throw new InvalidRequestException(
          field, "is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    return checkPayload(field, node);
  }

  /** Checks that {@code node} is a JSON object within the limits; returns it as an object. */
  public static ObjectNode checkPayload(String field, JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw new InvalidRequestException(
          field, "must be a JSON object, got " + node.getNodeType().name().toLowerCase());
    }
    checkDepth(field, node, 1);
    return (ObjectNode) node;
  }

  private static void checkDepth(String field, JsonNode node, int depth) {
    if (depth > MAX_DEPTH) {
      throw new InvalidRequestException(field, "nests deeper than " + MAX_DEPTH + " levels");
    }
    if (node.isContainerNode()) {
      for (JsonNode child : node) {
        checkDepth(field, child, depth + 1);
      }
    }
    if (node.isNumber() && node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
      throw new InvalidRequestException(field, "holds a number that is not finite");
    }
  }

  static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ObjectNode object(byte[] bytes) throws IOException {
    return (ObjectNode) MAPPER.readTree(bytes);
  }
}
