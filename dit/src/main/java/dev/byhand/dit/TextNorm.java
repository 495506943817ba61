package dev.byhand.dit;

import dev.byhand.dit.nn.Tensor;
import java.util.Map;

/**
 * Standardises the prompt embedding before the DiT projects it: subtract the mean embedding of the
 * training captions and multiply by one scale that gives the centred values unit root-mean-square.
 *
 * <p>Why: all-MiniLM-L6-v2 vectors are unit length and the captions of one data set are close to
 * each other ("a red circle moving left" and "… moving right" have cosine 0.965), so what tells the
 * prompts apart is a difference of norm 0.2–0.7 spread over 384 numbers of about 0.05 each. A
 * linear projection trained with Adam moves each weight by about the learning rate per step,
 * whatever the input's size, so such small inputs make the text the slowest thing the model learns
 * (the direction of motion, the smallest difference, was learned last). Centring removes the part
 * every caption shares and the scale brings the rest to order 1. It is an affine map, so the model
 * could represent it itself; what changes is how fast training finds it.
 *
 * <p>The two statistics are fixed from the training captions before training and saved beside the
 * weights ({@value #MEAN}, {@value #SCALE}), so sampling applies exactly the same map.
 */
public record TextNorm(float[] mean, float scale) {
  /** Tensor name of the mean embedding in a model file. */
  public static final String MEAN = "text_norm.mean";

  /** Tensor name of the scale (one number) in a model file. */
  public static final String SCALE = "text_norm.scale";

  /** No change: models trained before this existed. */
  public static TextNorm identity(int dimension) {
    return new TextNorm(new float[dimension], 1f);
  }

  /**
   * Fits the mean and the scale on the training clips' caption embeddings (each clip counts once).
   *
   * @throws IllegalArgumentException if there are no embeddings or they differ in length
   */
  public static TextNorm fit(float[][] embeddings) {
    if (embeddings.length == 0) {
      throw new IllegalArgumentException("embeddings: need at least one");
    }
    int d = embeddings[0].length;
    double[] sum = new double[d];
    for (float[] e : embeddings) {
      if (e.length != d) {
        throw new IllegalArgumentException("embeddings: lengths differ, " + e.length + " and " + d);
      }
      for (int i = 0; i < d; i++) {
        sum[i] += e[i];
      }
    }
    float[] mean = new float[d];
    for (int i = 0; i < d; i++) {
      mean[i] = (float) (sum[i] / embeddings.length);
    }
    double squares = 0;
    for (float[] e : embeddings) {
      for (int i = 0; i < d; i++) {
        double c = e[i] - mean[i];
        squares += c * c;
      }
    }
    double rms = Math.sqrt(squares / ((double) embeddings.length * d));
    // All captions the same (one caption, or none differing): only centre.
    float scale = rms > 1e-8 ? (float) (1 / rms) : 1f;
    return new TextNorm(mean, scale);
  }

  /** Reads the statistics from a model file's tensors, or the identity if it has none. */
  public static TextNorm from(Map<String, Tensor> tensors, int dimension) {
    Tensor mean = tensors.get(MEAN);
    Tensor scale = tensors.get(SCALE);
    if (mean == null && scale == null) {
      return identity(dimension);
    }
    if (mean == null
        || scale == null
        || mean.data().length != dimension
        || scale.data().length != 1) {
      throw new IllegalArgumentException(
          "weights: "
              + MEAN
              + " must hold "
              + dimension
              + " numbers and "
              + SCALE
              + " one, beside each other");
    }
    return new TextNorm(mean.data().clone(), scale.data()[0]);
  }

  /** The statistics as tensors, to save beside the weights. */
  public Map<String, Tensor> tensors() {
    return Map.of(
        MEAN, new Tensor(new long[] {mean.length}, mean.clone()),
        SCALE, new Tensor(new long[] {1}, new float[] {scale}));
  }

  /** The standardised copy of {@code embedding}. */
  public float[] apply(float[] embedding) {
    if (embedding.length != mean.length) {
      throw new IllegalArgumentException(
          "embedding: " + embedding.length + " numbers, the norm has " + mean.length);
    }
    float[] out = new float[embedding.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (embedding[i] - mean[i]) * scale;
    }
    return out;
  }
}
