package dev.byhand.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table: a header, rows, columns padded to their widest cell (cells cut at 60).
 * Control characters in cells are shown as escapes ({@link Terminal#safe}): cells hold stored ids
 * and payloads, which may hold anything.
 */
final class Table {

  /** Why 60: a payload column stays readable on an 120-column terminal beside id and score. */
  private static final int MAX_CELL = 60;

  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  Table(String... header) {
    this.header = List.of(header);
  }

  Table row(Object... cells) {
    List<String> r = new ArrayList<>();
    for (Object c : cells) {
      String s = c == null ? "" : Terminal.safe(c.toString());
      r.add(s.length() > MAX_CELL ? cut(s, MAX_CELL - 1) + "…" : s);
    }
    rows.add(r);
    return this;
  }

  /** The first {@code n} characters, one fewer rather than half a surrogate pair. */
  private static String cut(String s, int n) {
    return s.substring(0, Character.isHighSurrogate(s.charAt(n - 1)) ? n - 1 : n);
  }

  void print(PrintWriter out) {
    int[] w = new int[header.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = header.get(i).length();
      for (List<String> r : rows) {
        w[i] = Math.max(w[i], r.get(i).length());
      }
    }
    line(out, header, w);
    StringBuilder rule = new StringBuilder();
    for (int i = 0; i < w.length; i++) {
      rule.append(i == 0 ? "" : "  ").append("-".repeat(w[i]));
    }
    out.println(rule);
    rows.forEach(r -> line(out, r, w));
    out.flush();
  }

  private static void line(PrintWriter out, List<String> cells, int[] w) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String c = cells.get(i);
      sb.append(i == 0 ? "" : "  ")
          .append(i == cells.size() - 1 ? c : c + " ".repeat(w[i] - c.length()));
    }
    out.println(sb);
  }
}
