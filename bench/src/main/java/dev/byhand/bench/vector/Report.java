package dev.byhand.bench.vector;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/** Writes the Markdown report and the recall–QPS plot (Java2D, no plotting library). */
final class Report {

  record Point(String system, int ef, double recall, double qps) {}

  private Report() {}

  /**
   * Redraws the plot of an existing report from its recall–QPS table: {@code Report
   * bench/results/vector.md}.
   */
  public static void main(String[] args) throws IOException {
    Path md = Path.of(args[0]);
    Map<String, List<Point>> bySystem = new LinkedHashMap<>();
    boolean inTable = false;
    for (String line : Files.readAllLines(md)) {
      if (line.startsWith("## Recall@10 against")) {
        inTable = true;
        continue;
      }
      if (inTable && line.startsWith("##")) {
        break;
      }
      String[] f = line.split("\\|");
      if (inTable && f.length == 5 && !f[1].isBlank() && f[2].trim().matches("\\d+")) {
        Point p =
            new Point(
                f[1].trim(),
                Integer.parseInt(f[2].trim()),
                Double.parseDouble(f[3].trim()),
                Double.parseDouble(f[4].trim().replace(",", "")));
        bySystem.computeIfAbsent(p.system(), k -> new ArrayList<>()).add(p);
      }
    }
    plot(plotPath(md), bySystem);
  }

  static Path plotPath(Path markdown) {
    String name = markdown.getFileName().toString().replaceFirst("\\.md$", "");
    return markdown.resolveSibling(name + "-recall-qps.png");
  }

