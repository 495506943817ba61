package dev.byhand.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.byhand.embed.Encoders;
import dev.byhand.embed.TextEncoder;
import dev.byhand.vector.Metric;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Collections over the ONNX encoders: their shape, and which side of the model each text takes. */
class TextEncoderCollectionTest {

  @TempDir Path dir;

  @Test
  void everyOnnxEncoderMakesA384NumberCosineCollection() {
    for (String encoder :
        List.of(Encoders.MINILM, Encoders.MINILM_Q, Encoders.BGE_SMALL, Encoders.E5_SMALL)) {
      CollectionConfig c = CollectionConfig.withEncoder("docs", encoder);
      assertThat(c.dimension()).as(encoder).isEqualTo(384);
      assertThat(c.metric()).as(encoder).isEqualTo(Metric.COSINE);
      assertThat(c.encoder()).isEqualTo(encoder);
    }
    assertThat(CollectionConfig.withEncoder("toy", Encoders.SEED).dimension()).isEqualTo(4);
  }

  @Test
  void pointsEmbedAsDocumentsAndSearchTextAsAQuery() {
    String doc = "Volcanoes erupt when magma rises through the crust.";
    String query = "why do volcanoes erupt";
    try (Database db = Database.open(dir);
        TextEncoder e5 = Encoders.open(Encoders.E5_SMALL)) {
      Collection c = db.create(CollectionConfig.withEncoder("docs", Encoders.E5_SMALL));
      c.upsert(List.of(Point.text("1", doc, null)));
      float score = c.search(SearchRequest.text(query, 1)).get(0).score();
      float[] d = e5.embed(doc);
      float[] q = e5.embedQuery(query);
      double expected = 0;
      for (int i = 0; i < d.length; i++) {
        expected += (double) q[i] * d[i];
      }
      // "query: …" against "passage: …", as e5 was trained; not the text as a passage.
      assertThat((double) score).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5));
      float[] asDocument = e5.embed(query);
      double wrong = 0;
      for (int i = 0; i < d.length; i++) {
        wrong += (double) asDocument[i] * d[i];
      }
      assertThat(Math.abs(wrong - expected)).isGreaterThan(1e-3);
    }
  }
}
