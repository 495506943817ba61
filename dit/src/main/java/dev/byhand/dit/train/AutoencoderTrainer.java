package dev.byhand.dit.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.byhand.dit.Autoencoder;
import dev.byhand.dit.Trace;
import dev.byhand.dit.data.Patchify;
import dev.byhand.dit.data.Rng;
import dev.byhand.dit.data.Video;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Trains an {@link Autoencoder} on random patches of clips with MSE on pixels, then fits its latent
 * normalisation on the clips' latents and freezes it: the first phase of {@code video train}.
 */
public final class AutoencoderTrainer {
  private AutoencoderTrainer() {}

  /**
   * Trains {@code autoencoder} in place.
   *
   * @param steps optimiser steps
   * @param batch patches per step
   * @param lr peak learning rate (cosine decay to a tenth)
   * @param progress called with the step number after each step (may be null)
   * @return the loss of the last step
   * @throws IllegalArgumentException for no clips, negative steps or an empty batch
   */
  public static double train(
      Autoencoder autoencoder,
      List<Video> clips,
      int steps,
      int batch,
      double lr,
      Rng rng,
      IntConsumer progress) {
    if (clips.isEmpty()) {
      throw new IllegalArgumentException("clips: need at least one clip");
    }
    if (steps < 0 || batch < 1) {
      throw new IllegalArgumentException(
          "steps/batch: need steps ≥ 0 and batch ≥ 1, got " + steps + ", " + batch);
    }
    var config = autoencoder.config();
    Patchify patchify = new Patchify(config.patchT(), config.patchH(), config.patchW());
    int p = config.patchDim();
    List<float[]> patchSets = new ArrayList<>();
    for (Video v : clips) {
      if (v.channels() != config.channels()) {
        throw new IllegalArgumentException(
            "video: " + v.channels() + " channels, the autoencoder takes " + config.channels());
      }
      patchSets.add(patchify.patchify(v));
    }
    double last = Double.NaN;
    try (AdamW optimizer = new AdamW(autoencoder.parameters(), 0.9, 0.999, 1e-8, 0.0)) {
      float[] input = new float[batch * p];
      for (int s = 0; s < steps; s++) {
        for (int b = 0; b < batch; b++) {
          float[] set = patchSets.get(rng.nextInt(patchSets.size()));
          int which = rng.nextInt(set.length / p);
          System.arraycopy(set, which * p, input, b * p, p);
        }
        // Cosine decay to 10% of lr: reconstruction keeps improving late in training.
        double rate = lr * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * s / Math.max(1, steps))));
        try (NDManager stepManager = autoencoder.parameters().manager().newSubManager();
            NDScope scope = new NDScope()) {
          scope.suppressNotUsedWarning();
          NDArray x = stepManager.create(input, new Shape(batch, p));
          try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray reconstruction =
                autoencoder.decode(autoencoder.encode(x, Trace.NONE), Trace.NONE);
            NDArray loss = reconstruction.sub(x).square().mean();
            collector.backward(loss);
            last = loss.getFloat();
          }
          optimizer.step(rate, 1.0);
        }
        if (progress != null) {
          progress.accept(s + 1);
        }
      }
    }
    fitLatentScale(autoencoder, clips);
    autoencoder.parameters().freeze();
    return last;
  }

  /** Sets the per-channel mean and standard deviation of the raw latents of {@code clips}. */
  public static void fitLatentScale(Autoencoder autoencoder, List<Video> clips) {
    int c = autoencoder.config().latentChannels();
    float[] mean = new float[c];
    float[] std = new float[c];
    Arrays.fill(std, 1f);
    autoencoder.setLatentScale(mean, std); // identity: encodeVideos then gives raw latents
    double[] sum = new double[c];
    double[] sumSq = new double[c];
    long n = 0;
    for (float[] z : autoencoder.encodeVideos(clips)) {
      for (int i = 0; i < z.length; i++) {
        sum[i % c] += z[i];
        sumSq[i % c] += (double) z[i] * z[i];
      }
      n += z.length / c;
    }
    for (int k = 0; k < c; k++) {
      double m = sum[k] / n;
      double var = Math.max(sumSq[k] / n - m * m, 0);
      mean[k] = (float) m;
      // A channel the encoder never uses (all ReLU-dead) keeps scale 1 instead of dividing by 0.
      std[k] = var > 1e-12 ? (float) Math.sqrt(var) : 1f;
    }
    autoencoder.setLatentScale(mean, std);
  }
}
