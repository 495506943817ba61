package dev.byhand.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.store.Collection;
import dev.byhand.store.CollectionConfig;
import dev.byhand.store.Database;
import dev.byhand.store.Json;
import dev.byhand.store.Page;
import dev.byhand.store.Point;
import dev.byhand.store.ScoredPoint;
import dev.byhand.store.SearchRequest;
import dev.byhand.vector.Metric;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingSearchResult;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.RelevanceScore;
import dev.langchain4j.store.embedding.filter.Filter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.UUID;

/**
 * A LangChain4j {@link EmbeddingStore} of {@link TextSegment}s in a byhand collection (cosine
 * metric), embedded in this process.
 *
 * <p>Each segment is one point: the embedding as its vector, and the payload {@code {"text": …,
 * "metadata": {…}, "metadata_types": {…}}} (the types keep {@code Integer}, {@code Long}, {@code
 * Float}, {@code Double}, {@code UUID} and {@code String} values apart when read back). Scores are
 * LangChain4j relevance scores, {@code (cosine + 1) / 2}. Filters become byhand filters where byhand
 * can express them (see {@link Filters}); the rest are applied exactly, point by point, in Java.
 *
 * <pre>{@code
 * try (Database db = Database.open(Path.of("data"));
 *     ByhandEmbeddingModel model = ByhandEmbeddingModel.open("minilm")) {
 *   ByhandEmbeddingStore store = ByhandEmbeddingStore.builder().database(db).collection("rag").build();
 *   store.add(model.embed(segment).content(), segment);
 * }
 * }</pre>
 */
public final class ByhandEmbeddingStore implements EmbeddingStore<TextSegment>, AutoCloseable {

  static final String TEXT = "text";
  static final String METADATA = "metadata";
  static final String TYPES = "metadata_types";

  /** Points read per page when a filter is applied in Java. */
  private static final int PAGE = 1000;

  private final Database db;
  private final boolean ownsDatabase;
  private final String name;
  private final int dimension;

  private ByhandEmbeddingStore(Database db, boolean ownsDatabase, String name, int dimension) {
    this.db = db;
    this.ownsDatabase = ownsDatabase;
    this.name = name;
    this.dimension = dimension;
    db.find(name)
        .ifPresent(
            c -> {
              if (c.config().metric() != Metric.COSINE) {
                throw new IllegalArgumentException(
                    "collection: '" + name + "' uses metric " + c.config().metric() + "; LangChain4j scores need cosine");
              }
            });
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a store: a database (open, or a folder to open) and a collection name. */
  public static final class Builder {
    private Database database;
    private Path folder;
    private String collection = "langchain4j";
    private int dimension;

    /** An open database; the store does not close it. */
    public Builder database(Database db) {
      this.database = db;
      return this;
    }

    /** A database folder to open; the store closes it. */
    public Builder folder(Path path) {
      this.folder = path;
      return this;
    }

    /** The collection (default {@code langchain4j}), created on the first add if missing. */
    public Builder collection(String name) {
      this.collection = name;
      return this;
    }

    /** Dimension of a collection created here; 0 (default) takes it from the first embedding. */
    public Builder dimension(int d) {
      this.dimension = d;
      return this;
    }

    /** The store. */
    public ByhandEmbeddingStore build() {
      CollectionConfig.checkName(collection);
      if ((database == null) == (folder == null)) {
        throw new IllegalArgumentException("database: give exactly one of database(Database) or folder(Path)");
      }
      return database != null
          ? new ByhandEmbeddingStore(database, false, collection, dimension)
          : new ByhandEmbeddingStore(Database.open(folder), true, collection, dimension);
    }
  }

  private Collection collection(int forDimension) {
    synchronized (db) {
      return db.find(name)
          .orElseGet(() -> db.create(CollectionConfig.of(name, dimension != 0 ? dimension : forDimension, Metric.COSINE)));
    }
  }

  // ---- adding -----------------------------------------------------------------------------

  @Override
  public String add(Embedding embedding) {
    String id = UUID.randomUUID().toString();
    add(id, embedding);
    return id;
  }

  @Override
  public void add(String id, Embedding embedding) {
    addAll(List.of(id), List.of(embedding), null);
  }

  @Override
  public String add(Embedding embedding, TextSegment segment) {
    String id = UUID.randomUUID().toString();
    addAll(List.of(id), List.of(embedding), segment == null ? null : Collections.singletonList(segment));
    return id;
  }

  @Override
  public List<String> addAll(List<Embedding> embeddings) {
    List<String> ids = generateIds(embeddings.size());
    addAll(ids, embeddings, null);
    return ids;
  }

  @Override
  public void addAll(List<String> ids, List<Embedding> embeddings, List<TextSegment> segments) {
    if (ids == null || embeddings == null || ids.size() != embeddings.size()) {
      throw new IllegalArgumentException("ids and embeddings: must be lists of the same size");
    }
    if (segments != null && segments.size() != embeddings.size()) {
      throw new IllegalArgumentException("embedded: must have one segment per embedding");
    }
    if (ids.isEmpty()) {
      return;
    }
    Collection c = collection(embeddings.get(0).dimension());
    List<Point> batch = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      batch.add(Point.of(ids.get(i), embeddings.get(i).vector(), segments == null ? null : payload(segments.get(i))));
      if (batch.size() == Collection.MAX_BATCH) {
        c.upsert(batch);
        batch = new ArrayList<>();
      }
    }
    if (!batch.isEmpty()) {
      c.upsert(batch);
    }
  }

