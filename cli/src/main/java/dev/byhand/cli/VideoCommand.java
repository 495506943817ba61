package dev.byhand.cli;

import dev.byhand.dit.Generate;
import dev.byhand.dit.VideoGenerator;
import dev.byhand.dit.eval.Evaluate;
import dev.byhand.dit.train.Train;
import dev.byhand.dit.train.TrainConfig;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code byhand video …}: train the text-to-video diffusion transformer, sample from it, score it.
 */
@Command(
    name = "video",
    mixinStandardHelpOptions = true,
    description = "The text-to-video diffusion transformer (DiT): train, generate, eval.",
    subcommands = {
      VideoCommand.TrainVideo.class,
      VideoCommand.GenerateVideo.class,
      VideoCommand.EvalVideo.class
    })
final class VideoCommand implements Runnable {

  /** Where {@code video train} writes and {@code generate}/{@code eval} read, by default. */
  static final String DEFAULT_MODEL = "runs/video";

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "say what to do: 'byhand video train|generate|eval'");
  }

  static PrintStream stdout(CommandSpec spec) {
    return new PrintStream(
        new WriterOutputStream(spec.commandLine().getOut()), true, StandardCharsets.UTF_8);
  }

  static void checkModel(Path model) {
    if (!Files.isDirectory(model)) {
      throw new java.io.UncheckedIOException(
          new java.nio.file.NoSuchFileException(
              model
                  + " (no trained model there: run 'byhand video train' first, or pass --model DIR)"));
    }
  }

  @Command(
      name = "train",
      mixinStandardHelpOptions = true,
      description = {
        "Train the autoencoder, then the DiT, on the built-in shapes clips (or --data FOLDER of",
        "captioned clips). Prints progress; Ctrl-C stops after the current step with a checkpoint,",
        "and running the same command again resumes from it."
      })
  static final class TrainVideo implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--preset",
        defaultValue = "small",
        description = "Model size: tiny or small. Default: ${DEFAULT-VALUE}.")
    String preset;

    @Option(names = "--steps", description = "DiT training steps (default: the preset's).")
    Integer steps;

    @Option(
        names = "--seed",
        description = "Seed of data, initialisation and noise (default: the preset's).")
    Long seed;

    @Option(
        names = {"-o", "--out"},
        defaultValue = DEFAULT_MODEL,
        description = "Output folder. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(
        names = "--objective",
        description =
            "eps (DDPM noise prediction, as DiT) or flow (rectified flow); default: the preset's.")
    String objective;

    @Option(
        names = "--lr",
        description = "DiT learning rate after warm-up (default: the preset's).")
    Double lr;

    @Option(
        names = "--cooldown",
        description =
            "Last steps over which the learning rate falls linearly to 0 (default: the preset's).")
    Integer cooldown;

    @Option(names = "--batch", description = "Clips per DiT step (default: the preset's).")
    Integer batch;

    @Option(
        names = "--text-norm",
        negatable = true,
        description =
            "Standardise prompt embeddings on the training captions (default: the preset's; small: on).")
    Boolean textNorm;

    @Option(
        names = "--captions",
        description =
            "How the shapes clips are captioned: templates (four phrasings) or grammar (many"
                + " words and sentence shapes); default: the preset's.")
    String captions;

    @Option(
        names = "--text-tokens",
        description =
            "0: condition on the pooled prompt embedding alone; N > 0: the DiT also reads up to N"
                + " of the prompt's MiniLM token vectors by cross-attention (default: the preset's).")
    Integer textTokens;

    @Option(
        names = "--data",
        description =
            "A folder of captioned clips (captions.jsonl) instead of the built-in shapes.")
    Path data;

    @Override
    public Integer call() {
      TrainConfig.Builder config =
          ("tiny".equals(preset) ? TrainConfig.tiny() : TrainConfig.defaults().withPreset(preset))
              .toBuilder();
      if (steps != null) {
        if (steps < 1) {
          throw new IllegalArgumentException("steps: must be at least 1, got " + steps);
        }
        config.optSteps(steps);
      }
      if (seed != null) {
        config.optSeed(seed);
      }
      if (objective != null) {
        config.optObjective(objective);
      }
      if (lr != null) {
        config.optLr(lr);
      }
      if (cooldown != null) {
        if (cooldown < 0) {
          throw new IllegalArgumentException("cooldown: must be at least 0, got " + cooldown);
        }
        config.optCooldownSteps(cooldown);
      }
      if (textNorm != null) {
        config.optTextNorm(textNorm);
      }
      if (captions != null) {
        config.optCaptions(captions);
      }
      if (textTokens != null) {
        if (textTokens < 0 || textTokens > 512) {
          throw new IllegalArgumentException("text-tokens: must be in [0, 512], got " + textTokens);
        }
        config.optTextTokens(textTokens);
      }
      if (batch != null) {
        if (batch < 1 || batch > 1024) {
          throw new IllegalArgumentException("batch: must be in [1, 1024], got " + batch);
        }
        config.optBatchSize(batch);
      }
      if (data != null && !Files.isDirectory(data)) {
        throw new IllegalArgumentException("data: " + data + " is not a folder");
      }
      Train.run(config.build(), out, data, stdout(spec));
      return Main.OK;
    }
  }

  /**
   * The model that ships with byhand: trained by {@code byhand video train} with the defaults and
   * committed under {@code models/video} of the installation ({@code -Dbyhand.home}, set by the
   * launcher), so that {@code generate} works on a fresh clone.
   */
  static Path shippedModel() {
    return Path.of(System.getProperty("byhand.home", ".")).resolve(SHIPPED_MODEL);
  }

  /** Where the shipped model sits, relative to the installation. */
  static final String SHIPPED_MODEL = "models/video";

  /** What every sampling command takes: the model, the sampler's steps and guidance, the seed. */
  static final class Sampling {
    @Option(
        names = "--model",
        description =
            "Trained model folder (e.g. "
                + DEFAULT_MODEL
                + " after 'byhand video train'). Default: the model shipped in "
                + SHIPPED_MODEL
                + ".")
    Path model;

    @Option(
        names = "--steps",
        defaultValue = "50",
        description =
            "Sampling steps (DDIM, or Euler for a rectified-flow model), in [1, 1000]. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(
        names = "--cfg",
        defaultValue = "" + VideoGenerator.DEFAULT_GUIDANCE,
        description = "Classifier-free guidance scale. Default: ${DEFAULT-VALUE}.")
    double cfg;

    @Option(
        names = "--seed",
        defaultValue = "1",
        description = "Seed of the noise. Default: ${DEFAULT-VALUE}.")
    long seed;

    /** Checks the steps and that the model folder exists. */
    void check() {
      if (steps < 1 || steps > 1000) {
        throw new IllegalArgumentException("steps: must be in [1, 1000], got " + steps);
      }
      if (model == null) {
        model = shippedModel();
      }
      checkModel(model);
    }
  }

  @Command(
      name = "generate",
      mixinStandardHelpOptions = true,
      description =
          "Generate clips for a prompt: looping GIFs plus a contact sheet PNG beside them.")
  static final class GenerateVideo implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(
        paramLabel = "PROMPT",
        description = "What to draw, e.g. \"a blue square moving up\".")
    String prompt;

    @Option(
        names = {"-o", "--output"},
        defaultValue = "out.gif",
        description = "The GIF to write. Default: ${DEFAULT-VALUE}.")
    Path output;

    @picocli.CommandLine.Mixin Sampling sampling = new Sampling();

    @Option(
        names = "--count",
        defaultValue = "1",
        description = "Clips to generate, in [1, 64]. Default: ${DEFAULT-VALUE}.")
    int count;

    @Override
    public Integer call() {
      if (prompt == null || prompt.isBlank()) {
        throw new IllegalArgumentException("prompt: must not be empty");
      }
      if (count < 1 || count > 64) {
        throw new IllegalArgumentException("count: must be in [1, 64], got " + count);
      }
      sampling.check();
      List<Path> written =
          Generate.run(
              sampling.model,
              prompt,
              output,
              sampling.steps,
              sampling.cfg,
              sampling.seed,
              count,
              stdout(spec));
      for (Path p : written) {
        spec.commandLine().getOut().println("wrote " + p);
      }
      return Main.OK;
    }
  }

  @Command(
      name = "eval",
      mixinStandardHelpOptions = true,
      description =
          "Generate clips for every (colour, shape, direction) and for the paraphrase set, and score"
              + " them with analytic detectors.")
  static final class EvalVideo implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--clips",
        defaultValue = "4",
        description = "Clips per combination, in [1, 64]. Default: ${DEFAULT-VALUE}.")
    int clips;

    @Option(
        names = "--paraphrase-clips",
        defaultValue = "2",
        description =
            "Clips per prompt of the paraphrase set (144 prompts in words no training caption"
                + " uses), in [0, 64]; 0 skips it. Default: ${DEFAULT-VALUE}.")
    int paraphraseClips;

    @picocli.CommandLine.Mixin Sampling sampling = new Sampling();

    @Override
    public Integer call() {
      if (clips < 1 || clips > 64) {
        throw new IllegalArgumentException("clips: must be in [1, 64], got " + clips);
      }
      if (paraphraseClips < 0 || paraphraseClips > 64) {
        throw new IllegalArgumentException(
            "paraphrase-clips: must be in [0, 64], got " + paraphraseClips);
      }
      sampling.check();
      Evaluate.run(
          sampling.model,
          clips,
          paraphraseClips,
          sampling.steps,
          sampling.cfg,
          sampling.seed,
          stdout(spec));
      return Main.OK;
    }
  }
}
