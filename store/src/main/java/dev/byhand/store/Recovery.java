package dev.byhand.store;

import dev.byhand.vector.CorruptIndexException;
import dev.byhand.vector.HnswIndex;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Opening a collection: load the segment named by {@code CURRENT}, replay the logs after it through
 * {@link CollectionState#apply} (the code live writes run), then choose the log to append to and
 * remove files no longer needed.
 *
 * <p>What goes wrong is told apart: a file that fails its checks is a {@link
 * CorruptedFileException} naming it (restore from a snapshot); a record that decodes but cannot be
 * applied, or any other exception while applying, is a {@link RecoveryBugException} (the files may
 * be fine and the code is not); a read that fails is the {@link IOException} itself.
 */
final class Recovery {

  /** What a recovered collection starts from. */
  /**
   * What a recovered collection starts from: its state, the log to append to, the segment's
   * sequence number, and the other logs still needed (file → last sequence number), which the next
   * checkpoint deletes.
   */
  record Result(CollectionState state, Wal wal, long segmentSeq, Map<Path, Long> olderLogs) {}

  /** An exception while applying a record that decoded: a bug, not damage to a file. */
  static final class RecoveryBugException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    RecoveryBugException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private Recovery() {}

  static Result recover(
      Path dir, CollectionConfig config, PayloadIndexes definitions, Supplier<HnswIndex> newIndex)
      throws IOException {
    try (DirectoryStream<Path> tmp = Files.newDirectoryStream(dir, "*.tmp")) {
      for (Path p : tmp) {
        Files.deleteIfExists(p); // half-written atomic writes of a crashed run
      }
    }
    // 1. The segment named by CURRENT, if any.
    long segmentSeq = 0;
    CollectionState state;
    Path current = dir.resolve("CURRENT");
    if (Files.exists(current)) {
      String text = Files.readString(current, StandardCharsets.UTF_8).trim();
      try {
        segmentSeq = Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw new CorruptedFileException(current, "does not hold a segment number: '" + text + "'");
      }
      state = loadSegment(dir, config, segmentSeq, definitions);
    } else {
      state = new CollectionState(newIndex.get(), definitions);
    }
    // 2. Replay the logs after the segment, in order.
    TreeMap<Long, Path> logs = new TreeMap<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "wal-*.log")) {
      for (Path p : s) {
        logs.put(Wal.firstSeq(p), p);
      }
    }
    long[] last = {segmentSeq};
    Path lastLog = null;
    long lastLogEnd = 0;
    Map<Path, Long> logEnds = new HashMap<>();
    for (Map.Entry<Long, Path> log : logs.entrySet()) {
      Path file = log.getValue();
      long[] end = {log.getKey() - 1}; // the last sequence number the file holds
      CollectionState target = state;
      Wal.read(
          file,
          e -> {
            end[0] = e.seq();
            if (e.seq() <= last[0]) {
              return;
            }
            if (e.seq() != last[0] + 1) {
              throw new CorruptedFileException(
                  file,
                  "jumps from sequence " + last[0] + " to " + e.seq() + ": records are missing");
            }
            replay(file, e, target, config);
            last[0] = e.seq();
          });
      logEnds.put(file, end[0]);
      lastLog = file;
      lastLogEnd = end[0];
    }
    if (segmentSeq != 0) {
      relink(state);
    }
    // 3. Append to the newest log only if it ends exactly at the last write; else start a new one.
    // (After a power loss a log can end before the segment that replaced it: appending there would
    // leave a gap that the next recovery reads as a torn tail.)
    Wal wal =
        lastLog != null && lastLogEnd == last[0]
            ? Wal.openForAppend(lastLog, last[0])
            : Wal.create(dir.resolve("wal-" + (last[0] + 1) + ".log"), last[0] + 1);
    Map<Path, Long> olderLogs = new HashMap<>();
    try {
      for (Map.Entry<Path, Long> e : logEnds.entrySet()) {
        if (e.getKey().equals(wal.file())) {
          continue;
        }
        if (e.getValue() <= segmentSeq) {
          Files.deleteIfExists(e.getKey()); // every record is in the segment already
        } else {
          olderLogs.put(e.getKey(), e.getValue());
        }
      }
      // Segment files of a crashed checkpoint, or of one replaced just before a crash.
      try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "segment-*")) {
        for (Path p : s) {
          if (!p.getFileName().toString().startsWith("segment-" + segmentSeq + ".")) {
            Files.deleteIfExists(p);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      wal.close(); // a collection that fails to open keeps no file open (it is quarantined)
      throw e;
    }
    return new Result(state, wal, segmentSeq, olderLogs);
  }

  /**
   * After a fuzzy segment and the logs: a point whose node a repair unlinked while the segment was
   * being saved (its delete came after the segment's sequence number and was then overwritten) is
   * added again, and the graph is repaired, since the image dropped links to later nodes.
   */
  private static void relink(CollectionState state) {
    List<LogRecord.Entry> again = new ArrayList<>();
    state.ordinals.forEach(
        (id, ord) -> {
          if (!state.index.isLinked(ord)) {
            again.add(
                new LogRecord.Entry(id, state.index.vector(ord), state.rows.get(ord).payload()));
          }
        });
    if (!again.isEmpty()) {
      state.apply(new LogRecord.Upsert(again));
    }
    state.index.repair();
  }

  private static void replay(Path file, Wal.Entry e, CollectionState state, CollectionConfig config)
      throws IOException {
    LogRecord record;
    try {
      record = LogRecord.decode(e.type(), e.body(), config.dimension());
    } catch (IOException | RuntimeException x) {
      throw new CorruptedFileException(
          file, "the record of sequence " + e.seq() + " does not decode: " + x, x);
    }
    try {
      state.apply(record);
    } catch (RuntimeException x) {
      throw new RecoveryBugException(
          file
              + ": the record of sequence "
              + e.seq()
              + " decodes but could not be applied ("
              + x
              + "); this is a bug in byhand, not damage to the file: please report it",
          x);
    }
  }

  private static CollectionState loadSegment(
      Path dir, CollectionConfig config, long seq, PayloadIndexes definitions) throws IOException {
    Path hnsw = dir.resolve("segment-" + seq + ".hnsw");
    Path points = dir.resolve("segment-" + seq + ".points");
    if (!Files.exists(hnsw) || !Files.exists(points)) {
      throw new CorruptedFileException(
          Files.exists(hnsw) ? points : hnsw, "is missing, though CURRENT names segment " + seq);
    }
    HnswIndex index;
    try {
      index = HnswIndex.load(hnsw);
    } catch (CorruptIndexException e) {
      throw new CorruptedFileException(hnsw, "cannot be loaded: " + e.getMessage(), e);
    }
    if (index.dimension() != config.dimension() || index.metric() != config.metric()) {
      throw new CorruptedFileException(
          hnsw,
          "holds "
              + index.dimension()
              + "-number "
              + index.metric()
              + " vectors, but collection.json says "
              + config.dimension()
              + " and "
              + config.metric()
              + ": the files belong to different collections");
    }
    CollectionState state = new CollectionState(index, definitions);
    long lastSeq =
        SegmentFile.read(
            points,
            r -> {
              if (r.ordinal() < 0 || r.ordinal() >= index.size()) {
                throw new CorruptedFileException(
                    points, "point '" + r.id() + "' has no vector in " + hnsw.getFileName());
              }
              if (state.ordinals.putIfAbsent(r.id(), r.ordinal()) != null) {
                throw new CorruptedFileException(points, "point id '" + r.id() + "' appears twice");
              }
              state.rows.put(r.ordinal(), new CollectionState.Row(r.id(), r.payload()));
            });
    if (lastSeq != seq) {
      throw new CorruptedFileException(
          points, "belongs to sequence " + lastSeq + ", but CURRENT names " + seq);
    }
    // The graph was saved while writes went on (a checkpoint's fuzzy image): the point table says
    // which of its ordinals were live at the segment's sequence number; the logs say the rest.
    index.reconcile(state.rows::containsKey);
    PayloadIndexes.Batch b = state.payloadIndexes.batch();
    state.rows.forEach((ord, row) -> b.add(ord, row.payload()));
    b.commit();
    return state;
  }
}
