package dev.byhand.langchain4j;

import dev.byhand.store.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One MiniLM model and one database per test class, shared by LangChain4j's suites. */
final class Fixture implements AutoCloseable {

  final Path folder;
  final Database db;
  final ByhandEmbeddingModel model;
  final ByhandEmbeddingStore store;

  Fixture(String collection) {
    try {
      folder = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "lc4j-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    db = Database.open(folder);
    model = ByhandEmbeddingModel.open("minilm");
    store = ByhandEmbeddingStore.builder().database(db).collection(collection).build();
  }

  @Override
  public void close() {
    store.close();
    model.close();
    db.close();
  }
}
