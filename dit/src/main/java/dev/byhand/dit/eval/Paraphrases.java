package dev.byhand.dit.eval;

import dev.byhand.dit.data.ShapesDataset.Colour;
import dev.byhand.dit.data.ShapesDataset.Combination;
import dev.byhand.dit.data.ShapesDataset.Direction;
import dev.byhand.dit.data.ShapesDataset.Shape;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The paraphrase set (issue 17): 144 prompts written once by hand, each naming a colour, a shape
 * and a direction in words and sentence shapes that no training caption uses, to measure whether
 * the model follows what a person writes rather than the phrasings it was trained on. The prompts
 * live in {@code paraphrases.tsv} beside this class; the words they use are kept out of every
 * caption the trainer can produce (checked by a test against the caption grammar's vocabulary).
 */
public final class Paraphrases {

  /** One prompt and what it asks for. */
  public record Prompt(String text, Combination combination) {}

  /**
   * Words a paraphrase may share with the training captions: articles, prepositions, pronouns,
   * conjunctions and the copula, which say nothing about colour, shape or motion. Every other word
   * of the set is a content word and must be new.
   */
  public static final Set<String> FUNCTION_WORDS =
      Set.of(
          "a", "an", "the", "one", "of", "to", "toward", "towards", "in", "on", "at", "into",
          "over", "across", "along", "from", "by", "with", "and", "is", "are", "it", "its", "this",
          "that", "there", "as");

  private static final String RESOURCE = "paraphrases.tsv";

  private Paraphrases() {}

  /** Every prompt of the set, in file order. */
  public static List<Prompt> all() {
    List<Prompt> out = new ArrayList<>();
    try (InputStream in = Paraphrases.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the dit jar");
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      String line;
      int number = 0;
      while ((line = reader.readLine()) != null) {
        number++;
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t");
        if (f.length != 4) {
          throw new IllegalStateException(
              RESOURCE + " line " + number + ": needs 4 tab-separated fields, got " + f.length);
        }
        Combination c =
            new Combination(
                Colour.valueOf(f[0].toUpperCase(Locale.ROOT)),
                Shape.valueOf(f[1].toUpperCase(Locale.ROOT)),
                Direction.valueOf(f[2].toUpperCase(Locale.ROOT)));
        out.add(new Prompt(f[3].strip(), c));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    return List.copyOf(out);
  }

  /** The words of a text: lower case, split at everything that is not a letter. */
  public static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    for (String w : text.toLowerCase(Locale.ROOT).split("[^a-z]+")) {
      if (!w.isEmpty()) {
        out.add(w);
      }
    }
    return out;
  }

  /** The stems of a text's words that are not {@link #FUNCTION_WORDS}. */
  public static Set<String> contentStems(String text) {
    Set<String> out = new LinkedHashSet<>();
    for (String w : words(text)) {
      if (!FUNCTION_WORDS.contains(w)) {
        out.add(stem(w));
      }
    }
    return out;
  }

  /**
   * A crude stem, so that a paraphrase cannot pass by inflecting a training word ("leftwards" for
   * "left", "slides" for "sliding"): one of the endings -wards, -ward, -ing, -ed, -es, -s, -ly is
   * cut when at least three letters remain.
   */
  public static String stem(String word) {
    for (String ending : new String[] {"wards", "ward", "ing", "ed", "es", "s", "ly"}) {
      if (word.endsWith(ending) && word.length() - ending.length() >= 3) {
        return word.substring(0, word.length() - ending.length());
      }
    }
    return word;
  }
}
