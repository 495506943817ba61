package dev.byhand.cli;

import static dev.byhand.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.byhand.server.ApiKeys;
import dev.byhand.server.ByhandServer;
import dev.byhand.server.ServerConfig;
import dev.byhand.store.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code byhand db}: the same commands on a folder and on a server, tables, JSON, exit codes. */
class DbCommandTest {

  @TempDir Path dir;

  /** Forty seed-vocabulary lines: the three of the seed first, then variations. */
  private Path corpus() throws Exception {
    List<String> lines = new ArrayList<>(List.of("how are you", "who are you", "who am i", ""));
    String[] words = {"what", "where", "when", "is", "it", "we", "they"};
    for (int i = 0; lines.size() < 41; i++) {
      lines.add(
          words[i % words.length]
              + " "
              + words[(i * 3 + 1) % words.length]
              + " "
              + words[(i * 5 + 2) % words.length]);
    }
    Path f = dir.resolve("docs.txt");
    Files.write(f, lines);
    return f;
  }

  private static String[] with(String[] base, String... more) {
    String[] out = new String[base.length + more.length];
    System.arraycopy(base, 0, out, 0, base.length);
    System.arraycopy(more, 0, out, base.length, more.length);
    return out;
  }

  /** Runs the whole story against {@code target} (--data DIR or --url URL). */
  private void story(String... target) throws Exception {
    Path docs = corpus();
    CliTest.Run created =
        run(
            with(
                new String[] {"db", "create", "docs", "--encoder", "seed", "--metric", "cosine"},
                target));
    assertThat(created.code()).as(created.err()).isZero();
    assertThat(created.out()).contains("docs").contains("seed");

    CliTest.Run ingest =
        run(
            with(
                new String[] {
                  "db",
                  "ingest",
                  docs.toString(),
                  "-c",
                  "docs",
                  "--batch",
                  "8",
                  "--stop-after-batches",
                  "2"
                },
                target));
    assertThat(ingest.code()).as(ingest.err()).isEqualTo(Main.FAILED);
    assertThat(ingest.err()).contains("run the same command to resume");
    assertThat(run(with(new String[] {"db", "count", "docs", "--json"}, target)).out())
        .contains("\"points\" : 16");

    CliTest.Run resumed =
        run(
            with(
                new String[] {"db", "ingest", docs.toString(), "-c", "docs", "--batch", "8"},
                target));
    assertThat(resumed.code()).as(resumed.err()).isZero();
    assertThat(resumed.err()).contains("resuming after line").contains("40/40 docs");
    CliTest.Run again =
        run(with(new String[] {"db", "ingest", docs.toString(), "-c", "docs"}, target));
    assertThat(again.code()).as(again.err()).isZero();
    JsonNode count =
        Json.MAPPER.readTree(
            run(with(new String[] {"db", "count", "docs", "--json"}, target)).out());
    assertThat(count.get("points").asLong())
        .isEqualTo(40); // 40 documents, twice ingested, never duplicated

    CliTest.Run search =
        run(with(new String[] {"db", "search", "docs", "who", "am", "i", "-k", "2"}, target));
    assertThat(search.code()).as(search.err()).isZero();
    List<String> lines = search.out().lines().toList();
    assertThat(lines.get(0)).startsWith("#").contains("score");
    assertThat(lines.get(2))
        .contains("docs.txt:3")
        .contains("who am i")
        .contains("1.0000"); // itself, cosine 1
    JsonNode json =
        Json.MAPPER.readTree(
            run(with(new String[] {"db", "search", "docs", "who am i", "--json"}, target)).out());
    assertThat(json.get(0).get("id").asText()).isEqualTo("docs.txt:3");

    CliTest.Run get = run(with(new String[] {"db", "get", "docs", "docs.txt:1"}, target));
    assertThat(get.code()).isZero();
    assertThat(get.out()).contains("how are you");
    assertThat(run(with(new String[] {"db", "get", "docs", "nope"}, target)).code())
        .isEqualTo(Main.NOT_FOUND);

    String filter = "{\"must\": [{\"key\": \"text\", \"match\": {\"value\": \"who are you\"}}]}";
    assertThat(run(with(new String[] {"db", "count", "docs", "--filter", filter}, target)).out())
        .contains("docs")
        .contains(" 1");
    CliTest.Run deleted =
        run(
            with(
                new String[] {"db", "delete", "docs", "docs.txt:1", "docs.txt:2", "--json"},
                target));
    assertThat(deleted.out()).contains("\"deleted\" : 2");

    CliTest.Run snap = run(with(new String[] {"db", "snapshot", "docs", "--json"}, target));
    assertThat(snap.code()).as(snap.err()).isZero();
    String name = Json.MAPPER.readTree(snap.out()).asText();
    assertThat(run(with(new String[] {"db", "snapshot", "docs", "--list"}, target)).out())
        .contains(name);
    CliTest.Run restored =
        run(with(new String[] {"db", "restore", "docs", name, "--as", "docs2"}, target));
    assertThat(restored.code()).as(restored.err()).isZero();
    assertThat(restored.out()).contains("docs2").contains("38");

    // exit codes and one-line errors
    CliTest.Run missing = run(with(new String[] {"db", "search", "nope", "who"}, target));
    assertThat(missing.code()).isEqualTo(Main.NOT_FOUND);
    assertThat(missing.err().lines().count()).isEqualTo(1);
    assertThat(
            run(with(new String[] {"db", "count", "docs", "--filter", "{broken"}, target)).code())
        .isEqualTo(Main.USAGE);
    assertThat(run(with(new String[] {"db", "create", "docs", "--encoder", "seed"}, target)).code())
        .isEqualTo(Main.USAGE);
    assertThat(run(with(new String[] {"db", "create", "../x", "--dimension", "3"}, target)).code())
        .isEqualTo(Main.USAGE);
    assertThat(
            run(with(
                    new String[] {
                      "db", "ingest", dir.resolve("absent.txt").toString(), "-c", "docs"
                    },
                    target))
                .code())
        .isEqualTo(Main.NOT_FOUND);
    assertThat(run(with(new String[] {"db", "delete", "docs2", "--drop"}, target)).code()).isZero();
    assertThat(run(with(new String[] {"db", "count", "docs2"}, target)).code())
        .isEqualTo(Main.NOT_FOUND);
  }

