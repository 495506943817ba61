package dev.byhand.dit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.byhand.dit.data.CaptionedFolder;
import dev.byhand.dit.data.Video;
import dev.byhand.dit.data.VideoIO;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VideoIOTest {
  @TempDir Path dir;

  /** A clip whose values are exact byte levels, with few colours (GIF keeps ≤ 256). */
  private static Video blocky(int frames, int size) {
    Video v = Video.zeros(frames, size, size, 3);
    for (int f = 0; f < frames; f++) {
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          boolean on = x >= f && x < f + 3 && y >= 2 && y < 5;
          v.set(f, y, x, 0, on ? 1f : -1f);
          v.set(f, y, x, 1, on ? 51 / 127.5f - 1 : -1f);
          v.set(f, y, x, 2, -1f + (y % 2) * 2 * (102 / 255f));
        }
      }
    }
    return v;
  }

  @Test
  void gifRoundTripKeepsEveryPixel() {
    Video v = blocky(5, 9);
    Path file = dir.resolve("clip.gif");
    VideoIO.writeGif(v, file, 100);
    Video back = VideoIO.readGif(file);
    assertThat(back.sizeString()).isEqualTo(v.sizeString());
    for (int i = 0; i < v.data().length; i++) {
      assertThat(back.data()[i]).isCloseTo(v.data()[i], org.assertj.core.data.Offset.offset(1e-5f));
    }
  }

  @Test
  void upscaleRepeatsEveryPixelAsABlock() {
    Video v = blocky(2, 5);
    Video big = v.upscale(3);
    assertThat(big.sizeString()).isEqualTo("2×15×15×3");
    for (int f = 0; f < 2; f++) {
      for (int y = 0; y < 15; y++) {
        for (int x = 0; x < 15; x++) {
          for (int c = 0; c < 3; c++) {
            assertThat(big.get(f, y, x, c)).isEqualTo(v.get(f, y / 3, x / 3, c));
          }
        }
      }
    }
    assertThat(v.upscale(1)).isSameAs(v);
    assertThatThrownBy(() -> v.upscale(0)).hasMessageStartingWith("zoom: must be in [1, 64]");
  }

  @Test
  void pngFramesRoundTripKeepsEveryPixel() {
    Video v = blocky(3, 8);
    VideoIO.writePngFrames(v, dir.resolve("frames"));
    assertThat(dir.resolve("frames/frame_002.png")).exists();
    Video back = VideoIO.readPngFrames(dir.resolve("frames"));
    for (int i = 0; i < v.data().length; i++) {
      assertThat(back.data()[i]).isCloseTo(v.data()[i], org.assertj.core.data.Offset.offset(1e-5f));
    }
  }

  @Test
  void captionedFolderReadsGifsAndFrameFolders() throws Exception {
    VideoIO.writeGif(blocky(3, 8), dir.resolve("a.gif"), 100);
    VideoIO.writePngFrames(blocky(3, 8), dir.resolve("b"));
    Files.writeString(
        dir.resolve("captions.jsonl"),
        "{\"file\": \"a.gif\", \"caption\": \"a red bar moving right\"}\n\n"
            + "{\"file\": \"b\", \"caption\": \"the same, as frames\"}\n");
    List<CaptionedFolder.Item> items = CaptionedFolder.read(dir);
    assertThat(items)
        .extracting(CaptionedFolder.Item::caption)
        .containsExactly("a red bar moving right", "the same, as frames");
  }

  @Test
  void captionedFolderErrorsNameTheProblem() throws Exception {
    assertThatThrownBy(() -> CaptionedFolder.read(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("captions.jsonl");
    VideoIO.writeGif(blocky(3, 8), dir.resolve("a.gif"), 100);
    VideoIO.writeGif(blocky(4, 8), dir.resolve("b.gif"), 100);
    Files.writeString(dir.resolve("captions.jsonl"), "{\"file\": \"a.gif\"}\n");
    assertThatThrownBy(() -> CaptionedFolder.read(dir))
        .hasMessageContaining("line 1")
        .hasMessageContaining("missing caption");
    Files.writeString(
        dir.resolve("captions.jsonl"),
        "{\"file\": \"a.gif\", \"caption\": \"x\"}\n{\"file\": \"b.gif\", \"caption\": \"y\"}\n");
    assertThatThrownBy(() -> CaptionedFolder.read(dir))
        .hasMessageContaining("line 2")
        .hasMessageContaining("3×8×8×3");
    Files.writeString(
        dir.resolve("captions.jsonl"), "{\"file\": \"nope.gif\", \"caption\": \"x\"}\n");
    assertThatThrownBy(() -> CaptionedFolder.read(dir)).hasMessageContaining("does not exist");
    Files.writeString(dir.resolve("bad.gif"), "not a gif");
    Files.writeString(
        dir.resolve("captions.jsonl"), "{\"file\": \"bad.gif\", \"caption\": \"x\"}\n");
    assertThatThrownBy(() -> CaptionedFolder.read(dir))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("bad.gif");
  }
}
