package dev.byhand.langchain4j;

import dev.byhand.server.ByhandServer;
import dev.byhand.server.ServerConfig;
import dev.byhand.store.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One MiniLM model and one database (embedded or behind a server) per test class, shared by
 * LangChain4j's suites.
 */
final class Fixture implements AutoCloseable {

  final Path folder;
  final Database db;
  final ByhandEmbeddingModel model;
  final ByhandEmbeddingStore store;
  final ByhandServer server;

  /** An embedded store. */
  Fixture(String collection) {
    this(collection, false);
  }

  /** An embedded store, or (remote) one talking to a server on a free loopback port. */
  Fixture(String collection, boolean remote) {
    try {
      folder = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "lc4j-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    model = ByhandEmbeddingModel.open("minilm");
    if (remote) {
      server = ByhandServer.start(ServerConfig.of(folder).withAddress("127.0.0.1", 0));
      db = server.database();
      store = ByhandEmbeddingStore.builder().url(server.url()).collection(collection).build();
    } else {
      server = null;
      db = Database.open(folder);
      store = ByhandEmbeddingStore.builder().database(db).collection(collection).build();
    }
  }

  @Override
  public void close() {
    store.close();
    model.close();
    if (server != null) {
      server.close(); // closes its database
    } else {
      db.close();
    }
  }
}
