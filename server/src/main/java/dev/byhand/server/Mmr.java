package dev.byhand.server;

import dev.byhand.store.ScoredPoint;
import dev.byhand.vector.Metric;
import java.util.ArrayList;
import java.util.List;

/**
 * Maximal marginal relevance, as Qdrant's Query API does it ({@code {"nearest": v, "mmr":
 * {"diversity", "candidates_limit"}}}): from the nearest candidates, pick one at a time the point
 * that is most similar to the query and least similar to the points already picked, weighing the
 * two by {@code diversity} (0: similarity only; 1: diversity only). Hits keep their similarity to
 * the query as their score.
 */
final class Mmr {

  private Mmr() {}

  static List<ScoredPoint> select(
      List<ScoredPoint> candidates, float[] query, int limit, double diversity, Metric metric) {
    List<ScoredPoint> left = new ArrayList<>(candidates);
    List<ScoredPoint> picked = new ArrayList<>(Math.min(limit, left.size()));
    double[] nearestPicked = new double[left.size()];
    java.util.Arrays.fill(nearestPicked, Double.NEGATIVE_INFINITY);
    List<Double> toQuery = new ArrayList<>(left.size());
    for (ScoredPoint h : left) {
      toQuery.add(similarity(query, h.vector(), metric));
    }
    while (picked.size() < limit && !left.isEmpty()) {
      int best = -1;
      double bestValue = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < left.size(); i++) {
        double redundancy = picked.isEmpty() ? 0 : nearestPicked[i];
        double value = (1 - diversity) * toQuery.get(i) - diversity * redundancy;
        if (best < 0 || value > bestValue) {
          best = i;
          bestValue = value;
        }
      }
      ScoredPoint chosen = left.remove(best);
      toQuery.remove(best);
      double[] shifted = new double[left.size()];
      for (int i = 0, j = 0; i < nearestPicked.length && j < shifted.length; i++) {
        if (i != best) {
          shifted[j++] = nearestPicked[i];
        }
      }
      nearestPicked = shifted;
      for (int i = 0; i < left.size(); i++) {
        nearestPicked[i] =
            Math.max(nearestPicked[i], similarity(chosen.vector(), left.get(i).vector(), metric));
      }
      picked.add(chosen);
    }
    return picked;
  }

  /** Larger is nearer: cosine, dot product, or the negated Euclidean distance. */
  static double similarity(float[] a, float[] b, Metric metric) {
    if (a == null || b == null) {
      return 0;
    }
    double dot = 0;
    double na = 0;
    double nb = 0;
    double sq = 0;
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
      double d = (double) a[i] - b[i];
      sq += d * d;
    }
    return switch (metric) {
      case DOT -> dot;
      case COSINE -> na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
      case L2 -> -Math.sqrt(sq);
    };
  }
}
