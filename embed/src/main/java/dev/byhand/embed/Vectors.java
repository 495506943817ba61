package dev.byhand.embed;

/** Small vector helpers used by the encoders. */
public final class Vectors {

  private Vectors() {}

  /**
   * Scales {@code v} in place to unit L2 length and returns it; a zero vector stays zero (it has no
   * direction to keep).
   */
  public static float[] normalize(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    if (sum == 0) {
      return v;
    }
    float inv = (float) (1.0 / Math.sqrt(sum));
    for (int i = 0; i < v.length; i++) {
      v[i] *= inv;
    }
    return v;
  }
}
