package dev.byhand.langchain4j;

import dev.byhand.embed.Encoders;
import dev.byhand.embed.TextEncoder;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * A LangChain4j {@link EmbeddingModel} over a byhand {@link TextEncoder}: all-MiniLM-L6-v2 through
 * ONNX Runtime in process (normalised, 384 numbers), or the seed's toy encoder. Texts of one call
 * are embedded together in batches, longest first, which is what makes it faster than embedding
 * each text alone.
 *
 * <pre>{@code
 * try (ByhandEmbeddingModel model = ByhandEmbeddingModel.open("minilm")) {
 *   Embedding e = model.embed("some text").content();
 * }
 * }</pre>
 */
public final class ByhandEmbeddingModel implements EmbeddingModel, AutoCloseable {

  private final TextEncoder encoder;

  /** Wraps an open encoder; closing this model closes it. */
  public ByhandEmbeddingModel(TextEncoder encoder) {
    if (encoder == null) {
      throw new IllegalArgumentException("encoder: must not be null");
    }
    this.encoder = encoder;
  }

  /** Opens a byhand encoder by name ({@code minilm} or {@code seed}). */
  public static ByhandEmbeddingModel open(String name) {
    return new ByhandEmbeddingModel(Encoders.open(name));
  }

  @Override
  public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
    if (segments == null) {
      throw new IllegalArgumentException("segments: must not be null");
    }
    List<String> texts = new ArrayList<>(segments.size());
    for (TextSegment s : segments) {
      texts.add(s.text());
    }
    List<float[]> vectors = texts.isEmpty() ? List.of() : encoder.embedAll(texts);
    List<Embedding> out = new ArrayList<>(vectors.size());
    for (float[] v : vectors) {
      out.add(Embedding.from(v));
    }
    return Response.from(out);
  }

  @Override
  public int dimension() {
    return encoder.dimension();
  }

  @Override
  public String modelName() {
    return "byhand-" + encoder.name();
  }

  @Override
  public void close() {
    encoder.close();
  }
}
