package dev.byhand.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.embed.EncoderOptions;
import dev.byhand.embed.Encoders;
import dev.byhand.embed.TextEncoder;
import dev.byhand.vector.HnswIndex;
import dev.byhand.vector.Metric;
import dev.byhand.vector.SearchResult;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntPredicate;

/**
 * A durable collection of points (id, vector, JSON payload), searchable by HNSW.
 *
 * <p><b>Writes.</b> Every write is checked whole first (nothing is applied if any part is wrong),
 * then, under the collection's write lock, appended to the write-ahead log and applied in memory;
 * then, outside the lock, the caller waits until an fsync covers its record (group commit) unless
 * the collection syncs on an interval. Writes that select points by filter resolve the filter to
 * ids under the lock and log the ids, so replay is exact.
 *
 * <p><b>Reads</b> take no lock: the id map, the point table and the HNSW graph are concurrent
 * structures, so readers never wait for writers, and a search sees every write acknowledged before
 * it started (acknowledgement comes after the write is applied).
 *
 * <p><b>Segments.</b> When the log passes {@link #checkpointBytes} (and on close), the state is
 * written to an immutable segment (the HNSW file plus a point table, each checksummed and written
 * atomically), the segment's sequence number is recorded in {@code CURRENT}, a new log is started
 * and the old one deleted. When a quarter of the graph is deleted points, the checkpoint rebuilds
 * the graph from the live points (compaction). Opening loads the segment and replays the log tail.
 */
public final class Collection implements AutoCloseable {

  /** Most points one upsert takes. */
  public static final int MAX_BATCH = 10_000;

  /**
   * Most bytes one write may log: 64 MiB. Why: a batch is held in memory twice while it is logged,
   * and a record must stay far below the log's 256 MiB record limit.
   */
  public static final long MAX_BATCH_BYTES = 64L << 20;

  /** Most payload keys one {@code deletePayloadKeys} names. */
  public static final int MAX_KEYS = 1000;

  /** Longest point id, in UTF-8 bytes. */
  public static final int MAX_ID_BYTES = 256;

  static final String PAYLOAD_INDEXES = "payload-indexes.json";

  static final byte UPSERT = 1;
  static final byte DELETE = 2;
  static final byte SET_PAYLOAD = 3;
  static final byte OVERWRITE_PAYLOAD = 4;
  static final byte DELETE_PAYLOAD_KEYS = 5;

  /** Why 64 MiB: replaying that much takes seconds, and checkpoints stay rare during ingest. */
  static final long DEFAULT_CHECKPOINT_BYTES = 64L << 20;

  /**
   * Why 2,000: scoring 2,000 vectors exactly costs about what an HNSW walk scores at ef 100–200,
   * and is exact; below it, an index-narrowed filter skips the graph.
   */
  static final int EXACT_LIMIT = 2_000;

  /**
   * Compact when this share of the graph is deleted points: beyond it, searches wade through
   * tombstones.
   */
  static final double COMPACT_FRACTION = 0.25;

  private record Stored(String id, ObjectNode payload) {}

  private final Path dir;
  private final CollectionConfig config;
  private final ReentrantLock writeLock = new ReentrantLock();

  /**
   * What readers see, as one reference: compaction renumbers every point, so the graph, the id map,
   * the point table and the payload indexes are swapped together, and a reader that took {@code
   * state} once never mixes old ordinals with new ones. Writers change the current state's maps in
   * place, under the write lock.
   */
  private static final class State {
    final HnswIndex index;
    final ConcurrentSkipListMap<String, Integer> ordinals = new ConcurrentSkipListMap<>();
    final ConcurrentHashMap<Integer, Stored> rows = new ConcurrentHashMap<>();
    volatile PayloadIndexes payloadIndexes;

    State(HnswIndex index, PayloadIndexes payloadIndexes) {
      this.index = index;
      this.payloadIndexes = payloadIndexes;
    }
  }

  private volatile State state;

  /** Ids written while a compaction runs (null when none runs); guarded by the write lock. */
  private Set<String> touchedDuringCompaction;

  /** The compaction thread last started; guarded by the write lock. */
  private Thread compactor;

  /** Index changes of the write being applied; committed at the end of {@link #apply}. */
  private PayloadIndexes.Batch indexBatch;

  private volatile Wal wal;

  /** Single-point adds since the graph was last repaired; guarded by the write lock. */
  private int addsSinceRepair;

  /** The log being replayed during recovery, for error messages (wal is not open yet). */
  private Path replaying;

  private long segmentSeq;
  private volatile long checkpointBytes = DEFAULT_CHECKPOINT_BYTES;
  private volatile TextEncoder encoder;
  private volatile boolean closed;
  private volatile String failure;

