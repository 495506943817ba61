package dev.byhand.dit.diffusion;

import ai.djl.ndarray.NDArray;

/**
 * What a sampler needs of a model: the predicted noise {@code eps} in {@code x_t} at steps {@code
 * t}. Keeps this package free of the model (guidance, text and weights live behind it).
 */
@FunctionalInterface
public interface NoisePredictor {
  /** Predicted noise, the shape of {@code xt}. */
  NDArray predict(NDArray xt, int[] t);
}
