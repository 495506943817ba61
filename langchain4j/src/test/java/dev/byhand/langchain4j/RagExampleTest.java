package dev.byhand.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.byhand.store.Database;
import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.langchain4j.rag.content.retriever.EmbeddingStoreContentRetriever;
import dev.langchain4j.rag.query.Query;
import dev.langchain4j.store.embedding.EmbeddingStoreIngestor;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's RAG example, as written there: ingest documents, retrieve the right one. */
class RagExampleTest {

  @TempDir Path dir;

  @Test
  void readmeExampleRetrievesTheRightDocument() {
    try (Database db = Database.open(dir.resolve("data"));
        ByhandEmbeddingModel model = ByhandEmbeddingModel.open("minilm")) {
      ByhandEmbeddingStore store =
          ByhandEmbeddingStore.builder().database(db).collection("rag").build();
      EmbeddingStoreIngestor.builder()
          .embeddingModel(model)
          .embeddingStore(store)
          .build()
          .ingest(
              List.of(
                  Document.from(
                      "Volcanoes erupt when magma rises through the crust.",
                      Metadata.from("topic", "geology")),
                  Document.from(
                      "Bees dance to tell the hive where flowers are.",
                      Metadata.from("topic", "biology")),
                  Document.from(
                      "The stock market fell sharply on Monday.",
                      Metadata.from("topic", "finance"))));
      ContentRetriever retriever =
          EmbeddingStoreContentRetriever.builder()
              .embeddingStore(store)
              .embeddingModel(model)
              .maxResults(2)
              .minScore(0.6)
              .build();
      List<Content> found = retriever.retrieve(Query.from("Why do volcanoes explode?"));
      assertThat(found).isNotEmpty();
      assertThat(found.get(0).textSegment().text()).startsWith("Volcanoes erupt");
      assertThat(found.get(0).textSegment().metadata().getString("topic")).isEqualTo("geology");
    }
  }
}
