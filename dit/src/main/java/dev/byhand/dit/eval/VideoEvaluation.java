package dev.byhand.dit.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.byhand.dit.Autoencoder;
import dev.byhand.dit.DiT;
import dev.byhand.dit.DiTConfig;
import dev.byhand.dit.TextCondition;
import dev.byhand.dit.VideoGenerator;
import dev.byhand.dit.data.Rng;
import dev.byhand.dit.data.ShapesDataset;
import dev.byhand.dit.data.ShapesDataset.Combination;
import dev.byhand.dit.data.Video;
import dev.byhand.dit.diffusion.Objective;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Scores a trained model (issue 7's {@code video eval}): for each combination, generate clips from
 * its plain caption, read them with {@link Detectors}, and report accuracy per attribute and for
 * all three at once, separately for training and held-out combinations; then the parts that bound
 * those scores: the autoencoder (PSNR, and the detectors' reading of its round trips of true clips,
 * the ceiling any DiT on it can reach) and the DiT's denoising loss on held-out combinations.
 */
public final class VideoEvaluation {

  /**
   * Accuracy over a set of clips, each a fraction in [0, 1], and the shapes misread, as counts of
   * "asked→read" (e.g. {@code square→circle}; {@code none} when no object was found).
   */
  public record Scores(
      int clips,
      double colour,
      double shape,
      double direction,
      double consistent,
      double colourAndDirection,
      double allThree,
      Map<String, Integer> shapeMisses) {
    /** One line: "training 336 clips colour 0.95 shape ...". */
    public String line(String label) {
      return String.format(
          Locale.ROOT,
          "%-10s %4d clips  colour %.3f  shape %.3f  direction %.3f  consistent %.3f"
              + "  colour+direction %.3f  all three %.3f",
          label,
          clips,
          colour,
          shape,
          direction,
          consistent,
          colourAndDirection,
          allThree);
    }

    /** The shape misses in one line, most frequent first: "square→circle 40, …" or "none". */
    public String misses() {
      if (shapeMisses.isEmpty()) {
        return "none";
      }
      return shapeMisses.entrySet().stream()
          .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
          .map(e -> e.getKey() + " " + e.getValue())
          .collect(Collectors.joining(", "));
    }
  }

  /**
   * Scores on training and on held-out combinations, and what bounds them.
   *
   * @param autoencoderPsnr mean reconstruction PSNR (dB) of true held-out clips
   * @param roundTrip the detectors on autoencoder round trips of true clips of every combination
   * @param heldOutLoss the DiT's denoising loss on true held-out clips, t spread evenly over the
   *     schedule, fixed noise (as {@code video train} reports it at its end, on its own clips)
   */
  public record Report(
      Scores training,
      Scores heldOut,
      Scores paraphrase,
      double autoencoderPsnr,
      Scores roundTrip,
      double heldOutLoss) {
    /**
     * Lines for training phrasings, held-out combinations, the paraphrase set, the autoencoder's
     * round trip, the misread shapes and the losses.
     */
    public String table() {
      return training.line("training")
          + "\n"
          + heldOut.line("held-out")
          + "\n"
          + paraphrase.line("paraphrase")
          + "\n"
          + roundTrip.line("ae-ceil")
          + "\nshapes misread (asked→read): training "
          + training.misses()
          + "; held-out "
          + heldOut.misses()
          + "; paraphrase "
          + paraphrase.misses()
          + String.format(
              Locale.ROOT,
              "%nautoencoder PSNR %.1f dB on %d true held-out clips; held-out denoising loss %.4f",
              autoencoderPsnr,
              HELD_OUT_CLIPS,
              heldOutLoss);
    }
  }

  /** True held-out clips for the PSNR and the denoising loss (as many as training uses). */
  public static final int HELD_OUT_CLIPS = 24;

  /** True clips per combination for the autoencoder's round-trip ceiling. */
  private static final int ROUND_TRIP_CLIPS = 4;

  private VideoEvaluation() {}

  /**
   * Evaluates a model.
   *
   * @param clipsPerPrompt clips generated per combination (one batch)
   * @param clipsPerParaphrase clips generated per prompt of the paraphrase set ({@link
   *     Paraphrases}); 0 skips it
   * @param steps DDIM steps
   * @param guidance classifier-free guidance scale
   * @param progress receives each finished combination's caption (may be null)
   */
  public static Report run(
      VideoGenerator generator,
      int clipsPerPrompt,
      int clipsPerParaphrase,
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
    Scores paraphrase =
        scoreParaphrases(generator, clipsPerParaphrase, steps, guidance, seed + 2, progress);
    Autoencoder autoencoder = generator.autoencoder();
    List<Video> trueHeldOut = new ArrayList<>();
    List<TextCondition> embeddings = new ArrayList<>();
    for (int i = 0; i < HELD_OUT_CLIPS; i++) {
      ShapesDataset.Clip clip = reference.heldOutClip(i);
      trueHeldOut.add(clip.video());
      embeddings.add(generator.embed(clip.caption()));
    }
    List<Video> roundTrips = new ArrayList<>();
    List<Combination> labels = new ArrayList<>();
    Rng rng = new Rng(seed);
    List<Combination> every = new ArrayList<>(reference.trainingCombinations());
    every.addAll(ShapesDataset.HELD_OUT);
    for (Combination c : every) {
      for (int i = 0; i < ROUND_TRIP_CLIPS; i++) {
        roundTrips.add(autoencoder.reconstruct(reference.render(c, rng).video()));
        labels.add(c);
      }
    }
    double loss =
        denoisingLoss(
            generator.model(),
            generator.objective(),
            autoencoder.encodeVideos(trueHeldOut),
            embeddings);
    return new Report(
        training,
        heldOut,
        paraphrase,
        autoencoder.psnr(trueHeldOut),
        score(roundTrips, labels),
        loss);
  }

  /**
   * Mean denoising loss of {@code model} on clean latents at fixed levels and noise: clip i gets
   * level {@code (i + ½)·T/n}, spreading the clips evenly over the schedule, and the noise comes
   * from a fixed seed, so two models (or two steps of one run) are compared on the same draws.
   *
   * @param embeddings the clips' caption embeddings, already as the model takes them (normalised)
   */
  public static double denoisingLoss(
      DiT model, Objective objective, List<float[]> latents, List<TextCondition> embeddings) {
    if (latents.size() != embeddings.size() || latents.isEmpty()) {
      throw new IllegalArgumentException(
          "latents/embeddings: need as many (≥ 1), got "
              + latents.size()
              + "/"
              + embeddings.size());
    }
    DiTConfig c = model.config();
    Rng rng = new Rng(12345);
    int n = latents.size();
    int size = latents.get(0).length;
    float[] x0 = new float[n * size];
    float[] eps = new float[n * size];
    float[] textBatch = new float[n * c.textDim()];
    int[] t = new int[n];
    int width = 0;
    for (int i = 0; i < n; i++) {
      width = Math.max(width, embeddings.get(i).count());
      System.arraycopy(latents.get(i), 0, x0, i * size, size);
      System.arraycopy(embeddings.get(i).pooled(), 0, textBatch, i * c.textDim(), c.textDim());
      t[i] = (int) ((i + 0.5) * objective.steps() / n);
    }
    rng.fillGaussian(eps);
    Shape shape = new Shape(n, c.frames(), c.height(), c.width(), c.inChannels());
    try (NDManager scratch = model.parameters().manager().newSubManager();
        NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      NDArray clean = scratch.create(x0, shape);
      NDArray noise = scratch.create(eps, shape);
      NDArray xt = objective.noised(clean, t, noise);
      NDArray tokens = null;
      NDArray mask = null;
      if (c.textTokens() > 0) {
        float[] tokenValues = new float[n * width * c.textDim()];
        float[] maskValues = new float[n * width];
        TextCondition.pack(embeddings, width, c.textDim(), tokenValues, maskValues);
        tokens = scratch.create(tokenValues, new Shape(n, width, c.textDim()));
        mask = scratch.create(maskValues, new Shape(n, width));
      }
      NDArray predicted =
          model.forward(
              xt, t, scratch.create(textBatch, new Shape(n, c.textDim())), tokens, mask, null);
      return objective.loss(predicted, objective.target(clean, noise)).getFloat();
    }
  }

  /** Scores the detectors' reading of {@code clips} against what each should show. */
  public static Scores score(List<Video> clips, List<Combination> expected) {
    if (clips.size() != expected.size()) {
      throw new IllegalArgumentException(
          "clips/expected: " + clips.size() + " clips but " + expected.size() + " labels");
    }
    int[] right = new int[6];
    Map<String, Integer> misses = new TreeMap<>();
    for (int i = 0; i < clips.size(); i++) {
      Detectors.Detection d = Detectors.detect(clips.get(i));
      Combination want = expected.get(i);
      boolean colour = d.colour() == want.colour();
      boolean shape = d.shape() == want.shape();
      if (!shape) {
        String read = d.shape() == null ? "none" : d.shape().word();
        misses.merge(want.shape().word() + "→" + read, 1, Integer::sum);
      }
      boolean direction = d.direction() == want.direction();
      right[0] += colour ? 1 : 0;
      right[1] += shape ? 1 : 0;
      right[2] += direction ? 1 : 0;
      right[3] += d.consistent() ? 1 : 0;
      right[4] += colour && direction ? 1 : 0;
      right[5] += colour && shape && direction ? 1 : 0;
    }
    double n = Math.max(1, clips.size());
    return new Scores(
        clips.size(),
        right[0] / n,
        right[1] / n,
        right[2] / n,
        right[3] / n,
        right[4] / n,
        right[5] / n,
        Map.copyOf(misses));
  }

  private static Scores score(
      VideoGenerator generator,
      List<Combination> combinations,
      int clipsPerPrompt,
      int steps,
      double guidance,
      long seed,
      Consumer<String> progress) {
    List<Video> clips = new ArrayList<>();
    List<Combination> labels = new ArrayList<>();
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

  private static Scores scoreParaphrases(
      VideoGenerator generator,
      int clipsPerPrompt,
      int steps,
      double guidance,
      long seed,
      Consumer<String> progress) {
    List<Video> clips = new ArrayList<>();
    List<Combination> labels = new ArrayList<>();
    if (clipsPerPrompt > 0) {
      long s = seed * 1000;
      for (Paraphrases.Prompt p : Paraphrases.all()) {
        List<Video> videos =
            generator.generate(p.text(), steps, guidance, 0.0, s++, clipsPerPrompt, null);
        clips.addAll(videos);
        for (int i = 0; i < videos.size(); i++) {
          labels.add(p.combination());
        }
        if (progress != null) {
          progress.accept(p.text());
        }
      }
    }
    return score(clips, labels);
  }
}
