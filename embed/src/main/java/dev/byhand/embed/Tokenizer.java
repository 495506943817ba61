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

  /** The most tokens one window holds, special tokens included. */
  int maxTokens();
}
