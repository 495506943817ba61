package dev.byhand.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar on standard error: done/total, rate and time left. On a terminal it
 * redraws in place; otherwise it prints a line at most every few seconds so that logs stay short.
 */
final class Progress {

  /** Why 5 s: often enough to show life in a log, rarely enough not to flood it. */
  private static final long LOG_INTERVAL_NANOS = 5_000_000_000L;

  /** Why 100 ms: smooth enough for a person, cheap enough never to show in a profile. */
  private static final long TTY_INTERVAL_NANOS = 100_000_000L;

  private final PrintWriter err;
  private final String label;
  private final String unit;
  private final long total;
  private final boolean tty = System.console() != null;
  private final long start = System.nanoTime();
  private long lastDraw;

  Progress(PrintWriter err, String label, String unit, long total) {
    this.err = err;
    this.label = label;
    this.unit = unit;
    this.total = total;
  }

  /** Reports that {@code done} of {@code total} units are finished. */
  void update(long done) {
    long now = System.nanoTime();
    boolean last = done >= total;
    if (!last && now - lastDraw < (tty ? TTY_INTERVAL_NANOS : LOG_INTERVAL_NANOS)) {
      return;
    }
    lastDraw = now;
    double seconds = (now - start) / 1e9;
    double rate = seconds > 0 ? done / seconds : 0;
    String eta =
        rate > 0 && !last
            ? String.format(Locale.ROOT, ", %s left", duration((total - done) / rate))
            : "";
    int width = 24;
    int filled = total == 0 ? width : (int) (width * done / total);
    String line =
        String.format(
            Locale.ROOT,
            "%s [%s%s] %d/%d %s, %.0f %s/s%s",
            label,
            "#".repeat(filled),
            ".".repeat(width - filled),
            done,
            total,
            unit,
            rate,
            unit,
            eta);
    if (tty) {
      err.print("\r" + line + (last ? "\n" : ""));
    } else {
      err.println(line);
    }
    err.flush();
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600
        ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60)
        : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
  }
}
