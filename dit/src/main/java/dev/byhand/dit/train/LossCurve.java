package dev.byhand.dit.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Draws a training loss curve (log scale, raw points and a moving average) as a PNG. */
public final class LossCurve {
  private static final int WIDTH = 800;
  private static final int HEIGHT = 400;
  private static final int MARGIN = 50;

  private LossCurve() {}

  /**
   * Writes the curve.
   *
   * @param steps step of each point
   * @param losses loss at each point (positive)
   */
  public static void write(List<Long> steps, List<Double> losses, String title, Path file) {
    if (steps.size() != losses.size()) {
      throw new IllegalArgumentException(
          "steps/losses: " + steps.size() + " steps but " + losses.size() + " losses");
    }
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, HEIGHT);
    g.setColor(Color.DARK_GRAY);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.drawString(title, MARGIN, 20);
    g.drawRect(MARGIN, MARGIN, WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN);
    if (!steps.isEmpty()) {
      double lo = Double.MAX_VALUE;
      double hi = -Double.MAX_VALUE;
      for (double l : losses) {
        double v = Math.log10(Math.max(l, 1e-8));
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      if (hi - lo < 1e-6) {
        hi = lo + 1;
      }
      long first = steps.get(0);
      long last = Math.max(steps.get(steps.size() - 1), first + 1);
      g.drawString(String.format(Locale.ROOT, "%.3g", Math.pow(10, hi)), 2, MARGIN + 4);
      g.drawString(String.format(Locale.ROOT, "%.3g", Math.pow(10, lo)), 2, HEIGHT - MARGIN);
      g.drawString("step " + first, MARGIN, HEIGHT - MARGIN + 16);
      g.drawString("step " + last, WIDTH - MARGIN - 60, HEIGHT - MARGIN + 16);
      g.setColor(new Color(150, 180, 230));
      int window = Math.max(1, steps.size() / 50); // smooth over ~2% of the run
      int[] xs = new int[steps.size()];
      int[] ys = new int[steps.size()];
      int[] smooth = new int[steps.size()];
      double sum = 0;
      for (int i = 0; i < steps.size(); i++) {
        double v = Math.log10(Math.max(losses.get(i), 1e-8));
        sum += v;
        if (i >= window) {
          sum -= Math.log10(Math.max(losses.get(i - window), 1e-8));
        }
        double avg = sum / Math.min(i + 1, window);
        xs[i] =
            MARGIN
                + (int) ((WIDTH - 2 * MARGIN) * (steps.get(i) - first) / (double) (last - first));
        ys[i] = y(v, lo, hi);
        smooth[i] = y(avg, lo, hi);
      }
      g.drawPolyline(xs, ys, xs.length);
      g.setColor(new Color(20, 60, 160));
      g.setStroke(new BasicStroke(2f));
      g.drawPolyline(xs, smooth, xs.length);
    }
    g.dispose();
    try {
      ImageIO.write(image, "png", file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static int y(double v, double lo, double hi) {
    return HEIGHT - MARGIN - (int) ((HEIGHT - 2 * MARGIN) * (v - lo) / (hi - lo));
  }
}