  static void write(
      Path out,
      String command,
      String data,
      int n,
      int dim,
      int nq,
      int m,
      int efc,
      Map<String, Double> figures,
      List<Point> points,
      Map<String, String> notes)
      throws IOException {
    Map<String, List<Point>> bySystem = new LinkedHashMap<>();
    for (Point p : points) {
      bySystem.computeIfAbsent(p.system(), k -> new ArrayList<>()).add(p);
    }
    StringBuilder md = new StringBuilder();
    md.append("# Vector search side by side (issue 3)\n\n");
    md.append(
            "Command (from the repository root; it builds module bench, installs the Debian peers and"
                + " data it needs, and runs with -Xmx12g):\n\n```\n")
        .append(command)
        .append("\n```\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "Machine: %d cores, JDK %s (%s). Data: %s; %,d base vectors × %d, %,d queries; m = %d,"
                + " efConstruction = %d for every graph. Ground truth: byhand's exact scan (FAISS IndexFlatIP"
                + " agrees: its recall is in the exact-scan table).\n\n",
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version"),
            System.getProperty("java.vm.name"),
            data,
            n,
            dim,
            nq,
            m,
            efc));
    md.append("## Recall@10 against single-thread queries per second\n\n");
    md.append(
        "Queries per second: the median of "
            + VectorBench.PASSES
            + " timed passes over all queries at each ef, after a warm-up; exact-scan batches: the median of 3.\n\n");
    md.append("| system | ef | recall@10 | queries/s |\n|---|---:|---:|---:|\n");
    for (Map.Entry<String, List<Point>> e : bySystem.entrySet()) {
      for (Point p : e.getValue()) {
        md.append(
            String.format(
                Locale.ROOT,
                "| %s | %d | %.4f | %,.0f |%n",
                p.system(),
                p.ef(),
                p.recall(),
                p.qps()));
      }
    }
    md.append("\n![recall against queries per second](")
        .append(plotPath(out).getFileName())
        .append(")\n\n");
    md.append("## At recall@10 ≥ 0.95 (the smallest ef of the sweep that reaches it)\n\n");
    md.append("| system | ef | recall@10 | queries/s |\n|---|---:|---:|---:|\n");
    Map<String, Point> at95 = new LinkedHashMap<>();
    for (Map.Entry<String, List<Point>> e : bySystem.entrySet()) {
      Point best = null;
      for (Point p : e.getValue()) {
        if (p.recall() >= 0.95 && (best == null || p.qps() > best.qps())) {
          best = p;
        }
      }
      if (best != null) {
        at95.put(e.getKey(), best);
        md.append(
            String.format(
                Locale.ROOT,
                "| %s | %d | %.4f | %,.0f |%n",
                best.system(),
                best.ef(),
                best.recall(),
                best.qps()));
      } else {
        md.append("| ").append(e.getKey()).append(" | — | below 0.95 at every ef | — |\n");
      }
    }
    md.append("\n## Build time (seconds), memory and disk\n\n");
    md.append(
        "| system | build, 1 thread | build, 2 threads | heap bytes/vector | disk bytes/vector |\n|---|---:|---:|---:|---:|\n");
    List<String> systems = new ArrayList<>();
    for (String key : figures.keySet()) {
      String system = key.split("\\|")[0];
      if (!systems.contains(system)
          && (figures.containsKey(system + "|build_s|1")
              || figures.containsKey(system + "|build_s|2"))) {
        systems.add(system);
      }
    }
    for (String s : systems) {
      md.append("| ")
          .append(s)
          .append(" | ")
          .append(fmt(figures.get(s + "|build_s|1"), "%.1f"))
          .append(" | ")
          .append(fmt(figures.get(s + "|build_s|2"), "%.1f"))
          .append(" | ")
          .append(fmt(figures.get(s + "|heap_bytes_per_vector|"), "%,.0f"))
          .append(" | ")
          .append(fmt(figures.get(s + "|disk_bytes_per_vector|"), "%,.0f"))
          .append(" |\n");
    }
    md.append("\n## Exact scan (queries/s, top 10)\n\n");
    md.append(
        "| system | threads | one query at a time | one batch of all queries | recall@10 |\n|---|---:|---:|---:|---:|\n");
    for (String s : new String[] {"byhand exact", "FAISS IndexFlatIP"}) {
      for (String t : new String[] {"1", "2"}) {
        Double single =
            s.startsWith("byhand")
                ? figures.get(s + "|single_qps|" + t)
                : figures.get(s + "|exact_single_qps|" + t);
        Double batch =
            s.startsWith("byhand")
                ? figures.get(s + "|batch_qps|" + t)
                : figures.get(s + "|exact_batch_qps|" + t);
        Double recall =
            s.startsWith("byhand")
                ? figures.get(s + "|recall|" + t)
                : figures.get(s + "|exact_recall|" + t);
        if (single != null || batch != null) {
          md.append("| ")
              .append(s)
              .append(" | ")
              .append(t)
              .append(" | ")
              .append(fmt(single, "%,.0f"))
              .append(" | ")
              .append(fmt(batch, "%,.0f"))
              .append(" | ")
              .append(fmt(recall, "%.4f"))
              .append(" |\n");
        }
      }
    }
    for (Map.Entry<String, String> e : notes.entrySet()) {
      md.append("\nNote: ").append(e.getKey()).append(" ").append(e.getValue()).append(".\n");
    }
    Files.createDirectories(out.toAbsolutePath().getParent());
    String existing = Files.exists(out) ? Files.readString(out) : "";
    String marker = "<!-- analysis -->";
    int keep = existing.indexOf(marker);
    md.append("\n").append(keep >= 0 ? existing.substring(keep) : marker + "\n");
    Files.writeString(out, md.toString());
    plot(plotPath(out), bySystem);
  }

  private static String fmt(Double v, String format) {
    return v == null ? "—" : String.format(Locale.ROOT, format, v);
  }

  /** Recall on x (linear), queries per second on y (log), one line per system. */
  private static void plot(Path png, Map<String, List<Point>> bySystem) throws IOException {
    int w = 900, h = 600, left = 80, right = 260, top = 40, bottom = 60;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    double minR = 1, maxQ = 1, minQ = Double.MAX_VALUE;
    for (List<Point> ps : bySystem.values()) {
      for (Point p : ps) {
        minR = Math.min(minR, p.recall());
        maxQ = Math.max(maxQ, p.qps());
        minQ = Math.min(minQ, p.qps());
      }
    }
    // recall below 0.5 is off the useful range (binary navigation at d=128): left off the plot,
    // still in the tables
    minR = Math.max(0.5, Math.floor(minR * 10) / 10);
    double logMin = Math.floor(Math.log10(Math.max(1, minQ)));
    double logMax = Math.ceil(Math.log10(maxQ));
    int pw = w - left - right, ph = h - top - bottom;
    g.setColor(new Color(230, 230, 230));
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    double step = 1 - minR > 0.3 ? 0.1 : 0.05;
    for (double r = minR; r <= 1.0001; r += step) {
      int x = left + (int) ((r - minR) / (1 - minR) * pw);
      g.setColor(new Color(230, 230, 230));
      g.drawLine(x, top, x, top + ph);
      g.setColor(Color.DARK_GRAY);
      g.drawString(String.format(Locale.ROOT, "%.2f", r), x - 12, top + ph + 18);
    }
    for (double e = logMin; e <= logMax; e++) {
      int y = top + ph - (int) ((e - logMin) / (logMax - logMin) * ph);
      g.setColor(new Color(230, 230, 230));
      g.drawLine(left, y, left + pw, y);
      g.setColor(Color.DARK_GRAY);
      g.drawString(String.format(Locale.ROOT, "%,.0f", Math.pow(10, e)), 10, y + 4);
    }
    g.setColor(Color.BLACK);
    g.drawRect(left, top, pw, ph);
    g.drawString("recall@10", left + pw / 2 - 30, h - 20);
    g.drawString("queries/s (1 thread, log scale)", left, top - 12);
    Color[] palette = {
      new Color(214, 39, 40),
      new Color(31, 119, 180),
      new Color(44, 160, 44),
      new Color(255, 127, 14),
      new Color(148, 103, 189),
      new Color(140, 86, 75),
      new Color(23, 190, 207),
      new Color(0, 0, 0),
      new Color(188, 189, 34),
      new Color(227, 119, 194)
    };
    int i = 0;
    for (Map.Entry<String, List<Point>> e : bySystem.entrySet()) {
      Color c = palette[i % palette.length];
      g.setColor(c);
      g.setStroke(new BasicStroke(e.getKey().startsWith("byhand") ? 3f : 1.8f));
      int px = -1, py = -1;
      for (Point p : e.getValue()) {
        if (p.recall() < minR) {
          continue;
        }
        int x = left + (int) ((p.recall() - minR) / (1 - minR) * pw);
        int y = top + ph - (int) ((Math.log10(p.qps()) - logMin) / (logMax - logMin) * ph);
        g.fillOval(x - 4, y - 4, 8, 8);
        if (px >= 0) {
          g.drawLine(px, py, x, y);
        }
        px = x;
        py = y;
      }
      g.drawLine(left + pw + 15, top + 20 + 22 * i, left + pw + 40, top + 20 + 22 * i);
      g.setColor(Color.BLACK);
      g.drawString(e.getKey(), left + pw + 48, top + 24 + 22 * i);
      i++;
    }
    g.dispose();
    ImageIO.write(img, "png", png.toFile());
  }
}
