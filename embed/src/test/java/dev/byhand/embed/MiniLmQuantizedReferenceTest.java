package dev.byhand.embed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import org.junit.jupiter.api.Test;

/**
 * all-MiniLM-L6-v2 (quantised) against langchain4j's {@code AllMiniLmL6V2QuantizedEmbeddingModel}.
 * No prefixes; its shipped tokenizer.json truncates at 128 tokens, so only texts within that are
 * compared (byhand reads 256, as the model was trained).
 */
class MiniLmQuantizedReferenceTest extends OnnxReferenceTestBase {

  @Override
  ModelCard card() {
    return ModelCard.MINILM_Q;
  }

  @Override
  EmbeddingModel openReference() {
    return new AllMiniLmL6V2QuantizedEmbeddingModel();
  }

  @Override
  int referenceWindow() {
    return 128;
  }

  @Test
  void isCloseToButNotTheFloatModel() {
    try (TextEncoder full = Encoders.open(Encoders.MINILM)) {
      float[] q = encoder.embed("why do volcanoes erupt");
      float[] f = full.embed("why do volcanoes erupt");
      double cos = 0;
      for (int i = 0; i < q.length; i++) {
        cos += q[i] * f[i];
      }
      assertThat(cos).isGreaterThan(0.95).isLessThan(0.99999);
    }
  }
}
