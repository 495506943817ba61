package dev.byhand.dit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import dev.byhand.dit.data.Rng;
import dev.byhand.dit.diffusion.GaussianDiffusion;
import dev.byhand.dit.diffusion.NoiseSchedule;
import dev.byhand.dit.nn.Safetensors;
import dev.byhand.dit.nn.Tensor;
import dev.byhand.dit.train.AdamW;
import dev.byhand.dit.train.TrainConfig;
import dev.byhand.dit.train.TrainingStep;
import dev.byhand.dit.train.VideoTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingTest {
  @TempDir Path dir;

  /** One autoencoder for every trainer test: the trainer reuses the file when a folder has it. */
  @TempDir static Path shared;

  @org.junit.jupiter.api.BeforeAll
  static void trainTheAutoencoderOnce() {
    try (TextEmbeddings text = fakeText()) {
      new VideoTrainer(TrainConfig.tiny().withSteps(0), shared, text, null).run();
    }
  }

  /** Puts the shared autoencoder into {@code folder}, so its run skips that phase. */
  private static Path withAutoencoder(Path folder) throws java.io.IOException {
    Files.createDirectories(folder);
    Files.copy(
        shared.resolve(VideoTrainer.AUTOENCODER_FILE),
        folder.resolve(VideoTrainer.AUTOENCODER_FILE),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return folder;
  }

  /**
   * A stand-in for MiniLM: a fixed pseudo-random vector per caption, 16 numbers, and one per word
   * as its tokens.
   */
  private static TextEmbeddings fakeText() {
    return new TextEmbeddings(
        caption -> {
          Rng rng = new Rng(caption.hashCode());
          float[] v = new float[16];
          rng.fillGaussian(v);
          return v;
        },
        caption -> {
          String[] words = caption.split(" ");
          float[][] out = new float[words.length][16];
          for (int i = 0; i < words.length; i++) {
            new Rng(words[i].hashCode()).fillGaussian(out[i]);
          }
          return out;
        },
        16,
        null);
  }

  @Test
  void aModelWithCrossAttentionTrainsOnGrammarCaptionsAndGenerates() throws Exception {
    TrainConfig config =
        TrainConfig.tiny().toBuilder()
            .optSteps(3)
            .optObjective("flow")
            .optTextNorm(true)
            .optCaptions("grammar")
            .optTextTokens(6)
            .build();
    withAutoencoder(dir);
    try (TextEmbeddings text = fakeText()) {
      VideoTrainer.Result r = new VideoTrainer(config, dir, text, null).run();
      assertThat(r.heldOutLoss()).isFinite();
      Map<String, Tensor> saved = Safetensors.read(dir.resolve(VideoTrainer.MODEL_FILE)).tensors();
      assertThat(saved).containsKeys(TextCondition.TOKEN_NORM + TextNorm.MEAN);
      assertThat(saved).containsKey("blocks.0.cross_attn.kv.weight");
      try (VideoGenerator generator = VideoGenerator.open(dir, text)) {
        assertThat(generator.model().config().textTokens()).isEqualTo(6);
        // A prompt longer than 6 tokens is cut to 6.
        assertThat(generator.embed("a very long prompt with more than six words in it").count())
            .isEqualTo(6);
        java.util.List<dev.byhand.dit.data.Video> a =
            generator.generate("a crimson orb drifting west", 4, 1.5, 0.0, 3, 2, null);
        java.util.List<dev.byhand.dit.data.Video> b =
            generator.generate("a crimson orb drifting west", 4, 1.5, 0.0, 3, 2, null);
        assertThat(a).isEqualTo(b);
        assertThat(a.get(0).sizeString()).isEqualTo("4×16×16×3");
      }
    }
  }

  @Test
  void lossOnOneFixedBatchFallsTenfold() {
    DiTConfig config = DiTConfig.tiny().withTextDim(16);
    int n = 4;
    int size = config.frames() * config.height() * config.width() * config.inChannels();
    Rng rng = new Rng(5);
    float[] x0 = new float[n * size];
    float[] eps = new float[n * size];
    float[] text = new float[n * 16];
    rng.fillGaussian(x0);
    rng.fillGaussian(eps);
    rng.fillGaussian(text);
    TrainingStep.Batch batch =
        new TrainingStep.Batch(x0, eps, new int[] {50, 250, 500, 900}, text, new boolean[n]);
    GaussianDiffusion diffusion = new GaussianDiffusion(NoiseSchedule.linear1000());
    try (NDManager manager = NDManager.newBaseManager();
        DiT model = new DiT(config, manager);
        AdamW optimizer = new AdamW(model.parameters(), 0.9, 0.999, 1e-8, 0.0)) {
      model.initializeWeights(new Rng(6));
      TrainingStep runner = new TrainingStep();
      double first = Double.NaN;
      double last = Double.NaN;
      int steps = 0;
      // Up to 300 steps; stop once the loss is 10× down (about 50 steps here), to keep tests quick.
      while (steps < 300 && !(last < first / 10)) {
        TrainingStep.Result r =
            runner.step(model, optimizer, diffusion, batch, 2e-3, 1.0, null, Trace.NONE);
        if (steps == 0) {
          first = r.loss();
        }
        last = r.loss();
        steps++;
      }
      assertThat(first).isBetween(0.8, 1.2); // a fresh model predicts 0: loss = E[eps²] ≈ 1
      assertThat(last).as("loss after %d steps", steps).isLessThan(first / 10);
    }
  }

  @Test
  void flowLossOnOneFixedBatchFallsTenfold() {
    DiTConfig config = DiTConfig.tiny().withTextDim(16);
    int n = 4;
    int size = config.frames() * config.height() * config.width() * config.inChannels();
    Rng rng = new Rng(5);
    float[] x0 = new float[n * size];
    float[] eps = new float[n * size];
    float[] text = new float[n * 16];
    rng.fillGaussian(x0);
    rng.fillGaussian(eps);
    rng.fillGaussian(text);
    TrainingStep.Batch batch =
        new TrainingStep.Batch(x0, eps, new int[] {50, 250, 500, 900}, text, new boolean[n]);
    dev.byhand.dit.diffusion.RectifiedFlow flow = new dev.byhand.dit.diffusion.RectifiedFlow(1000);
    try (NDManager manager = NDManager.newBaseManager();
        DiT model = new DiT(config, manager);
        AdamW optimizer = new AdamW(model.parameters(), 0.9, 0.999, 1e-8, 0.0)) {
      model.initializeWeights(new Rng(6));
      TrainingStep runner = new TrainingStep();
      double first = Double.NaN;
      double last = Double.NaN;
      int steps = 0;
      while (steps < 300 && !(last < first / 10)) {
        double loss =
            runner.step(model, optimizer, flow, batch, 2e-3, 1.0, null, Trace.NONE).loss();
        if (steps == 0) {
          first = loss;
        }
        last = loss;
        steps++;
      }
      assertThat(first).isBetween(1.6, 2.4); // a fresh model predicts 0: loss = E[(eps - x0)²] ≈ 2
      assertThat(last).as("loss after %d steps", steps).isLessThan(first / 10);
    }
  }

  @Test
  void aStoppedRunResumesToTheSameWeightsAsAnUnbrokenOne() throws Exception {
    TrainConfig config = TrainConfig.tiny().withSteps(12).withCheckpointEvery(5);
    Path unbroken = withAutoencoder(dir.resolve("unbroken"));
    Path broken = withAutoencoder(dir.resolve("broken"));
    VideoTrainer.Result a;
    try (TextEmbeddings text = fakeText()) {
      a = new VideoTrainer(config, unbroken, text, null).run();
      VideoTrainer.Result first = new VideoTrainer(config.withSteps(7), broken, text, null).run();
      assertThat(first.step()).isEqualTo(7);
      VideoTrainer.Result b = new VideoTrainer(config, broken, text, null).run();
      assertThat(b.step()).isEqualTo(12);
      assertThat(b.lastLoss()).isEqualTo(a.lastLoss());
    }
    assertThat(a.step()).isEqualTo(12);
    assertThat(a.autoencoderPsnr()).isGreaterThan(20);
    Map<String, Tensor> x =
        Safetensors.read(unbroken.resolve(VideoTrainer.CHECKPOINT_FILE)).tensors();
    Map<String, Tensor> y =
        Safetensors.read(broken.resolve(VideoTrainer.CHECKPOINT_FILE)).tensors();
    assertThat(y.keySet()).isEqualTo(x.keySet());
    assertThat(x.keySet())
        .anyMatch(k -> k.startsWith("ema."))
        .anyMatch(k -> k.startsWith("optimizer."));
    for (String k : x.keySet()) {
      assertThat(y.get(k).data()).as(k).containsExactly(x.get(k).data());
    }
    assertThat(Files.readAllLines(broken.resolve(VideoTrainer.LOSS_CSV)))
        .isEqualTo(Files.readAllLines(unbroken.resolve(VideoTrainer.LOSS_CSV)));
    assertThat(broken.resolve(VideoTrainer.LOSS_PNG)).exists();
    assertThat(broken.resolve(VideoTrainer.MODEL_FILE)).exists();
  }

  @Test
  void aFlowModelTrainsAndGenerates() throws Exception {
    TrainConfig config =
        TrainConfig.tiny().toBuilder().optSteps(3).optObjective("flow").optTextNorm(true).build();
    withAutoencoder(dir);
    try (TextEmbeddings text = fakeText()) {
      new VideoTrainer(config, dir, text, null).run();
      try (VideoGenerator generator = VideoGenerator.open(dir, text)) {
        assertThat(generator.objective().name()).isEqualTo("flow");
        java.util.List<dev.byhand.dit.data.Video> clips =
            generator.generate("a red circle moving left", 5, 2.0, 0.0, 1, 1, null);
        assertThat(clips.get(0).sizeString()).isEqualTo("4×16×16×3");
      }
      // The prompt standardisation is saved beside the weights and fitted on the captions.
      java.util.Map<String, dev.byhand.dit.nn.Tensor> saved =
          dev.byhand.dit.nn.Safetensors.read(dir.resolve(VideoTrainer.MODEL_FILE)).tensors();
      TextNorm norm = TextNorm.from(saved, text.dimension());
      dev.byhand.dit.data.ShapesDataset data =
          new dev.byhand.dit.data.ShapesDataset(config.frames(), config.size(), config.seed());
      float[][] captions = new float[config.clips()][];
      for (int i = 0; i < captions.length; i++) {
        captions[i] = text.embed(data.trainingClip(i).caption());
      }
      TextNorm expected = TextNorm.fit(captions);
      assertThat(norm.mean()).containsExactly(expected.mean());
      assertThat(norm.scale()).isEqualTo(expected.scale()).isNotEqualTo(1f);
    }
  }

  @Test
  void aTrainedFolderGeneratesReproducibleClipsOfTheTrainedSize() throws Exception {
    TrainConfig config = TrainConfig.tiny().withSteps(3);
    withAutoencoder(dir);
    try (TextEmbeddings text = fakeText()) {
      new VideoTrainer(config, dir, text, null).run();
      try (VideoGenerator generator = VideoGenerator.open(dir, text)) {
        assertThat(generator.objective().name()).isEqualTo("eps");
        java.util.List<dev.byhand.dit.data.Video> a =
            generator.generate("a red circle moving left", 4, 2.0, 0.0, 11, 2, null);
        java.util.List<dev.byhand.dit.data.Video> b =
            generator.generate("a red circle moving left", 4, 2.0, 0.0, 11, 2, null);
        assertThat(a).hasSize(2);
        assertThat(a.get(0).sizeString()).isEqualTo("4×16×16×3");
        assertThat(a).isEqualTo(b);
        for (float v : a.get(1).data()) {
          assertThat(v).isBetween(-1f, 1f);
        }
        assertThatThrownBy(() -> generator.generate(" ", 4, 2.0, 0.0, 1, 1, null))
            .hasMessageStartingWith("prompt:");
      }
    }
    assertThatThrownBy(() -> VideoGenerator.open(dir.resolve("nothing"), fakeText()))
        .hasMessageContaining("does not exist");
    try (TextEmbeddings text = fakeText()) {
      java.util.List<Path> files =
          Generate.run(
              dir,
              text,
              "a blue square moving up",
              dir.resolve("out/clip.gif"),
              3,
              1.5,
              2,
              2,
              new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
      assertThat(files)
          .containsExactly(
              dir.resolve("out/clip_0.gif").toAbsolutePath(),
              dir.resolve("out/clip_0_frames").toAbsolutePath(),
              dir.resolve("out/clip_1.gif").toAbsolutePath(),
              dir.resolve("out/clip_1_frames").toAbsolutePath(),
              dir.resolve("out/clip.png").toAbsolutePath());
      // The GIF is shown 4× larger; the PNG frames keep the model's size.
      assertThat(dev.byhand.dit.data.VideoIO.readGif(files.get(0)).sizeString())
          .isEqualTo("4×64×64×3");
      assertThat(dev.byhand.dit.data.VideoIO.readPngFrames(files.get(1)).sizeString())
          .isEqualTo("4×16×16×3");
      assertThat(files.get(1).resolve("frame_003.png")).exists();
      assertThatThrownBy(
              () -> Generate.run(dir, text, "x", dir.resolve("clip.mp4"), 3, 1, 1, 1, null))
          .hasMessageStartingWith("output:");
    }
  }

  @Test
  void trainsOnAFolderOfTheUsersClips() throws Exception {
    Path data = dir.resolve("clips");
    Files.createDirectories(data);
    dev.byhand.dit.data.ShapesDataset shapes = new dev.byhand.dit.data.ShapesDataset(4, 16, 3);
    StringBuilder captions = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      dev.byhand.dit.data.ShapesDataset.Clip clip = shapes.trainingClip(i);
      dev.byhand.dit.data.VideoIO.writeGif(clip.video(), data.resolve(i + ".gif"), 100);
      captions
          .append("{\"file\": \"")
          .append(i)
          .append(".gif\", \"caption\": \"")
          .append(clip.caption())
          .append("\"}\n");
    }
    Files.writeString(data.resolve("captions.jsonl"), captions);
    try (TextEmbeddings text = fakeText()) {
      VideoTrainer.Result r =
          new VideoTrainer(
                  TrainConfig.tiny().withSteps(3), withAutoencoder(dir.resolve("out")), text, null)
              .withDataFolder(data)
              .run();
      assertThat(r.step()).isEqualTo(3);
      assertThat(r.heldOutLoss()).isFinite();
    }
  }

  @Test
  void configBuilderChangesOnlyWhatItIsToldAndChecksTheResult() {
    TrainConfig base = TrainConfig.defaults();
    TrainConfig changed =
        base.toBuilder().optBatchSize(8).optLr(1e-3).optSchedule("cosine").build();
    assertThat(changed.batchSize()).isEqualTo(8);
    assertThat(changed.lr()).isEqualTo(1e-3);
    assertThat(changed.schedule()).isEqualTo("cosine");
    assertThat(
            changed.toBuilder()
                .optBatchSize(base.batchSize())
                .optLr(base.lr())
                .optSchedule(base.schedule())
                .build())
        .isEqualTo(base);
    assertThatThrownBy(() -> base.toBuilder().optBatchSize(0).build())
        .hasMessageStartingWith("batchSize:");
    assertThatThrownBy(() -> base.toBuilder().optSchedule("quadratic").build())
        .hasMessageStartingWith("schedule:");
    assertThat(base.learningRate(0)).isEqualTo(base.lr() / base.warmupSteps());
    assertThat(base.learningRate(base.warmupSteps())).isEqualTo(base.lr());
    TrainConfig cooled = base.toBuilder().optSteps(1000).optCooldownSteps(200).build();
    assertThat(cooled.learningRate(799)).isEqualTo(cooled.lr());
    assertThat(cooled.learningRate(800)).isEqualTo(cooled.lr());
    assertThat(cooled.learningRate(900)).isCloseTo(cooled.lr() / 2, within(1e-12));
    assertThat(cooled.learningRate(999)).isCloseTo(cooled.lr() / 200, within(1e-12));
    assertThatThrownBy(() -> base.toBuilder().optCooldownSteps(-1).build())
        .hasMessageStartingWith("cooldownSteps:");
  }

  @Test
  void aCheckpointOfAnotherShapeIsRefused() throws Exception {
    TrainConfig config = TrainConfig.tiny().withSteps(2);
    withAutoencoder(dir);
    try (TextEmbeddings text = fakeText()) {
      new VideoTrainer(config, dir, text, null).run();
      TextEmbeddings wider = new TextEmbeddings(c -> new float[32], 32, null);
      assertThatThrownBy(() -> new VideoTrainer(config.withSteps(4), dir, wider, null).run())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("another output folder");
    }
  }
}
