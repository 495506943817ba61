package dev.byhand.server;

import static dev.byhand.server.ServerApiTest.j;
import static org.assertj.core.api.Assertions.assertThat;

import dev.byhand.store.Collection;
import dev.byhand.store.Database;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stopping while writers are busy loses nothing that was acknowledged. */
class ServerShutdownTest {

  @TempDir Path dir;

  @Test
  void acknowledgedWritesSurviveAStopUnderLoad() throws Exception {
    ByhandServer server =
        ByhandServer.start(ServerConfig.of(dir.resolve("data")).withAddress("127.0.0.1", 0));
    Http http = new Http(server.url(), null);
    http.put("/collections/v", j("{'vectors': {'size': 2, 'distance': 'Cosine'}}")).result();
    ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Integer> refusals = new ConcurrentLinkedQueue<>();
    CountDownLatch someDone = new CountDownLatch(20);
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      int writer = w;
      Thread t =
          new Thread(
              () -> {
                for (int i = 0; i < 10_000; i++) {
                  String id = writer + "-" + i;
                  Http.Answer a;
                  try {
                    a =
                        http.put(
                            "/collections/v/points",
                            j("{'points': [{'id': '" + id + "', 'vector': [1, " + i + "]}]}"));
                  } catch (UncheckedIOException e) {
                    return; // the server stopped listening
                  }
                  if (a.status() == 200) {
                    acknowledged.add(id);
                    someDone.countDown();
                  } else {
                    refusals.add(a.status());
                    return;
                  }
                }
              });
      t.start();
      writers.add(t);
    }
    someDone.await();
    server.close();
    for (Thread t : writers) {
      t.join();
    }
    assertThat(refusals).allMatch(s -> s == 503);
    assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(20);
    try (Database db = Database.open(dir.resolve("data"))) {
      Collection v = db.collection("v");
      List<String> ids = new ArrayList<>(acknowledged);
      assertThat(v.get(ids, false)).hasSize(ids.size());
    }
  }
}
