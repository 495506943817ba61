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
 * @param residentBytes the process's resident memory (Linux), or -1 where unknown
 */
public record Progress(
    String phase,
    long step,
    long total,
    double loss,
    double stepsPerSecond,
    double etaSeconds,
    long residentBytes) {

  /** A report with the process's current resident memory. */
  public static Progress now(
      String phase, long step, long total, double loss, double stepsPerSecond, double etaSeconds) {
    return new Progress(
        phase, step, total, loss, stepsPerSecond, etaSeconds, currentResidentBytes());
  }

  /** Resident memory of this process from {@code /proc/self/statm}, or -1 off Linux. */
  public static long currentResidentBytes() {
    try {
      String[] fields =
          java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/statm"))
              .trim()
              .split("\\s+");
      return Long.parseLong(fields[1]) * 4096; // pages of 4 KiB on x86-64 Linux
    } catch (java.io.IOException | RuntimeException e) {
      return -1;
    }
  }

  /** "dit step 120/2000 loss 0.2345 3.4 steps/s ETA 9m12s" (no loss when it is unknown). */
  public String line() {
    long eta = Math.round(etaSeconds);
    String etaText =
        eta >= 3600
            ? String.format(Locale.ROOT, "%dh%02dm", eta / 3600, eta / 60 % 60)
            : String.format(Locale.ROOT, "%dm%02ds", eta / 60, eta % 60);
    String lossText = Double.isNaN(loss) ? "" : String.format(Locale.ROOT, "  loss %.4f", loss);
    String memory =
        residentBytes < 0 ? "" : String.format(Locale.ROOT, "  rss %.0f MB", residentBytes / 1e6);
    return String.format(
        Locale.ROOT,
        "%-11s step %d/%d%s  %.1f steps/s  ETA %s%s",
        phase,
        step,
        total,
        lossText,
        stepsPerSecond,
        etaText,
        memory);
  }
}