  static ObjectNode payload(TextSegment segment) {
    if (segment == null) {
      return null;
    }
    ObjectNode p = Json.MAPPER.createObjectNode().put(TEXT, segment.text());
    ObjectNode meta = p.putObject(METADATA);
    ObjectNode types = p.putObject(TYPES);
    for (Map.Entry<String, Object> e : segment.metadata().toMap().entrySet()) {
      Object v = e.getValue();
      String k = e.getKey();
      if (v instanceof String s) {
        meta.put(k, s);
        types.put(k, "string");
      } else if (v instanceof UUID u) {
        meta.put(k, u.toString());
        types.put(k, "uuid");
      } else if (v instanceof Integer n) {
        meta.put(k, n);
        types.put(k, "integer");
      } else if (v instanceof Long n) {
        meta.put(k, n);
        types.put(k, "long");
      } else if (v instanceof Float n) {
        meta.put(k, (double) n); // as the double it is, so that equality filters compare the same number
        types.put(k, "float");
      } else if (v instanceof Double n) {
        meta.put(k, n);
        types.put(k, "double");
      } else {
        throw new IllegalArgumentException("metadata." + k + ": unsupported type " + v.getClass().getName());
      }
    }
    return p;
  }

  static TextSegment segment(ObjectNode payload) {
    if (payload == null || !payload.has(TEXT)) {
      return null;
    }
    Map<String, Object> meta = new HashMap<>();
    JsonNode values = payload.path(METADATA);
    JsonNode types = payload.path(TYPES);
    for (Iterator<String> it = values.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      JsonNode v = values.get(k);
      meta.put(
          k,
          switch (types.path(k).asText("string")) {
            case "uuid" -> UUID.fromString(v.asText());
            case "integer" -> v.intValue();
            case "long" -> v.longValue();
            case "float" -> (float) v.doubleValue();
            case "double" -> v.doubleValue();
            default -> v.asText();
          });
    }
    return TextSegment.from(payload.get(TEXT).asText(), Metadata.from(meta));
  }

  // ---- searching --------------------------------------------------------------------------