  @Test
  void embedded() throws Exception {
    story("--data", dir.resolve("data").toString());
  }

  @Test
  void remote() throws Exception {
    try (ByhandServer server =
        ByhandServer.start(ServerConfig.of(dir.resolve("served")).withAddress("127.0.0.1", 0))) {
      System.setProperty("byhand.cache", dir.resolve("cache").toString());
      try {
        story("--url", server.url());
      } finally {
        System.clearProperty("byhand.cache");
      }
    }
  }

  @Test
  void remoteWithKeys() {
    String admin = "cli-admin-key-0123456789";
    String reader = "cli-read-key-0123456789";
    try (ByhandServer server =
        ByhandServer.start(
            ServerConfig.of(dir.resolve("keyed"))
                .withAddress("127.0.0.1", 0)
                .withKeys(ApiKeys.of(List.of(admin), List.of(reader))))) {
      CliTest.Run none = run("db", "count", "--url", server.url());
      assertThat(none.code()).isEqualTo(Main.USAGE);
      assertThat(none.err()).contains("API key");
      assertThat(
              run(
                      "db",
                      "create",
                      "k",
                      "--dimension",
                      "2",
                      "--url",
                      server.url(),
                      "--api-key",
                      reader)
                  .code())
          .isEqualTo(Main.USAGE);
      CliTest.Run created =
          run("db", "create", "k", "--dimension", "2", "--url", server.url(), "--api-key", admin);
      assertThat(created.code()).as(created.err()).isZero();
      CliTest.Run counted = run("db", "count", "--url", server.url(), "--api-key", reader);
      assertThat(counted.code()).as(counted.err()).isZero();
      assertThat(counted.out()).contains("k");
    }
    assertThat(run("db", "count", "--url", "http://127.0.0.1:1").code())
        .isEqualTo(Main.FAILED); // nothing listens there
  }

  @Test
  void jsonLinesAndCsv() throws Exception {
    String data = dir.resolve("data").toString();
    Path jsonl = dir.resolve("d.jsonl");
    Files.writeString(
        jsonl,
        "{\"id\": \"a\", \"text\": \"who am i\", \"lang\": \"en\"}\n{\"id\": \"b\", \"vector\": [1, 0, 0, 0], \"payload\": {\"k\": 1}}\n");
    CliTest.Run r =
        run("db", "ingest", jsonl.toString(), "-c", "mixed", "--encoder", "seed", "--data", data);
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode got =
        Json.MAPPER.readTree(run("db", "get", "mixed", "a", "b", "--json", "--data", data).out());
    assertThat(got.get(0).get("payload").toString())
        .isEqualTo("{\"lang\":\"en\",\"text\":\"who am i\"}");
    assertThat(got.get(1).get("payload").toString()).isEqualTo("{\"k\":1}");

    Path csv = dir.resolve("d.csv");
    Files.writeString(
        csv, "id,text,tag\nx,\"who am i\",\"one, two\"\ny,how are you,\"say \"\"hi\"\"\"\n");
    CliTest.Run c = run("db", "ingest", csv.toString(), "-c", "mixed", "--data", data);
    assertThat(c.code()).as(c.err()).isZero();
    JsonNode y =
        Json.MAPPER.readTree(run("db", "get", "mixed", "y", "--json", "--data", data).out());
    assertThat(y.get(0).get("payload").get("tag").asText()).isEqualTo("say \"hi\"");
    assertThat(
            Json.MAPPER
                .readTree(run("db", "get", "mixed", "x", "--json", "--data", data).out())
                .get(0)
                .get("payload")
                .get("tag")
                .asText())
        .isEqualTo("one, two");
    assertThat(run("db", "count", "--data", data).out()).contains("mixed").contains("4");

    Path bad = dir.resolve("bad.jsonl");
    Files.writeString(bad, "{\"id\": \"c\", \"text\": \"who\"}\nnot json\n");
    CliTest.Run failed = run("db", "ingest", bad.toString(), "-c", "mixed", "--data", data);
    assertThat(failed.code()).isEqualTo(Main.USAGE);
    assertThat(failed.err()).contains("bad.jsonl:2");
  }
}
