package dev.byhand.embed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.e5smallv2q.E5SmallV2QuantizedEmbeddingModel;
import org.junit.jupiter.api.Test;

/**
 * e5-small-v2 (quantised) against langchain4j's {@code E5SmallV2QuantizedEmbeddingModel}. The
 * reference is handed {@code "query: " + text} or {@code "passage: " + text}, which byhand adds by
 * itself.
 */
class E5SmallReferenceTest extends OnnxReferenceTestBase {

  @Override
  ModelCard card() {
    return ModelCard.E5_SMALL;
  }

  @Override
  EmbeddingModel openReference() {
    return new E5SmallV2QuantizedEmbeddingModel();
  }

  @Override
  int referenceWindow() {
    return 512;
  }

  @Test
  void marksQueriesAndPassagesAsInTraining() {
    assertThat(card().pooling()).isEqualTo(Pooling.MEAN);
    assertThat(encoder.traceQuery("lava").tokens().pieces())
        .containsExactly("[CLS]", "query", ":", "lava", "[SEP]");
    assertThat(encoder.trace("lava").tokens().pieces())
        .containsExactly("[CLS]", "passage", ":", "lava", "[SEP]");
    // Unprefixed text is not what either side embeds.
    assertThat(ReferenceTexts.maxDiff(encoder.embed("lava"), ref("lava"))).isGreaterThan(1e-3);
  }
}