  private Collection(Path dir, CollectionConfig config) {
    this.dir = dir;
    this.config = config;
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

  /** Opens a collection: loads its segment and replays its log (see the class comment). */
  static Collection open(Path dir) throws IOException {
    CollectionConfig config = readConfig(dir);
    Collection c = new Collection(dir, config);
    c.recover();
    return c;
  }

  private HnswIndex newIndex() {
    return HnswIndex.builder(config.dimension(), config.metric())
        .m(config.m())
        .efConstruction(config.efConstruction())
        .build();
  }

  private void recover() throws IOException {
    try (DirectoryStream<Path> tmp = Files.newDirectoryStream(dir, "*.tmp")) {
      for (Path p : tmp) {
        Files.deleteIfExists(p); // half-written atomic writes of a crashed run
      }
    }
    PayloadIndexes definitions = readPayloadIndexDefinitions();
    // 1. The segment named by CURRENT, if any.
    Path current = dir.resolve("CURRENT");
    if (Files.exists(current)) {
      String text = Files.readString(current, StandardCharsets.UTF_8).trim();
      try {
        segmentSeq = Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw new CorruptedFileException(current, "does not hold a segment number: '" + text + "'");
      }
      Path hnsw = dir.resolve("segment-" + segmentSeq + ".hnsw");
      Path points = dir.resolve("segment-" + segmentSeq + ".points");
      if (!Files.exists(hnsw) || !Files.exists(points)) {
        throw new CorruptedFileException(
            Files.exists(hnsw) ? points : hnsw,
            "is missing, though CURRENT names segment " + segmentSeq);
      }
      try {
        state = new State(HnswIndex.load(hnsw), definitions);
      } catch (IOException | RuntimeException e) {
        throw new CorruptedFileException(hnsw, "cannot be loaded: " + e.getMessage(), e);
      }
      SegmentFile.Contents contents = SegmentFile.read(points);
      if (contents.lastSeq() != segmentSeq) {
        throw new CorruptedFileException(
            points,
            "belongs to sequence " + contents.lastSeq() + ", but CURRENT names " + segmentSeq);
      }
      for (SegmentFile.Row r : contents.rows()) {
        if (r.ordinal() < 0
            || r.ordinal() >= state.index.size()
            || state.index.isDeleted(r.ordinal())) {
          throw new CorruptedFileException(
              points, "point '" + r.id() + "' has no vector in " + hnsw.getFileName());
        }
        if (state.ordinals.putIfAbsent(r.id(), r.ordinal()) != null) {
          throw new CorruptedFileException(points, "point id '" + r.id() + "' appears twice");
        }
        state.rows.put(r.ordinal(), new Stored(r.id(), r.payload()));
      }
      PayloadIndexes.Batch b = state.payloadIndexes.batch();
      state.rows.forEach((ord, st) -> b.add(ord, st.payload()));
      b.commit();
      if (state.rows.size() != state.index.liveCount()) {
        throw new CorruptedFileException(
            points,
            state.rows.size()
                + " points but "
                + state.index.liveCount()
                + " live vectors in "
                + hnsw.getFileName());
      }
    } else {
      state = new State(newIndex(), definitions);
      segmentSeq = 0;
    }
    // 2. Replay the logs after the segment, in order.
    TreeMap<Long, Path> logs = new TreeMap<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "wal-*.log")) {
      for (Path p : s) {
        if (Files.size(p) < Wal.HEADER_BYTES) {
          Files.delete(p); // created but never written: a crash inside Wal.create
          continue;
        }
        logs.put(Wal.firstSeq(p), p);
      }
    }
    long last = segmentSeq;
    Path lastLog = null;
    long lastLogEnd = 0;
    Map<Path, Long> logEnds = new java.util.HashMap<>();
    for (Map.Entry<Long, Path> log : logs.entrySet()) {
      long end = log.getKey() - 1; // the last sequence number the file holds
      replaying = log.getValue();
      for (Wal.Entry e : Wal.read(log.getValue())) {
        end = e.seq();
        if (e.seq() <= last) {
          continue;
        }
        if (e.seq() != last + 1) {
          throw new CorruptedFileException(
              log.getValue(),
              "jumps from sequence " + last + " to " + e.seq() + ": records are missing");
        }
        apply(e.type(), e.body());
        last = e.seq();
      }
      logEnds.put(log.getValue(), end);
      lastLog = log.getValue();
      lastLogEnd = end;
    }
    replaying = null;
    // 3. Append to the newest log only if it ends exactly at the last write; else start a new one.
    // (After a power loss a log can end before the segment that replaced it: appending there would
    // leave a gap that the next recovery reads as a torn tail.)
    if (lastLog != null && lastLogEnd == last) {
      wal = Wal.openForAppend(lastLog, last);
    } else {
      wal = Wal.create(dir.resolve("wal-" + (last + 1) + ".log"), last + 1);
    }
    for (Map.Entry<Path, Long> e : logEnds.entrySet()) {
      if (!e.getKey().equals(wal.file()) && e.getValue() <= segmentSeq) {
        Files.deleteIfExists(e.getKey()); // every record is in the segment already
      }
    }
    // Segment files of a crashed checkpoint, or of one replaced just before a crash.
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "segment-*")) {
      for (Path p : s) {
        String name = p.getFileName().toString();
        if (!name.startsWith("segment-" + segmentSeq + ".")) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** The configuration it was created with. */
  public CollectionConfig config() {
    return config;
  }

  /** Live points, walBytes, sequence numbers. */
  public CollectionInfo info() {
    Wal w = wal;
    State st = state;
    return new CollectionInfo(
        config,
        st.ordinals.size(),
        w.size(),
        w.lastSeq(),
        segmentSeq,
        st.index.size() - (long) st.index.liveCount());
  }

  /** Sets the log size past which a write triggers a checkpoint (tests make it small). */
  void checkpointBytes(long bytes) {
    this.checkpointBytes = bytes;
  }

  // ---- writes -----------------------------------------------------------------------------

  /**
   * Inserts or replaces points, all or nothing. Within one batch a repeated id keeps its last
   * occurrence. Returns once the write is durable (see {@link Durability}).
   *
   * @throws InvalidRequestException naming the first bad field; nothing was written
   */
  public void upsert(List<Point> points) {
    checkWritable();
    if (points == null || points.isEmpty()) {
      throw new InvalidRequestException("points", "give at least one point");
    }
    if (points.size() > MAX_BATCH) {
      throw new InvalidRequestException(
          "points", "at most " + MAX_BATCH + " per batch, got " + points.size());
    }
    // 1. Check and complete every point (embedding text) before anything is logged.
    LinkedHashMap<String, Point> unique = new LinkedHashMap<>();
    List<String> texts = new ArrayList<>();
    List<Integer> textAt = new ArrayList<>();
    List<Point> ready = new ArrayList<>(points.size());
    long batchBytes = 0;
    for (int i = 0; i < points.size(); i++) {
      Point p = points.get(i);
      String field = "points[" + i + "]";
      if (p == null) {
        throw new InvalidRequestException(field, "must not be null");
      }
      checkId(field + ".id", p.id());
      ObjectNode payload =
          p.payload() == null
              ? null
              : Json.checkPayload(field + ".payload", p.payload()).deepCopy();
      if (p.vector() != null && p.text() != null) {
        throw new InvalidRequestException(field, "give a vector or a text, not both");
      }
      if (p.vector() != null) {
        checkVector(field + ".vector", p.vector());
        ready.add(new Point(p.id(), p.vector().clone(), null, payload));
      } else if (p.text() != null) {
        if (config.encoder() == null) {
          throw new InvalidRequestException(
              field + ".text", "collection '" + config.name() + "' has no encoder: give a vector");
        }
        payload = payload == null ? Json.MAPPER.createObjectNode() : payload;
        payload.put("text", p.text());
        texts.add(p.text());
        textAt.add(i);
        ready.add(new Point(p.id(), null, p.text(), payload));
      } else {
        throw new InvalidRequestException(
            field + ".vector", "give a vector (or text, with an encoder)");
      }
      int payloadBytes = payload == null ? 0 : Json.bytes(payload).length;
      if (payloadBytes > Json.MAX_PAYLOAD_BYTES) {
        throw new InvalidRequestException(
            field + ".payload", "larger than " + Json.MAX_PAYLOAD_BYTES + " bytes");
      }
      batchBytes += payloadBytes + 4L * config.dimension() + MAX_ID_BYTES + 8;
      if (batchBytes > MAX_BATCH_BYTES) {
        throw new InvalidRequestException(
            "points",
            "the batch holds more than "
                + (MAX_BATCH_BYTES >> 20)
                + " MiB of vectors and payloads; split it");
      }
    }
    if (!texts.isEmpty()) {
      List<float[]> vectors = encoder().embedAll(texts);
      for (int t = 0; t < texts.size(); t++) {
        int i = textAt.get(t);
        Point p = ready.get(i);
        checkVector("points[" + i + "].text", vectors.get(t));
        ready.set(i, new Point(p.id(), vectors.get(t), null, p.payload()));
      }
    }
    for (Point p : ready) {
      unique.remove(p.id());
      unique.put(p.id(), p);
    }
    byte[] body = encodeUpsert(unique.values());
    write(UPSERT, body);
  }

  /**
   * Deletes the points with these ids; ids that do not exist are ignored. Returns how many went.
   */
  public int delete(List<String> ids) {
    checkWritable();
    if (ids == null) {
      throw new InvalidRequestException("ids", "must not be null");
    }
    for (int i = 0; i < ids.size(); i++) {
      checkId("ids[" + i + "]", ids.get(i));
    }
    return deleteResolved(
        () -> ids.stream().filter(state.ordinals::containsKey).distinct().toList());
  }

  /** Deletes every point passing {@code filter}. Returns how many went. */
  public int delete(Filter filter) {
    checkWritable();
    if (filter == null) {
      throw new InvalidRequestException(
          "filter", "must not be null (to delete everything, drop the collection)");
    }
    return deleteResolved(() -> matching(filter));
  }

  private int deleteResolved(java.util.function.Supplier<List<String>> resolve) {
    long seq;
    int n;
    writeLock.lock();
    try {
      checkWritable();
      List<String> ids = resolve.get();
      if (ids.isEmpty()) {
        return 0;
      }
      n = ids.size();
      seq = appendAndApply(DELETE, encodeIds(ids, null));
    } finally {
      writeLock.unlock();
    }
    acknowledge(seq);
    return n;
  }

  /** Merges {@code values} into the payload of each point (keys not named are kept). */
  public void setPayload(List<String> ids, ObjectNode values) {
    payloadWrite(SET_PAYLOAD, ids, null, Json.checkPayload("payload", values), null);
  }

  /** Merges {@code values} into the payload of every point passing {@code filter}. */
  public int setPayload(Filter filter, ObjectNode values) {
    return payloadWrite(SET_PAYLOAD, null, filter, Json.checkPayload("payload", values), null);
  }

  /** Replaces the whole payload of each point. */
  public void overwritePayload(List<String> ids, ObjectNode payload) {
    payloadWrite(OVERWRITE_PAYLOAD, ids, null, Json.checkPayload("payload", payload), null);
  }

  /** Removes these top-level keys from the payload of each point. */
  public void deletePayloadKeys(List<String> ids, List<String> keys) {
    payloadWrite(DELETE_PAYLOAD_KEYS, ids, null, null, keys);
  }

  /** Removes these top-level keys from the payload of every point passing {@code filter}. */
  public int deletePayloadKeys(Filter filter, List<String> keys) {
    return payloadWrite(DELETE_PAYLOAD_KEYS, null, filter, null, keys);
  }

  private int payloadWrite(
      byte type, List<String> ids, Filter filter, ObjectNode values, List<String> keys) {
    checkWritable();
    if (type != DELETE_PAYLOAD_KEYS && values == null) {
      throw new InvalidRequestException("payload", "must be a JSON object");
    }
    if (type == DELETE_PAYLOAD_KEYS) {
      if (keys == null || keys.isEmpty()) {
        throw new InvalidRequestException("keys", "give at least one key");
      }
      if (keys.size() > MAX_KEYS) {
        throw new InvalidRequestException(
            "keys", "at most " + MAX_KEYS + " per call, got " + keys.size());
      }
      for (int i = 0; i < keys.size(); i++) {
        if (keys.get(i) == null || keys.get(i).isEmpty() || keys.get(i).length() > 256) {
          throw new InvalidRequestException(
              "keys[" + i + "]", "must be a non-empty string of at most 256 characters");
        }
      }
    } else if (Json.bytes(values).length > Json.MAX_PAYLOAD_BYTES) {
      throw new InvalidRequestException(
          "payload", "larger than " + Json.MAX_PAYLOAD_BYTES + " bytes");
    }
    if (ids != null) {
      for (int i = 0; i < ids.size(); i++) {
        checkId("ids[" + i + "]", ids.get(i));
      }
    } else if (filter == null) {
      throw new InvalidRequestException("filter", "give ids or a filter");
    }
    long seq;
    int n;
    writeLock.lock();
    try {
      checkWritable();
      List<String> target;
      if (ids != null) {
        for (int i = 0; i < ids.size(); i++) {
          if (!state.ordinals.containsKey(ids.get(i))) {
            throw new NotFoundException("ids[" + i + "]", "no point with id '" + ids.get(i) + "'");
          }
        }
        target = ids.stream().distinct().toList();
      } else {
        target = matching(filter);
      }
      n = target.size();
      if (n == 0) {
        return 0;
      }
      if (type == SET_PAYLOAD) {
        // A merge can push a payload past the limit: check every result before logging anything.
        State st = state;
        for (int i = 0; i < target.size(); i++) {
          Stored cur = st.rows.get(st.ordinals.get(target.get(i)));
          if (cur.payload() != null) {
            ObjectNode merged = cur.payload().deepCopy();
            merged.setAll(values.deepCopy());
            if (Json.bytes(merged).length > Json.MAX_PAYLOAD_BYTES) {
              throw new InvalidRequestException(
                  "payload",
                  "merged into point '"
                      + target.get(i)
                      + "' it exceeds "
                      + Json.MAX_PAYLOAD_BYTES
                      + " bytes");
            }
          }
        }
      }
      byte[] body =
          encodeIds(
              target,
              out -> {
                if (type == DELETE_PAYLOAD_KEYS) {
                  out.writeInt(keys.size());
                  for (String k : keys) {
                    out.writeUTF(k);
                  }
                } else {
                  byte[] json = Json.bytes(values);
                  out.writeInt(json.length);
                  out.write(json);
                }
              });
      seq = appendAndApply(type, body);
    } finally {
      writeLock.unlock();
    }
    acknowledge(seq);
    return n;
  }

  private void write(byte type, byte[] body) {
    long seq;
    writeLock.lock();
    try {
      checkWritable();
      seq = appendAndApply(type, body);
    } finally {
      writeLock.unlock();
    }
    acknowledge(seq);
  }

  /**
   * Returns when the write with this sequence number may be acknowledged (see {@link Durability}).
   */
  private void acknowledge(long seq) {
    if (config.durability() == Durability.FSYNC) {
      try {
        wal.awaitDurable(seq);
      } catch (UncheckedIOException e) {
        // After a failed fsync the kernel may have dropped the dirty pages and a retry can
        // "succeed": nothing written since can be trusted, so refuse writes until reopened.
        failure = "fsync of the log failed (" + e.getMessage() + "); close and reopen the database";
        throw e;
      }
    }
  }

  /** Under the write lock: log, apply, and checkpoint when the log is long. */
  private long appendAndApply(byte type, byte[] body) {
    long seq;
    try {
      seq = wal.append(type, body);
    } catch (IOException e) {
      // The log may hold part of a record now: refuse further writes until reopened (recovery
      // drops a torn tail), rather than append after garbage.
      failure = "writing the log failed (" + e.getMessage() + "); close and reopen the database";
      throw new UncheckedIOException(wal.file() + ": " + e.getMessage(), e);
    }
    apply(type, body);
    if (wal.size() > checkpointBytes) {
      // The write is logged and applied whatever happens here: a failed checkpoint leaves the log
      // valid (and longer), so report it and let the next write try again.
      try {
        checkpointLocked();
      } catch (IOException | RuntimeException e) {
        System.getLogger("dev.byhand.store")
            .log(
                System.Logger.Level.WARNING,
                "checkpoint of '" + config.name() + "' failed; the log keeps the writes: " + e);
      }
    }
    return seq;
  }

  // ---- applying log records (live and in recovery) ------------------------------------------

  private void apply(byte type, byte[] body) {
    indexBatch = state.payloadIndexes.batch();
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body))) {
      switch (type) {
        case UPSERT -> applyUpsert(in);
        case DELETE -> {
          int n = in.readInt();
          for (int i = 0; i < n; i++) {
            String id = in.readUTF();
            Integer ord = state.ordinals.remove(id);
            if (ord != null) {
              removeRow(ord);
              state.index.delete(ord);
            }
          }
        }
        case SET_PAYLOAD, OVERWRITE_PAYLOAD, DELETE_PAYLOAD_KEYS -> applyPayload(type, in);
        default -> throw new IOException("unknown record type " + type);
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof CorruptedFileException c) {
        throw c;
      }
      Path file = replaying != null ? replaying : wal.file();
      throw new CorruptedFileException(file, "a record does not decode: " + e, e);
    } finally {
      indexBatch.commit();
      indexBatch = null;
    }
  }

  private void putRow(int ordinal, Stored stored) {
    if (touchedDuringCompaction != null) {
      touchedDuringCompaction.add(stored.id());
    }
    Stored old = state.rows.put(ordinal, stored);
    if (old != null) {
      indexBatch.remove(ordinal, old.payload());
    }
    indexBatch.add(ordinal, stored.payload());
  }

  private void removeRow(int ordinal) {
    Stored old = state.rows.remove(ordinal);
    if (old != null && touchedDuringCompaction != null) {
      touchedDuringCompaction.add(old.id());
    }
    if (old != null) {
      indexBatch.remove(ordinal, old.payload());
    }
  }

  private void applyUpsert(DataInputStream in) throws IOException {
    int n = in.readInt();
    int d = config.dimension();
    List<String> newIds = new ArrayList<>();
    List<float[]> newVectors = new ArrayList<>();
    List<ObjectNode> newPayloads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String id = in.readUTF();
      float[] v = new float[d];
      for (int j = 0; j < d; j++) {
        v[j] = in.readFloat();
      }
      ObjectNode payload = readPayload(in);
      Integer old = state.ordinals.get(id);
      if (old != null) {
        int ord = state.index.update(old, v);
        putRow(ord, new Stored(id, payload));
        state.ordinals.put(id, ord);
        removeRow(old);
      } else {
        newIds.add(id);
        newVectors.add(v);
        newPayloads.add(payload);
      }
    }
    if (newIds.isEmpty()) {
      return;
    }
    int[] ords;
    if (newIds.size() >= 256) {
      // Large batches build the graph on every core.
      ords =
          state.index.addAll(
              newVectors.toArray(new float[0][]), Runtime.getRuntime().availableProcessors());
    } else {
      ords = new int[newIds.size()];
      for (int i = 0; i < ords.length; i++) {
        ords[i] = state.index.add(newVectors.get(i));
      }
      // Single adds can cut a node's last incoming edge; the graph reconnects on repair. Why
      // 5%: often enough that few nodes wait long, rarely enough that the O(n) pass stays cheap.
      addsSinceRepair += ords.length;
      if (addsSinceRepair >= Math.max(1000, state.index.size() / 20)) {
        state.index.repair();
        addsSinceRepair = 0;
      }
    }
    for (int i = 0; i < ords.length; i++) {
      putRow(ords[i], new Stored(newIds.get(i), newPayloads.get(i)));
      state.ordinals.put(newIds.get(i), ords[i]);
    }
  }

  private void applyPayload(byte type, DataInputStream in) throws IOException {
    int n = in.readInt();
    List<String> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(in.readUTF());
    }
    List<String> keys = null;
    ObjectNode values = null;
    if (type == DELETE_PAYLOAD_KEYS) {
      int k = in.readInt();
      keys = new ArrayList<>(k);
      for (int i = 0; i < k; i++) {
        keys.add(in.readUTF());
      }
    } else {
      values = readPayload(in);
    }
    for (String id : ids) {
      Integer ord = state.ordinals.get(id);
      if (ord == null) {
        continue;
      }
      Stored s = state.rows.get(ord);
      ObjectNode next;
      if (type == OVERWRITE_PAYLOAD) {
        next = values.deepCopy();
      } else {
        next = s.payload() == null ? Json.MAPPER.createObjectNode() : s.payload().deepCopy();
        if (type == SET_PAYLOAD) {
          next.setAll(values.deepCopy());
        } else {
          next.remove(keys);
        }
      }
      // Payloads are never changed in place: readers holding the old one see it whole.
      putRow(ord, new Stored(id, next));
    }
  }

  private static ObjectNode readPayload(DataInputStream in) throws IOException {
    int len = in.readInt();
    if (len < 0) {
      return null;
    }
    byte[] json = in.readNBytes(len);
    if (json.length != len) {
      throw new IOException("payload cut short");
    }
    return Json.object(json);
  }

  private interface BodyWriter {
    void write(DataOutputStream out) throws IOException;
  }

  private byte[] encodeUpsert(java.util.Collection<Point> points) {
    return encode(
        out -> {
          out.writeInt(points.size());
          for (Point p : points) {
            out.writeUTF(p.id());
            for (float x : p.vector()) {
              out.writeFloat(x);
            }
            if (p.payload() == null) {
              out.writeInt(-1);
            } else {
              byte[] json = Json.bytes(p.payload());
              out.writeInt(json.length);
              out.write(json);
            }
          }
        });
  }

  private static byte[] encodeIds(List<String> ids, BodyWriter rest) {
    return encode(
        out -> {
          out.writeInt(ids.size());
          for (String id : ids) {
            out.writeUTF(id);
          }
          if (rest != null) {
            rest.write(out);
          }
        });
  }

  private static byte[] encode(BodyWriter w) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      w.write(out);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in-memory streams do not fail
    }
  }

  // ---- reads ------------------------------------------------------------------------------

  /** The points with these ids, in the order asked, skipping ids that do not exist. */
  public List<Point> get(List<String> ids, boolean withVector) {
    checkOpen();
    if (ids == null) {
      throw new InvalidRequestException("ids", "must not be null");
    }
    List<Point> out = new ArrayList<>(ids.size());
    State st = state;
    for (int i = 0; i < ids.size(); i++) {
      checkId("ids[" + i + "]", ids.get(i));
      Point p = read(st, ids.get(i), withVector);
      if (p != null) {
        out.add(p);
      }
    }
    return out;
  }

  private static Point read(State st, String id, boolean withVector) {
    Integer ord = st.ordinals.get(id);
    if (ord == null) {
      return null;
    }
    Stored s = st.rows.get(ord);
    if (s == null) {
      return null; // deleted between the two lookups
    }
    return new Point(
        id,
        withVector ? st.index.vector(ord) : null,
        null,
        s.payload() == null ? null : s.payload().deepCopy());
  }

  /** Live points passing {@code filter} (null: all). */
  public long count(Filter filter) {
    checkOpen();
    State st = state;
    if (filter == null) {
      return st.ordinals.size();
    }
    long n = 0;
    for (Stored s : candidates(st, filter)) {
      if (filter.test(s.id(), s.payload())) {
        n++;
      }
    }
    return n;
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
    State st = state;
    Map<String, Integer> view = cursor == null ? st.ordinals : st.ordinals.tailMap(cursor, true);
    List<Point> out = new ArrayList<>();
    for (Iterator<String> it = view.keySet().iterator(); it.hasNext(); ) {
      String id = it.next();
      if (out.size() == limit) {
        return new Page(out, id);
      }
      Point p = read(st, id, withVector);
      if (p != null && (filter == null || filter.test(id, p.payload()))) {
        out.add(p);
      }
    }
    return new Page(out, null);
  }

  /** The nearest points to the request's query; see {@link SearchRequest}. */
  public List<ScoredPoint> search(SearchRequest request) {
    return search(List.of(request)).get(0);
  }

  /** Several searches; queries given as text are embedded together in one batch. */
  public List<List<ScoredPoint>> search(List<SearchRequest> requests) {
    checkOpen();
    List<String> texts = new ArrayList<>();
    for (SearchRequest r : requests) {
      if (r.text() != null) {
        if (config.encoder() == null) {
          throw new InvalidRequestException(
              "text", "collection '" + config.name() + "' has no encoder: give a vector");
        }
        texts.add(r.text());
      } else {
        checkVector("vector", r.vector());
      }
    }
    List<float[]> embedded = texts.isEmpty() ? List.of() : encoder().embedQueries(texts);
    List<List<ScoredPoint>> out = new ArrayList<>(requests.size());
    int t = 0;
    State st = state;
    HnswIndex idx = st.index;
    for (SearchRequest r : requests) {
      float[] q = r.text() != null ? embedded.get(t++) : r.vector();
      Filter filter = r.filter();
      org.roaringbitmap.RoaringBitmap narrowed =
          filter == null ? null : st.payloadIndexes.candidates(filter, st.ordinals::get);
      IntPredicate accept =
          ord -> {
            if (narrowed != null && !narrowed.contains(ord)) {
              return false;
            }
            Stored s = st.rows.get(ord);
            return s != null && (filter == null || filter.test(s.id(), s.payload()));
          };
      // A filter the indexes narrow to few points is served by scoring just those exactly.
      boolean small = narrowed != null && narrowed.getCardinality() <= Math.max(EXACT_LIMIT, r.k());
      List<SearchResult> hits;
      if (small) {
        hits = idx.searchExact(q, r.k(), accept);
      } else if (filter == null) {
        // Unfiltered: the graph's own walk, the fast path. A hit without a row is a write still in
        // flight (not acknowledged); if one shows up, search again excluding such points.
        hits = idx.search(q, r.k(), r.effectiveEf());
        for (SearchResult h : hits) {
          if (!st.rows.containsKey(h.ordinal())) {
            hits = idx.search(q, r.k(), r.effectiveEf(), accept);
            break;
          }
        }
      } else {
        hits = idx.search(q, r.k(), r.effectiveEf(), accept);
      }
      List<ScoredPoint> scored = new ArrayList<>(hits.size());
      for (SearchResult h : hits) {
        if (r.scoreThreshold() != null && h.score() < r.scoreThreshold()) {
          break; // hits come best first
        }
        Stored s = st.rows.get(h.ordinal());
        if (s == null) {
          continue; // deleted while we searched
        }
        scored.add(
            new ScoredPoint(
                s.id(),
                h.score(),
                r.withPayload() ? select(s.payload(), r.payloadFields()) : null,
                r.withVector() ? idx.vector(h.ordinal()) : null));
      }
      out.add(scored);
    }
    return out;
  }

  private static ObjectNode select(ObjectNode payload, List<String> fields) {
    if (payload == null) {
      return null;
    }
    if (fields == null) {
      return payload.deepCopy();
    }
    ObjectNode out = Json.MAPPER.createObjectNode();
    for (String f : fields) {
      JsonNode v = payload.get(f);
      if (v != null) {
        out.set(f, v.deepCopy());
      }
    }
    return out;
  }

  /** The points a filter may pass: narrowed by payload indexes where they apply, else all. */
  private static Iterable<Stored> candidates(State st, Filter filter) {
    org.roaringbitmap.RoaringBitmap c = st.payloadIndexes.candidates(filter, st.ordinals::get);
    if (c == null) {
      return st.rows.values();
    }
    List<Stored> out = new ArrayList<>(c.getCardinality());
    c.forEach(
        (int ord) -> {
          Stored s = st.rows.get(ord);
          if (s != null) {
            out.add(s);
          }
        });
    return out;
  }

  private List<String> matching(Filter filter) {
    List<String> ids = new ArrayList<>();
    for (Stored s : candidates(state, filter)) {
      if (filter.test(s.id(), s.payload())) {
        ids.add(s.id());
      }
    }
    return ids;
  }

  // ---- payload indexes --------------------------------------------------------------------

  /**
   * Indexes the payload values at {@code key} (a dotted path), so that filters on it narrow the
   * points to check instead of checking every point. Idempotent for the same type.
   *
   * @throws ConflictException if {@code key} is already indexed with another type
   */
  public void createPayloadIndex(String key, PayloadIndexType type) {
    if (key == null || key.isEmpty() || key.length() > 256) {
      throw new InvalidRequestException(
          "key", "must be a non-empty string of at most 256 characters");
    }
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
      Map<Integer, ObjectNode> payloads = new java.util.HashMap<>();
      state.rows.forEach(
          (ord, st) -> {
            if (st.payload() != null) {
              payloads.put(ord, st.payload());
            }
          });
      PayloadIndexes next = state.payloadIndexes.with(key, type, payloads);
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

  // ---- checkpoints and snapshots ----------------------------------------------------------

  /** Folds the log into a new segment now (see the class comment). */
  public void checkpoint() {
    writeLock.lock();
    try {
      checkWritable();
      checkpointLocked();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "checkpoint of collection '" + config.name() + "' failed: " + e.getMessage(), e);
    } finally {
      writeLock.unlock();
    }
  }

  private void checkpointLocked() throws IOException {
    checkpointLocked(true);
  }

  /**
   * The checkpoint; {@code mayCompact} is false on close, where a compaction would be thrown away.
   */
  private void checkpointLocked(boolean mayCompact) throws IOException {
    long seq = wal.lastSeq();
    if (seq == segmentSeq) {
      return;
    }
    // 1. Compact: rebuild the graph from live points when tombstones crowd it.
    HnswIndex graph = state.index;
    graph.repair();
    if (mayCompact && graph.size() - graph.liveCount() > COMPACT_FRACTION * graph.size()) {
      startCompaction();
    }
    // 2. Write the segment: graph and vectors, then the point table, then name it in CURRENT.
    Path hnsw = dir.resolve("segment-" + seq + ".hnsw");
    Path points = dir.resolve("segment-" + seq + ".points");
    state.index.save(hnsw);
    List<SegmentFile.Row> table = new ArrayList<>(state.rows.size());
    for (Map.Entry<String, Integer> e : state.ordinals.entrySet()) {
      table.add(
          new SegmentFile.Row(e.getValue(), e.getKey(), state.rows.get(e.getValue()).payload()));
    }
    SegmentFile.write(points, seq, table);
    wal.sync(); // the old log must be whole on disk before CURRENT names a segment past it
    Storage.writeAtomically(
        dir.resolve("CURRENT"), Long.toString(seq).getBytes(StandardCharsets.UTF_8));
    long previous = segmentSeq;
    segmentSeq = seq;
    // 3. Start a new log; the old one and the old segment are no longer needed.
    Wal old = wal;
    wal = Wal.create(dir.resolve("wal-" + (seq + 1) + ".log"), seq + 1);
    old.close();
    Files.deleteIfExists(old.file());
    if (previous != 0) {
      Files.deleteIfExists(dir.resolve("segment-" + previous + ".hnsw"));
      Files.deleteIfExists(dir.resolve("segment-" + previous + ".points"));
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

  /** Starts a background compaction unless one runs. Call under the write lock. */
  private void startCompaction() {
    if (touchedDuringCompaction != null) {
      return;
    }
    State from = state;
    List<String> ids = new ArrayList<>(from.ordinals.keySet());
    int[] oldOrdinals = new int[ids.size()];
    for (int i = 0; i < oldOrdinals.length; i++) {
      oldOrdinals[i] = from.ordinals.get(ids.get(i));
    }
    touchedDuringCompaction = new HashSet<>();
    compactor =
        new Thread(() -> compact(from, ids, oldOrdinals), "byhand-compact-" + config.name());
    compactor.setDaemon(true);
    compactor.start();
  }

  /**
   * The background compaction:
   *
   * <ol>
   *   <li>without a lock, build a new graph from the live points as they were when it started (the
   *       old graph never forgets a vector, so reading them races nothing);
   *   <li>under the write lock, drop from it the points written since, add their current versions,
   *       build the id map, point table and payload indexes, and swap the state;
   *   <li>the next checkpoint writes the compacted segment.
   * </ol>
   */
  private void compact(State from, List<String> ids, int[] oldOrdinals) {
    try {
      float[][] vectors = new float[ids.size()][];
      for (int i = 0; i < vectors.length; i++) {
        vectors[i] = from.index.vector(oldOrdinals[i]);
      }
      HnswIndex fresh = newIndex();
      int[] ords =
          vectors.length == 0
              ? new int[0]
              : fresh.addAll(vectors, Runtime.getRuntime().availableProcessors());
      writeLock.lock();
      try {
        if (closed || state != from) {
          return;
        }
        Set<String> touched = touchedDuringCompaction;
        State next = new State(fresh, null);
        for (int i = 0; i < ids.size(); i++) {
          if (touched.contains(ids.get(i))) {
            fresh.delete(ords[i]);
          } else {
            next.ordinals.put(ids.get(i), ords[i]);
            next.rows.put(ords[i], from.rows.get(oldOrdinals[i]));
          }
        }
        for (String id : touched) {
          Integer current = from.ordinals.get(id);
          if (current != null) {
            int ord = fresh.add(from.index.vector(current));
            next.ordinals.put(id, ord);
            next.rows.put(ord, from.rows.get(current));
          }
        }
        Map<Integer, ObjectNode> payloads = new java.util.HashMap<>();
        next.rows.forEach(
            (ord, st) -> {
              if (st.payload() != null) {
                payloads.put(ord, st.payload());
              }
            });
        next.payloadIndexes = from.payloadIndexes.rebuilt(payloads);
        state = next; // readers switch to the compacted graph, map and table at once
      } finally {
        touchedDuringCompaction = null;
        writeLock.unlock();
      }
    } catch (RuntimeException | Error e) {
      writeLock.lock();
      try {
        touchedDuringCompaction = null; // the old state stays in use; a later checkpoint retries
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
    writeLock.lock();
    try {
      checkWritable();
      if (Files.exists(target)) {
        throw new ConflictException("snapshot", target + " already exists");
      }
      checkpointLocked();
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
    } catch (IOException e) {
      throw new UncheckedIOException(
          "snapshot of collection '" + config.name() + "' failed: " + e.getMessage(), e);
    } finally {
      writeLock.unlock();
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

  private TextEncoder encoder() {
    TextEncoder e = encoder;
    if (e == null) {
      synchronized (this) {
        e = encoder;
        if (e == null) {
          e = Encoders.open(config.encoder(), EncoderOptions.defaults(config.encoder()));
          encoder = e;
        }
      }
    }
    return e;
  }

  private void checkVector(String field, float[] v) {
    if (v == null) {
      throw new InvalidRequestException(field, "must not be null");
    }
    if (v.length != config.dimension()) {
      throw new InvalidRequestException(
          field,
          "has "
              + v.length
              + " numbers; collection '"
              + config.name()
              + "' takes "
              + config.dimension());
    }
    boolean zero = true;
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        throw new InvalidRequestException(
            field + "[" + i + "]", "must be a finite number, got " + v[i]);
      }
      zero &= v[i] == 0;
    }
    if (zero && config.metric() == Metric.COSINE) {
      throw new InvalidRequestException(field, "is all zeros, which has no cosine similarity");
    }
  }

  static void checkId(String field, String id) {
    if (id == null || id.isEmpty()) {
      throw new InvalidRequestException(field, "must be a non-empty string");
    }
    int bytes = id.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_ID_BYTES) {
      throw new InvalidRequestException(
          field, "is " + bytes + " bytes of UTF-8; the limit is " + MAX_ID_BYTES);
    }
  }

  /** For reads: the collection must be open. Reads go on after a write failure. */
  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(
          "collection '" + config.name() + "' is closed; open the database again");
    }
  }

  /** For writes: open, and no failed log write or fsync since it was opened. */
  private void checkWritable() {
    checkOpen();
    if (failure != null) {
      throw new IllegalStateException("collection '" + config.name() + "': " + failure);
    }
  }

  /** Fsyncs the log (the interval-durability timer calls this). */
  void syncNow() {
    Wal w = wal;
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
    writeLock.lock();
    try {
      if (closed) {
        return;
      }
      try {
        if (failure == null) {
          checkpointLocked(false);
        }
        wal.close();
      } catch (IOException e) {
        throw new UncheckedIOException(
            "closing collection '" + config.name() + "': " + e.getMessage(), e);
      } finally {
        closed = true;
        TextEncoder e = encoder;
        if (e != null) {
          e.close();
        }
      }
    } finally {
      writeLock.unlock();
    }
  }

  Path dir() {
    return dir;
  }

  /** The ids currently live, for tests. */
  Set<String> ids() {
    return state.ordinals.keySet();
  }
}
