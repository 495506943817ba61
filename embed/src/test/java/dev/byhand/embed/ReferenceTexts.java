package dev.byhand.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Texts for the reference tests, generated with a fixed seed so that every run compares the same
 * ones: short queries, sentences, long passages, punctuation, numbers, accents, CJK, other scripts,
 * emoji and mixed case; plus the comparison itself.
 */
final class ReferenceTexts {

  private ReferenceTexts() {}

  private static final String[] WORDS = {
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "is",
    "for",
    "on",
    "with",
    "how",
    "why",
    "what",
    "where",
    "when",
    "which",
    "who",
    "can",
    "does",
    "should",
    "vector",
    "database",
    "search",
    "query",
    "embedding",
    "model",
    "neural",
    "network",
    "transformer",
    "attention",
    "token",
    "index",
    "graph",
    "nearest",
    "neighbour",
    "volcano",
    "magma",
    "crust",
    "erupt",
    "river",
    "mountain",
    "ocean",
    "planet",
    "star",
    "galaxy",
    "telescope",
    "bread",
    "flour",
    "yeast",
    "oven",
    "recipe",
    "tomato",
    "garden",
    "soil",
    "water",
    "sunlight",
    "bicycle",
    "train",
    "railway",
    "engine",
    "battery",
    "laptop",
    "keyboard",
    "compiler",
    "Java",
    "Python",
    "Kotlin",
    "PostgreSQL",
    "Kubernetes",
    "HNSW",
    "BM25",
    "GPU",
    "CPU",
    "heart",
    "health",
    "exercise",
    "sleep",
    "coffee",
    "tea",
    "music",
    "guitar",
    "piano",
    "history",
    "Rome",
    "Napoleon",
    "Shakespeare",
    "London",
    "Paris",
    "Tokyo",
    "Berlin",
    "Zürich",
    "São Paulo",
    "café",
    "naïve",
    "façade",
    "résumé",
    "coöperate",
    "Ångström",
    "über",
    "jalapeño",
    "quickly",
    "slowly",
    "carefully",
    "cheap",
    "best",
    "new",
    "old",
    "large",
    "small",
    "red",
    "blue",
    "green",
    "running",
    "shoes",
    "money",
    "saving",
    "budget",
    "tax",
    "insurance",
    "mortgage",
    "antidisestablishmentarianism",
    "self-driving",
    "state-of-the-art",
    "well-known",
    "e-mail",
    "re-index",
    "don't",
    "it's",
    "you're",
    "O'Brien",
  };

  private static final String[] NUMBERS = {
    "42", "3.14159", "2024-05-17", "v1.5.2", "$19.99", "€250", "1,000,000", "7%", "0x1F", "-273.15",
    "10^6", "1/3", "No. 9", "24/7", "9:30am", "3rd", "100km/h", "1e-5", "192.168.0.1",
        "+44 20 7946",
  };

  private static final String[] PUNCTUATION = {
    "?", "!", ",", ";", ":", "...", "—", "–", "(", ")", "[", "]", "{", "}", "\"", "'", "«", "»",
    "/", "&", "#", "@", "*", "%", "~", "|", "<", ">", "=", "+",
  };

  private static final String[] UNICODE = {
    "東京",
    "你好",
    "日本語",
    "中国人",
    "한국어",
    "привет мир",
    "Ελληνικά",
    "مرحبا",
    "שלום",
    "हिन्दी",
    "🚀",
    "👍🏽",
    "❤️",
    "∑",
    "√2",
    "≤",
    "∞",
    "°C",
    "™",
    "©",
    "½",
    "x²",
    "µs",
    "Ω",
    "ß",
    "Œuvre",
    "ﬁ",
    "\t",
  };

  /** {@code n} varied short and medium texts (1 to 40 units each), the same every run. */
  static List<String> generated(int n, long seed) {
    Random r = new Random(seed);
    List<String> out = new ArrayList<>(n);
    for (int i = 0; out.size() < n; i++) {
      int units = i % 5 == 0 ? 1 + r.nextInt(3) : 1 + r.nextInt(i % 3 == 0 ? 40 : 15);
      String t = text(r, units);
      if (!t.isBlank()) { // the reference refuses blank text
        out.add(t);
      }
    }
    return out;
  }

  /**
   * A handful of long passages: six between about 250 and 500 word pieces (inside bge's and e5's
   * 512-token window, beyond MiniLM's 256) and one far beyond it.
   */
  static List<String> longOnes(long seed) {
    Random r = new Random(seed);
    List<String> out = new ArrayList<>();
    for (int units : new int[] {140, 165, 190, 210, 230, 245}) {
      out.add(text(r, units));
    }
    out.add(text(r, 900));
    return out;
  }

  private static String text(Random r, int units) {
    StringBuilder sb = new StringBuilder();
    for (int u = 0; u < units; u++) {
      int kind = r.nextInt(20);
      String piece;
      if (kind < 13) {
        piece = WORDS[r.nextInt(WORDS.length)];
        int c = r.nextInt(12);
        if (c == 0) {
          piece = piece.toUpperCase(java.util.Locale.ROOT);
        } else if (c == 1 && !piece.isEmpty()) {
          piece = Character.toUpperCase(piece.charAt(0)) + piece.substring(1);
        }
      } else if (kind < 15) {
        piece = NUMBERS[r.nextInt(NUMBERS.length)];
      } else if (kind < 18) {
        piece = PUNCTUATION[r.nextInt(PUNCTUATION.length)];
      } else {
        piece = UNICODE[r.nextInt(UNICODE.length)];
      }
      if (sb.length() > 0 && r.nextInt(6) != 0) {
        sb.append(' ');
      }
      sb.append(piece);
      if (r.nextInt(9) == 0) {
        sb.append(". ");
      }
    }
    return sb.toString().strip();
  }

  /**
   * The texts of {@code texts} whose {@code prefix + text} fits in one window of {@code window}
   * tokens (special tokens included) of {@code card}'s tokenizer: those that the reference and
   * byhand both read whole.
   */
  static List<String> fitting(ModelCard card, List<String> texts, String prefix, int window) {
    List<String> out = new ArrayList<>();
    try (WordPieceTokenizer tokenizer = new WordPieceTokenizer(card, window)) {
      for (String t : texts) {
        if (tokenizer.windows(prefix + t).size() == 1) {
          out.add(t);
        }
      }
    }
    return out;
  }

  static double maxDiff(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }

  /**
   * Asserts that every vector of {@code ours} is within {@code tolerance} of the reference's for
   * the same text, per component, and returns the largest difference seen.
   */
  static double assertClose(
      List<String> texts,
      List<float[]> ours,
      Function<String, float[]> reference,
      double tolerance) {
    assertThat(ours).hasSameSizeAs(texts);
    double worst = 0;
    for (int i = 0; i < texts.size(); i++) {
      double d = maxDiff(ours.get(i), reference.apply(texts.get(i)));
      assertThat(d).as("max |difference| for text %d: %s", i, texts.get(i)).isLessThan(tolerance);
      worst = Math.max(worst, d);
    }
    return worst;
  }
}
