package dev.byhand.embed;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The seed's toy encoder, every weight in this one place: a vocabulary of 22 words, a 22 × 4
 * word-embedding table (step [2]), a one-layer perceptron {@code ReLU(W·x + b)} (step [3]) and the
 * 4 → 2 projection of step [5]. All numbers are small integers so that the walkthrough can be
 * checked by hand; with them "am I you" is nearest to "who am I", as in the seed.
 *
 * <p>The projection is data only here: it is applied by {@code dev.byhand.vector.Projection}, the
 * same class that projects real embeddings.
 */
public final class SeedModel {

  /** The 22 words, lower case; a word's position is its id and its row in {@link #EMBEDDINGS}. */
  public static final List<String> VOCABULARY =
      List.of(
          "how", "are", "you", "who", "am", "i", "is", "it", "we", "they", "what", "where", "when",
          "why", "hello", "good", "bad", "day", "sora", "sky", "he", "she");

  /** Step [2]: one 4-number row per word of {@link #VOCABULARY}. */
  static final float[][] EMBEDDINGS = {
    {1, 0, 1, 0}, // how
    {0, 1, 0, 1}, // are
    {1, 1, 0, 0}, // you
    {0, 0, 1, 1}, // who
    {1, 0, 0, 1}, // am
    {0, 1, 1, 0}, // i
    {0, 1, 1, 1}, // is
    {1, 0, 1, 1}, // it
    {1, 1, 0, 1}, // we
    {1, 1, 1, 0}, // they
    {0, 0, 1, 0}, // what
    {0, 0, 0, 1}, // where
    {1, 0, 0, 0}, // when
    {0, 1, 0, 0}, // why
    {1, 1, 1, 1}, // hello
    {2, 0, 1, 0}, // good
    {0, 2, 0, 1}, // bad
    {1, 0, 2, 0}, // day
    {0, 1, 0, 2}, // sora
    {2, 1, 0, 0}, // sky
    {0, 0, 2, 1}, // he
    {1, 0, 0, 2}, // she
  };

  /** Step [3]: the encoder's weights, 4 × 4 (output row, input column). */
  static final float[][] ENCODER_WEIGHTS = {
    {1, 0, 1, 0},
    {0, 1, 0, -1},
    {1, -1, 0, 1},
    {0, 0, 1, 1},
  };

  /** Step [3]: the encoder's bias, one per output. */
  static final float[] ENCODER_BIAS = {0, 0, -1, 0};

  /** Step [5]: the 2 × 4 projection that halves the dimension. */
  static final float[][] PROJECTION = {
    {1, 0, 1, 0},
    {0, 1, 0, 1},
  };

  /** Width of a word embedding and of an encoder feature. */
  public static final int DIMENSION = 4;

  static {
    if (VOCABULARY.size() != 22 || EMBEDDINGS.length != VOCABULARY.size()) {
      throw new AssertionError("the seed's vocabulary has 22 words, each with one embedding row");
    }
  }

  /** The 2 × 4 projection matrix of seed step [5], as a fresh copy. */
  public static float[][] projection() {
    return copy(PROJECTION);
  }

  /** The 4 × 4 encoder weights of seed step [3], as a fresh copy. */
  public static float[][] encoderWeights() {
    return copy(ENCODER_WEIGHTS);
  }

  /** The encoder bias of seed step [3], as a fresh copy. */
  public static float[] encoderBias() {
    return ENCODER_BIAS.clone();
  }

  /** The whole 22 × 4 embedding table of seed step [2], as a fresh copy. */
  public static float[][] embeddingTable() {
    return copy(EMBEDDINGS);
  }

  private static float[][] copy(float[][] m) {
    float[][] out = new float[m.length][];
    for (int i = 0; i < m.length; i++) {
      out[i] = m[i].clone();
    }
    return out;
  }

  Tokenizer tokenizer() {
    return new SeedTokenizer();
  }

  TokenEncoder encoder() {
    return new SeedTokenEncoder();
  }

  /** Lower-cases, splits on white space and looks each word up; no special tokens. */
  static final class SeedTokenizer implements Tokenizer {

    /** Why 64: far more words than any sentence built from 22 words needs. */
    static final int MAX_TOKENS = 64;

    @Override
    public Tokens tokenize(String text) {
      if (text == null) {
        throw new IllegalArgumentException("text: must not be null");
      }
      String[] words = text.trim().toLowerCase(Locale.ROOT).split("\\s+");
      if (words.length == 1 && words[0].isEmpty()) {
        throw new IllegalArgumentException(
            "text: the seed encoder needs at least one word of its 22-word vocabulary ("
                + String.join(", ", VOCABULARY)
                + ")");
      }
      int n = Math.min(words.length, MAX_TOKENS);
      String[] pieces = new String[n];
      long[] ids = new long[n];
      for (int i = 0; i < n; i++) {
        int id = VOCABULARY.indexOf(words[i]);
        if (id < 0) {
          throw new IllegalArgumentException(
              "text: word '"
                  + words[i]
                  + "' is not in the seed's 22-word vocabulary ("
                  + String.join(", ", VOCABULARY)
                  + ")");
        }
        pieces[i] = words[i];
        ids[i] = id;
      }
      return new Tokens(pieces, ids);
    }

    @Override
    public List<Tokens> windows(String text) {
      return List.of(tokenize(text));
    }

    @Override
    public int maxTokens() {
      return MAX_TOKENS;
    }
  }

  /** Step [2] lookup, then step [3]: {@code ReLU(W·x + b)} for each word. */
  static final class SeedTokenEncoder implements TokenEncoder {

    @Override
    public int dimension() {
      return DIMENSION;
    }

    @Override
    public Optional<float[][]> wordEmbeddings(Tokens tokens) {
      float[][] rows = new float[tokens.size()][];
      for (int i = 0; i < rows.length; i++) {
        rows[i] = EMBEDDINGS[(int) tokens.ids()[i]].clone();
      }
      return Optional.of(rows);
    }

    @Override
    public List<float[][]> encode(List<Tokens> batch) {
      List<float[][]> out = new ArrayList<>(batch.size());
      for (Tokens t : batch) {
        float[][] x = wordEmbeddings(t).orElseThrow();
        float[][] features = new float[x.length][DIMENSION];
        for (int i = 0; i < x.length; i++) {
          for (int r = 0; r < DIMENSION; r++) {
            float s = ENCODER_BIAS[r];
            for (int c = 0; c < DIMENSION; c++) {
              s += ENCODER_WEIGHTS[r][c] * x[i][c];
            }
            features[i][r] = Math.max(0, s); // ReLU
          }
        }
        out.add(features);
      }
      return out;
    }
  }
}
