package dev.byhand.store;

/** When a write is acknowledged relative to its write-ahead-log record reaching the disk. */
public enum Durability {
  /**
   * Acknowledge only after the record is fsynced (the default). Concurrent writers share one fsync
   * (group commit), so throughput grows with the number of writers.
   */
  FSYNC,
  /**
   * Acknowledge once the record is written to the operating system; fsync in the background every
   * {@code syncIntervalMillis}. A process crash loses nothing; a machine crash or power loss can
   * lose the writes of the last interval.
   */
  INTERVAL
}
