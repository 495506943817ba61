package dev.byhand.dit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.byhand.dit.data.Rng;
import dev.byhand.dit.data.Video;
import dev.byhand.dit.diffusion.GaussianDiffusion;
import dev.byhand.dit.diffusion.NoisePredictor;
import dev.byhand.dit.diffusion.Objective;
import dev.byhand.dit.diffusion.RectifiedFlow;
import dev.byhand.dit.diffusion.Sampler;
import dev.byhand.dit.nn.Safetensors;
import dev.byhand.dit.nn.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Text → video with a trained model folder (seed steps [12]–[14]): sample latents with DDIM or DDPM
 * and classifier-free guidance, decode them with the frozen decoder, re-assemble the frames.
 */
public final class VideoGenerator implements AutoCloseable {
  /**
   * Classifier-free guidance scale that {@code generate}, {@code eval} and the demo use unless told
   * otherwise. Chosen by measurement on the shipped model (BENCHMARKS.md, "Guidance"): shape
   * accuracy falls as the scale rises past 1.5 (0.94 of training combinations at 1.5, 0.78 at DiT's
   * 4), while colour and direction are right at every scale; 1 to 1.5 score alike.
   */
  public static final double DEFAULT_GUIDANCE = 1.5;

  private final NDManager manager;
  private final Autoencoder autoencoder;
  private final DiT model;
  private final Objective objective;
  private final TextCondition.Encoder textEncoder;
  private final int frames;
  private final int height;
  private final int width;

  private VideoGenerator(
      NDManager manager,
      Autoencoder autoencoder,
      DiT model,
      Objective objective,
      TextCondition.Encoder textEncoder) {
    this.manager = manager;
    this.textEncoder = textEncoder;
    this.autoencoder = autoencoder;
    this.model = model;
    this.objective = objective;
    DiTConfig c = model.config();
    AutoencoderConfig a = autoencoder.config();
    this.frames = c.frames() * a.patchT();
    this.height = c.height() * a.patchH();
    this.width = c.width() * a.patchW();
  }

