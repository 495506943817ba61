package dev.byhand.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One search hit.
 *
 * @param id the point's id
 * @param score larger is nearer: dot product, cosine similarity, or the negated squared L2 distance
 * @param payload the payload (or the requested part of it), or null when not requested
 * @param vector the stored vector when requested, else null
 */
public record ScoredPoint(String id, float score, ObjectNode payload, float[] vector) {

  /** The payload (or the requested part of it), a copy of its own to change freely; or null. */
  @Override
  public ObjectNode payload() {
    return payload == null ? null : payload.deepCopy();
  }

  /**
   * The payload as the collection holds it, shared and not copied: read it, never change it. A
   * search answers with the stored payloads themselves, so a batch of many hits costs no copies;
   * {@link #payload()} copies on demand.
   */
  public ObjectNode payloadView() {
    return payload;
  }
}
