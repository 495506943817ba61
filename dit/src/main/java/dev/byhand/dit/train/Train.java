package dev.byhand.dit.train;

import dev.byhand.dit.TextEmbeddings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The plain entry point of {@code byhand video train}: trains the autoencoder then the DiT on the
 * shapes data, conditioned on all-MiniLM-L6-v2 embeddings of the captions, printing one progress
 * line per report; resumes from the output folder's checkpoint if there is one. Ctrl-C stops after
 * the current step and saves a checkpoint.
 */
public final class Train {
  private Train() {}

  /**
   * Runs (or resumes) training.
   *
   * @param out receives progress lines and the summary
   */
  public static VideoTrainer.Result run(TrainConfig config, Path outputDir, PrintStream out) {
    return run(config, outputDir, null, out);
  }

  /**
   * Runs (or resumes) training on a folder of the user's captioned clips ({@code captions.jsonl},
   * see {@link dev.byhand.dit.data.CaptionedFolder}), or on the shapes data when {@code dataFolder}
   * is null.
   *
   * @param out receives progress lines and the summary
   */
  public static VideoTrainer.Result run(
      TrainConfig config, Path outputDir, Path dataFolder, PrintStream out) {
    try (TextEmbeddings text = TextEmbeddings.minilm()) {
      VideoTrainer trainer =
          new VideoTrainer(
              config,
              outputDir,
              text,
              p -> {
                out.println(p.line());
                out.flush(); // progress must show when output goes to a file or a pipe
              });
      if (dataFolder != null) {
        trainer.withDataFolder(dataFolder);
      }
      // Waiting for the training itself, not the main thread: after a signal the main thread's own
      // System.exit blocks behind this hook, so joining it would stall the exit for the timeout.
      CountDownLatch finished = new CountDownLatch(1);
      Thread hook =
          new Thread(
              () -> {
                trainer.requestStop();
                try {
                  finished.await(60, TimeUnit.SECONDS); // the step ends, the checkpoint is written
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      Runtime.getRuntime().addShutdownHook(hook);
      VideoTrainer.Result result;
      try {
        result = trainer.run();
        out.println(summary(result));
      } finally {
        finished.countDown();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // The JVM is already exiting through the hook: nothing to remove.
        }
      }
      return result;
    }
  }

  /** One line per figure of a finished run. */
  public static String summary(VideoTrainer.Result r) {
    return String.format(
        Locale.ROOT,
        "%s at step %d: last loss %.4f, held-out denoising loss %.4f, autoencoder PSNR %.2f dB%n"
            + "files in %s",
        r.stopped() ? "stopped" : "done",
        r.step(),
        r.lastLoss(),
        r.heldOutLoss(),
        r.autoencoderPsnr(),
        r.outputDir().toAbsolutePath());
  }

  /**
   * {@code java dev.byhand.dit.train.Train [preset] [steps] [outputDir]}: defaults small, 12000,
   * {@code runs/video}.
   */
  public static void main(String[] args) {
    String preset = args.length > 0 ? args[0] : "small";
    TrainConfig config =
        preset.equals("tiny") ? TrainConfig.tiny() : TrainConfig.defaults().withPreset(preset);
    if (args.length > 1) {
      config = config.withSteps(Integer.parseInt(args[1]));
    }
    Path out = Path.of(args.length > 2 ? args[2] : "runs/video");
    run(config, out, System.out);
  }
}
