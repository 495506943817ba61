package dev.byhand.store;

import java.util.List;

/**
 * A search: a query vector (or text, for a collection with an encoder), how many results, and what
 * to return with them.
 *
 * @param vector the query vector, or null to embed {@code text}
 * @param text the query text, or null
 * @param k results wanted, in [1, {@value #MAX_K}]
 * @param ef HNSW beam width, in [k, {@value #MAX_EF}]; 0 picks max(k, 64)
 * @param filter only points passing it, or null for all
 * @param withPayload return payloads
 * @param payloadFields with a payload: only these top-level keys; null for all
 * @param withVector return the stored vectors
 * @param scoreThreshold drop hits scoring below it; null for none
 */
public record SearchRequest(
    float[] vector,
    String text,
    int k,
    int ef,
    Filter filter,
    boolean withPayload,
    List<String> payloadFields,
    boolean withVector,
    Float scoreThreshold) {

  /** Most results one search returns. */
  public static final int MAX_K = 1000;

  /** Widest HNSW beam a search may ask for. */
  public static final int MAX_EF = 4096;

  public SearchRequest {
    if ((vector == null) == (text == null)) {
      throw new InvalidRequestException(
          "vector", "give exactly one of a query vector or a query text");
    }
    if (k < 1 || k > MAX_K) {
      throw new InvalidRequestException("k", "must be in [1, " + MAX_K + "], got " + k);
    }
    if (ef != 0 && (ef < k || ef > MAX_EF)) {
      throw new InvalidRequestException(
          "ef", "must be in [k = " + k + ", " + MAX_EF + "], got " + ef);
    }
    if (scoreThreshold != null && !Float.isFinite(scoreThreshold)) {
      throw new InvalidRequestException("scoreThreshold", "must be a finite number");
    }
    payloadFields = payloadFields == null ? null : List.copyOf(payloadFields);
  }

  /** The {@code k} nearest points to {@code vector}, with payloads. */
  public static SearchRequest vector(float[] vector, int k) {
    return new SearchRequest(vector, null, k, 0, null, true, null, false, null);
  }

  /** The {@code k} nearest points to the embedding of {@code text}, with payloads. */
  public static SearchRequest text(String text, int k) {
    return new SearchRequest(null, text, k, 0, null, true, null, false, null);
  }

  public SearchRequest withFilter(Filter f) {
    return new SearchRequest(
        vector, text, k, ef, f, withPayload, payloadFields, withVector, scoreThreshold);
  }

  public SearchRequest withEf(int e) {
    return new SearchRequest(
        vector, text, k, e, filter, withPayload, payloadFields, withVector, scoreThreshold);
  }

  public SearchRequest withPayload(boolean p, List<String> fields) {
    return new SearchRequest(vector, text, k, ef, filter, p, fields, withVector, scoreThreshold);
  }

  public SearchRequest withVector(boolean v) {
    return new SearchRequest(
        vector, text, k, ef, filter, withPayload, payloadFields, v, scoreThreshold);
  }

  public SearchRequest withScoreThreshold(Float t) {
    return new SearchRequest(
        vector, text, k, ef, filter, withPayload, payloadFields, withVector, t);
  }

  /** The beam width used: {@code ef}, or max(k, 64) when it is 0. */
  int effectiveEf() {
    return ef != 0 ? ef : Math.max(k, 64);
  }
}
