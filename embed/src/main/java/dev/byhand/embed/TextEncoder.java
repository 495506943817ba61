package dev.byhand.embed;

import java.util.List;

/**
 * Text → one vector: the whole of seed steps [2]–[4]. Implementations are thread-safe; close them
 * to release native resources.
 *
 * <p><b>Queries and documents.</b> Retrieval models are trained on (query, passage) pairs, and some
 * want each side marked: e5-small-v2 reads {@code "query: …"} and {@code "passage: …"};
 * bge-small-en-v1.5 wants an instruction before a query only (see {@link ModelCard}). The encoder
 * adds these itself, so callers only say which side a text is on: {@link #embedDocuments} (and
 * {@link #embedAll} / {@link #embed}, which mean the same) for what is stored, {@link
 * #embedQueries} / {@link #embedQuery} for what is searched with. For symmetric models (MiniLM, the
 * seed's) both sides embed alike. Texts are given without any prefix; a prefix typed by the caller
 * would be doubled.
 */
public interface TextEncoder extends AutoCloseable {

  /**
   * Short name, as given to {@link Encoders#open}: one of {@link Encoders#NAMES}, such as {@code
   * minilm}, {@code bge-small} or {@code seed}.
   */
  String name();

  /** Length of the vectors this encoder returns. */
  int dimension();

  /** Embeds documents (texts to be stored and found); the result is in input order. */
  List<float[]> embedDocuments(List<String> texts);

  /** Embeds search queries (texts to search with); the result is in input order. */
  List<float[]> embedQueries(List<String> queries);

  /** Embeds one search query. */
  default float[] embedQuery(String query) {
    return embedQueries(List.of(query)).get(0);
  }

  /** Embeds one document: the same as {@code embedDocuments(List.of(text)).get(0)}. */
  default float[] embed(String text) {
    return embedDocuments(List.of(text)).get(0);
  }

  /**
   * Embeds many texts as documents (see {@link #embedDocuments}); the result is in input order.
   * Kept as the general-purpose call: a text of unknown role is best embedded as a document.
   */
  default List<float[]> embedAll(List<String> texts) {
    return embedDocuments(texts);
  }

  /**
   * Embeds one text as a document and keeps every intermediate step, for {@code byhand explain}.
   * The tokens shown include the model's document prefix, if it has one.
   */
  EncodingTrace trace(String text);

  /** As {@link #trace(String)}, for the text as a search query. */
  EncodingTrace traceQuery(String query);

  @Override
  void close();
}
