package dev.byhand.bench;

import java.util.Arrays;

/** Small statistics shared by the benchmarks. */
public final class Stats {

  private Stats() {}

  /**
   * The median of {@code xs} (the mean of the middle two for an even count); {@code xs} is not
   * changed.
   */
  public static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
