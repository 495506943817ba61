package dev.byhand.dit;

import java.util.List;

/**
 * The shape of the patch-wise visual {@link Autoencoder}.
 *
 * @param name preset name, stored with the weights
 * @param channels pixel channels (3 for RGB; the seed: 1)
 * @param patchT frames per pixel patch
 * @param patchH rows per pixel patch
 * @param patchW columns per pixel patch
 * @param hidden width of the hidden layers (unused when {@code hiddenLayers} is 0)
 * @param hiddenLayers hidden layers in encoder and decoder each (the seed: 0)
 * @param latentChannels latent numbers per patch (the seed: 2)
 * @param reluOnOutputs the seed's form: ReLU after the encoder's and the decoder's last layer too
 */
public record AutoencoderConfig(
    String name,
    int channels,
    int patchT,
    int patchH,
    int patchW,
    int hidden,
    int hiddenLayers,
    int latentChannels,
    boolean reluOnOutputs) {

  /** Every preset name {@link #of} knows. */
  public static final List<String> PRESETS = List.of("tiny", "small", "seed");

  /**
   * @throws IllegalArgumentException naming the field and its limit
   */
  public AutoencoderConfig {
    for (int[] v : new int[][] {{channels}, {patchT}, {patchH}, {patchW}, {latentChannels}}) {
      if (v[0] < 1) {
        throw new IllegalArgumentException(
            "channels/patch/latentChannels: must be at least 1, got " + v[0]);
      }
    }
    if (hiddenLayers < 0 || hiddenLayers > 8) {
      throw new IllegalArgumentException("hiddenLayers: must be in 0..8, got " + hiddenLayers);
    }
    if (hiddenLayers > 0 && hidden < 1) {
      throw new IllegalArgumentException("hidden: must be at least 1, got " + hidden);
    }
  }

  /** Values per pixel patch. */
  public int patchDim() {
    return patchT * patchH * patchW * channels;
  }

  /** 4×4 RGB patches (48 values) → 4 latents, one hidden layer of 64: for tests. */
  public static AutoencoderConfig tiny() {
    return new AutoencoderConfig("tiny", 3, 1, 4, 4, 64, 1, 4, false);
  }

  /** The default: 4×4 RGB patches (48 values) → 8 latents, two hidden layers of 256. */
  public static AutoencoderConfig small() {
    return new AutoencoderConfig("small", 3, 1, 4, 4, 256, 2, 8, false);
  }

  /** The seed's: a 2×2×1 grey patch (4 values) → 2 latents, one linear layer and a ReLU. */
  public static AutoencoderConfig seed() {
    return new AutoencoderConfig("seed", 1, 1, 2, 2, 0, 0, 2, true);
  }

  /**
   * A preset by name.
   *
   * @throws IllegalArgumentException listing the presets if {@code name} is not one
   */
  public static AutoencoderConfig of(String name) {
    return switch (name) {
      case "tiny" -> tiny();
      case "small", "default" -> small();
      case "seed" -> seed();
      default ->
          throw new IllegalArgumentException(
              "preset: unknown '" + name + "'; known presets: " + String.join(", ", PRESETS));
    };
  }
}
