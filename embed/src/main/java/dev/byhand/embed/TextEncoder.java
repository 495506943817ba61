package dev.byhand.embed;

import java.util.List;

/**
 * Text → one vector: the whole of seed steps [2]–[4]. Implementations are thread-safe; close them
 * to release native resources.
 */
public interface TextEncoder extends AutoCloseable {

  /** Short name, as given to {@link Encoders#open}: {@code minilm} or {@code seed}. */
  String name();

  /** Length of the vectors this encoder returns. */
  int dimension();

  /** Embeds one text. */
  default float[] embed(String text) {
    return embedAll(List.of(text)).get(0);
  }

  /** Embeds many texts; the result is in input order. */
  List<float[]> embedAll(List<String> texts);

  /** Embeds one text and keeps every intermediate step, for {@code byhand explain}. */
  EncodingTrace trace(String text);

  @Override
  void close();
}
