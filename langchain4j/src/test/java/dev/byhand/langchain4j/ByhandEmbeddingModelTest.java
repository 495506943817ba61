package dev.byhand.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.byhand.embed.Encoders;
import dev.byhand.embed.TextEncoder;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The EmbeddingModel returns byhand's own vectors, in order. */
class ByhandEmbeddingModelTest {

  @Test
  void sameVectorsAsTheEncoder() {
    try (ByhandEmbeddingModel model = ByhandEmbeddingModel.open("seed");
        TextEncoder encoder = Encoders.open("seed")) {
      assertThat(model.dimension()).isEqualTo(4);
      assertThat(model.modelName()).isEqualTo("byhand-seed");
      List<Embedding> out =
          model
              .embedAll(List.of(TextSegment.from("who am i"), TextSegment.from("how are you")))
              .content();
      assertThat(out.get(0).vector()).containsExactly(encoder.embed("who am i"));
      assertThat(out.get(1).vector()).containsExactly(encoder.embed("how are you"));
      assertThat(model.embed("who am i").content().vector())
          .containsExactly(encoder.embed("who am i"));
      assertThat(model.embedAll(List.of()).content()).isEmpty();
    }
  }
}
