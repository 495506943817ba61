package dev.byhand.cli;

import static dev.byhand.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.byhand.store.CollectionConfig;
import dev.byhand.store.Database;
import dev.byhand.store.Json;
import dev.byhand.store.Point;
import dev.byhand.vector.Metric;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stored ids and payloads never reach the terminal as control characters: tables show them escaped,
 * JSON escapes them and still parses to what is stored.
 */
class TerminalTest {

  /** Retitles an xterm: OSC 0 ; x BEL. */
  static final String TITLE = "\u001b]0;x\u0007";

  /** C1 CSI (red), DEL, a right-to-left override, a lone surrogate, a line separator. */
  static final String NASTY = "a\u009b31m\u007fb\u202ec\ud800d\u2028e\n";

  /** The same without the lone surrogate, which the store's log refuses or rewrites. */
  static final String STORED = NASTY.replace("\ud800", "");

  @TempDir Path dir;

  /** Whether any character of {@code s} could drive a terminal. */
  static boolean hasUnsafe(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\n' && (Terminal.unsafe(c) || Character.isSurrogate(c))) {
        return true;
      }
    }
    return false;
  }

  @Test
  void escapesEveryKindOfControlCharacter() {
    assertThat(Terminal.safe(TITLE)).isEqualTo("\\u001b]0;x\\u0007");
    assertThat(Terminal.safe(NASTY)).isEqualTo("a\\u009b31m\\u007fb\\u202ec\\ud800d\\u2028e\\n");
    assertThat(Terminal.safe("tab\there\r")).isEqualTo("tab\\there\\r");
    for (char c : new char[] {0x061c, 0x200e, 0x200f, 0x202a, 0x202d, 0x2066, 0x2069, 0x2029}) {
      assertThat(Terminal.safe("x" + c)).isEqualTo(String.format("x\\u%04x", (int) c));
    }
    // What is not a control stays as it is: accents, CJK, emoji (a surrogate pair).
    String fine = "Zoë, 東京, \ud83d\ude00, [x]";
    assertThat(Terminal.safe(fine)).isSameAs(fine);
  }

  @Test
  void getAndSearchPrintStoredControlCharactersEscaped() throws Exception {
    Path data = dir.resolve("data");
    try (Database db = Database.open(data)) {
      db.create(CollectionConfig.of("t", 2, Metric.DOT))
          .upsert(
              List.of(
                  Point.of(
                      TITLE,
                      new float[] {1, 0},
                      Json.parsePayload(
                          "p", Json.MAPPER.createObjectNode().put("text", STORED).toString())),
                  Point.of(STORED, new float[] {0.5f, 0}, null)));
    }
    String folder = data.toString();
    for (String[] args :
        List.of(
            new String[] {"db", "get", "t", TITLE, STORED, "--data", folder},
            new String[] {"db", "search", "t", "--vector", "[1, 0]", "--data", folder})) {
      CliTest.Run table = run(args);
      assertThat(table.code()).as(table.err()).isZero();
      assertThat(hasUnsafe(table.out())).as(table.out()).isFalse();
      assertThat(table.out()).contains("\\u001b]0;x\\u0007").contains("\\u202e");

      String[] json = new String[args.length + 1];
      System.arraycopy(args, 0, json, 0, args.length);
      json[args.length] = "--json";
      CliTest.Run j = run(json);
      assertThat(j.code()).as(j.err()).isZero();
      assertThat(hasUnsafe(j.out())).as(j.out()).isFalse();
      JsonNode parsed = Json.MAPPER.readTree(j.out());
      assertThat(parsed.findValuesAsText("id")).containsExactly(TITLE, STORED);
      assertThat(parsed.get(0).get("payload").get("text").asText()).isEqualTo(STORED);
    }

    // A stored id quoted back in an error is escaped too.
    CliTest.Run missing = run("db", "get", "t", "\u001b[2Jgone", "--data", folder);
    assertThat(missing.code()).isEqualTo(Main.NOT_FOUND);
    assertThat(missing.err()).contains("\\u001b[2Jgone").doesNotContain("\u001b");
    // So is what any command quotes back in its one error line (here a file name).
    CliTest.Run noFile =
        run("embed", "--encoder", "seed", "--file", dir.resolve("\u001b[2Jx").toString());
    assertThat(noFile.code()).isEqualTo(Main.NOT_FOUND);
    assertThat(noFile.err()).contains("\\u001b[2Jx").doesNotContain("\u001b");
  }
}