  /**
   * Opens a folder written by {@code video train} (its {@value ModelFiles#AUTOENCODER_FILE} and
   * {@value ModelFiles#MODEL_FILE}).
   *
   * @param text the prompt encoder the model was trained with (not closed here)
   * @throws IllegalArgumentException naming a missing or foreign file
   */
  public static VideoGenerator open(Path folder, TextEmbeddings text) {
    Path aeFile = folder.resolve(ModelFiles.AUTOENCODER_FILE);
    Path modelFile = folder.resolve(ModelFiles.MODEL_FILE);
    for (Path f : List.of(aeFile, modelFile)) {
      if (!Files.isRegularFile(f)) {
        throw new IllegalArgumentException("model: " + f + " does not exist; train first");
      }
    }
    NDManager manager = NDManager.newBaseManager();
    try {
      Safetensors.Contents contents = Safetensors.read(modelFile);
      DiTConfig config = DiTConfig.fromMetadata("dit.", contents.metadata(), modelFile);
      if (config.textDim() != text.dimension()) {
        throw new IllegalArgumentException(
            "model: "
                + modelFile
                + " takes "
                + config.textDim()
                + "-number text embeddings, the"
                + " encoder gives "
                + text.dimension());
      }
      DiT model = new DiT(config, manager);
      model.parameters().load(contents.tensors(), "");
      model.parameters().freeze();
      String schedule = contents.metadata().getOrDefault("schedule", "linear");
      int steps = Integer.parseInt(contents.metadata().getOrDefault("diffusionSteps", "1000"));
      Autoencoder autoencoder = Autoencoder.load(aeFile, manager);
      return new VideoGenerator(
          manager,
          autoencoder,
          model,
          Objective.of(contents.metadata().getOrDefault("objective", "eps"), schedule, steps),
          textEncoder(contents.tensors(), config, text));
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** The prompt's norms as saved beside the weights (a model without them: no change). */
  private static TextCondition.Encoder textEncoder(
      Map<String, Tensor> tensors, DiTConfig config, TextEmbeddings text) {
    TextNorm pooled = TextNorm.from(tensors, config.textDim());
    TextNorm tokens = null;
    if (config.textTokens() > 0) {
      Map<String, Tensor> prefixed = new java.util.HashMap<>();
      tensors.forEach(
          (k, v) -> {
            if (k.startsWith(TextCondition.TOKEN_NORM)) {
              prefixed.put(k.substring(TextCondition.TOKEN_NORM.length()), v);
            }
          });
      tokens = TextNorm.from(prefixed, config.textDim());
    }
    return new TextCondition.Encoder(text, pooled, tokens, config.textTokens());
  }

  /** The model. */
  public DiT model() {
    return model;
  }

  /** The frozen autoencoder the model works in the latents of. */
  public Autoencoder autoencoder() {
    return autoencoder;
  }

  /**
   * A prompt as the model takes it: encoded (pooled, and tokens for a model with cross-attention),
   * then standardised as in training.
   */
  public TextCondition embed(String prompt) {
    return textEncoder.encode(prompt);
  }

  /** What the model was trained on: DDPM noise prediction or rectified flow. */
  public Objective objective() {
    return objective;
  }

  /**
   * The guided noise prediction for a prompt: {@code eps = eps(∅) + s·(eps(text) - eps(∅))}, both
   * halves in one batch; scale 1 is the conditional model alone (one pass).
   */
  public NoisePredictor guided(TextCondition prompt, double scale) {
    return guidance(model, prompt, scale);
  }

  /**
   * {@link #guided} for any model. The prompt's embedding goes into libtorch once per sampling run
   * (the first step makes it, in the latents' manager, and the later steps reuse it), not at every
   * step.
   */
  public static NoisePredictor guidance(DiT model, TextCondition prompt, double scale) {
    DiTConfig c = model.config();
    float[] embedding = prompt.pooled();
    return new NoisePredictor() {
      private NDArray text; // (N, textDim), or (2N, textDim) with guidance
      private NDArray tokens; // (rows, L, textDim) for a model with cross-attention
      private NDArray mask; // (rows, L)
      private boolean[] drop;
      private int[] both;

      @Override
      public NDArray predict(NDArray xt, int[] t) {
        int n = t.length;
        boolean guided = scale != 1.0;
        int rows = guided ? 2 * n : n;
        if (text == null
            || text.isReleased()
            || text.getManager() != xt.getManager()
            || text.getShape().get(0) != rows) {
          float[] texts = new float[rows * c.textDim()];
          for (int i = 0; i < rows; i++) {
            System.arraycopy(embedding, 0, texts, i * c.textDim(), c.textDim());
          }
          text = xt.getManager().create(texts, new Shape(rows, c.textDim()));
          NDScope.unregister(text); // lives as long as the latents' manager, across steps
          if (c.textTokens() > 0) {
            int width = prompt.count();
            float[] tokenValues = new float[rows * width * c.textDim()];
            float[] maskValues = new float[rows * width];
            TextCondition.pack(
                java.util.Collections.nCopies(rows, prompt),
                width,
                c.textDim(),
                tokenValues,
                maskValues);
            tokens = xt.getManager().create(tokenValues, new Shape(rows, width, c.textDim()));
            mask = xt.getManager().create(maskValues, new Shape(rows, width));
            NDScope.unregister(tokens, mask);
          }
          drop = new boolean[rows];
          for (int i = n; i < rows; i++) {
            drop[i] = true; // the second half is the unconditional pass
          }
          both = new int[rows];
        }
        if (!guided) {
          return model.forward(xt, t, text, tokens, mask, null);
        }
        NDArray pair = NDArrays.concat(new NDList(xt, xt), 0); // (2N, F, H, W, C)
        for (int i = 0; i < n; i++) {
          both[i] = t[i];
          both[n + i] = t[i];
        }
        NDList halves = model.forward(pair, both, text, tokens, mask, drop).split(2, 0);
        NDArray conditional = halves.get(0);
        NDArray unconditional = halves.get(1);
        return unconditional.add(conditional.sub(unconditional).mul(scale));
      }
    };
  }

  /**
   * Generates clips.
   *
   * @param steps DDIM steps (1..T); T with {@code eta} 1 is DDPM-like; for a rectified-flow model,
   *     Euler steps
   * @param guidance classifier-free guidance scale (1 = none)
   * @param eta DDIM's η (0 = deterministic; unused by rectified flow)
   * @param count clips, sampled in one batch
   * @param progress called with the number of steps done (may be null)
   * @throws IllegalArgumentException for an empty prompt, or count, steps or guidance out of range
   */
  public List<Video> generate(
      String prompt,
      int steps,
      double guidance,
      double eta,
      long seed,
      int count,
      IntConsumer progress) {
    if (prompt == null || prompt.isBlank()) {
      throw new IllegalArgumentException("prompt: must not be empty");
    }
    if (count < 1 || count > 64) {
      throw new IllegalArgumentException("count: must be in 1..64, got " + count);
    }
    if (!(guidance >= 0) || guidance > 100) {
      throw new IllegalArgumentException("guidance: must be in [0, 100], got " + guidance);
    }
    DiTConfig c = model.config();
    Shape shape = new Shape(count, c.frames(), c.height(), c.width(), c.inChannels());
    NoisePredictor guided = guided(embed(prompt), guidance);
    float[] latents =
        objective instanceof RectifiedFlow flow
            ? Sampler.flow(flow, guided, shape, manager, new Rng(seed), steps, progress)
            : new Sampler((GaussianDiffusion) objective)
                .ddim(guided, shape, manager, new Rng(seed), steps, eta, progress);
    int size = c.frames() * c.height() * c.width() * c.inChannels();
    List<Video> videos = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      float[] one = java.util.Arrays.copyOfRange(latents, i * size, (i + 1) * size);
      videos.add(clamp(autoencoder.decodeVideo(one, frames, height, width)));
    }
    return videos;
  }

  private static Video clamp(Video v) {
    float[] d = v.data();
    for (int i = 0; i < d.length; i++) {
      d[i] = Math.max(-1f, Math.min(1f, d[i]));
    }
    return v;
  }

  /** Metadata of the model file, for display. */
  public static Map<String, String> describe(Path folder) {
    return Safetensors.read(folder.resolve(ModelFiles.MODEL_FILE)).metadata();
  }

  @Override
  public void close() {
    manager.close();
  }
}
