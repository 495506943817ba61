package dev.byhand.store;

import dev.byhand.vector.HnswIndex;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A collection's files over time: the log being written, the logs a segment does not cover yet, the
 * current segment, and the checkpoint that folds logs into a new segment.
 *
 * <p>A checkpoint has three phases, so that writes never wait for a graph save: (1) under the
 * collection's write lock, {@link #begin} takes the point table as of the last write and the
 * graph's size n, fsyncs the log and switches writes to a new one; (2) without the lock, the graph
 * is repaired and its first n ordinals written ({@link HnswIndex#saveFirst}: a fuzzy image that
 * {@link Recovery} mends with the point table and the logs), then the point table, then {@code
 * CURRENT} names them; (3) the logs the segment covers and the segment it replaces are deleted.
 *
 * <p>One checkpoint runs at a time: a writer that finds the log long takes the permit with {@code
 * tryAcquire} and hands it to a background thread; explicit checkpoints, snapshots and close take
 * it (always before the write lock) and run all three phases in line. A failed checkpoint leaves no
 * file of its own behind and is retried only after the log has grown by another {@link
 * #checkpointBytes} and a delay that doubles with each failure, from 1 s to 10 min, so a full disk
 * or a checkpoint that runs out of memory does not cost every write a whole graph save.
 */
final class Segments {

  /** Why 64 MiB: replaying that much takes seconds, and checkpoints stay rare during ingest. */
  static final long DEFAULT_CHECKPOINT_BYTES = 64L << 20;

  /** Longest wait before retrying a failed checkpoint. */
  static final long MAX_BACKOFF_NANOS = TimeUnit.MINUTES.toNanos(10);

  /** A checkpoint between its phases: what its segment will hold. */
  private record Pending(
      long seq, CollectionState state, int graphSize, List<SegmentFile.Row> table) {}

  /** A closed log that no segment covers yet, and the last sequence number it holds. */
  private record Retired(Path file, long lastSeq) {}

  private final Path dir;
  private final String name;
  private final Semaphore permit = new Semaphore(1);

  /** Guards {@link #retired} and the backoff; a background checkpoint ends without the lock. */
  private final Object monitor = new Object();

  private final List<Retired> retired = new ArrayList<>();
  private volatile Wal wal;
  private volatile long segmentSeq;
  private volatile long checkpointBytes = DEFAULT_CHECKPOINT_BYTES;
  private int failures;
  private long retryAt;
  private long retryBytes;

  Segments(Path dir, String name, Recovery.Result recovered) {
    this.dir = dir;
    this.name = name;
    this.wal = recovered.wal();
    this.segmentSeq = recovered.segmentSeq();
    recovered.olderLogs().forEach((file, last) -> retired.add(new Retired(file, last)));
  }

  /** The log writes are appended to (it changes at each checkpoint's first phase). */
  Wal wal() {
    return wal;
  }

  /** The last write in the current segment (0: no segment yet). */
  long segmentSeq() {
    return segmentSeq;
  }

  void checkpointBytes(long bytes) {
    this.checkpointBytes = bytes;
  }

  /** Takes the permit: no background checkpoint runs until {@link #release}. */
  void acquire() {
    permit.acquireUninterruptibly();
  }

  void release() {
    permit.release();
  }

  /** A collection's hook, called in phase 1: start a compaction if tombstones crowd the graph. */
  interface Compactor {
    void compactIfCrowded(CollectionState st);
  }

  /**
   * All three phases now; call holding the permit and the write lock. {@code compactor} is null on
   * close, where a compaction would be thrown away.
   */
  void checkpointNow(CollectionState st, Compactor compactor) throws IOException {
    Pending p = begin(st, compactor);
    if (p != null) {
      finish(p);
    }
    synchronized (monitor) {
      failures = 0;
    }
  }

  /**
   * After a write, under the write lock: starts a checkpoint in the background if the log is long,
   * none runs, and no failed one asks to wait. Never throws: the write is logged and applied
   * whatever happens here, and a failed checkpoint leaves the log valid (and longer).
   */
  void maybeCheckpoint(CollectionState st, Compactor compactor) {
    long size = wal.size();
    if (size <= checkpointBytes) {
      return;
    }
    synchronized (monitor) {
      if (failures > 0 && (size < retryBytes || System.nanoTime() - retryAt < 0)) {
        return;
      }
    }
    if (!permit.tryAcquire()) {
      return; // one is running
    }
    Pending p;
    try {
      p = begin(st, compactor);
    } catch (IOException | RuntimeException | OutOfMemoryError e) {
      permit.release();
      failed(size, e);
      return;
    }
    if (p == null) {
      permit.release();
      return;
    }
    Thread t =
        new Thread(
            () -> {
              try {
                finish(p);
                synchronized (monitor) {
                  failures = 0;
                }
              } catch (IOException | RuntimeException | OutOfMemoryError e) {
                failed(size, e);
              } finally {
                permit.release();
              }
            },
            "byhand-checkpoint-" + name);
    t.setDaemon(true);
    t.start();
  }

  /**
   * Phase 1, under the write lock: take what the segment will hold and switch writes to a new log.
   * Returns null if the segment is current.
   */
  private Pending begin(CollectionState st, Compactor compactor) throws IOException {
    long seq = wal.lastSeq();
    if (seq == segmentSeq) {
      return null;
    }
    if (compactor != null) {
      compactor.compactIfCrowded(st);
    }
    List<SegmentFile.Row> table = new ArrayList<>(st.ordinals.size());
    for (Map.Entry<String, Integer> e : st.ordinals.entrySet()) {
      table.add(new SegmentFile.Row(e.getValue(), e.getKey(), st.rows.get(e.getValue()).payload()));
    }
    Wal old = wal;
    old.sync(); // the old log must be whole on disk before CURRENT names a segment past it
    if (old.size() > Wal.HEADER_BYTES) {
      // An empty log (a recovery may reopen one a checkpoint had just started) takes the writes
      // after the segment as it is; one with records is closed and deleted once the segment is.
      wal = Wal.create(dir.resolve("wal-" + (seq + 1) + ".log"), seq + 1);
      old.close();
      synchronized (monitor) {
        retired.add(new Retired(old.file(), seq));
      }
    }
    return new Pending(seq, st, st.index.size(), table);
  }

  /**
   * Phases 2 and 3, without the write lock: write the segment and name it in CURRENT, then delete
   * what it replaces. A failure leaves no file of its own behind and the logs where they were.
   */
  private void finish(Pending p) throws IOException {
    Path hnsw = dir.resolve("segment-" + p.seq() + ".hnsw");
    Path points = dir.resolve("segment-" + p.seq() + ".points");
    try {
      p.state().index.repair();
      p.state().index.saveFirst(hnsw, p.graphSize());
      SegmentFile.write(points, p.seq(), p.table());
      Storage.writeAtomically(
          dir.resolve("CURRENT"), Long.toString(p.seq()).getBytes(StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException | Error e) {
      if (!Long.toString(p.seq()).equals(currentText())) {
        Files.deleteIfExists(hnsw);
        Files.deleteIfExists(points);
      }
      throw e;
    }
    synchronized (monitor) {
      long previous = segmentSeq;
      segmentSeq = p.seq();
      for (Iterator<Retired> it = retired.iterator(); it.hasNext(); ) {
        Retired r = it.next();
        if (r.lastSeq() <= p.seq()) {
          Files.deleteIfExists(r.file());
          it.remove();
        }
      }
      if (previous != 0 && previous != p.seq()) {
        Files.deleteIfExists(dir.resolve("segment-" + previous + ".hnsw"));
        Files.deleteIfExists(dir.resolve("segment-" + previous + ".points"));
      }
    }
  }

  private String currentText() {
    try {
      return Files.readString(dir.resolve("CURRENT"), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return null;
    }
  }

  private void failed(long size, Throwable e) {
    long delay;
    int n;
    synchronized (monitor) {
      n = ++failures;
      delay = Math.min(MAX_BACKOFF_NANOS, TimeUnit.SECONDS.toNanos(1) << Math.min(20, n - 1));
      retryAt = System.nanoTime() + delay;
      retryBytes = size + checkpointBytes;
    }
    System.getLogger("dev.byhand.store")
        .log(
            System.Logger.Level.WARNING,
            "checkpoint of '"
                + name
                + "' failed ("
                + n
                + " in a row; next try in "
                + TimeUnit.NANOSECONDS.toSeconds(delay)
                + " s); the log keeps the writes: "
                + e);
  }
}
