package dev.byhand.dit.data;

import dev.byhand.dit.data.ShapesDataset.Colour;
import dev.byhand.dit.data.ShapesDataset.Direction;
import dev.byhand.dit.data.ShapesDataset.Shape;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The caption grammar: many ways of saying what a clip shows, drawn at random, so that the model
 * learns to read a sentence rather than a handful of templates. Each colour, shape and direction
 * has several words, motions have several verbs (and for up and down, verbs that carry the
 * direction), and a caption takes one of many sentence shapes, sometimes with filler around it. The
 * four phrasings the first models were trained on ({@link ShapesDataset#captions}) are part of it.
 *
 * <p>Everything a caption can contain is in the lists below, so {@link #vocabulary()} is exact: the
 * paraphrase set of {@code video eval} is kept clear of it (a test checks).
 */
public final class Captions {

  /** Words for each colour. */
  static final Map<Colour, List<String>> COLOURS = new EnumMap<>(Colour.class);

  /** Nouns for each shape. */
  static final Map<Shape, List<String>> SHAPES = new EnumMap<>(Shape.class);

  /** Phrases that name a direction after a verb of motion ("moving … to the left"). */
  static final Map<Direction, List<String>> DIRECTIONS = new EnumMap<>(Direction.class);

  /**
   * Verbs that carry their direction, as {participle, third person}: "rising" needs no "up". Only
   * up and down have them.
   */
  static final Map<Direction, List<String[]>> DIRECTED_VERBS = new EnumMap<>(Direction.class);

  /** Verbs of motion that need a direction, as {participle, third person}. */
  static final List<String[]> VERBS =
      List.of(
          new String[] {"moving", "moves"},
          new String[] {"sliding", "slides"},
          new String[] {"going", "goes"},
          new String[] {"travelling", "travels"},
          new String[] {"shifting", "shifts"},
          new String[] {"flying", "flies"},
          new String[] {"passing", "passes"});

  static {
    COLOURS.put(Colour.RED, List.of("red", "scarlet", "tomato", "strawberry"));
    COLOURS.put(Colour.GREEN, List.of("green", "grass", "forest", "moss"));
    COLOURS.put(Colour.BLUE, List.of("blue", "indigo", "ocean", "ultramarine"));
    COLOURS.put(Colour.YELLOW, List.of("yellow", "gold", "golden", "banana", "sunflower"));
    SHAPES.put(Shape.CIRCLE, List.of("circle", "ball", "bubble", "button"));
    SHAPES.put(Shape.SQUARE, List.of("square", "box", "crate"));
    SHAPES.put(Shape.TRIANGLE, List.of("triangle", "spike"));
    DIRECTIONS.put(
        Direction.LEFT,
        List.of("left", "to the left", "leftward", "leftwards", "toward the left", "left side"));
    DIRECTIONS.put(
        Direction.RIGHT,
        List.of(
            "right", "to the right", "rightward", "rightwards", "toward the right", "right side"));
    DIRECTIONS.put(Direction.UP, List.of("up", "upward", "upwards", "straight up"));
    DIRECTIONS.put(Direction.DOWN, List.of("down", "downward", "downwards", "straight down"));
    DIRECTED_VERBS.put(
        Direction.UP, List.of(new String[] {"rising", "rises"}, new String[] {"lifting", "lifts"}));
    DIRECTED_VERBS.put(
        Direction.DOWN,
        List.of(new String[] {"falling", "falls"}, new String[] {"dropping", "drops"}));
    DIRECTED_VERBS.put(Direction.LEFT, List.of());
    DIRECTED_VERBS.put(Direction.RIGHT, List.of());
  }

  /**
   * Sentence shapes. {@code {c}} colour, {@code {s}} shape, {@code {m}} a motion as a participle
   * ("sliding to the left"), {@code {f}} the same as a finite verb ("slides to the left").
   */
  static final List<String> TEMPLATES =
      List.of(
          "a {c} {s} {m}",
          "the {c} {s} {f}",
          "{c} {s} {m}",
          "a {s}, {c}, {m}",
          "there is a {c} {s} {m}",
          "a {c} {s} appears, {m}",
          "look at the {c} {s} {m}",
          "a {c} {s} that {f}",
          "the {s} is {c} and {f}",
          "a {c} {s} is {m}",
          "an object, a {c} {s}, {m}",
          "a {s} in {c} {m}",
          "a {c} {s} {m} on a black field",
          "a film of a {c} {s} {m}",
          "the {c} {s} continues {m}",
          "a {c} {s} {m}, nothing else");

  private Captions() {}

  /** The grammar's words for a colour (the plain name first). */
  public static List<String> colourWords(Colour colour) {
    return COLOURS.get(colour);
  }

  /** The grammar's nouns for a shape (the plain name first). */
  public static List<String> shapeWords(Shape shape) {
    return SHAPES.get(shape);
  }

  /** The plainest caption: "a red circle moving left". */
  public static String plain(Colour colour, Shape shape, Direction direction) {
    return "a " + colour.word() + " " + shape.word() + " moving " + direction.word();
  }

  /**
   * A caption for one object drawn with {@code rng}: one of {@link #TEMPLATES}, words at random.
   */
  public static String caption(Colour colour, Shape shape, Direction direction, Rng rng) {
    String template = pick(TEMPLATES, rng);
    String c = pick(COLOURS.get(colour), rng);
    String s = pick(SHAPES.get(shape), rng);
    String[] motion = motion(direction, rng);
    String text =
        template
            .replace("{c}", c)
            .replace("{s}", s)
            .replace("{m}", motion[0])
            .replace("{f}", motion[1]);
    return articles(text);
  }

  /** A motion as {participle phrase, finite phrase}, with the same verb and direction. */
  private static String[] motion(Direction direction, Rng rng) {
    List<String[]> directed = DIRECTED_VERBS.get(direction);
    // Up and down: a third of the time a verb that carries the direction, alone or with it.
    if (!directed.isEmpty() && rng.nextInt(3) == 0) {
      String[] verb = directed.get(rng.nextInt(directed.size()));
      if (rng.nextInt(2) == 0) {
        return verb;
      }
      String d = pick(DIRECTIONS.get(direction), rng);
      return new String[] {verb[0] + " " + d, verb[1] + " " + d};
    }
    String[] verb = VERBS.get(rng.nextInt(VERBS.size()));
    String d = pick(DIRECTIONS.get(direction), rng);
    return new String[] {verb[0] + " " + d, verb[1] + " " + d};
  }

  /** "a indigo" → "an indigo", and the reverse, after the words are in. */
  static String articles(String text) {
    String[] w = text.split(" ", -1);
    for (int i = 0; i + 1 < w.length; i++) {
      if (w[i].equals("a") || w[i].equals("an")) {
        w[i] = "aeiou".indexOf(w[i + 1].isEmpty() ? 'x' : w[i + 1].charAt(0)) >= 0 ? "an" : "a";
      }
    }
    return String.join(" ", w);
  }

  /**
   * Every word a caption can contain, lower case, split at non-letters (as the paraphrase set's
   * check splits them): the templates' own words, every list's, and the four original phrasings'.
   */
  public static Set<String> vocabulary() {
    List<String> parts = new ArrayList<>(TEMPLATES);
    COLOURS.values().forEach(parts::addAll);
    SHAPES.values().forEach(parts::addAll);
    DIRECTIONS.values().forEach(parts::addAll);
    for (List<String[]> verbs : DIRECTED_VERBS.values()) {
      verbs.forEach(v -> parts.addAll(List.of(v)));
    }
    VERBS.forEach(v -> parts.addAll(List.of(v)));
    parts.add("an"); // the article fix-up
    for (ShapesDataset.Combination c : ShapesDataset.allCombinations()) {
      parts.addAll(ShapesDataset.captions(c));
    }
    Set<String> words = new TreeSet<>();
    for (String p : parts) {
      for (String w : p.replaceAll("\\{[a-z]}", " ").toLowerCase(Locale.ROOT).split("[^a-z]+")) {
        if (!w.isEmpty()) {
          words.add(w);
        }
      }
    }
    return words;
  }

  private static String pick(List<String> options, Rng rng) {
    return options.get(rng.nextInt(options.size()));
  }
}
