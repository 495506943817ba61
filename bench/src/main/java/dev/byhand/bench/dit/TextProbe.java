package dev.byhand.bench.dit;

import dev.byhand.dit.TextNorm;
import dev.byhand.dit.data.Captions;
import dev.byhand.dit.data.Rng;
import dev.byhand.dit.data.ShapesDataset;
import dev.byhand.dit.data.ShapesDataset.Combination;
import dev.byhand.dit.eval.Paraphrases;
import dev.byhand.embed.Encoders;
import dev.byhand.embed.TextEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a text encoder's vectors let any readout learn (issue 17): a softmax classifier per
 * attribute (colour, shape, direction), trained on the pooled, standardised embeddings of captions
 * the trainer can produce, tested on the paraphrase set. The DiT's adaLN path starts with exactly
 * such a linear map of the same vector, so this is a ceiling-like figure for it that costs seconds
 * instead of a training run. A measurement tool, not a test.
 *
 * <p>{@code TextProbe [encoder] [captions] [source]}: defaults {@code minilm}, 2000, {@code
 * grammar} ({@code templates} for the four original phrasings).
 */
public final class TextProbe {
  private static final int[] CLASSES = {4, 3, 4};
  private static final String[] NAMES = {"colour", "shape", "direction"};

  private TextProbe() {}

  /** Colour names beside the grammar's (none in the paraphrase set), 17 per colour. */
  private static final String[][] COLOUR_NAMES = {
    {
      "red", "scarlet", "tomato", "strawberry", "brick", "blood", "cardinal", "garnet",
      "raspberry", "rust", "poppy", "lipstick", "cranberry", "wine", "fire engine", "ketchup",
      "rose"
    },
    {
      "green",
      "grass",
      "forest",
      "moss",
      "pea",
      "pine",
      "leaf",
      "fern",
      "sage",
      "clover",
      "kelly",
      "avocado",
      "pistachio",
      "seaweed",
      "spinach",
      "cucumber",
      "olive"
    },
    {
      "blue",
      "indigo",
      "ocean",
      "ultramarine",
      "sky",
      "denim",
      "royal",
      "cornflower",
      "periwinkle",
      "steel",
      "blueberry",
      "midnight",
      "marine",
      "lapis",
      "sea",
      "baby blue",
      "teal"
    },
    {
      "yellow",
      "gold",
      "golden",
      "banana",
      "sunflower",
      "butter",
      "corn",
      "honey",
      "dandelion",
      "daffodil",
      "buttercup",
      "sunshine",
      "straw",
      "blond",
      "maize",
      "custard",
      "sun"
    }
  };

  /** The paraphrase set's colour names (its header lists them), five per colour. */
  private static final String[][] SET_COLOURS = {
    {"crimson", "vermilion", "cherry", "ruby", "carmine"},
    {"emerald", "jade", "lime", "mint", "shamrock"},
    {"cobalt", "azure", "navy", "sapphire", "cerulean"},
    {"amber", "mustard", "canary", "lemon", "saffron"}
  };

