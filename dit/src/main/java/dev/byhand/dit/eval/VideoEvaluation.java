package dev.byhand.dit.eval;

import dev.byhand.dit.VideoGenerator;
import dev.byhand.dit.data.ShapesDataset;
import dev.byhand.dit.data.ShapesDataset.Combination;
import dev.byhand.dit.data.Video;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Scores a trained model (issue 7's {@code video eval}): for each combination, generate clips from
 * its plain caption, read them with {@link Detectors}, and report accuracy per attribute and for
 * all three at once, separately for training and held-out combinations.
 */
public final class VideoEvaluation {

  /** Accuracy over a set of clips, each a fraction in [0, 1]. */
  public record Scores(
      int clips,
      double colour,
      double shape,
      double direction,
      double consistent,
      double allThree) {
    /** One line: "42 prompts × 4 → 168 clips: colour 0.95 shape ...". */
    public String line(String label) {
      return String.format(
          Locale.ROOT,
          "%-9s %4d clips  colour %.3f  shape %.3f  direction %.3f  consistent %.3f  all three %.3f",
          label,
          clips,
          colour,
          shape,
          direction,
          consistent,
          allThree);
    }
  }

  /** Scores on training and on held-out combinations. */
  public record Report(Scores training, Scores heldOut) {
    /** Two lines, training then held-out. */
    public String table() {
      return training.line("training") + "\n" + heldOut.line("held-out");
    }
  }

  private VideoEvaluation() {}

  /**
   * Evaluates a model.
   *
   * @param clipsPerPrompt clips generated per combination (one batch)
   * @param steps DDIM steps
   * @param guidance classifier-free guidance scale
   * @param progress receives each finished combination's caption (may be null)
   */
  public static Report run(
      VideoGenerator generator,
      int clipsPerPrompt,
      int steps,
      double guidance,
      long seed,
      Consumer<String> progress) {
    ShapesDataset reference = ShapesDataset.defaults(0);
    Scores training =
        score(
            generator,
            reference.trainingCombinations(),
            clipsPerPrompt,
            steps,
            guidance,
            seed,
            progress);
    Scores heldOut =
        score(
            generator, ShapesDataset.HELD_OUT, clipsPerPrompt, steps, guidance, seed + 1, progress);
    return new Report(training, heldOut);
  }

  /** Scores the detectors' reading of {@code clips} against what each should show. */
  public static Scores score(List<Video> clips, List<Combination> expected) {
    if (clips.size() != expected.size()) {
      throw new IllegalArgumentException(
          "clips/expected: " + clips.size() + " clips but " + expected.size() + " labels");
    }
    int[] right = new int[5];
    for (int i = 0; i < clips.size(); i++) {
      Detectors.Detection d = Detectors.detect(clips.get(i));
      Combination want = expected.get(i);
      boolean colour = d.colour() == want.colour();
      boolean shape = d.shape() == want.shape();
      boolean direction = d.direction() == want.direction();
      right[0] += colour ? 1 : 0;
      right[1] += shape ? 1 : 0;
      right[2] += direction ? 1 : 0;
      right[3] += d.consistent() ? 1 : 0;
      right[4] += colour && shape && direction ? 1 : 0;
    }
    double n = Math.max(1, clips.size());
    return new Scores(
        clips.size(), right[0] / n, right[1] / n, right[2] / n, right[3] / n, right[4] / n);
  }

  private static Scores score(
      VideoGenerator generator,
      List<Combination> combinations,
      int clipsPerPrompt,
      int steps,
      double guidance,
      long seed,
      Consumer<String> progress) {
    java.util.ArrayList<Video> clips = new java.util.ArrayList<>();
    java.util.ArrayList<Combination> labels = new java.util.ArrayList<>();
    long s = seed;
    for (Combination c : combinations) {
      String prompt = c.plainCaption();
      List<Video> videos =
          generator.generate(prompt, steps, guidance, 0.0, s++, clipsPerPrompt, null);
      clips.addAll(videos);
      for (int i = 0; i < videos.size(); i++) {
        labels.add(c);
      }
      if (progress != null) {
        progress.accept(prompt);
      }
    }
    return score(clips, labels);
  }
}
