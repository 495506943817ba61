package dev.byhand.dit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.byhand.dit.data.Rng;
import dev.byhand.dit.data.ShapesDataset;
import dev.byhand.dit.data.ShapesDataset.Clip;
import dev.byhand.dit.data.ShapesDataset.Combination;
import dev.byhand.dit.data.Video;
import dev.byhand.dit.eval.Detectors;
import dev.byhand.dit.eval.Detectors.Detection;
import org.junit.jupiter.api.Test;

/** The detectors must read ground-truth clips right at least 99% of the time (issue 7). */
class DetectorsTest {

  @Test
  void readGroundTruthClipsOfEveryCombination() {
    ShapesDataset data = ShapesDataset.defaults(77);
    int total = 0;
    int[] right = new int[4];
    for (Combination combination : ShapesDataset.allCombinations()) {
      for (int k = 0; k < 10; k++) {
        Clip clip = data.render(combination, new Rng(1000L * total + k));
        Detection d = Detectors.detect(clip.video());
        total++;
        right[0] += d.colour() == combination.colour() ? 1 : 0;
        right[1] += d.shape() == combination.shape() ? 1 : 0;
        right[2] += d.direction() == combination.direction() ? 1 : 0;
        right[3] += d.consistent() ? 1 : 0;
      }
    }
    assertThat(total).isEqualTo(480);
    assertThat(right[0]).as("colour").isGreaterThanOrEqualTo((int) Math.ceil(0.99 * total));
    assertThat(right[1]).as("shape").isGreaterThanOrEqualTo((int) Math.ceil(0.99 * total));
    assertThat(right[2]).as("direction").isGreaterThanOrEqualTo((int) Math.ceil(0.99 * total));
    assertThat(right[3]).as("consistency").isGreaterThanOrEqualTo((int) Math.ceil(0.99 * total));
  }

  @Test
  void evaluationScoresGroundTruthAsRightAndWrongLabelsAsWrong() {
    ShapesDataset data = ShapesDataset.defaults(5);
    java.util.List<Video> clips = new java.util.ArrayList<>();
    java.util.List<Combination> labels = new java.util.ArrayList<>();
    java.util.List<Combination> wrong = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      Clip clip = data.trainingClip(i);
      clips.add(clip.video());
      labels.add(clip.combination());
      Combination c = clip.combination();
      ShapesDataset.Colour other = ShapesDataset.Colour.values()[(c.colour().ordinal() + 1) % 4];
      wrong.add(new Combination(other, c.shape(), c.direction()));
    }
    dev.byhand.dit.eval.VideoEvaluation.Scores right =
        dev.byhand.dit.eval.VideoEvaluation.score(clips, labels);
    assertThat(right.allThree()).isGreaterThanOrEqualTo(0.99);
    dev.byhand.dit.eval.VideoEvaluation.Scores off =
        dev.byhand.dit.eval.VideoEvaluation.score(clips, wrong);
    assertThat(off.colour()).isLessThanOrEqualTo(0.01);
    assertThat(off.allThree()).isLessThanOrEqualTo(0.01);
    assertThat(off.shape()).isGreaterThanOrEqualTo(0.99);
  }

  @Test
  void anEmptyClipHasNoObject() {
    Video empty = Video.zeros(8, 32, 32, 3);
    Detection d = Detectors.detect(empty);
    assertThat(d.colour()).isNull();
    assertThat(d.consistent()).isFalse();
  }

  @Test
  void twoObjectsAreNotConsistent() {
    ShapesDataset data = ShapesDataset.defaults(3);
    Video a = data.trainingClip(1).video();
    Video b = data.trainingClip(2).video();
    Video both = Video.zeros(8, 32, 32, 3);
    float[] bg = {a.get(0, 0, 0, 0), a.get(0, 0, 0, 1), a.get(0, 0, 0, 2)};
    for (int i = 0; i < both.data().length; i++) {
      // Overlay: keep whichever clip differs from the background there.
      float va = a.data()[i];
      float vb = b.data()[i];
      both.data()[i] = Math.abs(va - bg[i % 3]) > Math.abs(vb - bg[i % 3]) ? va : vb;
    }
    // These two clips' shapes stay apart in some frame, so that frame shows two objects.
    assertThat(Detectors.detect(both).consistent()).isFalse();
  }

  @Test
  void aSpeckBesideTheObjectDoesNotChangeItsShape() {
    ShapesDataset data = ShapesDataset.defaults(5);
    ShapesDataset.Clip clip =
        data.render(
            new ShapesDataset.Combination(
                ShapesDataset.Colour.BLUE, ShapesDataset.Shape.SQUARE, ShapesDataset.Direction.UP),
            new dev.byhand.dit.data.Rng(9));
    Video v = clip.video();
    assertThat(Detectors.detect(v).shape()).isEqualTo(ShapesDataset.Shape.SQUARE);
    // A two-pixel line in a corner, apart from the square: it would stretch the bounding box.
    for (int f = 0; f < v.frames(); f++) {
      for (int y = 0; y < 2; y++) {
        for (int c = 0; c < 3; c++) {
          v.set(f, y, 0, c, 1f);
        }
      }
    }
    Detection d = Detectors.detect(v);
    assertThat(d.shape()).isEqualTo(ShapesDataset.Shape.SQUARE);
    assertThat(d.direction()).isEqualTo(ShapesDataset.Direction.UP);
  }
}
