package dev.byhand.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** Prints labelled vectors and matrices the way the seed draws them, for {@code explain}. */
final class Matrices {

  private Matrices() {}

  /** Formats one number in at most 7 characters: integers plainly, others with 2 or 4 decimals. */
  static String number(float x) {
    if (x == Math.rint(x) && Math.abs(x) < 1e6) {
      return Integer.toString((int) x);
    }
    if (Math.abs(x) >= 0.01) {
      return String.format(Locale.ROOT, "%.2f", x);
    }
    return String.format(Locale.ROOT, "%.4f", x);
  }

  /** {@code [ 1 0 1.33 ]}, each number right-aligned to {@code width}. */
  static String row(float[] v, int width) {
    StringBuilder sb = new StringBuilder("[");
    for (float x : v) {
      sb.append(' ').append(pad(number(x), width));
    }
    return sb.append(" ]").toString();
  }

  /** The first {@code n} numbers of a long vector, then how many more there are. */
  static String head(float[] v, int n) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < Math.min(n, v.length); i++) {
      sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", v[i]));
    }
    if (v.length > n) {
      sb.append(", … ").append(v.length - n).append(" more");
    }
    return sb.append(']').toString();
  }

  /** A matrix with a label per row; every number right-aligned in one common width. */
  static void print(PrintWriter out, String indent, List<String> rowLabels, float[][] rows) {
    int width = 1;
    for (float[] r : rows) {
      for (float x : r) {
        width = Math.max(width, number(x).length());
      }
    }
    int labelWidth = 0;
    for (String l : rowLabels) {
      labelWidth = Math.max(labelWidth, l.length());
    }
    for (int i = 0; i < rows.length; i++) {
      out.println(indent + pad(rowLabels.get(i), labelWidth) + "  " + row(rows[i], width));
    }
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
  }
}
