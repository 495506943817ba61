package dev.byhand.dit;

/**
 * The files of a model folder that sampling reads: what {@code video train} writes and {@code video
 * generate} and {@code video eval} open. Training adds its own files beside them (checkpoint, loss
 * curve; see the training package's {@code VideoTrainer}).
 */
public final class ModelFiles {
  /** The frozen autoencoder: weights, latent normalisation and config. */
  public static final String AUTOENCODER_FILE = "autoencoder.safetensors";

  /** The DiT's EMA weights for sampling, its config and the prompt standardisation. */
  public static final String MODEL_FILE = "dit-ema.safetensors";

  private ModelFiles() {}
}
