package dev.byhand.server;

import dev.byhand.store.Filter;
import java.util.function.LongSupplier;

/**
 * When a request must be answered by: its arrival plus {@link ServerConfig#requestTimeoutMillis}.
 * Checked when it leaves the queue and, through {@link Filter#withDeadline}, while a filter scans
 * points; past it the answer is 503 and nothing was changed.
 *
 * @param atNanos the deadline, on {@code clock}
 * @param millis the timeout it was set with, for messages
 * @param clock {@link System#nanoTime}, or a test's clock
 */
record Deadline(long atNanos, long millis, LongSupplier clock) {

  /** A deadline {@code millis} from now. */
  static Deadline in(long millis, LongSupplier clock) {
    return new Deadline(clock.getAsLong() + millis * 1_000_000L, millis, clock);
  }

  boolean passed() {
    return clock.getAsLong() - atNanos > 0;
  }

  /** {@code filter} stopped at this deadline; null stays null (nothing to scan). */
  Filter bound(Filter filter) {
    return filter == null ? null : Filter.withDeadline(filter, atNanos, clock);
  }

  /** The answer for a request that waited past its deadline for a core. */
  ApiError waitedTooLong() {
    return new ApiError(
        503,
        "timeout",
        null,
        "the request waited past its deadline of "
            + millis
            + " ms for a free core (the server is busy); retry later");
  }

  /** The answer for a request whose filter was still scanning points at its deadline. */
  ApiError ranTooLong() {
    return new ApiError(
        503,
        "timeout",
        "filter",
        "the request ran past its deadline of "
            + millis
            + " ms while testing points against the filter; nothing was changed. Index the keys"
            + " it tests (PUT /collections/{name}/index), narrow it, or ask for fewer points");
  }
}
