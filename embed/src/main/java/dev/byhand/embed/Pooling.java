package dev.byhand.embed;

import java.util.Locale;

/** Token features → one sentence vector (seed step [4]). */
public enum Pooling {
  /**
   * Average of the token vectors, padding excluded (the encoders never hand padding rows to
   * pooling, so the mean is over exactly the text's own tokens). The most common choice, and the
   * one all-MiniLM-L6-v2 was trained with.
   */
  MEAN,
  /** The first token's vector ({@code [CLS]} in BERT-style models). */
  CLS;

  /** Pools {@code [tokens][dimension]} into one {@code [dimension]} vector. */
  public float[] pool(float[][] tokenFeatures) {
    if (tokenFeatures.length == 0) {
      throw new IllegalArgumentException("tokenFeatures: need at least 1 token, got 0");
    }
    int d = tokenFeatures[0].length;
    float[] out = new float[d];
    if (this == CLS) {
      System.arraycopy(tokenFeatures[0], 0, out, 0, d);
      return out;
    }
    // Accumulate in double: 256 tokens of float32 lose a few ulps otherwise.
    double[] sum = new double[d];
    for (float[] row : tokenFeatures) {
      for (int j = 0; j < d; j++) {
        sum[j] += row[j];
      }
    }
    for (int j = 0; j < d; j++) {
      out[j] = (float) (sum[j] / tokenFeatures.length);
    }
    return out;
  }

  /** Parses {@code mean} or {@code cls}, case-insensitively. */
  public static Pooling parse(String name) {
    for (Pooling p : values()) {
      if (p.name().equalsIgnoreCase(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException("pooling: unknown '" + name + "'; expected mean or cls");
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
