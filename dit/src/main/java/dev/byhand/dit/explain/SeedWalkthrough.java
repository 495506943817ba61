package dev.byhand.dit.explain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.byhand.dit.Autoencoder;
import dev.byhand.dit.AutoencoderConfig;
import dev.byhand.dit.DiT;
import dev.byhand.dit.DiTConfig;
import dev.byhand.dit.data.Patchify;
import dev.byhand.dit.data.Rng;
import dev.byhand.dit.data.Video;
import dev.byhand.dit.diffusion.GaussianDiffusion;
import dev.byhand.dit.diffusion.NoiseSchedule;
import dev.byhand.dit.train.AdamW;
import dev.byhand.dit.train.TrainingStep;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The seed's "SORA by Hand" walkthrough, steps [1]–[14], for the prompt "sora is sky" at t = 3,
 * computed by the same classes that train the real model ({@link Autoencoder} with {@link
 * AutoencoderConfig#seed()}, {@link DiT} with {@link DiTConfig#seed()}, {@link GaussianDiffusion},
 * {@link TrainingStep}, {@link AdamW}), with hand-picked small weights so the numbers can be
 * checked on paper.
 */
public final class SeedWalkthrough {

  /** One step of the walkthrough. */
  public record Step(String number, String title, String note, List<Matrix> matrices) {
    /** The step as text. */
    public String format() {
      StringBuilder b =
          new StringBuilder("[").append(number).append("] ").append(title).append('\n');
      if (!note.isEmpty()) {
        b.append("    ").append(note.replace("\n", "\n    ")).append('\n');
      }
      for (Matrix m : matrices) {
        b.append(m.format());
      }
      return b.toString();
    }

    /** A matrix of this step by name. */
    public Matrix matrix(String name) {
      return matrices.stream()
          .filter(m -> m.name().equals(name))
          .findFirst()
          .orElseThrow(
              () -> new IllegalArgumentException("name: no matrix " + name + " in step " + number));
    }
  }

  /** The prompt. */
  public static final String PROMPT = "sora is sky";

  /** The seed's text embedding of the prompt, given (not computed by an encoder). */
  public static final float[] TEXT_EMBEDDING = {0, 1, -1};

  /** The diffusion step. */
  public static final int T = 3;

  /** Four steps of noise, so that t fits in 2 bits; ᾱ_3 = 0.9·0.8·0.7·0.6 ≈ 0.30. */
  public static final double[] BETAS = {0.1, 0.2, 0.3, 0.4};

  /** Learning rate of the one AdamW step in [11]. */
  public static final double LR = 0.01;

  private SeedWalkthrough() {}

  /** The clip: 4 frames of 2×2 grey pixels, one spacetime patch per frame. */
  public static Video video() {
    float[] pixels = {
      1, 0, 1, 0, // frame 0
      0, 1, 0, 1, // frame 1
      1, 1, 0, 0, // frame 2
      1, 1, 1, 0 // frame 3
    };
    return new Video(4, 2, 2, 1, pixels);
  }

  /** Runs the walkthrough and returns every step with its matrices. */
  public static List<Step> run() {
    List<Step> steps = new ArrayList<>();
    Video video = video();
    AutoencoderConfig aeConfig = AutoencoderConfig.seed();
    DiTConfig config = DiTConfig.seed();
    Patchify patchify = new Patchify(aeConfig.patchT(), aeConfig.patchH(), aeConfig.patchW());
    GaussianDiffusion diffusion = new GaussianDiffusion(new NoiseSchedule(BETAS));
    try (NDManager manager = NDManager.newBaseManager();
        NDScope scope = new NDScope();
        Autoencoder autoencoder = new Autoencoder(aeConfig, manager);
        DiT model = new DiT(config, manager)) {
      scope.suppressNotUsedWarning();
      setSeedWeights(autoencoder, model);
      autoencoder.parameters().freeze();

      steps.add(
          new Step(
              "1",
              "Given",
              "video: 4 frames of 2×2 pixels (one row per frame); prompt: \""
                  + PROMPT
                  + "\"; t = "
                  + T,
              List.of(Matrix.of("video", 4, 4, video.data()))));

      float[] patchValues = patchify.patchify(video);
      steps.add(
          new Step(
              "2",
              "Video → patches",
              "4 spacetime patches of 2×2×1 pixels, one row each",
              List.of(Matrix.of("patches", 4, 4, patchValues))));

      Map<String, Matrix> encoderTrace = new LinkedHashMap<>();
      NDArray patches = manager.create(patchValues, new Shape(4, 4));
      NDArray latent = autoencoder.encode(patches, (n, v) -> encoderTrace.put(n, Matrix.of(n, v)));
      steps.add(
          new Step(
              "3",
              "Visual encoder: pixels → latent",
              "latent = ReLU(patches · Wᵀ + b): 4 numbers → 2 per patch (frozen weights)",
              List.of(
                  Matrix.of("W", autoencoder.parameters().get("encoder.out.weight")),
                  Matrix.of("b", autoencoder.parameters().get("encoder.out.bias")),
                  encoderTrace.get("encoder.0.linear").rename("patches · Wᵀ + b"),
                  Matrix.of("latent", latent))));

      float[] epsValues = new float[8];
      Rng rng = new Rng(2024);
      for (int i = 0; i < epsValues.length; i++) {
        epsValues[i] = Math.round(rng.nextGaussian() * 10) / 10f; // one decimal, for paper
      }
      TrainingStep.Batch batch =
          new TrainingStep.Batch(
              latent.toFloatArray(), epsValues, new int[] {T}, TEXT_EMBEDDING.clone(), null);
      Map<String, Matrix> trace = new LinkedHashMap<>();
      Map<String, Matrix> gradients = new LinkedHashMap<>();
      Map<String, Matrix> before = new LinkedHashMap<>();
      AdamW optimizer = new AdamW(model.parameters(), 0.9, 0.999, 1e-8, 0.0);
      TrainingStep.Result result =
          TrainingStep.run(
              model,
              optimizer,
              diffusion,
              batch,
              LR,
              Double.POSITIVE_INFINITY,
              params ->
                  params.forEach(
                      (name, p) -> {
                        before.put(name, Matrix.of(name, p));
                        try (NDArray g = p.getGradient()) {
                          gradients.put(name, Matrix.of("∂loss/∂" + name, g));
                        }
                      }),
              (n, v) -> trace.put(n, Matrix.of(n, v)));
      optimizer.close();

      double alphaBar = diffusion.schedule().alphaCumprod(T);
      steps.add(
          new Step(
              "4",
              "Add noise",
              String.format(
                  java.util.Locale.ROOT,
                  "x_t = sqrt(ᾱ_t)·latent + sqrt(1 - ᾱ_t)·eps with ᾱ_3 = %.4f (sqrt %.4f, %.4f).%n"
                      + "Standard convention (DDPM, DiT): t = 0 is nearly clean, t = T-1 = 3 the noisiest;"
                      + " the seed's \"larger t, smaller noise\" counts the sampling steps instead.",
                  alphaBar,
                  Math.sqrt(alphaBar),
                  Math.sqrt(1 - alphaBar)),
              List.of(
                  trace.get("eps").rename("sampled noise eps"),
                  trace.get("x_t").rename("noised latent x_t"))));

      steps.add(
          new Step(
              "5",
              "Encode conditions",
              "text embedding of \"" + PROMPT + "\" (given) and t = 3 in binary, concatenated",
              List.of(
                  Matrix.of("text", 1, 3, TEXT_EMBEDDING),
                  Matrix.of("t bits", 1, 2, DiT.timestepBits(new int[] {T}, 2)),
                  trace.get("condition").rename("condition c"))));

      steps.add(
          new Step(
              "6",
              "Estimate scale / shift",
              "[scale, shift] = c · Wᵀ + b",
              List.of(
                  before.get("blocks.0.adaLN_modulation.1.weight").rename("W"),
                  before.get("blocks.0.adaLN_modulation.1.bias").rename("b"),
                  trace.get("blocks.0.scale").rename("scale"),
                  trace.get("blocks.0.shift").rename("shift"))));

      steps.add(
          new Step(
              "7",
              "Apply scale / shift",
              "conditioned = x_t · scale + shift (per column)",
              List.of(trace.get("blocks.0.conditioned").rename("conditioned noised latent"))));

      steps.add(
          new Step(
              "8",
              "Self-attention",
              "Q = X·Wqᵀ + bq, K = X·Wkᵀ + bk; A = softmax(Q·Kᵀ / sqrt(2)) row by row; value omitted",
              List.of(
                  before.get("blocks.0.attn.qk.weight").rename("[Wq; Wk]"),
                  trace.get("blocks.0.attn.q").rename("Q"),
                  trace.get("blocks.0.attn.k").rename("K"),
                  trace.get("blocks.0.attn.weights").rename("attention A"))));

      steps.add(
          new Step(
              "9",
              "Attention pooling",
              "features = A · conditioned",
              List.of(trace.get("blocks.0.attn.pooled").rename("attention-weighted features"))));

      steps.add(
          new Step(
              "10",
              "Pointwise feed-forward",
              "predicted noise = features · Wᵀ + b, the same weights for every patch",
              List.of(
                  before.get("blocks.0.mlp.fc.weight").rename("W"),
                  before.get("blocks.0.mlp.fc.bias").rename("b"),
                  trace.get("predicted").rename("predicted noise"))));

      List<Matrix> training = new ArrayList<>();
      training.add(Matrix.of("loss = mean((predicted - eps)²)", 1, 1, (float) result.loss()));
      gradients.forEach((name, g) -> training.add(g));
      model.parameters().all().forEach((name, p) -> training.add(Matrix.of(name + " after", p)));
      steps.add(
          new Step(
              "11",
              "Train",
              "MSE loss, gradients by back-propagation, one AdamW step (lr "
                  + LR
                  + ") on every learnable"
                  + " weight.\nVisual encoder and decoder are frozen: no gradients for them.",
              training));

      NDArray xt = manager.create(trace.get("x_t").values(), new Shape(1, 4, 1, 1, 2));
      NDArray predicted = manager.create(trace.get("predicted").values(), new Shape(1, 4, 1, 1, 2));
      NDArray denoised = diffusion.predictX0(xt, new int[] {T}, predicted).reshape(4, 2);
      steps.add(
          new Step(
              "12",
              "Denoise",
              "latent ≈ (x_t - sqrt(1 - ᾱ_t)·predicted noise) / sqrt(ᾱ_t): subtract the noise, undo the"
                  + " scaling",
              List.of(Matrix.of("denoised latent", denoised))));

      Map<String, Matrix> decoderTrace = new LinkedHashMap<>();
      NDArray pixels = autoencoder.decode(denoised, (n, v) -> decoderTrace.put(n, Matrix.of(n, v)));
      steps.add(
          new Step(
              "13",
              "Visual decoder: latent → pixels",
              "pixels = ReLU(latent · Wᵀ + b) (frozen weights)",
              List.of(
                  Matrix.of("W", autoencoder.parameters().get("decoder.out.weight")),
                  Matrix.of("b", autoencoder.parameters().get("decoder.out.bias")),
                  Matrix.of("patches", pixels))));

      Video out = patchify.unpatchify(pixels.toFloatArray(), 4, 2, 2, 1);
      steps.add(
          new Step(
              "14",
              "Patches → video",
              "rearrange the patches into 4 frames of 2×2 (one row per frame)",
              List.of(Matrix.of("video", 4, 4, out.data()))));
    }
    return steps;
  }

  /** Runs the walkthrough and prints it. */
  public static void print(PrintStream out) {
    out.println(
        "SORA by hand: a diffusion transformer on one tiny video, \"" + PROMPT + "\", t = " + T);
    out.println();
    for (Step step : run()) {
      out.println(step.format());
    }
  }

  /** Prints the walkthrough: {@code java dev.byhand.dit.explain.SeedWalkthrough}. */
  public static void main(String[] args) {
    print(System.out);
  }

  /** The hand-picked weights: small integers, so every number can be checked on paper. */
  static void setSeedWeights(Autoencoder autoencoder, DiT model) {
    var ae = autoencoder.parameters();
    ae.set("encoder.out.weight", 1, 0, 1, 0, 0, 1, 0, 1);
    ae.set("encoder.out.bias", 0, 0);
    ae.set("decoder.out.weight", 1, 0, 0, 1, 1, 0, 0, 1);
    ae.set("decoder.out.bias", 0, 0, 0, 0);
    var p = model.parameters();
    // Rows 1–2 give the scale, rows 3–4 the shift; on c = [0, 1, -1, 1, 1] they make the seed's
    // scale [2, -1] and shift [-1, 5].
    p.set(
        "blocks.0.adaLN_modulation.1.weight",
        0,
        1,
        0,
        1,
        0,
        0,
        0,
        1,
        0,
        0,
        0,
        0,
        0,
        0,
        -1,
        1,
        1,
        -1,
        1,
        1);
    p.set("blocks.0.adaLN_modulation.1.bias", 0, 0, 0, 1);
    // Query and key are half of each token: small scores, so the softmax stays readable.
    p.set("blocks.0.attn.qk.weight", 0.5f, 0, 0, 0.5f, 0.5f, 0, 0, 0.5f);
    p.set("blocks.0.attn.qk.bias", 0, 0, 0, 0);
    p.set("blocks.0.mlp.fc.weight", 1, 0, 1, -1);
    p.set("blocks.0.mlp.fc.bias", 0, 1);
  }
}
