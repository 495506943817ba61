package dev.byhand.cli;

/** The little JSON the CLI writes by hand (vectors); the server module brings a real mapper. */
final class Json {

  private Json() {}

  /** {@code [0.1, -0.2, …]} with each float's shortest exact decimal form. */
  static String array(float[] v) {
    StringBuilder sb = new StringBuilder(v.length * 12).append('[');
    for (int i = 0; i < v.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(Float.toString(v[i]));
    }
    return sb.append(']').toString();
  }
}
