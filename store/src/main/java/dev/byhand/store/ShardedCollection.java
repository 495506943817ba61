package dev.byhand.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A read-only collection made of the shards a {@link ShardManifest} lists, each an ordinary
 * collection in its own database folder, answered by scatter-gather: every read goes to every shard
 * (side by side on a small pool), and the answers are merged into what one collection holding all
 * the points would answer — one top-k by score, counts summed, scroll pages merged in id order, the
 * same filters.
 *
 * <p>It is read-only: its shards were built offline (by the Spark {@code index} job) and are
 * replaced whole, never written in place.
 *
 * <pre>{@code
 * try (ShardedCollection docs = ShardedCollection.open(Path.of("index/manifest.json"))) {
 *   List<ScoredPoint> hits = docs.search(SearchRequest.text("why do volcanoes erupt", 10));
 * }
 * }</pre>
 */
public final class ShardedCollection implements AutoCloseable, CollectionView {

  private final ShardManifest manifest;
  private final CollectionConfig config;
  private final List<Database> databases;
  private final List<Collection> shards;
  private final EncoderHandle encoder;
  private final ExecutorService pool;

  private ShardedCollection(
      ShardManifest manifest, List<Database> databases, List<Collection> shards, int threads) {
    this.manifest = manifest;
    this.config = manifest.collectionConfig();
    this.databases = databases;
    this.shards = shards;
    this.encoder =
        config.encoder() == null ? null : new EncoderHandle(config.encoder(), config.name());
    AtomicInteger n = new AtomicInteger();
    this.pool =
        threads <= 1 || shards.size() == 1
            ? null
            : Executors.newFixedThreadPool(
                threads,
                r -> {
                  Thread t = new Thread(r, "byhand-shards-" + n.incrementAndGet());
                  t.setDaemon(true);
                  return t;
                });
  }

  /**
   * Opens the sharded collection of a manifest (the file or its folder), checking every shard
   * file's size and CRC32C first, with one scatter thread per core (at most one per shard).
   *
   * @throws NotFoundException if there is no manifest there
   * @throws CorruptedFileException naming a shard file that is missing or damaged
   */
  public static ShardedCollection open(Path manifestFileOrFolder) {
    return open(manifestFileOrFolder, true, Runtime.getRuntime().availableProcessors());
  }

