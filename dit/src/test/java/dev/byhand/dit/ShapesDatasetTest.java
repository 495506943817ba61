package dev.byhand.dit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.byhand.dit.data.ShapesDataset;
import dev.byhand.dit.data.ShapesDataset.Clip;
import dev.byhand.dit.data.ShapesDataset.Colour;
import dev.byhand.dit.data.ShapesDataset.Combination;
import dev.byhand.dit.data.ShapesDataset.Direction;
import dev.byhand.dit.data.ShapesDataset.Shape;
import dev.byhand.dit.data.Video;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShapesDatasetTest {

  @Test
  void sameSeedAndIndexGiveTheSameClipInAnyOrder() {
    ShapesDataset a = ShapesDataset.defaults(42);
    ShapesDataset b = ShapesDataset.defaults(42);
    Clip late = b.trainingClip(17);
    Clip early = a.trainingClip(3);
    assertThat(a.trainingClip(17).video()).isEqualTo(late.video());
    assertThat(a.trainingClip(17).caption()).isEqualTo(late.caption());
    assertThat(b.trainingClip(3).video()).isEqualTo(early.video());
    assertThat(ShapesDataset.defaults(43).trainingClip(17).video()).isNotEqualTo(late.video());
    assertThat(early.video()).isNotEqualTo(late.video());
  }

  @Test
  void heldOutCombinationsNeverAppearInTraining() {
    ShapesDataset data = new ShapesDataset(4, 16, 1);
    assertThat(data.trainingCombinations()).hasSize(48 - ShapesDataset.HELD_OUT.size());
    assertThat(data.trainingCombinations()).doesNotContainAnyElementsOf(ShapesDataset.HELD_OUT);
    Set<Combination> seen = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      seen.add(data.trainingClip(i).combination());
    }
    assertThat(seen).containsExactlyInAnyOrderElementsOf(data.trainingCombinations());
    assertThat(data.heldOutClip(1).combination()).isEqualTo(ShapesDataset.HELD_OUT.get(1));
  }

  @Test
  void clipsHaveTheRequestedSizeAndCaptionTheirCombination() {
    ShapesDataset data = ShapesDataset.defaults(5);
    for (int i = 0; i < 20; i++) {
      Clip clip = data.trainingClip(i);
      Video v = clip.video();
      assertThat(v.frames()).isEqualTo(8);
      assertThat(v.height()).isEqualTo(32);
      assertThat(v.width()).isEqualTo(32);
      assertThat(v.channels()).isEqualTo(3);
      for (float x : v.data()) {
        assertThat(x).isBetween(-1f, 1f);
      }
      assertThat(ShapesDataset.captions(clip.combination())).contains(clip.caption());
      assertThat(clip.caption())
          .contains(clip.combination().colour().word())
          .contains(clip.combination().shape().word());
    }
  }

  @Test
  void theShapeMovesInItsDirection() {
    ShapesDataset data = ShapesDataset.defaults(9);
    for (Direction d : Direction.values()) {
      Clip clip =
          data.render(new Combination(Colour.RED, Shape.CIRCLE, d), new dev.byhand.dit.data.Rng(1));
      double[] first = centroid(clip.video(), 0);
      double[] last = centroid(clip.video(), 7);
      double dx = last[0] - first[0];
      double dy = last[1] - first[1];
      assertThat(Math.signum(Math.round(dx))).as("dx for " + d).isEqualTo(d.dx());
      assertThat(Math.signum(Math.round(dy))).as("dy for " + d).isEqualTo(d.dy());
      assertThat(Math.abs(dx) + Math.abs(dy)).as("travel for " + d).isGreaterThan(8);
    }
  }

  @Test
  void badSizesAreRefusedByName() {
    assertThatThrownBy(() -> new ShapesDataset(1, 32, 0)).hasMessageContaining("frames");
    assertThatThrownBy(() -> new ShapesDataset(8, 4, 0)).hasMessageContaining("size");
  }

  /** Centroid of the red channel above the background. */
  private static double[] centroid(Video v, int frame) {
    double sx = 0;
    double sy = 0;
    double w = 0;
    for (int y = 0; y < v.height(); y++) {
      for (int x = 0; x < v.width(); x++) {
        double m = v.get(frame, y, x, 0) + 0.85;
        if (m > 0.1) {
          sx += m * x;
          sy += m * y;
          w += m;
        }
      }
    }
    return new double[] {sx / w, sy / w};
  }
}
