package dev.byhand.dit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.byhand.dit.data.Patchify;
import dev.byhand.dit.data.Rng;
import dev.byhand.dit.data.Video;
import org.junit.jupiter.api.Test;

class PatchifyTest {

  private static Video random(int f, int h, int w, int c, long seed) {
    Rng rng = new Rng(seed);
    float[] data = new float[f * h * w * c];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) (2 * rng.nextDouble() - 1);
    }
    return new Video(f, h, w, c, data);
  }

  @Test
  void roundTripIsExactForSeveralPatchSizes() {
    int[][] patches = {{1, 1, 1}, {1, 2, 2}, {2, 4, 4}, {4, 2, 8}, {2, 1, 3}};
    for (int[] p : patches) {
      Patchify patchify = new Patchify(p[0], p[1], p[2]);
      Video video = random(8, 8, 24, 3, 7 + p[2]);
      float[] rows = patchify.patchify(video);
      assertThat(rows).hasSize(video.data().length);
      Video back = patchify.unpatchify(rows, 8, 8, 24, 3);
      assertThat(back).isEqualTo(video);
    }
  }

  @Test
  void firstPatchHoldsTheTopLeftBlockInFrameRowColumnChannelOrder() {
    Video video = random(4, 4, 4, 2, 3);
    float[] rows = new Patchify(2, 2, 2).patchify(video);
    int k = 0;
    for (int t = 0; t < 2; t++) {
      for (int y = 0; y < 2; y++) {
        for (int x = 0; x < 2; x++) {
          for (int c = 0; c < 2; c++) {
            assertThat(rows[k++]).isEqualTo(video.get(t, y, x, c));
          }
        }
      }
    }
    // The second patch is the next block to the right in the same frames and rows.
    assertThat(rows[16]).isEqualTo(video.get(0, 0, 2, 0));
  }

  @Test
  void tensorPatchifyMatchesArrayPatchifyAndInverts() {
    Patchify patchify = new Patchify(2, 2, 4);
    Video video = random(4, 6, 8, 3, 11);
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray x = manager.create(video.data(), new Shape(1, 4, 6, 8, 3));
      NDArray tokens = DiT.patchify(x, 2, 2, 4);
      assertThat(tokens.getShape()).isEqualTo(new Shape(1, 2 * 3 * 2, 2 * 2 * 4 * 3));
      assertThat(tokens.toFloatArray()).containsExactly(patchify.patchify(video));
      NDArray back = DiT.unpatchify(tokens, 4, 6, 8, 2, 2, 4);
      assertThat(back.toFloatArray()).containsExactly(video.data());
    }
  }

  @Test
  void sizesThatAreNotMultiplesAreRefusedByName() {
    Patchify patchify = new Patchify(2, 2, 2);
    assertThatThrownBy(() -> patchify.patchify(random(3, 4, 4, 1, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("frames");
    assertThatThrownBy(() -> patchify.patchify(random(2, 4, 5, 1, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("width");
    assertThatThrownBy(() -> new Patchify(0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
  }
}
