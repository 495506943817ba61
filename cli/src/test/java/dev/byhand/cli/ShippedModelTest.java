package dev.byhand.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.byhand.cli.CliTest.Run;
import dev.byhand.dit.data.ShapesDataset.Colour;
import dev.byhand.dit.data.ShapesDataset.Direction;
import dev.byhand.dit.data.ShapesDataset.Shape;
import dev.byhand.dit.data.VideoIO;
import dev.byhand.dit.eval.Detectors;
import dev.byhand.dit.eval.Detectors.Detection;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The text-to-video model committed in {@code models/video} works from a fresh clone: the demo ends
 * with a clip from it, and {@code video generate} draws what the prompt asks, as judged by the same
 * detectors {@code video eval} uses.
 */
class ShippedModelTest {
  private static String previousHome;

  @BeforeAll
  static void pointAtTheRepository() {
    // Tests run in cli/; the launcher would set byhand.home to the repository root.
    previousHome = System.getProperty("byhand.home");
    System.setProperty("byhand.home", Path.of("..").toAbsolutePath().normalize().toString());
    assertThat(VideoCommand.shippedModel().resolve("dit-ema.safetensors")).isRegularFile();
    assertThat(VideoCommand.shippedModel().resolve("autoencoder.safetensors")).isRegularFile();
  }

  @AfterAll
  static void restore() {
    if (previousHome == null) {
      System.clearProperty("byhand.home");
    } else {
      System.setProperty("byhand.home", previousHome);
    }
  }

  @Test
  void demoEndsWithAClipFromTheShippedModel(@TempDir Path dir) {
    Path gif = dir.resolve("demo.gif");
    Run r =
        CliTest.run(
            "demo", "--top", "1", "--query", "tomato plants", "--video-out", gif.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("text to video: \"a blue square moving up\"")
        .contains("wrote " + gif);
    assertThat(VideoIO.readGif(gif).sizeString()).isEqualTo("8×128×128×3");
  }

  /**
   * Colour and direction of every clip; shape and one stable object in most (the shipped model
   * draws all three attributes right in 94 % of clips of training combinations, BENCHMARKS.md; its
   * misses are squares with a notched edge that read as circles).
   */
  @Test
  void generateDrawsABlueSquareMovingUp(@TempDir Path dir) {
    Run r =
        CliTest.run(
            "video",
            "generate",
            "a blue square moving up",
            "-o",
            dir.resolve("clip.gif").toString(),
            "--count",
            "4");
    assertThat(r.code()).as(r.err()).isZero();
    int consistent = 0;
    int squares = 0;
    StringBuilder seen = new StringBuilder();
    for (int i = 0; i < 4; i++) {
      Path frames = dir.resolve("clip_" + i + "_frames");
      assertThat(frames).isDirectory();
      Detection d = Detectors.detect(VideoIO.readPngFrames(frames));
      seen.append(d).append('\n');
      assertThat(d.colour()).as("clip %d: %s", i, d).isEqualTo(Colour.BLUE);
      assertThat(d.direction()).as("clip %d: %s", i, d).isEqualTo(Direction.UP);
      consistent += d.consistent() ? 1 : 0;
      squares += d.shape() == Shape.SQUARE ? 1 : 0;
    }
    assertThat(consistent)
        .as("clips with one object of stable size:%n%s", seen)
        .isGreaterThanOrEqualTo(3);
    assertThat(squares).as("clips read as squares:%n%s", seen).isGreaterThanOrEqualTo(3);
    assertThat(Files.exists(dir.resolve("clip.png"))).isTrue();
  }

  /**
   * {@code video eval} also reports what bounds the scores: the autoencoder's PSNR, the detectors
   * on its round trips of true clips (the ceiling: the shipped autoencoder keeps every attribute)
   * and the DiT's held-out denoising loss. Few sampling steps keep the test short; the accuracy
   * figures themselves are BENCHMARKS.md's, from the full command.
   */
  @Test
  void evalReportsTheAutoencoderCeilingAndTheHeldOutLoss() {
    Run r = CliTest.run("video", "eval", "--clips", "1", "--steps", "4");
    assertThat(r.code()).as(r.err()).isZero();
    java.util.regex.Matcher ceiling =
        java.util.regex.Pattern.compile("ae-ceil\\s+(\\d+) clips .* all three ([0-9.]+)")
            .matcher(r.out());
    assertThat(ceiling.find()).as(r.out()).isTrue();
    assertThat(Integer.parseInt(ceiling.group(1))).isEqualTo(48 * 4);
    assertThat(Double.parseDouble(ceiling.group(2))).as(r.out()).isGreaterThanOrEqualTo(0.95);
    java.util.regex.Matcher losses =
        java.util.regex.Pattern.compile("PSNR ([0-9.]+) dB .* denoising loss ([0-9.]+)")
            .matcher(r.out());
    assertThat(losses.find()).as(r.out()).isTrue();
    assertThat(Double.parseDouble(losses.group(1))).as("PSNR").isGreaterThan(30);
    assertThat(Double.parseDouble(losses.group(2))).as("held-out loss").isBetween(0.01, 0.5);
  }

  /** Circles and triangles are read right in most clips too. */
  @Test
  void generateDrawsTheAskedShapeForCirclesAndTriangles(@TempDir Path dir) {
    String[][] prompts = {
      {"a yellow circle moving right", "CIRCLE"}, {"a green triangle moving down", "TRIANGLE"}
    };
    for (String[] p : prompts) {
      Path out = dir.resolve(p[1].toLowerCase() + ".gif");
      Run r = CliTest.run("video", "generate", p[0], "-o", out.toString(), "--count", "4");
      assertThat(r.code()).as(r.err()).isZero();
      int right = 0;
      StringBuilder seen = new StringBuilder();
      for (int i = 0; i < 4; i++) {
        Detection d =
            Detectors.detect(
                VideoIO.readPngFrames(dir.resolve(p[1].toLowerCase() + "_" + i + "_frames")));
        seen.append(d).append('\n');
        right += d.shape() == Shape.valueOf(p[1]) ? 1 : 0;
      }
      assertThat(right).as("%s:%n%s", p[0], seen).isGreaterThanOrEqualTo(3);
    }
  }
}
