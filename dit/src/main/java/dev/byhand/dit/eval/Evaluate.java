package dev.byhand.dit.eval;

import dev.byhand.dit.TextEmbeddings;
import dev.byhand.dit.VideoGenerator;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The plain entry point of {@code byhand video eval}: generates clips for every training and
 * held-out combination's plain caption and for every prompt of the paraphrase set with a trained
 * model folder, and scores them with the analytic detectors.
 */
public final class Evaluate {
  private Evaluate() {}

  /**
   * Runs the evaluation and prints the two-line table.
   *
   * @param clipsPerPrompt clips per combination (1..64)
   * @param clipsPerParaphrase clips per prompt of the paraphrase set (0 to skip it)
   * @param steps DDIM steps
   * @param guidance classifier-free guidance scale
   */
  public static VideoEvaluation.Report run(
      Path modelDir,
      int clipsPerPrompt,
      int clipsPerParaphrase,
      int steps,
      double guidance,
      long seed,
      PrintStream out) {
    try (TextEmbeddings text = TextEmbeddings.minilm();
        VideoGenerator generator = VideoGenerator.open(modelDir, text)) {
      VideoEvaluation.Report report =
          VideoEvaluation.run(
              generator, clipsPerPrompt, clipsPerParaphrase, steps, guidance, seed, null);
      out.println(report.table());
      return report;
    }
  }

  /**
   * {@code Evaluate modelDir [clipsPerPrompt] [steps] [guidance] [clipsPerParaphrase]}: defaults 4,
   * 50, {@link VideoGenerator#DEFAULT_GUIDANCE}, 2.
   */
  public static void main(String[] args) {
    if (args.length < 1) {
      throw new IllegalArgumentException("modelDir: give the training output folder");
    }
    int clips = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    int steps = args.length > 2 ? Integer.parseInt(args[2]) : 50;
    double guidance =
        args.length > 3 ? Double.parseDouble(args[3]) : VideoGenerator.DEFAULT_GUIDANCE;
    int paraphrase = args.length > 4 ? Integer.parseInt(args[4]) : 2;
    run(Path.of(args[0]), clips, paraphrase, steps, guidance, 1, System.out);
  }
}
