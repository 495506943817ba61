package dev.byhand.dit.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The built-in captioned clips: one shape (circle, square, triangle) of one colour (red, green,
 * blue, yellow) moving left, right, up or down across a dark background. Every clip is a pure
 * function of (seed, index), so the data set needs no files and reproduces from its seed. A fixed
 * list of combinations, {@link #HELD_OUT}, never appears in training: it tests composition.
 */
public final class ShapesDataset {

  /** The shapes. */
  public enum Shape {
    CIRCLE,
    SQUARE,
    TRIANGLE;

    /** Lower-case name, as in captions. */
    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The colours, with their RGB values in [0, 255]. */
  public enum Colour {
    RED(230, 40, 40),
    GREEN(40, 200, 60),
    BLUE(50, 90, 240),
    YELLOW(240, 220, 40);

    private final int r;
    private final int g;
    private final int b;

    Colour(int r, int g, int b) {
      this.r = r;
      this.g = g;
      this.b = b;
    }

    /** Lower-case name, as in captions. */
    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The colour as three values in [-1, 1]. */
    public float[] rgb() {
      return new float[] {VideoIO.fromByte(r), VideoIO.fromByte(g), VideoIO.fromByte(b)};
    }
  }

  /** Directions of motion; image rows grow downwards. */
  public enum Direction {
    LEFT(-1, 0, "to the left"),
    RIGHT(1, 0, "to the right"),
    UP(0, -1, "upward"),
    DOWN(0, 1, "downward");

    private final int dx;
    private final int dy;
    private final String adverb;

    Direction(int dx, int dy, String adverb) {
      this.dx = dx;
      this.dy = dy;
      this.adverb = adverb;
    }

    /** Lower-case name, as in captions. */
    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Column step per unit of travel: -1, 0 or 1. */
    public int dx() {
      return dx;
    }

    /** Row step per unit of travel: -1, 0 or 1. */
    public int dy() {
      return dy;
    }
  }

  /** One (colour, shape, direction) combination. */
  public record Combination(Colour colour, Shape shape, Direction direction) {
    /** The plainest caption: "a red circle moving left". */
    public String plainCaption() {
      return "a " + colour.word() + " " + shape.word() + " moving " + direction.word();
    }
  }

  /** A clip with its caption. */
  public record Clip(Video video, String caption, Combination combination) {}

  /**
   * Combinations held out of training. Each colour, shape and direction still appears in training
   * with other partners, so a model that composes attributes can draw these.
   */
  public static final List<Combination> HELD_OUT =
      List.of(
          new Combination(Colour.RED, Shape.TRIANGLE, Direction.UP),
          new Combination(Colour.GREEN, Shape.CIRCLE, Direction.LEFT),
          new Combination(Colour.BLUE, Shape.SQUARE, Direction.DOWN),
          new Combination(Colour.YELLOW, Shape.TRIANGLE, Direction.RIGHT),
          new Combination(Colour.RED, Shape.SQUARE, Direction.RIGHT),
          new Combination(Colour.BLUE, Shape.CIRCLE, Direction.UP));

  /** Background colour, dark grey-blue, in [-1, 1]. */
  static final float[] BACKGROUND = {
    VideoIO.fromByte(20), VideoIO.fromByte(20), VideoIO.fromByte(28)
  };

  /** Sub-samples per pixel side when rendering: 4×4 gives smooth (anti-aliased) edges. */
  private static final int SUPERSAMPLE = 4;

  private final int frames;
  private final int size;
  private final long seed;
  private final List<Combination> training;

  /**
   * @param frames frames per clip, at least 2 (motion needs two)
   * @param size height and width in pixels, at least 8
   * @param seed the seed every clip derives from
   */
  public ShapesDataset(int frames, int size, long seed) {
    if (frames < 2) {
      throw new IllegalArgumentException("frames: must be at least 2, got " + frames);
    }
    if (size < 8) {
      throw new IllegalArgumentException("size: must be at least 8, got " + size);
    }
    this.frames = frames;
    this.size = size;
    this.seed = seed;
    List<Combination> all = allCombinations();
    all.removeAll(HELD_OUT);
    this.training = List.copyOf(all);
  }

  /** The default: 8 frames of 32×32. */
  public static ShapesDataset defaults(long seed) {
    return new ShapesDataset(8, 32, seed);
  }

  /** Frames per clip. */
  public int frames() {
    return frames;
  }

  /** Height and width of a clip in pixels. */
  public int size() {
    return size;
  }

  /** The seed every clip derives from. */
  public long seed() {
    return seed;
  }

  /** All 48 combinations, in (colour, shape, direction) order. */
  public static List<Combination> allCombinations() {
    List<Combination> all = new ArrayList<>();
    for (Colour c : Colour.values()) {
      for (Shape s : Shape.values()) {
        for (Direction d : Direction.values()) {
          all.add(new Combination(c, s, d));
        }
      }
    }
    return all;
  }

  /** The 42 combinations used for training. */
  public List<Combination> trainingCombinations() {
    return training;
  }

  /** Every phrasing of a combination's caption. */
  public static List<String> captions(Combination combination) {
    String c = combination.colour().word();
    String s = combination.shape().word();
    Direction d = combination.direction();
    return List.of(
        "a " + c + " " + s + " moving " + d.word(),
        c + " " + s + " sliding " + d.adverb,
        "a " + s + ", " + c + ", going " + d.word(),
        "the " + c + " " + s + " moves " + d.word());
  }

  /** Training clip number {@code index}: a training combination, a random phrasing and path. */
  public Clip trainingClip(long index) {
    Rng rng = Rng.forItem(seed, index);
    Combination combination = training.get(rng.nextInt(training.size()));
    return render(combination, rng);
  }

  /** Held-out clip number {@code index}, cycling through {@link #HELD_OUT}. */
  public Clip heldOutClip(long index) {
    Rng rng = Rng.forItem(~seed, index);
    Combination combination = HELD_OUT.get((int) Math.floorMod(index, (long) HELD_OUT.size()));
    return render(combination, rng);
  }

  /** A clip of one combination drawn with {@code rng} (phrasing, path). */
  public Clip render(Combination combination, Rng rng) {
    List<String> phrasings = captions(combination);
    String caption = phrasings.get(rng.nextInt(phrasings.size()));
    float half = size * 0.1875f; // half-extent of a shape: 6 px at 32 px, a clear blob
    float lo = half + 1;
    float hi = size - half - 1;
    Direction d = combination.direction();
    // Travel 60–100% of the free span along the motion axis; place the other axis anywhere.
    float travel = (hi - lo) * (float) (0.6 + 0.4 * rng.nextDouble());
    float start = lo + (float) rng.nextDouble() * (hi - lo - travel);
    float across = lo + (float) rng.nextDouble() * (hi - lo);
    boolean backwards = d.dx() < 0 || d.dy() < 0;
    Video video = Video.zeros(frames, size, size, 3);
    float[] colour = combination.colour().rgb();
    for (int f = 0; f < frames; f++) {
      float along = start + travel * f / (frames - 1);
      if (backwards) {
        along = lo + hi - along;
      }
      float cx = d.dx() != 0 ? along : across;
      float cy = d.dy() != 0 ? along : across;
      drawFrame(video, f, combination.shape(), cx, cy, half, colour);
    }
    return new Clip(video, caption, combination);
  }

  private void drawFrame(
      Video video, int f, Shape shape, float cx, float cy, float half, float[] colour) {
    float step = 1f / SUPERSAMPLE;
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int inside = 0;
        for (int sy = 0; sy < SUPERSAMPLE; sy++) {
          for (int sx = 0; sx < SUPERSAMPLE; sx++) {
            float px = x + (sx + 0.5f) * step - cx;
            float py = y + (sy + 0.5f) * step - cy;
            if (contains(shape, px, py, half)) {
              inside++;
            }
          }
        }
        float cover = inside / (float) (SUPERSAMPLE * SUPERSAMPLE);
        for (int c = 0; c < 3; c++) {
          video.set(f, y, x, c, BACKGROUND[c] + cover * (colour[c] - BACKGROUND[c]));
        }
      }
    }
  }

  private static boolean contains(Shape shape, float px, float py, float half) {
    switch (shape) {
      case CIRCLE:
        return px * px + py * py <= half * half;
      case SQUARE:
        float s = half * 0.85f; // same area as the circle, roughly, so size does not give it away
        return Math.abs(px) <= s && Math.abs(py) <= s;
      case TRIANGLE:
        // Apex up at -half, base at +half; width grows linearly to 2·half at the base.
        if (py < -half || py > half) {
          return false;
        }
        float w = half * (py + half) / (2 * half);
        return Math.abs(px) <= w;
      default:
        throw new AssertionError(shape);
    }
  }
}
