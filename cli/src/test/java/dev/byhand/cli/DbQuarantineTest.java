package dev.byhand.cli;

import static dev.byhand.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.byhand.server.ByhandServer;
import dev.byhand.server.ServerConfig;
import dev.byhand.store.CollectionConfig;
import dev.byhand.store.Database;
import dev.byhand.store.Json;
import dev.byhand.store.Point;
import dev.byhand.vector.Metric;
import java.io.RandomAccessFile;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 defect 6 from the shell: {@code db count} lists a quarantined collection as failed with
 * its reason (on a folder and on a server), counting it by name fails with one line, and {@code db
 * restore} can put a snapshot in its place.
 */
class DbQuarantineTest {

  @TempDir Path dir;

  private Path damagedFolder() throws Exception {
    Path data = dir.resolve("data");
    try (Database db = Database.open(data)) {
      for (String name : List.of("good", "bad")) {
        db.create(CollectionConfig.of(name, 2, Metric.DOT))
            .upsert(
                List.of(
                    Point.of("a", new float[] {1, 0}, null),
                    Point.of("b", new float[] {0, 1}, null)));
      }
    }
    return data;
  }

  private static void damage(Path data) throws Exception {
    Path points;
    try (DirectoryStream<Path> s =
        Files.newDirectoryStream(data.resolve("collections/bad"), "segment-*.points")) {
      points = s.iterator().next();
    }
    try (RandomAccessFile raf = new RandomAccessFile(points.toFile(), "rw")) {
      long at = raf.length() / 2;
      raf.seek(at);
      int b = raf.read();
      raf.seek(at);
      raf.write(b ^ 0x5A);
    }
  }

  private static String[] with(String[] base, String... more) {
    String[] out = new String[base.length + more.length];
    System.arraycopy(base, 0, out, 0, base.length);
    System.arraycopy(more, 0, out, base.length, more.length);
    return out;
  }

  private static void listsBadAsFailed(String... target) throws Exception {
    CliTest.Run table = run(with(new String[] {"db", "count"}, target));
    assertThat(table.code()).as(table.err()).isZero();
    assertThat(table.out()).containsPattern("(?m)^bad +failed$").containsPattern("(?m)^good +2$");
    assertThat(table.out()).contains("bad failed to open: ").contains("checksum");
    assertThat(table.err()).contains("1 collection failed to open and is quarantined");

    CliTest.Run json = run(with(new String[] {"db", "count", "--json"}, target));
    assertThat(json.code()).as(json.err()).isZero();
    JsonNode a = Json.MAPPER.readTree(json.out());
    assertThat(a.findValuesAsText("collection")).containsExactly("bad", "good");
    assertThat(a.get(0).get("status").asText()).isEqualTo("failed");
    assertThat(a.get(0).get("points").isNull()).isTrue();
    assertThat(a.get(0).get("reason").asText()).contains(".points").contains("checksum");
    assertThat(a.get(1).get("points").asLong()).isEqualTo(2);

    CliTest.Run one = run(with(new String[] {"db", "count", "bad"}, target));
    assertThat(one.code()).isEqualTo(Main.FAILED);
    assertThat(one.err().lines()).singleElement().asString().contains("'bad'").contains("checksum");
  }

  @Test
  void countListsAQuarantinedCollectionOnAFolderAndOnAServer() throws Exception {
    Path data = damagedFolder();
    damage(data);
    listsBadAsFailed("--data", data.toString());
    try (ByhandServer server =
        ByhandServer.start(ServerConfig.of(data).withAddress("127.0.0.1", 0))) {
      listsBadAsFailed("--url", server.url());
    }
  }

  @Test
  void aSnapshotRestoredUnderTheQuarantinedNameReplacesIt() throws Exception {
    Path data = damagedFolder();
    String d = data.toString();
    CliTest.Run snap = run("db", "snapshot", "bad", "--json", "--data", d);
    assertThat(snap.code()).as(snap.err()).isZero();
    String name = Json.MAPPER.readTree(snap.out()).asText();
    damage(data);
    CliTest.Run listed = run("db", "snapshot", "bad", "--list", "--data", d);
    assertThat(listed.code()).as(listed.err()).isZero();
    assertThat(listed.out()).contains(name);
    CliTest.Run restored = run("db", "restore", "bad", name, "--as", "bad", "--data", d);
    assertThat(restored.code()).as(restored.err()).isZero();
    CliTest.Run count = run("db", "count", "bad", "--data", d);
    assertThat(count.code()).as(count.err()).isZero();
    assertThat(count.out()).containsPattern("(?m)^bad +2$");
    assertThat(run("db", "count", "--data", d).err()).doesNotContain("quarantined");
  }
}
