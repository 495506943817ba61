package dev.byhand.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A point of a collection: a string id, a vector, and a JSON payload.
 *
 * <p>To upsert, give a vector, or text when the collection has an encoder (the text is then also
 * kept in the payload under {@code "text"}). Points read back always carry their vector (as stored:
 * normalised for cosine collections) when it was asked for, else null.
 *
 * @param id at most 256 bytes of UTF-8, not empty
 * @param vector the vector, or null to embed {@code text}
 * @param text text to embed, or null
 * @param payload a JSON object, or null for none
 */
public record Point(String id, float[] vector, String text, ObjectNode payload) {

  /** The payload, a copy of its own to change freely; or null. */
  @Override
  public ObjectNode payload() {
    return payload == null ? null : payload.deepCopy();
  }

  /**
   * The payload as given or as the collection holds it, shared and not copied: read it, never
   * change it. Points read back ({@code get}, {@code scroll}) carry the stored payloads themselves,
   * so a large page costs no copies; {@link #payload()} copies on demand.
   */
  public ObjectNode payloadView() {
    return payload;
  }

  /** A point with a vector and a payload. */
  public static Point of(String id, float[] vector, ObjectNode payload) {
    return new Point(id, vector, null, payload);
  }

  /** A point given as text, for a collection with an encoder. */
  public static Point text(String id, String text, ObjectNode payload) {
    return new Point(id, null, text, payload);
  }
}
