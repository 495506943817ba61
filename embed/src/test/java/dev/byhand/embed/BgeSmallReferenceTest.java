package dev.byhand.embed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;
import org.junit.jupiter.api.Test;

/**
 * bge-small-en-v1.5 (quantised) against langchain4j's {@code BgeSmallEnV15QuantizedEmbeddingModel}
 * (CLS pooling there too). Queries carry bge's retrieval instruction, documents nothing.
 */
class BgeSmallReferenceTest extends OnnxReferenceTestBase {

  @Override
  ModelCard card() {
    return ModelCard.BGE_SMALL;
  }

  @Override
  EmbeddingModel openReference() {
    return new BgeSmallEnV15QuantizedEmbeddingModel();
  }

  @Override
  int referenceWindow() {
    return 512;
  }

  @Test
  void poolsTheClsVectorAndInstructsQueriesOnly() {
    assertThat(card().pooling()).isEqualTo(Pooling.CLS);
    assertThat(card().queryPrefix())
        .isEqualTo("Represent this sentence for searching relevant passages: ");
    assertThat(card().documentPrefix()).isEmpty();
    assertThat(encoder.traceQuery("lava").tokens().pieces())
        .startsWith("[CLS]", "represent", "this", "sentence")
        .endsWith("lava", "[SEP]");
    assertThat(encoder.trace("lava").tokens().pieces()).containsExactly("[CLS]", "lava", "[SEP]");
    // Mean pooling gives another vector: the choice matters.
    try (TextEncoder mean =
        Encoders.open(
            card().name(), EncoderOptions.defaults(card().name()).withPooling(Pooling.MEAN))) {
      assertThat(ReferenceTexts.maxDiff(mean.embed("lava"), encoder.embed("lava")))
          .isGreaterThan(1e-3);
    }
  }
}