  @Override
  public EmbeddingSearchResult<TextSegment> search(EmbeddingSearchRequest request) {
    Collection c = db.find(name).orElse(null);
    if (c == null) {
      return new EmbeddingSearchResult<>(List.of());
    }
    float[] query = request.queryEmbedding().vector();
    int k = Math.min(request.maxResults(), SearchRequest.MAX_K);
    Filter filter = request.filter();
    JsonNode translated = filter == null ? null : Filters.toByhand(filter);
    List<EmbeddingMatch<TextSegment>> matches = new ArrayList<>();
    if (filter == null || translated != null) {
      SearchRequest r = SearchRequest.vector(query, k).withVector(true);
      if (translated != null) {
        r = r.withFilter(dev.byhand.store.Filter.parse(translated));
      }
      for (ScoredPoint h : c.search(r)) {
        double score = RelevanceScore.fromCosineSimilarity(h.score());
        if (score >= request.minScore()) {
          matches.add(new EmbeddingMatch<>(score, h.id(), Embedding.from(h.vector()), segment(h.payload())));
        }
      }
      return new EmbeddingSearchResult<>(matches);
    }
    // Exactly, in Java: every point whose metadata passes, scored by cosine against the query.
    float[] q = normalized(query);
    PriorityQueue<EmbeddingMatch<TextSegment>> best = new PriorityQueue<>(Comparator.comparingDouble(EmbeddingMatch::score));
    String cursor = null;
    do {
      Page page = c.scroll(null, cursor, PAGE, true);
      for (Point p : page.points()) {
        TextSegment s = segment(p.payload());
        if (!filter.test(s == null ? new Metadata() : s.metadata())) {
          continue;
        }
        double cos = 0;
        for (int i = 0; i < q.length; i++) {
          cos += (double) q[i] * p.vector()[i];
        }
        double score = RelevanceScore.fromCosineSimilarity(cos);
        if (score >= request.minScore()) {
          best.add(new EmbeddingMatch<>(score, p.id(), Embedding.from(p.vector()), s));
          if (best.size() > k) {
            best.poll();
          }
        }
      }
      cursor = page.nextCursor();
    } while (cursor != null);
    matches.addAll(best);
    matches.sort(Comparator.comparingDouble((EmbeddingMatch<TextSegment> m) -> m.score()).reversed());
    return new EmbeddingSearchResult<>(matches);
  }

  private static float[] normalized(float[] v) {
    double n = 0;
    for (float x : v) {
      n += (double) x * x;
    }
    float[] out = v.clone();
    if (n > 0) {
      float inv = (float) (1 / Math.sqrt(n));
      for (int i = 0; i < out.length; i++) {
        out[i] *= inv;
      }
    }
    return out;
  }

  // ---- removing ---------------------------------------------------------------------------

  @Override
  public void remove(String id) {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("id cannot be null or blank");
    }
    removeAll(List.of(id));
  }

  @Override
  public void removeAll(java.util.Collection<String> ids) {
    if (ids == null || ids.isEmpty()) {
      throw new IllegalArgumentException("ids cannot be null or empty");
    }
    db.find(name).ifPresent(c -> {
      List<String> all = new ArrayList<>(ids);
      for (int i = 0; i < all.size(); i += Collection.MAX_BATCH) {
        c.delete(all.subList(i, Math.min(all.size(), i + Collection.MAX_BATCH)));
      }
    });
  }

  @Override
  public void removeAll(Filter filter) {
    if (filter == null) {
      throw new IllegalArgumentException("filter cannot be null");
    }
    Collection c = db.find(name).orElse(null);
    if (c == null) {
      return;
    }
    JsonNode translated = Filters.toByhand(filter);
    if (translated != null) {
      c.delete(dev.byhand.store.Filter.parse(translated));
      return;
    }
    List<String> doomed = new ArrayList<>();
    String cursor = null;
    do {
      Page page = c.scroll(null, cursor, PAGE, false);
      for (Point p : page.points()) {
        TextSegment s = segment(p.payload());
        if (filter.test(s == null ? new Metadata() : s.metadata())) {
          doomed.add(p.id());
        }
      }
      cursor = page.nextCursor();
    } while (cursor != null);
    if (!doomed.isEmpty()) {
      removeAll(doomed);
    }
  }

  @Override
  public void removeAll() {
    db.find(name).ifPresent(c -> c.delete(dev.byhand.store.Filter.parse(Json.MAPPER.createObjectNode().set("must", Json.MAPPER.createArrayNode()))));
  }

  /** Closes the database if this store opened it. */
  @Override
  public void close() {
    if (ownsDatabase) {
      db.close();
    }
  }
}
