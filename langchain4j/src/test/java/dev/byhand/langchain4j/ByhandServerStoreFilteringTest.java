package dev.byhand.langchain4j;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.EmbeddingStoreWithFilteringIT;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * LangChain4j's own {@code EmbeddingStoreWithFilteringIT} suite, run on a byhand server over HTTP
 * with byhand's MiniLM.
 */
class ByhandServerStoreFilteringTest extends EmbeddingStoreWithFilteringIT {

  static Fixture fixture;

  @BeforeAll
  static void open() {
    fixture = new Fixture("server-filteringtest", true);
  }

  @AfterAll
  static void close() {
    fixture.close();
  }

  @Override
  protected EmbeddingStore<TextSegment> embeddingStore() {
    return fixture.store;
  }

  @Override
  protected EmbeddingModel embeddingModel() {
    return fixture.model;
  }

  @Override
  protected void clearStore() {
    fixture.store.removeAll();
  }

  @Override
  protected boolean supportsContains() {
    return true; // applied exactly in Java: byhand filters have no substring match
  }
}
