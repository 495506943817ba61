package dev.byhand.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.byhand.store.Json;
import dev.byhand.vector.Metric;
import java.util.Locale;

/** Qdrant's names and numbers for byhand's: distances, scores, versions. */
final class Qdrant {

  private Qdrant() {}

  /** The Qdrant API version byhand speaks (clients 1.17 to 1.19 accept it without a warning). */
  static final String API_VERSION = "1.18.0";

  /** Qdrant's distance name for a metric. */
  static String distance(Metric m) {
    return switch (m) {
      case COSINE -> "Cosine";
      case DOT -> "Dot";
      case L2 -> "Euclid";
    };
  }

  /** A Qdrant distance name as byhand's metric; Manhattan is refused. */
  static Metric metric(JsonNode n, String field) {
    if (n == null || !n.isTextual()) {
      throw ApiError.badRequest(field, "is required: Cosine, Dot or Euclid");
    }
    return switch (n.textValue().toLowerCase(Locale.ROOT)) {
      case "cosine" -> Metric.COSINE;
      case "dot" -> Metric.DOT;
      case "euclid" -> Metric.L2;
      case "manhattan" ->
          throw ApiError.badRequest(
              field, "Manhattan is not supported by byhand; use Cosine, Dot or Euclid");
      default ->
          throw ApiError.badRequest(
              field, "must be Cosine, Dot or Euclid, got " + Requests.brief(n));
    };
  }

  /** The score Qdrant reports: the distance itself for Euclid (ascending), else the similarity. */
  static double score(Metric m, float internal) {
    return m == Metric.L2 ? Math.sqrt(Math.max(0.0, -(double) internal)) : internal;
  }

  /**
   * A {@code score_threshold} as the store's: for Euclid Qdrant keeps hits at most that far, which
   * is an internal score (a negated square) of at least −t².
   */
  static Float threshold(Metric m, Float t) {
    if (t == null || m != Metric.L2) {
      return t;
    }
    return t < 0 ? Float.MAX_VALUE : -(t * t);
  }

  static JsonNode text(String s) {
    return Json.MAPPER.getNodeFactory().textNode(s);
  }
}
