package dev.byhand.dit.eval;

import dev.byhand.dit.data.ShapesDataset.Colour;
import dev.byhand.dit.data.ShapesDataset.Direction;
import dev.byhand.dit.data.ShapesDataset.Shape;
import dev.byhand.dit.data.Video;
import java.util.Arrays;

/**
 * Analytic detectors that read a clip of the shapes data back into (colour, shape, direction), with
 * no learned parts, so they can score generated clips:
 *
 * <ul>
 *   <li>foreground: pixels far (in RGB) from the background, estimated per clip as the per-channel
 *       median (the background covers ~90% of the pixels);
 *   <li>colour: the palette colour nearest the mean of the clearly-foreground pixels;
 *   <li>direction: the larger component of the foreground centroid's travel from first to last
 *       frame;
 *   <li>shape: fill ratio of the mask in its bounding box — square ≈ 1, circle ≈ π/4, triangle ≈
 *       1/2;
 *   <li>consistency: one connected object in every frame, of stable size.
 * </ul>
 */
public final class Detectors {

  /** What the detectors read from a clip; null fields mean "no object found". */
  public record Detection(Colour colour, Shape shape, Direction direction, boolean consistent) {}

  /** RGB distance from the background above which a pixel counts as foreground. */
  private static final double FOREGROUND = 0.7;

  /** Fill ratio above which a shape is a square (square 1.0, circle 0.79). */
  private static final double SQUARE_FILL = 0.9;

  /** Fill ratio below which a shape is a triangle (triangle 0.5, circle 0.79). */
  private static final double TRIANGLE_FILL = 0.65;

  /** Objects smaller than this many pixels are noise, not an object. */
  private static final int MIN_AREA = 4;

  private Detectors() {}

  /** Reads one clip. */
  public static Detection detect(Video video) {
    if (video.channels() != 3) {
      throw new IllegalArgumentException("video: needs 3 channels, got " + video.channels());
    }
    int frames = video.frames();
    int h = video.height();
    int w = video.width();
    float[] background = medianColour(video);
    double[] cx = new double[frames];
    double[] cy = new double[frames];
    double[] area = new double[frames];
    double[] fill = new double[frames];
    double[] colourSum = new double[3];
    int colourCount = 0;
    boolean consistent = true;
    for (int f = 0; f < frames; f++) {
      boolean[] mask = new boolean[h * w];
      double maxDistance = 0;
      double[] distance = new double[h * w];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          double d = 0;
          for (int c = 0; c < 3; c++) {
            double v = video.get(f, y, x, c) - background[c];
            d += v * v;
          }
          distance[y * w + x] = Math.sqrt(d);
          maxDistance = Math.max(maxDistance, distance[y * w + x]);
          mask[y * w + x] = distance[y * w + x] > FOREGROUND;
        }
      }
      int[] labels = new int[h * w];
      int[] largest = largestComponent(mask, h, w, labels);
      int components = largest[1];
      // Measure the object, the largest connected part of the foreground: a stray speck or a
      // thin line beside it must not stretch its bounding box (it already costs consistency).
      int objectLabel = largest[2];
      for (int i = 0; i < mask.length; i++) {
        mask[i] = labels[i] == objectLabel;
      }
      int count = 0;
      int minX = w;
      int maxX = -1;
      int minY = h;
      int maxY = -1;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          if (mask[y * w + x]) {
            count++;
            cx[f] += x;
            cy[f] += y;
            minX = Math.min(minX, x);
            maxX = Math.max(maxX, x);
            minY = Math.min(minY, y);
            maxY = Math.max(maxY, y);
            // Colour from the clearly-inside pixels: edges blend with the background.
            if (distance[y * w + x] > 0.8 * maxDistance) {
              for (int c = 0; c < 3; c++) {
                colourSum[c] += video.get(f, y, x, c);
              }
              colourCount++;
            }
          }
        }
      }
      if (count < MIN_AREA) {
        return new Detection(null, null, null, false);
      }
      if (components != 1) {
        consistent = false;
      }
      cx[f] /= count;
      cy[f] /= count;
      area[f] = count;
      fill[f] = count / (double) ((maxX - minX + 1) * (maxY - minY + 1));
    }
    Colour colour = nearestColour(colourSum, colourCount);
    double dx = cx[frames - 1] - cx[0];
    double dy = cy[frames - 1] - cy[0];
    Direction direction =
        Math.abs(dx) >= Math.abs(dy)
            ? (dx < 0 ? Direction.LEFT : Direction.RIGHT)
            : (dy < 0 ? Direction.UP : Direction.DOWN);
    double meanFill = Arrays.stream(fill).average().orElse(0);
    Shape shape =
        meanFill > SQUARE_FILL
            ? Shape.SQUARE
            : meanFill < TRIANGLE_FILL ? Shape.TRIANGLE : Shape.CIRCLE;
    double meanArea = Arrays.stream(area).average().orElse(0);
    double spread =
        Math.sqrt(
            Arrays.stream(area).map(a -> (a - meanArea) * (a - meanArea)).average().orElse(0));
    // Stable size: the object's area varies by less than a quarter of its mean across frames.
    consistent &= spread < 0.25 * meanArea;
    return new Detection(colour, shape, direction, consistent);
  }

  private static float[] medianColour(Video video) {
    int n = video.frames() * video.height() * video.width();
    float[] out = new float[3];
    float[] values = new float[n];
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < n; i++) {
        values[i] = video.data()[i * 3 + c];
      }
      Arrays.sort(values);
      out[c] = values[n / 2];
    }
    return out;
  }

  private static Colour nearestColour(double[] sum, int count) {
    if (count == 0) {
      return null;
    }
    Colour best = null;
    double bestDistance = Double.MAX_VALUE;
    for (Colour colour : Colour.values()) {
      float[] rgb = colour.rgb();
      double d = 0;
      for (int c = 0; c < 3; c++) {
        double v = sum[c] / count - rgb[c];
        d += v * v;
      }
      if (d < bestDistance) {
        bestDistance = d;
        best = colour;
      }
    }
    return best;
  }

  /**
   * Labels the 4-connected parts of {@code mask} into {@code label} (zeros on entry).
   *
   * @return the largest part's size, the number of parts of at least {@link #MIN_AREA} pixels, and
   *     the largest part's label
   */
  private static int[] largestComponent(boolean[] mask, int h, int w, int[] label) {
    int largestLabel = 0;
    int[] stack = new int[h * w];
    int components = 0;
    int largest = 0;
    int next = 0;
    for (int start = 0; start < h * w; start++) {
      if (!mask[start] || label[start] != 0) {
        continue;
      }
      next++;
      int size = 0;
      int top = 0;
      stack[top++] = start;
      label[start] = next;
      while (top > 0) {
        int p = stack[--top];
        size++;
        int y = p / w;
        int x = p % w;
        int[] neighbours = {
          y > 0 ? p - w : -1, y < h - 1 ? p + w : -1, x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1
        };
        for (int q : neighbours) {
          if (q >= 0 && mask[q] && label[q] == 0) {
            label[q] = next;
            stack[top++] = q;
          }
        }
      }
      if (size >= MIN_AREA) {
        components++;
      }
      if (size > largest) {
        largest = size;
        largestLabel = next;
      }
    }
    return new int[] {largest, components, largestLabel};
  }
}
