package dev.byhand.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void explainDbWalksTheSeedAndEndsWithWhoAmI() {
    Run r = run("explain", "db");
    assertThat(r.code()).as(r.err()).isZero();
    String out = r.out();
    for (String step :
        new String[] {"[1]", "[2]", "[3]", "[4]", "[5]", "[6]", "[7]", "[8]", "[9]", "[10]"}) {
      assertThat(out).contains(step);
    }
    // The seed's numbers: "am I you" projects to [1.33 1.33]; the scores are 8/3, 8/3 and 4.
    assertThat(out).contains("[  1.33  1.33 ]");
    assertThat(out).contains("\"how are you\"  [     1     1 ] · query = 2.67");
    assertThat(out).contains("\"who am I\"     [  1.33  1.67 ] · query = 4");
    assertThat(out.strip().lines().filter(l -> l.startsWith("[10]")).findFirst().orElseThrow())
        .contains("\"who am I\"");
  }

  @Test
  void explainDbRunsTheSameStepsOnMiniLm() {
    Run r = run("explain", "db", "--encoder", "minilm");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("[CLS] am i you [SEP]")
        .contains("Projection 384 → 192")
        .contains("[10]");
  }

  @Test
  void embedPrintsOneJsonArrayPerText() {
    Run r = run("embed", "--encoder", "seed", "who am i", "how are you");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().lines())
        .containsExactly("[1.0,0.33333334,0.33333334,1.3333334]", "[1.0,0.33333334,0.0,0.6666667]");
    Run n = run("embed", "--encoder", "seed", "--normalize", "who am i");
    assertThat(n.out().strip()).isEqualTo("[0.57735026,0.19245009,0.19245009,0.76980036]");
    Run m = run("embed", "hello world");
    assertThat(m.code()).isZero();
    assertThat(m.out().strip().split(",")).hasSize(384);
  }

  @Test
  void embedUsesEachModelsOwnConventionsAndTheQuerySideOnRequest() {
    String bge = run("embed", "--encoder", "bge-small", "lava").out().strip();
    try (dev.byhand.embed.TextEncoder e = dev.byhand.embed.Encoders.open("bge-small")) {
      // CLS pooling by default, as bge was trained, though --pooling's choices include mean.
      assertThat(bge).isEqualTo(Json.array(e.embed("lava")));
      assertThat(run("embed", "--encoder", "bge-small", "--query", "lava").out().strip())
          .isEqualTo(Json.array(e.embedQuery("lava")));
    }
    assertThat(run("embed", "--encoder", "bge-small", "--pooling", "mean", "lava").out().strip())
        .isNotEqualTo(bge);
    Run e5 = run("explain", "db", "--encoder", "e5-small");
    assertThat(e5.code()).as(e5.err()).isZero();
    assertThat(e5.out())
        .contains("[CLS] passage : who am i [SEP]")
        .contains("[CLS] query : am i you [SEP]");
  }

  @Test
  void embedReadsLinesOfAFile(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("texts.txt");
    Files.writeString(f, "who am i\nhow are you\n");
    Run r = run("embed", "--encoder", "seed", "--file", f.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().lines()).hasSize(2);
  }

  @Test
  void badInputIsOneLineAndANonZeroExit(@TempDir Path dir) {
    Run none = run("embed");
    assertThat(none.code()).isEqualTo(Main.USAGE);
    assertThat(none.err())
        .startsWith("byhand: text: give at least one TEXT")
        .doesNotContain("Exception");

    Run unknown = run("embed", "--encoder", "bert", "x");
    assertThat(unknown.code()).isEqualTo(Main.USAGE);
    assertThat(unknown.err())
        .contains(
            "encoder: unknown 'bert'; known encoders: minilm, minilm-q, bge-small, e5-small, seed");

    Run missing = run("embed", "--file", dir.resolve("nope.txt").toString());
    assertThat(missing.code()).isEqualTo(Main.NOT_FOUND);
    assertThat(missing.err().strip()).startsWith("byhand: no such file:").doesNotContain("\n");

    Run folder = run("embed", "--file", dir.toString());
    assertThat(folder.code()).isEqualTo(Main.USAGE);
    assertThat(folder.err()).contains("is a folder");

    Run word = run("embed", "--encoder", "seed", "who are they dancing");
    assertThat(word.code()).isEqualTo(Main.USAGE);
    assertThat(word.err().strip())
        .startsWith("byhand: text: word 'dancing'")
        .doesNotContain("\tat ");

    Run option = run("embed", "--pooling", "max", "x");
    assertThat(option.code()).isEqualTo(Main.USAGE);
    assertThat(option.err()).contains("pooling: unknown 'max'");
  }

  @Test
  void demoAnswersItsQuestionsFromTheBundledCorpus() {
    Run r =
        run(
            "demo",
            "--top",
            "1",
            "--query",
            "how do I keep my tomato plants healthy",
            "--no-video");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("semantic search over")
        .contains("query: how do I keep my tomato plants healthy");
    String hit = r.out().lines().filter(l -> l.startsWith("  0.")).findFirst().orElseThrow();
    assertThat(hit.toLowerCase()).contains("tomato");
    assertThat(run("demo", "--top", "0").code()).isEqualTo(Main.USAGE);
  }

  @Test
  void explainVideoWalksTheSeedsFourteenSteps() {
    Run r = run("explain", "video");
    assertThat(r.code()).as(r.err()).isZero();
    for (int step = 1; step <= 14; step++) {
      assertThat(r.out()).contains("[" + step + "]");
    }
    assertThat(r.out()).contains("sora is sky");
  }

  @Test
  void videoCommandsCheckTheirInputInOneLine(@TempDir Path dir) {
    Run noModel =
        run(
            "video",
            "generate",
            "a red circle moving left",
            "--model",
            dir.resolve("none").toString());
    assertThat(noModel.code()).isEqualTo(Main.NOT_FOUND);
    assertThat(noModel.err().strip())
        .startsWith("byhand: no such file:")
        .contains("video train")
        .doesNotContain("\n");
    Run empty = run("video", "generate", " ", "--model", dir.toString());
    assertThat(empty.code()).isEqualTo(Main.USAGE);
    assertThat(empty.err()).contains("prompt: must not be empty");
    Run steps = run("video", "generate", "a red circle", "--steps", "0", "--model", dir.toString());
    assertThat(steps.code()).isEqualTo(Main.USAGE);
    assertThat(steps.err()).contains("steps: must be in [1, 1000], got 0");
    Run clips = run("video", "eval", "--clips", "100", "--model", dir.toString());
    assertThat(clips.err()).contains("clips: must be in [1, 64], got 100");
  }
}