  /**
   * {@code words} mode: a readout of single colour names' vectors, trained on {@link #COLOUR_NAMES}
   * and tested on {@link #SET_COLOURS}, and a few cosines between direction words.
   */
  private static void words(String name) {
    try (TextEncoder encoder = Encoders.open(name)) {
      List<float[]> x = new ArrayList<>();
      List<Integer> y = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        for (float[] v : encoder.embedAll(List.of(COLOUR_NAMES[c]))) {
          x.add(v);
          y.add(c);
        }
      }
      float[][] train = x.toArray(new float[0][]);
      TextNorm norm = TextNorm.fit(train);
      for (int i = 0; i < train.length; i++) {
        train[i] = norm.apply(train[i]);
      }
      double[][] w = fit(train, y.stream().mapToInt(Integer::intValue).toArray(), 4);
      int right = 0;
      int total = 0;
      StringBuilder wrong = new StringBuilder();
      for (int c = 0; c < 4; c++) {
        for (String word : SET_COLOURS[c]) {
          double[] p = probabilities(w, norm.apply(encoder.embed(word)));
          int best = 0;
          for (int k = 1; k < 4; k++) {
            if (p[k] > p[best]) {
              best = k;
            }
          }
          total++;
          if (best == c) {
            right++;
          } else {
            wrong.append(' ').append(word).append("→").append(COLOUR_NAMES[best][0]);
          }
        }
      }
      System.out.printf(
          Locale.ROOT,
          "%s, readout of single colour names (17 per colour), on the set's %d names: %d right;"
              + " wrong:%s%n",
          name,
          total,
          right,
          wrong);
      String[][] pairs = {{"west", "left"}, {"west", "right"}, {"east", "right"}, {"east", "left"}};
      StringBuilder cosines = new StringBuilder(name + " cosines:");
      for (String[] pair : pairs) {
        float[] a = encoder.embed(pair[0]);
        float[] b = encoder.embed(pair[1]);
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
          dot += a[i] * b[i];
        }
        cosines.append(String.format(Locale.ROOT, " %s~%s %.3f", pair[0], pair[1], dot));
      }
      System.out.println(cosines);
    }
  }

  public static void main(String[] args) {
    String name = args.length > 0 ? args[0] : Encoders.MINILM;
    if (args.length > 2 && args[2].equals("words")) {
      words(name);
      return;
    }
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    String source = args.length > 2 ? args[2] : "grammar";
    List<Combination> all = ShapesDataset.allCombinations();
    Rng rng = new Rng(7);
    List<String> train = new ArrayList<>();
    List<Combination> trainLabels = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Combination c = all.get(rng.nextInt(all.size()));
      train.add(
          source.equals("grammar")
              ? Captions.caption(c.colour(), c.shape(), c.direction(), rng)
              : ShapesDataset.captions(c).get(rng.nextInt(4)));
      trainLabels.add(c);
    }
    List<String> test = new ArrayList<>();
    List<Combination> testLabels = new ArrayList<>();
    for (Paraphrases.Prompt p : Paraphrases.all()) {
      test.add(p.text());
      testLabels.add(p.combination());
    }
    try (TextEncoder encoder = Encoders.open(name)) {
      float[][] x = encoder.embedAll(train).toArray(new float[0][]);
      TextNorm norm = TextNorm.fit(x);
      for (int i = 0; i < x.length; i++) {
        x[i] = norm.apply(x[i]);
      }
      float[][] y = encoder.embedAll(test).toArray(new float[0][]);
      for (int i = 0; i < y.length; i++) {
        y[i] = norm.apply(y[i]);
      }
      StringBuilder line = new StringBuilder();
      for (int h = 0; h < 3; h++) {
        double[][] w = fit(x, labels(trainLabels, h), CLASSES[h]);
        line.append(
            String.format(
                Locale.ROOT,
                "  %s %.3f (train %.3f)",
                NAMES[h],
                accuracy(w, y, labels(testLabels, h)),
                accuracy(w, x, labels(trainLabels, h))));
      }
      System.out.printf(
          Locale.ROOT,
          "%s, linear readout of the pooled vector trained on %d %s captions, on the %d"
              + " paraphrases:%s%n",
          name,
          n,
          source,
          test.size(),
          line);
    }
  }

  private static int[] labels(List<Combination> combinations, int head) {
    int[] out = new int[combinations.size()];
    for (int i = 0; i < out.length; i++) {
      Combination c = combinations.get(i);
      out[i] =
          head == 0
              ? c.colour().ordinal()
              : head == 1 ? c.shape().ordinal() : c.direction().ordinal();
    }
    return out;
  }

  /** Softmax regression by full-batch gradient descent with a little L2; weights then bias. */
  private static double[][] fit(float[][] x, int[] y, int classes) {
    int d = x[0].length;
    double[][] w = new double[classes][d + 1];
    double rate = 0.5;
    double decay = 1e-3;
    for (int it = 0; it < 300; it++) {
      double[][] g = new double[classes][d + 1];
      for (int i = 0; i < x.length; i++) {
        double[] p = probabilities(w, x[i]);
        for (int c = 0; c < classes; c++) {
          double e = p[c] - (y[i] == c ? 1 : 0);
          for (int k = 0; k < d; k++) {
            g[c][k] += e * x[i][k];
          }
          g[c][d] += e;
        }
      }
      for (int c = 0; c < classes; c++) {
        for (int k = 0; k <= d; k++) {
          w[c][k] -= rate * (g[c][k] / x.length + (k < d ? decay * w[c][k] : 0));
        }
      }
    }
    return w;
  }

  private static double[] probabilities(double[][] w, float[] v) {
    int d = v.length;
    double[] z = new double[w.length];
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < w.length; c++) {
      double s = w[c][d];
      for (int k = 0; k < d; k++) {
        s += w[c][k] * v[k];
      }
      z[c] = s;
      max = Math.max(max, s);
    }
    double sum = 0;
    for (int c = 0; c < z.length; c++) {
      z[c] = Math.exp(z[c] - max);
      sum += z[c];
    }
    for (int c = 0; c < z.length; c++) {
      z[c] /= sum;
    }
    return z;
  }

  private static double accuracy(double[][] w, float[][] x, int[] y) {
    int right = 0;
    for (int i = 0; i < x.length; i++) {
      double[] p = probabilities(w, x[i]);
      int best = 0;
      for (int c = 1; c < p.length; c++) {
        if (p[c] > p[best]) {
          best = c;
        }
      }
      right += best == y[i] ? 1 : 0;
    }
    return right / (double) x.length;
  }
}
