package dev.byhand.embed;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * BERT-uncased WordPiece, as all-MiniLM-L6-v2, bge-small-en-v1.5 and e5-small-v2 expect, from the
 * {@code tokenizer.json} shipped in the model's Maven artifact (run by the Hugging Face tokenizers
 * library bundled in DJL's jar).
 *
 * <p>Defined behaviour at the edges:
 *
 * <ul>
 *   <li>empty or whitespace-only text → {@code [CLS] [SEP]};
 *   <li>accents are stripped and text lower-cased; CJK ideographs become one token each; emoji and
 *       other characters outside the vocabulary become {@code [UNK]};
 *   <li>an unpaired surrogate is replaced by U+FFFD (as Java's UTF-8 encoder does) instead of
 *       reaching the native library as invalid UTF-16; BERT's normaliser then drops U+FFFD, as it
 *       drops control characters, so the text reads as if the surrogate were not there;
 *   <li>text longer than the window is truncated to {@link #maxTokens()} tokens ({@code [SEP]}
 *       kept), or split into windows by {@link #windows(String)}.
 * </ul>
 *
 * <p>MiniLM's shipped {@code tokenizer.json} truncates at 128 tokens by itself (bge's and e5's do
 * not truncate at all); this class always sets the window explicitly.
 */
public final class WordPieceTokenizer implements Tokenizer, AutoCloseable {

  /** The window all-MiniLM-L6-v2 was trained with (sentence-transformers' max_seq_length). */
  public static final int DEFAULT_MAX_TOKENS = 256;

  /** BERT's position table has 512 rows. */
  public static final int MODEL_MAX_TOKENS = 512;

  private final ModelCard card;
  private final int maxTokens;
  private final HuggingFaceTokenizer truncating;
  private final HuggingFaceTokenizer whole;
  private final Tokens empty;

  /** all-MiniLM-L6-v2's tokenizer with its window of {@value #DEFAULT_MAX_TOKENS} tokens. */
  public WordPieceTokenizer() {
    this(DEFAULT_MAX_TOKENS);
  }

  /**
   * all-MiniLM-L6-v2's tokenizer with a window of {@code maxTokens} tokens, special tokens
   * included.
   *
   * @throws IllegalArgumentException if {@code maxTokens} is outside [3, 512]
   */
  public WordPieceTokenizer(int maxTokens) {
    this(ModelCard.MINILM, maxTokens);
  }

  /**
   * The tokenizer of {@code card}'s model with a window of {@code maxTokens} tokens, special tokens
   * included.
   *
   * @throws IllegalArgumentException if {@code maxTokens} is outside [3, 512]
   */
  public WordPieceTokenizer(ModelCard card, int maxTokens) {
    if (card == null) {
      throw new IllegalArgumentException("card: must not be null");
    }
    this.card = card;
    if (maxTokens < 3 || maxTokens > MODEL_MAX_TOKENS) {
      throw new IllegalArgumentException(
          "maxTokens: must be in [3, " + MODEL_MAX_TOKENS + "], got " + maxTokens);
    }
    this.maxTokens = maxTokens;
    this.truncating =
        load(
            card,
            Map.of(
                "addSpecialTokens", "true",
                "truncation", "true",
                "maxLength", Integer.toString(maxTokens),
                "padding", "false"));
    this.whole =
        load(card, Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
    this.empty = toTokens(truncating.encode(""));
    if (empty.size() != 2) {
      throw new IllegalStateException(
          "tokenizer resource "
              + card.tokenizerResource()
              + " does not wrap text in [CLS] … [SEP]: "
              + empty);
    }
  }

  private static HuggingFaceTokenizer load(ModelCard card, Map<String, String> options) {
    String resource = card.tokenizerResource();
    try (InputStream in = WordPieceTokenizer.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "resource " + resource + " is missing: add " + card.artifact() + " to the classpath");
      }
      return HuggingFaceTokenizer.newInstance(in, options);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }

  /** The model whose vocabulary this is. */
  public ModelCard card() {
    return card;
  }

  @Override
  public int maxTokens() {
    return maxTokens;
  }

  @Override
  public Tokens tokenize(String text) {
    return toTokens(truncating.encode(clean(text)));
  }

  /** Tokenizes many texts at once (the native library spreads them over its threads). */
  public List<Tokens> tokenizeAll(List<String> texts) {
    String[] cleaned = new String[texts.size()];
    for (int i = 0; i < cleaned.length; i++) {
      cleaned[i] = clean(texts.get(i));
    }
    Encoding[] encodings = truncating.batchEncode(cleaned);
    List<Tokens> out = new ArrayList<>(encodings.length);
    for (Encoding e : encodings) {
      out.add(toTokens(e));
    }
    return out;
  }

  @Override
  public List<Tokens> windows(String text) {
    return windows(text, "");
  }

  /**
   * Splits {@code text} into windows of {@code maxTokens - 2 - (prefix pieces)} pieces and puts
   * {@code [CLS] prefix … [SEP]} around each; a text that fits gives {@code tokenize(prefix +
   * text)}. (The prefixes in use end in a space, and BERT splits words at spaces, so the prefix's
   * pieces followed by the text's are exactly the pieces of the two joined.)
   *
   * @throws IllegalArgumentException if the prefix leaves no room in a window
   */
  @Override
  public List<Tokens> windows(String text, String prefix) {
    Encoding all = whole.encode(clean(text));
    long[] ids = all.getIds();
    String[] pieces = all.getTokens();
    Encoding head = prefix.isEmpty() ? null : whole.encode(clean(prefix));
    String[] headPieces = head == null ? new String[0] : head.getTokens();
    long[] headIds = head == null ? new long[0] : head.getIds();
    int body = maxTokens - 2 - headIds.length;
    if (body < 1) {
      throw new IllegalArgumentException(
          "maxTokens: "
              + maxTokens
              + " leaves no room for text after the "
              + headIds.length
              + "-piece prefix '"
              + prefix
              + "'");
    }
    if (ids.length <= body) {
      return List.of(tokenize(prefix + text));
    }
    List<Tokens> out = new ArrayList<>();
    for (int from = 0; from < ids.length; from += body) {
      int to = Math.min(ids.length, from + body);
      out.add(
          wrap(
              headPieces,
              headIds,
              Arrays.copyOfRange(pieces, from, to),
              Arrays.copyOfRange(ids, from, to)));
    }
    return out;
  }

  private Tokens wrap(String[] headPieces, long[] headIds, String[] pieces, long[] ids) {
    int h = headIds.length;
    int n = ids.length;
    String[] p = new String[h + n + 2];
    long[] i = new long[h + n + 2];
    p[0] = empty.pieces()[0];
    i[0] = empty.ids()[0];
    System.arraycopy(headPieces, 0, p, 1, h);
    System.arraycopy(headIds, 0, i, 1, h);
    System.arraycopy(pieces, 0, p, 1 + h, n);
    System.arraycopy(ids, 0, i, 1 + h, n);
    p[h + n + 1] = empty.pieces()[1];
    i[h + n + 1] = empty.ids()[1];
    return new Tokens(p, i);
  }

  private static Tokens toTokens(Encoding e) {
    return new Tokens(e.getTokens(), e.getIds());
  }

  /**
   * Replaces each unpaired surrogate with U+FFFD; returns the same string when there is none.
   *
   * @throws IllegalArgumentException if {@code text} is null
   */
  static String clean(String text) {
    if (text == null) {
      throw new IllegalArgumentException("text: must not be null");
    }
    int n = text.length();
    StringBuilder sb = null;
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      boolean bad;
      if (Character.isHighSurrogate(c)) {
        bad = i + 1 >= n || !Character.isLowSurrogate(text.charAt(i + 1));
        if (!bad) {
          if (sb != null) {
            sb.append(c).append(text.charAt(i + 1));
          }
          i++;
          continue;
        }
      } else {
        bad = Character.isLowSurrogate(c);
      }
      if (bad && sb == null) {
        sb = new StringBuilder(n).append(text, 0, i);
      }
      if (sb != null) {
        sb.append(bad ? '\uFFFD' : c);
      }
    }
    return sb == null ? text : sb.toString();
  }

  @Override
  public void close() {
    truncating.close();
    whole.close();
  }
}
