package dev.byhand.cli;

import dev.byhand.dit.explain.SeedWalkthrough;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code byhand explain video}: the seed's "SORA by Hand", steps [1]–[14] for "sora is sky" at t =
 * 3, run through the same autoencoder, DiT, diffusion and training-step classes that {@code byhand
 * video train} uses, with the seed's tiny sizes.
 */
@Command(
    name = "video",
    mixinStandardHelpOptions = true,
    description = {
      "Run \"sora is sky\" at t = 3 through the DiT at the seed's sizes and print every matrix:",
      "patches, latents, noise, adaLN scale/shift, attention, predicted noise, one training step's",
      "loss and gradients (none for the frozen encoder and decoder), denoising and decoding."
    })
final class ExplainVideoCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    SeedWalkthrough.print(VideoCommand.stdout(spec));
    return Main.OK;
  }
}
