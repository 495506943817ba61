package dev.byhand.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.embed.EncodingTrace;
import dev.byhand.vector.HnswIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A durable collection of points (id, vector, JSON payload), searchable by HNSW.
 *
 * <p><b>Writes</b> read on one screen: <i>validate → record → log → apply → acknowledge</i>. The
 * whole request is checked first ({@link WriteChecks}: nothing is logged if any part is wrong) and
 * turned into one {@link LogRecord}; under the collection's write lock the record is appended to
 * the write-ahead log and applied by {@link CollectionState#apply}, the same code recovery replays;
 * outside the lock the caller waits until an fsync covers the record (group commit) unless the
 * collection syncs on an interval. Writes that select points by filter resolve the filter under the
 * lock and log the ids, so replay is exact. If applying a logged write ever fails, the collection
 * refuses further writes until it is reopened (reads go on).
 *
 * <p><b>Reads</b> ({@link Queries}) take no lock: they read the current {@link CollectionState}
 * once per call, so they never wait for writers, and a search sees every write acknowledged before
 * it started.
 *
 * <p><b>Segments.</b> When the log passes {@link #checkpointBytes} (and on close), the state is
 * written to an immutable segment (the HNSW file plus a point table, each checksummed, streamed and
 * written atomically), the segment's sequence number is recorded in {@code CURRENT}, a new log is
 * started and the old one deleted; a failed checkpoint is retried with a growing delay. When a
 * quarter of the graph is deleted points, a {@link Compaction} rebuilds it in the background.
 * Opening is {@link Recovery}: load the segment, replay the log tail.
 */
public final class Collection implements AutoCloseable, CollectionView {

  /** Most points one upsert takes. */
  public static final int MAX_BATCH = WriteChecks.MAX_BATCH;

  /** Most bytes one write may log: 64 MiB (see {@link WriteChecks#MAX_BATCH_BYTES}). */
  public static final long MAX_BATCH_BYTES = WriteChecks.MAX_BATCH_BYTES;

  /** Most payload keys one {@code deletePayloadKeys} names. */
  public static final int MAX_KEYS = WriteChecks.MAX_KEYS;

  /** Longest point id, in UTF-8 bytes. */
  public static final int MAX_ID_BYTES = WriteChecks.MAX_ID_BYTES;

  static final String PAYLOAD_INDEXES = "payload-indexes.json";

  /**
   * Compact when this share of the graph is deleted points: beyond it, searches wade through
   * tombstones.
   */
  static final double COMPACT_FRACTION = 0.25;

  private final Path dir;
  private final CollectionConfig config;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final EncoderHandle encoder;

  /** What readers see; swapped whole by a compaction, changed in place by writers (locked). */
  private volatile CollectionState state;

  /** The log, the segments and the checkpoint that folds one into the other. */
  private Segments segments;

  private volatile boolean closed;

  /** Why writes are refused until the collection is reopened, or null. */
  private volatile String failure;

  /** The compaction running and its thread, or null; guarded by the write lock. */
  private Compaction compaction;

  private Thread compactor;

  private Collection(Path dir, CollectionConfig config) {
    this.dir = dir;
    this.config = config;
    this.encoder =
        config.encoder() == null ? null : new EncoderHandle(config.encoder(), config.name());
  }

  // ---- lifecycle --------------------------------------------------------------------------

  /** Creates the files of a new collection in an empty folder. */
  static void initialise(Path dir, CollectionConfig config) throws IOException {
    Files.createDirectories(dir);
    Storage.writeAtomically(dir.resolve("collection.json"), Json.MAPPER.writeValueAsBytes(config));
  }

  /** Reads a collection's configuration. */
  static CollectionConfig readConfig(Path dir) {
    Path file = dir.resolve("collection.json");
    try {
      return Json.MAPPER.readValue(Files.readAllBytes(file), CollectionConfig.class);
    } catch (NoSuchFileException e) {
      throw new CorruptedFileException(file, "missing: the collection folder is incomplete");
    } catch (IOException | IllegalArgumentException e) {
      throw new CorruptedFileException(
          file, "does not hold a valid collection configuration: " + e.getMessage(), e);
    }
  }

  /** Opens a collection: loads its segment and replays its log (see {@link Recovery}). */
  static Collection open(Path dir) throws IOException {
    CollectionConfig config = readConfig(dir);
    Collection c = new Collection(dir, config);
    Recovery.Result r = Recovery.recover(dir, config, c.readPayloadIndexDefinitions(), c::newIndex);
    c.state = r.state();
    c.segments = new Segments(dir, config.name(), r);
    return c;
  }

  private HnswIndex newIndex() {
    return HnswIndex.builder(config.dimension(), config.metric())
        .m(config.m())
        .efConstruction(config.efConstruction())
        .build();
  }

  /** The configuration it was created with. */
  public CollectionConfig config() {
    return config;
  }

  /** Live points, walBytes, sequence numbers. */
  public CollectionInfo info() {
    Wal w = segments.wal();
    CollectionState st = state;
    return new CollectionInfo(
        config,
        st.size(),
        w.size(),
        w.lastSeq(),
        segments.segmentSeq(),
        st.index.size() - (long) st.index.liveCount());
  }

  /** Why writes are refused until the collection is reopened, or null if they are not. */
  public String failure() {
    return failure;
  }

  /** Returns once no background checkpoint runs (tests). */
  void awaitCheckpoint() {
    segments.acquire();
    segments.release();
  }

  /** Sets the log size past which a write triggers a checkpoint (tests make it small). */
  void checkpointBytes(long bytes) {
    segments.checkpointBytes(bytes);
  }

  // ---- writes: validate → record → log → apply → acknowledge ---------------------------------

  /**
   * Inserts or replaces points, all or nothing. Within one batch a repeated id keeps its last
   * occurrence. Returns once the write is durable (see {@link Durability}).
   *
   * @throws InvalidRequestException naming the first bad field; nothing was written
   */
  public void upsert(List<Point> points) {
    checkWritable();
    LogRecord.Upsert record = WriteChecks.upsert(points, config, this::embedDocuments);
    commit("points", st -> record);
  }

  /**
   * Deletes the points with these ids; ids that do not exist are ignored. Returns how many went.
   */
  public int delete(List<String> ids) {
    checkWritable();
    WriteChecks.ids("ids", ids);
    return commit(
        "ids",
        st ->
            new LogRecord.Delete(
                ids.stream().filter(st.ordinals::containsKey).distinct().toList()));
  }

  /** Deletes every point passing {@code filter}. Returns how many went. */
  public int delete(Filter filter) {
    checkWritable();
    if (filter == null) {
      throw new InvalidRequestException(
          "filter", "must not be null (to delete everything, drop the collection)");
    }
    return commit("filter", st -> new LogRecord.Delete(Queries.matching(st, filter)));
  }

  /** Merges {@code values} into the payload of each point (keys not named are kept). */
  public void setPayload(List<String> ids, ObjectNode values) {
    payloadValues(values);
    commit("ids", st -> setPayloadRecord(st, existing(st, ids), values));
  }

  /** Merges {@code values} into the payload of every point passing {@code filter}. */
  public int setPayload(Filter filter, ObjectNode values) {
    payloadValues(values);
    checkFilter(filter);
    return commit("filter", st -> setPayloadRecord(st, Queries.matching(st, filter), values));
  }

  /** Replaces the whole payload of each point. */
  public void overwritePayload(List<String> ids, ObjectNode payload) {
    payloadValues(payload);
    commit("ids", st -> new LogRecord.OverwritePayload(existing(st, ids), payload.deepCopy()));
  }

  /** Removes these top-level keys from the payload of each point. */
  public void deletePayloadKeys(List<String> ids, List<String> keys) {
    checkWritable();
    WriteChecks.keys("keys", keys);
    commit("ids", st -> new LogRecord.DeletePayloadKeys(existing(st, ids), List.copyOf(keys)));
  }

  /** Removes these top-level keys from the payload of every point passing {@code filter}. */
  public int deletePayloadKeys(Filter filter, List<String> keys) {
    checkWritable();
    WriteChecks.keys("keys", keys);
    checkFilter(filter);
    return commit(
        "filter",
        st -> new LogRecord.DeletePayloadKeys(Queries.matching(st, filter), List.copyOf(keys)));
  }

  private void payloadValues(ObjectNode values) {
    checkWritable();
    if (values == null) {
      throw new InvalidRequestException("payload", "must be a JSON object");
    }
    WriteChecks.payload("payload", values);
  }

  private static void checkFilter(Filter filter) {
    if (filter == null) {
      throw new InvalidRequestException("filter", "give ids or a filter");
    }
  }

  /** The ids, checked, each of an existing point (else NotFound), without repeats. */
  private static List<String> existing(CollectionState st, List<String> ids) {
    WriteChecks.ids("ids", ids);
    for (int i = 0; i < ids.size(); i++) {
      if (!st.ordinals.containsKey(ids.get(i))) {
        throw new NotFoundException("ids[" + i + "]", "no point with id '" + ids.get(i) + "'");
      }
    }
    return ids.stream().distinct().toList();
  }

  /**
   * A merge can push a payload past the limit: every result is checked before anything is logged.
   */
  private static LogRecord setPayloadRecord(
      CollectionState st, List<String> ids, ObjectNode values) {
    for (String id : ids) {
      CollectionState.Row row = st.rows.get(st.ordinals.get(id));
      if (row.payload() != null) {
        int bytes = Json.bytes(CollectionState.merged(row.payload(), values)).length;
        if (bytes > Json.MAX_PAYLOAD_BYTES) {
          throw new InvalidRequestException(
              "payload",
              "merged into point '" + id + "' it exceeds " + Json.MAX_PAYLOAD_BYTES + " bytes");
        }
      }
    }
    return new LogRecord.SetPayload(ids, values.deepCopy());
  }

  /**
   * The write path after validation: under the lock, {@code resolve} turns the request into its
   * record against the current state (ids a filter selects, points that must exist), which is
   * logged and applied; then, outside the lock, the caller waits for durability. Returns the number
   * of points the record names (0: nothing was logged).
   */
  private int commit(String field, Function<CollectionState, LogRecord> resolve) {
    long seq;
    int n;
    writeLock.lock();
    try {
      checkWritable();
      LogRecord record = resolve.apply(state);
      n = size(record);
      if (n == 0) {
        return 0;
      }
      byte[] body = LogRecord.encode(record);
      if (body.length > Wal.MAX_BODY) {
        throw new InvalidRequestException(
            field,
            "the write names "
                + n
                + " points, "
                + (body.length >> 20)
                + " MiB as a log record; one write logs at most "
                + (Wal.MAX_BODY >> 20)
                + " MiB: narrow it, or split it into several calls");
      }
      seq = log(record.type(), body);
      applyLive(seq, record);
      segments.maybeCheckpoint(state, this::compactIfCrowded);
    } finally {
      writeLock.unlock();
    }
    acknowledge(seq);
    return n;
  }

  private static int size(LogRecord r) {
    if (r instanceof LogRecord.Upsert u) {
      return u.points().size();
    } else if (r instanceof LogRecord.Delete d) {
      return d.ids().size();
    } else if (r instanceof LogRecord.SetPayload p) {
      return p.ids().size();
    } else if (r instanceof LogRecord.OverwritePayload p) {
      return p.ids().size();
    } else {
      return ((LogRecord.DeletePayloadKeys) r).ids().size();
    }
  }

  /** Appends a record; a failed append fails the collection for writes. Call under the lock. */
  private long log(byte type, byte[] body) {
    try {
      return segments.wal().append(type, body);
    } catch (IOException e) {
      // The log may hold part of a record now: refuse further writes until reopened (recovery
      // drops a torn tail), rather than append after garbage.
      failure = "writing the log failed (" + e.getMessage() + "); close and reopen the database";
      throw new UncheckedIOException(segments.wal().file() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Applies a logged record. It was checked before it was logged, so a failure here is a bug (or
   * memory ran out): the log holds the record and the state may not, so no later write may be
   * applied on top; the collection refuses writes until reopened, when recovery replays the log.
   */
  private void applyLive(long seq, LogRecord record) {
    try {
      state.apply(record);
    } catch (RuntimeException | Error e) {
      failure =
          "applying write "
              + seq
              + " failed ("
              + e
              + "); it is in the log; close and reopen the database to replay it";
      System.getLogger("dev.byhand.store")
          .log(System.Logger.Level.ERROR, "collection '" + config.name() + "': " + failure, e);
      throw new IllegalStateException("collection '" + config.name() + "': " + failure, e);
    }
  }

  /**
   * Returns when the write with this sequence number may be acknowledged (see {@link Durability}).
   */
  private void acknowledge(long seq) {
    if (config.durability() == Durability.FSYNC) {
      try {
        segments.wal().awaitDurable(seq);
      } catch (UncheckedIOException e) {
        // After a failed fsync the kernel may have dropped the dirty pages and a retry can
        // "succeed": nothing written since can be trusted, so refuse writes until reopened.
        failure = "fsync of the log failed (" + e.getMessage() + "); close and reopen the database";
        throw e;
      }
    }
  }

  private List<float[]> embedDocuments(List<String> texts) {
    return encoder.use(e -> e.embedDocuments(texts));
  }

  // ---- reads ------------------------------------------------------------------------------

  /** The points with these ids, in the order asked, skipping ids that do not exist. */
  public List<Point> get(List<String> ids, boolean withVector) {
    checkOpen();
    WriteChecks.ids("ids", ids);
    return Queries.get(state, ids, withVector);
  }

  /** Live points passing {@code filter} (null: all). */
  public long count(Filter filter) {
    checkOpen();
    return Queries.count(state, filter);
  }

  /**
   * Up to {@code limit} points passing {@code filter}, in id order, starting at id {@code cursor}
   * (inclusive; null for the start). Pass the page's {@code nextCursor} to continue: a point is
   * seen once however writes interleave, unless it is deleted or first inserted behind the cursor.
   */
  public Page scroll(Filter filter, String cursor, int limit, boolean withVector) {
    checkOpen();
    if (limit < 1 || limit > 10_000) {
      throw new InvalidRequestException("limit", "must be in [1, 10000], got " + limit);
    }
    return Queries.scroll(state, filter, cursor, limit, withVector);
  }

  /** The nearest points to the request's query; see {@link SearchRequest}. */
  public List<ScoredPoint> search(SearchRequest request) {
    return search(List.of(request)).get(0);
  }

  /** Several searches; queries given as text are embedded together in one batch. */
  public List<List<ScoredPoint>> search(List<SearchRequest> requests) {
    checkOpen();
    List<String> texts = new ArrayList<>();
    float[][] queries = new float[requests.size()][];
    for (int i = 0; i < requests.size(); i++) {
      SearchRequest r = requests.get(i);
      if (r.text() != null) {
        if (config.encoder() == null) {
          throw new InvalidRequestException(
              "text", "collection '" + config.name() + "' has no encoder: give a vector");
        }
        WriteChecks.wellFormed("text", r.text());
        texts.add(r.text());
      } else {
        queries[i] = WriteChecks.vector("vector", r.vector(), config);
      }
    }
    if (!texts.isEmpty()) {
      List<float[]> embedded = encoder.use(e -> e.embedQueries(texts));
      for (int i = 0, t = 0; i < queries.length; i++) {
        if (queries[i] == null) {
          queries[i] = WriteChecks.vector("text", embedded.get(t++), config);
        }
      }
    }
    CollectionState st = state;
    List<List<ScoredPoint>> out = new ArrayList<>(requests.size());
    for (int i = 0; i < requests.size(); i++) {
      out.add(Queries.search(st, requests.get(i), queries[i]));
    }
    return out;
  }

  /**
   * The seed's steps [8]–[10] for one query text, through this collection's own encoder: the
   * pipeline's trace (tokens, token vectors, pooled and index vectors) and the top {@code k} hits
   * with their stored vectors.
   */
  public Explanation explain(String text, int k) {
    checkOpen();
    if (config.encoder() == null) {
      throw new InvalidRequestException(
          "text",
          "collection '"
              + config.name()
              + "' has no encoder, so there is no text pipeline to show");
    }
    if (text == null || text.isEmpty()) {
      throw new InvalidRequestException("text", "is required: the query text");
    }
    WriteChecks.wellFormed("text", text);
    EncodingTrace trace = encoder.use(e -> e.traceQuery(text));
    List<ScoredPoint> hits = search(SearchRequest.vector(trace.vector(), k).withVector(true));
    return new Explanation(config.encoder(), config.metric(), trace, hits);
  }

  /**
   * What {@link #explain} shows.
   *
   * @param encoder the encoder's name
   * @param metric the collection's metric
   * @param trace every step of the text pipeline for the query
   * @param hits the nearest points, with their stored vectors
   */
  public record Explanation(
      String encoder,
      dev.byhand.vector.Metric metric,
      EncodingTrace trace,
      List<ScoredPoint> hits) {}

  // ---- payload indexes --------------------------------------------------------------------

  /**
   * Indexes the payload values at {@code key} (a dotted path), so that filters on it narrow the
   * points to check instead of checking every point. Idempotent for the same type.
   *
   * @throws ConflictException if {@code key} is already indexed with another type
   */
  public void createPayloadIndex(String key, PayloadIndexType type) {
    WriteChecks.key("key", key);
    if (type == null) {
      throw new InvalidRequestException("type", "must be keyword, integer, float or bool");
    }
    writeLock.lock();
    try {
      checkWritable();
      PayloadIndexType existing = state.payloadIndexes.definitions().get(key);
      if (existing == type) {
        return;
      }
      if (existing != null) {
        throw new ConflictException("key", "'" + key + "' is already indexed as " + existing);
      }
      PayloadIndexes next = state.payloadIndexes.with(key, type, state.payloads());
      writePayloadIndexDefinitions(next.definitions());
      state.payloadIndexes = next;
    } finally {
      writeLock.unlock();
    }
  }

  /** Drops the payload index of {@code key}; filters on it still work, by checking every point. */
  public void dropPayloadIndex(String key) {
    writeLock.lock();
    try {
      checkWritable();
      if (!state.payloadIndexes.definitions().containsKey(key)) {
        throw new NotFoundException("key", "no payload index on '" + key + "'");
      }
      PayloadIndexes next = state.payloadIndexes.without(key);
      writePayloadIndexDefinitions(next.definitions());
      state.payloadIndexes = next;
    } finally {
      writeLock.unlock();
    }
  }

  /** The indexed payload keys and their types. */
  public Map<String, PayloadIndexType> payloadIndexes() {
    return new TreeMap<>(state.payloadIndexes.definitions());
  }

  private void writePayloadIndexDefinitions(Map<String, PayloadIndexType> defs) {
    try {
      Storage.writeAtomically(
          dir.resolve(PAYLOAD_INDEXES), Json.MAPPER.writeValueAsBytes(new TreeMap<>(defs)));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot save the payload indexes of '" + config.name() + "': " + e.getMessage(), e);
    }
  }

  private PayloadIndexes readPayloadIndexDefinitions() throws IOException {
    Path file = dir.resolve(PAYLOAD_INDEXES);
    if (!Files.exists(file)) {
      return new PayloadIndexes();
    }
    PayloadIndexes defs = new PayloadIndexes();
    try {
      JsonNode node = Json.MAPPER.readTree(Files.readAllBytes(file));
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        defs = defs.with(e.getKey(), PayloadIndexType.parse(e.getValue().asText()), Map.of());
      }
    } catch (IOException | RuntimeException e) {
      throw new CorruptedFileException(file, "does not list payload indexes: " + e.getMessage(), e);
    }
    return defs;
  }

  // ---- checkpoints, compaction and snapshots -----------------------------------------------

  /** Folds the log into a new segment now (see the class comment). */
  public void checkpoint() {
    synchronousCheckpoint(
        () -> {
          checkWritable();
          segments.checkpointNow(state, this::compactIfCrowded);
          return null;
        });
  }

  private interface LockedWork<T> {
    T run() throws IOException;
  }

  /**
   * Runs {@code work} holding the checkpoint permit (so no background checkpoint runs) and the
   * write lock, in that order: the order every path takes them in.
   */
  private <T> T synchronousCheckpoint(LockedWork<T> work) {
    segments.acquire();
    try {
      writeLock.lock();
      try {
        return work.run();
      } catch (IOException e) {
        throw new UncheckedIOException(
            "checkpoint of collection '" + config.name() + "' failed: " + e.getMessage(), e);
      } finally {
        writeLock.unlock();
      }
    } finally {
      segments.release();
    }
  }

  /**
   * Rebuilds the graph from the live points now, in the background if a compaction is not already
   * running, and returns when it is done: ordinals change, ids do not. Writes and searches go on
   * meanwhile. Checkpoints start one by themselves when a quarter of the graph is tombstones.
   */
  public void compact() {
    Thread running;
    writeLock.lock();
    try {
      checkWritable();
      startCompaction();
      running = compactor;
    } finally {
      writeLock.unlock();
    }
    try {
      running.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "interrupted while waiting for the compaction of '" + config.name() + "'", e);
    }
  }

  /** Starts a compaction when a quarter of the graph is tombstones. Call under the write lock. */
  private void compactIfCrowded(CollectionState st) {
    if (st.index.size() - st.index.liveCount() > COMPACT_FRACTION * st.index.size()) {
      startCompaction();
    }
  }

  /** Starts a background compaction unless one runs. Call under the write lock. */
  private void startCompaction() {
    if (compaction != null) {
      return;
    }
    Compaction c = new Compaction(state);
    compaction = c;
    compactor = new Thread(() -> runCompaction(c), "byhand-compact-" + config.name());
    compactor.setDaemon(true);
    compactor.start();
  }

  private void runCompaction(Compaction c) {
    try {
      HnswIndex fresh = newIndex();
      int[] ords = c.build(fresh);
      writeLock.lock();
      try {
        if (!closed && state == c.from()) {
          state = c.finish(fresh, ords); // readers switch to the new graph, map and table at once
        }
      } finally {
        if (c.from().touched != null) {
          c.abandon();
        }
        compaction = null;
        writeLock.unlock();
      }
    } catch (RuntimeException | Error e) {
      writeLock.lock();
      try {
        c.abandon(); // the old state stays in use; a later checkpoint retries
        compaction = null;
      } finally {
        writeLock.unlock();
      }
      System.getLogger("dev.byhand.store")
          .log(
              System.Logger.Level.WARNING, "compaction of '" + config.name() + "' failed: " + e, e);
      if (e instanceof Error err) {
        throw err;
      }
    }
  }

  /**
   * Writes a consistent point-in-time copy of the collection into {@code target} (a folder that
   * must not exist yet). Writes wait while the files are copied; searches go on.
   */
  public void snapshot(Path target) {
    synchronousCheckpoint(
        () -> {
          snapshotLocked(target);
          return null;
        });
  }

  private void snapshotLocked(Path target) throws IOException {
    {
      checkWritable();
      if (Files.exists(target)) {
        throw new ConflictException("snapshot", target + " already exists");
      }
      segments.checkpointNow(state, this::compactIfCrowded);
      long segmentSeq = segments.segmentSeq();
      Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
      Storage.deleteRecursively(tmp);
      Files.createDirectories(tmp);
      Files.copy(dir.resolve("collection.json"), tmp.resolve("collection.json"));
      if (Files.exists(dir.resolve(PAYLOAD_INDEXES))) {
        Files.copy(dir.resolve(PAYLOAD_INDEXES), tmp.resolve(PAYLOAD_INDEXES));
      }
      if (segmentSeq != 0) {
        for (String f :
            List.of(
                "segment-" + segmentSeq + ".hnsw",
                "segment-" + segmentSeq + ".points",
                "CURRENT")) {
          Files.copy(dir.resolve(f), tmp.resolve(f));
        }
      }
      for (Path p : listFiles(tmp)) {
        try (java.nio.channels.FileChannel ch =
            java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.WRITE)) {
          ch.force(true);
        }
      }
      Storage.fsyncDirectory(tmp);
      Storage.move(tmp, target);
    }
  }

  private static List<Path> listFiles(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      s.forEach(out::add);
    }
    return out;
  }

  // ---- helpers ----------------------------------------------------------------------------

  /** For reads: the collection must be open. Reads go on after a write failure. */
  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(
          "collection '" + config.name() + "' is closed; open the database again");
    }
  }

  /** For writes: open, and no failed log write, fsync or apply since it was opened. */
  private void checkWritable() {
    checkOpen();
    if (failure != null) {
      throw new IllegalStateException("collection '" + config.name() + "': " + failure);
    }
  }

  /** Fsyncs the log (the interval-durability timer calls this). */
  void syncNow() {
    Wal w = segments.wal();
    try {
      if (!closed) {
        w.sync();
      }
    } catch (IOException e) {
      failure = "fsync of the log failed (" + e.getMessage() + "); close and reopen the database";
    }
  }

  /** Folds the log into a segment (if it holds anything) and closes the files. */
  @Override
  public void close() {
    segments.acquire(); // a background checkpoint finishes first
    writeLock.lock();
    try {
      if (closed) {
        return;
      }
      try {
        if (failure == null) {
          segments.checkpointNow(state, null);
        }
        segments.wal().close();
      } catch (IOException e) {
        throw new UncheckedIOException(
            "closing collection '" + config.name() + "': " + e.getMessage(), e);
      } finally {
        closed = true;
        if (encoder != null) {
          encoder.close(); // now, or when the last search using it returns
        }
      }
    } finally {
      writeLock.unlock();
      segments.release();
    }
  }

  Path dir() {
    return dir;
  }

  /** The log being written, for tests. */
  Wal wal() {
    return segments.wal();
  }

  /** The ids currently live, for tests. */
  Set<String> ids() {
    return state.ordinals.keySet();
  }
}
