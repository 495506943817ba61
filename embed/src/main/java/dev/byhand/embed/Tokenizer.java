package dev.byhand.embed;

import java.util.List;

/** Text → tokens (seed step [2], before the embedding lookup). Implementations are thread-safe. */
public interface Tokenizer {

  /**
   * Tokenizes one text, truncated to the tokenizer's window ({@link #maxTokens()}) with its special
   * tokens kept.
   */
  Tokens tokenize(String text);

  /**
   * Tokenizes one text into consecutive windows of at most {@link #maxTokens()} tokens each, every
   * window with its own special tokens; a text that fits gives one window equal to {@link
   * #tokenize(String)}.
   */
  List<Tokens> windows(String text);

  /**
   * Like {@link #windows(String)} for {@code prefix + text}, but with {@code prefix} (a model's
   * query or document marker, see {@link ModelCard}) at the start of every window, so that each
   * window reads as the model was trained to see it. This default puts it before the first window
   * only; tokenizers that can do better override it.
   */
  default List<Tokens> windows(String text, String prefix) {
    return windows(prefix.isEmpty() ? text : prefix + text);
  }

  /** The most tokens one window holds, special tokens included. */
  int maxTokens();
}
