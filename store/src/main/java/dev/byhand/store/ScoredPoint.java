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
public record ScoredPoint(String id, float score, ObjectNode payload, float[] vector) {}