  /**
   * Opens it, checking the files' CRC32C only if {@code verify} (sizes are always checked by
   * opening), with {@code threads} scatter threads (1: every shard in the caller's thread).
   */
  public static ShardedCollection open(Path manifestFileOrFolder, boolean verify, int threads) {
    Path folder =
        Files.isDirectory(manifestFileOrFolder)
            ? manifestFileOrFolder
            : manifestFileOrFolder.toAbsolutePath().getParent();
    ShardManifest manifest = ShardManifest.read(manifestFileOrFolder);
    CollectionConfig expected = manifest.collectionConfig();
    List<Database> dbs = new ArrayList<>();
    List<Collection> cs = new ArrayList<>();
    try {
      for (ShardManifest.Shard s : manifest.shards()) {
        Path dir = folder.resolve(s.path());
        if (verify) {
          ShardManifest.verify(dir, s);
        }
        Database db = Database.open(dir);
        dbs.add(db);
        Collection c =
            db.find(manifest.name())
                .orElseThrow(
                    () ->
                        new CorruptedFileException(
                            dir,
                            "holds no collection '"
                                + manifest.name()
                                + "' although the manifest lists it as shard "
                                + s.shard()));
        CollectionConfig got = c.config();
        if (got.dimension() != expected.dimension() || got.metric() != expected.metric()) {
          throw new CorruptedFileException(
              dir,
              "holds "
                  + got.dimension()
                  + " numbers by "
                  + got.metric()
                  + "; the manifest says "
                  + expected.dimension()
                  + " by "
                  + expected.metric());
        }
        long points = c.count(null);
        if (points != s.points()) {
          throw new CorruptedFileException(
              dir, "holds " + points + " points; the manifest says " + s.points());
        }
        cs.add(c);
      }
    } catch (RuntimeException e) {
      for (Database db : dbs) {
        try {
          db.close();
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
    return new ShardedCollection(
        manifest, dbs, cs, Math.max(1, Math.min(threads, manifest.shards().size())));
  }

  /** The manifest it was opened from. */
  public ShardManifest manifest() {
    return manifest;
  }

  /** Its configuration (that of every shard). */
  public CollectionConfig config() {
    return config;
  }

  /** How many shards. */
  public int shardCount() {
    return shards.size();
  }

  /** Shard {@code i}'s collection, for tests and tools: do not write to it. */
  public Collection shard(int i) {
    return shards.get(i);
  }

  /** Its live points and configuration, as one collection would report them. */
  public CollectionInfo info() {
    long points = 0;
    long seq = 0;
    long segment = 0;
    long deleted = 0;
    for (CollectionInfo i : scatter(Collection::info)) {
      points += i.points();
      seq = Math.max(seq, i.lastSequence());
      segment = Math.max(segment, i.segmentSequence());
      deleted += i.deletedInIndex();
    }
    return new CollectionInfo(config, points, 0, seq, segment, deleted);
  }

  /** The payload indexes (every shard has the same). */
  public Map<String, PayloadIndexType> payloadIndexes() {
    return shards.get(0).payloadIndexes();
  }

  /** Points passing {@code filter} (null: all), summed over the shards. */
  public long count(Filter filter) {
    long n = 0;
    for (long c : scatter(s -> s.count(filter))) {
      n += c;
    }
    return n;
  }

  /** The points of these ids that exist, in the order asked, each from its one shard. */
  public List<Point> get(List<String> ids, boolean withVector) {
    Map<String, Point> found = new HashMap<>();
    if (manifest.partitioner().kind() == ShardManifest.Partitioner.Kind.HASH) {
      List<List<String>> byShard = new ArrayList<>();
      for (int i = 0; i < shards.size(); i++) {
        byShard.add(new ArrayList<>());
      }
      for (String id : ids) {
        if (id != null) {
          byShard.get(ShardManifest.hashShard(id, shards.size())).add(id);
        }
      }
      for (int i = 0; i < shards.size(); i++) {
        if (!byShard.get(i).isEmpty()) {
          shards.get(i).get(byShard.get(i), withVector).forEach(p -> found.put(p.id(), p));
        }
      }
    } else {
      for (List<Point> ps : scatter(s -> s.get(ids, withVector))) {
        ps.forEach(p -> found.put(p.id(), p));
      }
    }
    List<Point> out = new ArrayList<>(ids.size());
    for (String id : ids) {
      Point p = found.get(id);
      if (p != null) {
        out.add(p);
      }
    }
    return out;
  }

  /**
   * One page of all points passing {@code filter}, in id order from {@code cursor} (null: the
   * first), with the cursor one collection would give: each shard's page from the cursor, merged,
   * the first {@code limit} kept; when the page is full, the next cursor is the id that follows its
   * last in any shard (passing the filter or not), else null.
   */
  public Page scroll(Filter filter, String cursor, int limit, boolean withVector) {
    List<Page> pages = scatter(s -> s.scroll(filter, cursor, limit, withVector));
    List<Point> all = new ArrayList<>();
    for (Page p : pages) {
      all.addAll(p.points());
    }
    all.sort(Comparator.comparing(Point::id));
    if (all.size() < limit) {
      return new Page(all, null); // no shard filled a page: every one was read to its end
    }
    List<Point> page = new ArrayList<>(all.subList(0, limit));
    String last = page.get(limit - 1).id();
    String next = null;
    for (Page p : scatter(s -> s.scroll(null, last, 2, false))) {
      for (Point x : p.points()) {
        if (x.id().compareTo(last) > 0 && (next == null || x.id().compareTo(next) < 0)) {
          next = x.id();
        }
      }
    }
    return new Page(page, next);
  }

  /** The nearest points to the request's query over all shards; see {@link SearchRequest}. */
  public List<ScoredPoint> search(SearchRequest request) {
    return search(List.of(request)).get(0);
  }

  /**
   * Several searches. A text query is embedded once, here, and its vector sent to every shard; each
   * shard answers its top {@code k} (with the same {@code ef}, filter and threshold), and the
   * merged top {@code k} is the answer.
   */
  public List<List<ScoredPoint>> search(List<SearchRequest> requests) {
    List<SearchRequest> vectors = embedTexts(requests);
    List<List<List<ScoredPoint>>> perShard = scatter(s -> s.search(vectors));
    List<List<ScoredPoint>> out = new ArrayList<>(requests.size());
    for (int i = 0; i < requests.size(); i++) {
      List<ScoredPoint> merged = new ArrayList<>();
      for (List<List<ScoredPoint>> shard : perShard) {
        merged.addAll(shard.get(i));
      }
      out.add(topK(merged, requests.get(i).k()));
    }
    return out;
  }

  /** The {@code k} best by score, ties by id: the merge of the shards' top lists. */
  static List<ScoredPoint> topK(List<ScoredPoint> hits, int k) {
    hits.sort(
        Comparator.comparingDouble((ScoredPoint h) -> -h.score()).thenComparing(ScoredPoint::id));
    return hits.size() <= k ? hits : new ArrayList<>(hits.subList(0, k));
  }

  private List<SearchRequest> embedTexts(List<SearchRequest> requests) {
    List<String> texts = new ArrayList<>();
    for (SearchRequest r : requests) {
      if (r.text() != null) {
        if (encoder == null) {
          throw new InvalidRequestException(
              "text", "collection '" + config.name() + "' has no encoder: give a vector");
        }
        WriteChecks.wellFormed("text", r.text());
        texts.add(r.text());
      }
    }
    if (texts.isEmpty()) {
      return requests;
    }
    List<float[]> embedded = encoder.use(e -> e.embedQueries(texts));
    List<SearchRequest> out = new ArrayList<>(requests.size());
    int t = 0;
    for (SearchRequest r : requests) {
      out.add(
          r.text() == null
              ? r
              : new SearchRequest(
                  embedded.get(t++),
                  null,
                  r.k(),
                  r.ef(),
                  r.filter(),
                  r.withPayload(),
                  r.payloadFields(),
                  r.withVector(),
                  r.scoreThreshold()));
    }
    return out;
  }

  /**
   * {@code work} on every shard, side by side; in shard order. Failures are rethrown as they are.
   */
  private <T> List<T> scatter(Function<Collection, T> work) {
    List<T> out = new ArrayList<>(shards.size());
    if (pool == null) {
      for (Collection c : shards) {
        out.add(work.apply(c));
      }
      return out;
    }
    List<CompletableFuture<T>> futures = new ArrayList<>(shards.size());
    for (int i = 1; i < shards.size(); i++) {
      Collection c = shards.get(i);
      futures.add(CompletableFuture.supplyAsync(() -> work.apply(c), pool));
    }
    RuntimeException failure = null;
    try {
      out.add(work.apply(shards.get(0))); // the caller's thread does a share too
    } catch (RuntimeException e) {
      failure = e;
    }
    for (CompletableFuture<T> f : futures) {
      try {
        out.add(f.join());
      } catch (CompletionException e) {
        if (failure == null) {
          failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
    return out;
  }

  /** Closes every shard's database. */
  @Override
  public void close() {
    if (pool != null) {
      pool.shutdown();
    }
    if (encoder != null) {
      encoder.close();
    }
    RuntimeException first = null;
    for (Database db : databases) {
      try {
        db.close();
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
