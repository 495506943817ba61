package dev.byhand.langchain4j;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.EmbeddingStoreWithRemovalIT;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * LangChain4j's own {@code EmbeddingStoreWithRemovalIT} suite, run on a byhand collection with
 * byhand's MiniLM.
 */
class ByhandStoreRemovalTest extends EmbeddingStoreWithRemovalIT {

  static Fixture fixture;

  @BeforeAll
  static void open() {
    fixture = new Fixture("removaltest");
  }

  @AfterAll
  static void close() {
    fixture.close();
  }

  /** Each test starts from an empty collection, as the suite expects. */
  @BeforeEach
  void empty() {
    fixture.store.removeAll();
  }

  @Override
  protected EmbeddingStore<TextSegment> embeddingStore() {
    return fixture.store;
  }

  @Override
  protected EmbeddingModel embeddingModel() {
    return fixture.model;
  }
}
