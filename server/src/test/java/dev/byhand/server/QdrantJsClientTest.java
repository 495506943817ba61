package dev.byhand.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Qdrant's own JavaScript client ({@code @qdrant/js-client-rest}) and LangChain's Qdrant store
 * ({@code @langchain/qdrant}), unchanged, against a byhand server: {@code node --test} runs {@code
 * compat/js/test/} (pinned by its lockfile; {@code .ci/run} installs it with {@code npm ci}).
 */
class QdrantJsClientTest {

  @TempDir Path dir;

  @Test
  void qdrantsJsClientAndLangChainWorkUnchanged() throws IOException, InterruptedException {
    Path js = Path.of("..", "compat", "js").toAbsolutePath().normalize();
    assumeTrue(
        Files.isDirectory(js.resolve("node_modules")),
        "compat/js/node_modules is missing: run `npm ci` in compat/js (.ci/run does)");
    try (ByhandServer server =
        ByhandServer.start(ServerConfig.of(dir.resolve("data")).withAddress("127.0.0.1", 0))) {
      Path log = dir.resolve("node.log");
      ProcessBuilder pb =
          new ProcessBuilder("node", "--test", "--test-reporter=spec", "test/")
              .directory(js.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      pb.environment().put("BYHAND_URL", server.url());
      Process p = pb.start();
      boolean done = p.waitFor(5, TimeUnit.MINUTES);
      if (!done) {
        p.destroyForcibly();
      }
      String out = Files.readString(log, StandardCharsets.UTF_8);
      assertThat(done).as("node --test finished within 5 minutes:\n" + out).isTrue();
      assertThat(p.exitValue()).as(out).isZero();
      assertThat(out).contains("ℹ fail 0").doesNotContain("ℹ pass 0");
    }
  }
}
