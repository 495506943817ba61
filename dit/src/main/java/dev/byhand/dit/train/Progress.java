package dev.byhand.dit.train;

import java.util.Locale;

/**
 * One progress report of a training phase.
 *
 * @param phase {@code autoencoder} or {@code dit}
 * @param step steps done
 * @param total steps in the phase
 * @param loss latest loss (NaN if not known)
 * @param stepsPerSecond recent speed
 * @param etaSeconds estimated seconds left in the phase
 */
public record Progress(
    String phase, long step, long total, double loss, double stepsPerSecond, double etaSeconds) {

  /** "dit  step 120/2000  loss 0.2345  3.4 steps/s  ETA 9m12s". */
  public String line() {
    long eta = Math.round(etaSeconds);
    String etaText =
        eta >= 3600
            ? String.format(Locale.ROOT, "%dh%02dm", eta / 3600, eta / 60 % 60)
            : String.format(Locale.ROOT, "%dm%02ds", eta / 60, eta % 60);
    return String.format(
        Locale.ROOT,
        "%-11s step %d/%d  loss %.4f  %.1f steps/s  ETA %s",
        phase, step, total, loss, stepsPerSecond, etaText);
  }
}
