package dev.byhand.dit.train;

import ai.djl.ndarray.NDManager;
import dev.byhand.dit.Autoencoder;
import dev.byhand.dit.AutoencoderConfig;
import dev.byhand.dit.DiT;
import dev.byhand.dit.DiTConfig;
import dev.byhand.dit.ModelFiles;
import dev.byhand.dit.Records;
import dev.byhand.dit.TextCondition;
import dev.byhand.dit.TextEmbeddings;
import dev.byhand.dit.TextNorm;
import dev.byhand.dit.Trace;
import dev.byhand.dit.data.CaptionedFolder;
import dev.byhand.dit.data.Captions;
import dev.byhand.dit.data.Rng;
import dev.byhand.dit.data.ShapesDataset;
import dev.byhand.dit.data.Video;
import dev.byhand.dit.diffusion.Objective;
import dev.byhand.dit.eval.VideoEvaluation;
import dev.byhand.dit.nn.Safetensors;
import dev.byhand.dit.nn.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Trains the video model on the shapes data into one output folder: first the visual autoencoder
 * (then frozen), then the DiT on the autoencoder's latents. Resumable: when the folder already
 * holds {@value #AUTOENCODER_FILE} it is reused, and when it holds {@value #CHECKPOINT_FILE} the
 * DiT continues from it with the same weights, optimiser moments, step and random state, so a
 * stopped run ends exactly where an uninterrupted one would.
 *
 * <p>Files written: {@value #AUTOENCODER_FILE}, {@value #CHECKPOINT_FILE} (model, EMA, optimiser,
 * step, configs, RNG), {@value #MODEL_FILE} (EMA weights and config, for sampling), {@value
 * #LOSS_CSV} and {@value #LOSS_PNG}.
 */
public final class VideoTrainer {
  /** The frozen autoencoder ({@link ModelFiles#AUTOENCODER_FILE}). */
  public static final String AUTOENCODER_FILE = ModelFiles.AUTOENCODER_FILE;

  /** The resumable training state. */
  public static final String CHECKPOINT_FILE = "checkpoint.safetensors";

  /** The EMA weights for sampling ({@link ModelFiles#MODEL_FILE}). */
  public static final String MODEL_FILE = ModelFiles.MODEL_FILE;

  /** Step and loss per line. */
  public static final String LOSS_CSV = "loss.csv";

  /** The loss curve. */
  public static final String LOSS_PNG = "loss.png";

  private static final String FORMAT = "byhand-dit-checkpoint-1";

  /** Held-out clips for the autoencoder's PSNR and the held-out denoising loss. */
  private static final int HELD_OUT_CLIPS = VideoEvaluation.HELD_OUT_CLIPS;

  /**
   * What a run did.
   *
   * @param step DiT steps done in total (resumed runs included)
   * @param lastLoss the last step's loss
   * @param autoencoderPsnr reconstruction PSNR (dB) on held-out clips
   * @param heldOutLoss denoising loss of the EMA model on held-out combinations, fixed noise
   * @param stopped true if {@link #requestStop()} ended the run early
   * @param outputDir where the files are
   */
  public record Result(
      long step,
      double lastLoss,
      double autoencoderPsnr,
      double heldOutLoss,
      boolean stopped,
      Path outputDir) {}

  private final TrainConfig config;
  private final Path outputDir;
  private final TextEmbeddings text;
  private final Consumer<Progress> progress;
  private final AtomicBoolean stop = new AtomicBoolean();
  private Path dataFolder;
  private TextCondition.Encoder textEncoder;

  /**
   * @param text the prompt encoder ({@link TextEmbeddings#minilm()} for real runs)
   * @param progress receives reports every {@code logEvery} steps (may be null)
   */
  public VideoTrainer(
      TrainConfig config, Path outputDir, TextEmbeddings text, Consumer<Progress> progress) {
    this.config = config;
    this.outputDir = outputDir;
    this.text = text;
    this.progress = progress == null ? p -> {} : progress;
  }

  /**
   * Trains on a folder of the user's clips ({@link CaptionedFolder}) instead of the shapes data;
   * {@code frames} and {@code size} of the config are then ignored, the clips' own size is used,
   * and the first clips (up to 24) double as the held-out set for PSNR and loss.
   *
   * @return this trainer
   */
  public VideoTrainer withDataFolder(Path folder) {
    this.dataFolder = folder;
    return this;
  }

  /**
   * Asks a running {@link #run()} to stop after the current step; it then writes a checkpoint and
   * returns. Safe to call from another thread (a shutdown hook, say).
   */
  public void requestStop() {
    stop.set(true);
  }

  /**
   * Trains (or resumes) up to {@code config.steps()} DiT steps.
   *
   * @throws IllegalArgumentException if the folder holds a checkpoint of another model shape
   * @throws UncheckedIOException if the folder cannot be written
   */
  public Result run() {
    try {
      Files.createDirectories(outputDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + outputDir, e);
    }
    List<Video> videos = new ArrayList<>();
    List<String> captions = new ArrayList<>(); // distinct sentences, embedded once each
    List<int[]> captionGroups = new ArrayList<>(); // per clip: the captions it may be shown with
    List<Video> heldOutVideos = new ArrayList<>();
    List<String> heldOutCaptions = new ArrayList<>();
    if (dataFolder != null) {
      for (CaptionedFolder.Item item : CaptionedFolder.read(dataFolder)) {
        videos.add(item.video());
        captionGroups.add(new int[] {captions.size()});
        captions.add(item.caption());
      }
      int n = Math.min(HELD_OUT_CLIPS, videos.size());
      heldOutVideos.addAll(videos.subList(0, n));
      heldOutCaptions.addAll(captions.subList(0, n));
    } else {
      ShapesDataset data = new ShapesDataset(config.frames(), config.size(), config.seed());
      boolean grammar = "grammar".equals(config.captions());
      Map<ShapesDataset.Combination, int[]> pools = new LinkedHashMap<>();
      if (grammar) {
        Rng words = new Rng(config.seed() * 31 + 11);
        for (ShapesDataset.Combination c : data.trainingCombinations()) {
          int[] pool = new int[config.captionPool()];
          for (int k = 0; k < pool.length; k++) {
            pool[k] = captions.size();
            captions.add(Captions.caption(c.colour(), c.shape(), c.direction(), words));
          }
          pools.put(c, pool);
        }
      }
      for (int i = 0; i < config.clips(); i++) {
        ShapesDataset.Clip clip = data.trainingClip(i);
        videos.add(clip.video());
        if (grammar) {
          captionGroups.add(pools.get(clip.combination()));
        } else {
          captionGroups.add(new int[] {captions.size()});
          captions.add(clip.caption());
        }
      }
      for (int i = 0; i < HELD_OUT_CLIPS; i++) {
        ShapesDataset.Clip clip = data.heldOutClip(i);
        heldOutVideos.add(clip.video());
        heldOutCaptions.add(clip.caption());
      }
    }
    Video first = videos.get(0);
    try (NDManager manager = NDManager.newBaseManager()) {
      Autoencoder autoencoder = autoencoder(manager, videos);
      double psnr = autoencoder.psnr(heldOutVideos);
      List<float[]> latents = autoencoder.encodeVideos(videos);
      List<float[]> heldOutLatents = autoencoder.encodeVideos(heldOutVideos);
      int[] grid = autoencoder.latentGrid(first.frames(), first.height(), first.width());
      videos.clear(); // the pixels (400 MB for the default data) are not needed past this point
      DiTConfig ditConfig =
          DiTConfig.of(config.preset()).toBuilder()
              .optGrid(grid[0], grid[1], grid[2], grid[3])
              .optTextDim(text.dimension())
              .optTextTokens(config.textTokens())
              .build();
      float[][] pooled = new float[captions.size()][];
      for (int i = 0; i < captions.size(); i++) {
        pooled[i] = text.embed(captions.get(i));
      }
      TextNorm norm =
          config.textNorm() ? TextNorm.fit(pooled) : TextNorm.identity(text.dimension());
      TextNorm tokenNorm = null;
      if (ditConfig.textTokens() > 0) {
        List<float[]> rows = new ArrayList<>();
        for (String caption : captions) {
          rows.addAll(List.of(text.tokens(caption)));
        }
        tokenNorm =
            config.textNorm()
                ? TextNorm.fit(rows.toArray(new float[0][]))
                : TextNorm.identity(text.dimension());
      }
      this.textEncoder = new TextCondition.Encoder(text, norm, tokenNorm, ditConfig.textTokens());
      List<TextCondition> embeddings = new ArrayList<>();
      for (String caption : captions) {
        embeddings.add(textEncoder.encode(caption));
      }
      Objective diffusion =
          Objective.of(config.objective(), config.schedule(), config.diffusionSteps());
      try (DiT model = new DiT(ditConfig, manager);
          DiT average = new DiT(ditConfig, manager);
          AdamW optimizer = new AdamW(model.parameters(), 0.9, 0.999, 1e-8, config.weightDecay())) {
        Rng rng = new Rng(config.seed() * 31 + 7);
        List<Long> lossSteps = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        long start = 0;
        Path checkpoint = outputDir.resolve(CHECKPOINT_FILE);
        Ema ema;
        if (Files.exists(checkpoint)) {
          Safetensors.Contents contents = Safetensors.read(checkpoint);
          Map<String, String> meta = contents.metadata();
          if (!FORMAT.equals(meta.get("format"))) {
            throw new IllegalArgumentException(checkpoint + ": not a " + FORMAT + " file");
          }
          DiTConfig saved = DiTConfig.fromMetadata("dit.", meta, checkpoint);
          if (!saved.equals(ditConfig)) {
            throw new IllegalArgumentException(
                checkpoint
                    + ": holds a "
                    + saved.name()
                    + " model of another shape than this run's "
                    + ditConfig.name()
                    + "; use another output folder");
          }
          model.parameters().load(contents.tensors(), "model.");
          ema = new Ema(model.parameters(), average.parameters());
          average.parameters().load(contents.tensors(), "ema.");
          Map<String, Tensor> opt = new LinkedHashMap<>();
          contents
              .tensors()
              .forEach(
                  (k, v) -> {
                    if (k.startsWith("optimizer.")) {
                      opt.put(k.substring("optimizer.".length()), v);
                    }
                  });
          start = Long.parseLong(meta.get("step"));
          optimizer.load(opt, start);
          rng = new Rng(Long.parseLong(meta.get("rng")));
          readLosses(start, lossSteps, losses);
        } else {
          model.initializeWeights(new Rng(config.seed() * 31 + 1));
          ema = new Ema(model.parameters(), average.parameters());
        }
        long step = start;
        double lastLoss = losses.isEmpty() ? Double.NaN : losses.get(losses.size() - 1);
        long windowStart = System.nanoTime();
        long windowSteps = 0;
        boolean stopped = false;
        TrainingStep trainingStep = new TrainingStep();
        while (step < config.steps()) {
          if (stop.get()) {
            stopped = true;
            break;
          }
          TrainingStep.Batch batch = batch(rng, ditConfig, latents, captionGroups, embeddings);
          TrainingStep.Result r =
              trainingStep.step(
                  model,
                  optimizer,
                  diffusion,
                  batch,
                  config.learningRate(step),
                  config.maxGradNorm(),
                  null,
                  Trace.NONE);
          step++;
          // EMA warm-up: early on the average would mostly remember the random initialisation.
          ema.update(Math.min(config.emaDecay(), (1.0 + step) / (10.0 + step)));
          lastLoss = r.loss();
          lossSteps.add(step);
          losses.add(lastLoss);
          windowSteps++;
          if (step % config.logEvery() == 0 || step == config.steps()) {
            double seconds = (System.nanoTime() - windowStart) / 1e9;
            double rate = windowSteps / Math.max(seconds, 1e-9);
            progress.accept(
                Progress.now(
                    "dit",
                    step,
                    config.steps(),
                    recentMean(losses, config.logEvery()),
                    rate,
                    (config.steps() - step) / rate));
            windowStart = System.nanoTime();
            windowSteps = 0;
          }
          if (step % config.checkpointEvery() == 0) {
            saveCheckpoint(model, average, optimizer, ditConfig, step, rng, lossSteps, losses);
          }
        }
        saveCheckpoint(model, average, optimizer, ditConfig, step, rng, lossSteps, losses);
        List<TextCondition> heldOutEmbeddings = new ArrayList<>();
        for (String caption : heldOutCaptions) {
          heldOutEmbeddings.add(textEncoder.encode(caption));
        }
        double heldOutLoss =
            VideoEvaluation.denoisingLoss(average, diffusion, heldOutLatents, heldOutEmbeddings);
        return new Result(step, lastLoss, psnr, heldOutLoss, stopped, outputDir);
      } finally {
        autoencoder.close();
      }
    }
  }

  private Autoencoder autoencoder(NDManager manager, List<Video> videos) {
    Path file = outputDir.resolve(AUTOENCODER_FILE);
    if (Files.exists(file)) {
      return Autoencoder.load(file, manager);
    }
    Autoencoder autoencoder = new Autoencoder(AutoencoderConfig.of(config.preset()), manager);
    autoencoder.initializeWeights(new Rng(config.seed() * 31 + 2));
    long started = System.nanoTime();
    int total = config.autoencoderSteps();
    int every = Math.max(1, Math.min(config.logEvery() * 4, Math.max(1, total / 20)));
    AutoencoderTrainer.train(
        autoencoder,
        videos,
        total,
        config.autoencoderBatch(),
        config.autoencoderLr(),
        new Rng(config.seed() * 31 + 3),
        s -> {
          if (s % every == 0 || s == total) {
            double rate = s / Math.max((System.nanoTime() - started) / 1e9, 1e-9);
            progress.accept(
                Progress.now("autoencoder", s, total, Double.NaN, rate, (total - s) / rate));
          }
        });
    autoencoder.save(file);
    return autoencoder;
  }

  /** A random batch: clips, their captions (or the null prompt), steps t and noise. */
  private TrainingStep.Batch batch(
      Rng rng,
      DiTConfig c,
      List<float[]> latents,
      List<int[]> groups,
      List<TextCondition> embeddings) {
    int n = config.batchSize();
    int size = latents.get(0).length;
    float[] x0 = new float[n * size];
    float[] eps = new float[n * size];
    float[] textBatch = new float[n * c.textDim()];
    int[] t = new int[n];
    boolean[] drop = new boolean[n];
    List<TextCondition> chosen = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int clip = rng.nextInt(latents.size());
      System.arraycopy(latents.get(clip), 0, x0, i * size, size);
      int[] group = groups.get(clip);
      // A clip with several captions shows one at random; one caption costs no draw, so runs
      // with fixed captions keep the draws (and the bits) they always had.
      int caption = group.length == 1 ? group[0] : group[rng.nextInt(group.length)];
      TextCondition condition = embeddings.get(caption);
      System.arraycopy(condition.pooled(), 0, textBatch, i * c.textDim(), c.textDim());
      chosen.add(condition);
      t[i] = rng.nextInt(config.diffusionSteps());
      drop[i] = rng.nextDouble() < c.textDropProb();
    }
    rng.fillGaussian(eps);
    if (c.textTokens() == 0) {
      return new TrainingStep.Batch(x0, eps, t, textBatch, drop);
    }
    int width = 0;
    for (TextCondition condition : chosen) {
      width = Math.max(width, condition.count());
    }
    float[] tokens = new float[n * width * c.textDim()];
    float[] mask = new float[n * width];
    TextCondition.pack(chosen, width, c.textDim(), tokens, mask);
    return new TrainingStep.Batch(x0, eps, t, textBatch, drop, tokens, mask, width);
  }

  private void saveCheckpoint(
      DiT model,
      DiT average,
      AdamW optimizer,
      DiTConfig ditConfig,
      long step,
      Rng rng,
      List<Long> lossSteps,
      List<Double> losses) {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    model.parameters().snapshot().forEach((k, v) -> tensors.put("model." + k, v));
    Map<String, Tensor> emaWeights = average.parameters().snapshot();
    emaWeights.forEach((k, v) -> tensors.put("ema." + k, v));
    optimizer.state().forEach((k, v) -> tensors.put("optimizer." + k, v));
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", FORMAT);
    meta.put("step", Long.toString(step));
    meta.put("rng", Long.toString(rng.state()));
    meta.putAll(Records.toMetadata("dit.", ditConfig));
    meta.putAll(Records.toMetadata("train.", config));
    Safetensors.write(outputDir.resolve(CHECKPOINT_FILE), tensors, meta);
    Map<String, String> modelMeta = new LinkedHashMap<>(Records.toMetadata("dit.", ditConfig));
    modelMeta.put("step", Long.toString(step));
    modelMeta.put("schedule", config.schedule());
    modelMeta.put("diffusionSteps", Integer.toString(config.diffusionSteps()));
    modelMeta.put("objective", config.objective());
    Map<String, Tensor> modelTensors = new LinkedHashMap<>(emaWeights);
    modelTensors.putAll(textEncoder.tensors()); // sampling standardises prompts the same way
    Safetensors.write(outputDir.resolve(MODEL_FILE), modelTensors, modelMeta);
    writeLosses(lossSteps, losses);
  }

  private void writeLosses(List<Long> lossSteps, List<Double> losses) {
    StringBuilder csv = new StringBuilder("step,loss\n");
    for (int i = 0; i < lossSteps.size(); i++) {
      csv.append(lossSteps.get(i)).append(',').append(losses.get(i)).append('\n');
    }
    try {
      Path temp = outputDir.resolve(LOSS_CSV + ".tmp");
      Files.writeString(temp, csv);
      Files.move(
          temp, outputDir.resolve(LOSS_CSV), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + outputDir.resolve(LOSS_CSV), e);
    }
    LossCurve.write(
        lossSteps,
        losses,
        "DiT training loss ("
            + ("flow".equals(config.objective())
                ? "rectified flow, MSE on velocity"
                : "MSE on noise")
            + "), preset "
            + config.preset(),
        outputDir.resolve(LOSS_PNG));
  }

  private void readLosses(long upTo, List<Long> lossSteps, List<Double> losses) {
    Path file = outputDir.resolve(LOSS_CSV);
    if (!Files.exists(file)) {
      return;
    }
    try {
      for (String line : Files.readAllLines(file)) {
        String[] parts = line.split(",");
        if (parts.length != 2 || !Character.isDigit(parts[0].charAt(0))) {
          continue;
        }
        long s = Long.parseLong(parts[0]);
        if (s <= upTo) {
          lossSteps.add(s);
          losses.add(Double.parseDouble(parts[1]));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static double recentMean(List<Double> values, int window) {
    int from = Math.max(0, values.size() - window);
    double sum = 0;
    for (int i = from; i < values.size(); i++) {
      sum += values.get(i);
    }
    return sum / (values.size() - from);
  }
}
