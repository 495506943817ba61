package dev.byhand.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.store.Collection;
import dev.byhand.store.CollectionConfig;
import dev.byhand.store.Database;
import dev.byhand.store.Json;
import dev.byhand.store.SearchRequest;
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
 * metric): of a database embedded in this process, or of a byhand server over HTTP.
 *
 * <p>Each segment is one point: the embedding as its vector, and the payload {@code {"text": …,
 * "metadata": {…}, "metadata_types": {…}}} (the types keep {@code Integer}, {@code Long}, {@code
 * Float}, {@code Double}, {@code UUID} and {@code String} values apart when read back). Scores are
 * LangChain4j relevance scores, {@code (cosine + 1) / 2}. Filters become byhand filters where
 * byhand can express them (see {@link Filters}); the rest are applied exactly, point by point, in
 * Java.
 *
 * <pre>{@code
 * try (Database db = Database.open(Path.of("data"));
 *     ByhandEmbeddingModel model = ByhandEmbeddingModel.open("minilm")) {
 *   ByhandEmbeddingStore store = ByhandEmbeddingStore.builder().database(db).collection("rag").build();
 *   store.add(model.embed(segment).content(), segment);
 * }
 * // or, on a running server:
 * ByhandEmbeddingStore remote = ByhandEmbeddingStore.builder().url("http://127.0.0.1:7700").apiKey(key).collection("rag").build();
 * }</pre>
 */
public final class ByhandEmbeddingStore implements EmbeddingStore<TextSegment>, AutoCloseable {

  static final String TEXT = "text";
  static final String METADATA = "metadata";
  static final String TYPES = "metadata_types";

  /** Points read per page when a filter is applied in Java. */
  private static final int PAGE = 1000;

  /** Points per write: a 1,000 × 384 batch is about 5 MB of JSON over HTTP. */
  private static final int BATCH = 1000;

  private final Backend backend;
  private final int dimension;

  private ByhandEmbeddingStore(Backend backend, int dimension) {
    this.backend = backend;
    this.dimension = dimension;
    backend.checkCosine();
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds a store: a database (open, or a folder to open) or a server URL, and a collection name.
   */
  public static final class Builder {
    private Database database;
    private Path folder;
    private String url;
    private String apiKey;
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

    /** A running byhand server, e.g. {@code http://127.0.0.1:7700}. */
    public Builder url(String serverUrl) {
      this.url = serverUrl;
      return this;
    }

    /** The server's API key (admin, to write), if it has keys. */
    public Builder apiKey(String key) {
      this.apiKey = key;
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
      int given = (database == null ? 0 : 1) + (folder == null ? 0 : 1) + (url == null ? 0 : 1);
      if (given != 1) {
        throw new IllegalArgumentException(
            "database: give exactly one of database(Database), folder(Path) or url(String)");
      }
      Backend b =
          database != null
              ? new EmbeddedBackend(database, false, collection)
              : folder != null
                  ? new EmbeddedBackend(Database.open(folder), true, collection)
                  : new HttpBackend(url, apiKey, collection);
      return new ByhandEmbeddingStore(b, dimension);
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
    addAll(
        List.of(id),
        List.of(embedding),
        segment == null ? null : Collections.singletonList(segment));
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
    backend.ensure(dimension != 0 ? dimension : embeddings.get(0).dimension());
    for (int from = 0; from < ids.size(); from += BATCH) {
      int to = Math.min(ids.size(), from + BATCH);
      List<float[]> vectors = new ArrayList<>(to - from);
      List<ObjectNode> payloads = new ArrayList<>(to - from);
      for (int i = from; i < to; i++) {
        vectors.add(embeddings.get(i).vector());
        payloads.add(segments == null ? null : payload(segments.get(i)));
      }
      backend.upsert(ids.subList(from, to), vectors, payloads);
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
        meta.put(
            k, (double) n); // as the double it is, so that equality filters compare the same number
        types.put(k, "float");
      } else if (v instanceof Double n) {
        meta.put(k, n);
        types.put(k, "double");
      } else {
        throw new IllegalArgumentException(
            "metadata." + k + ": unsupported type " + v.getClass().getName());
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
    if (!backend.exists()) {
      return new EmbeddingSearchResult<>(List.of());
    }
    float[] query = request.queryEmbedding().vector();
    int k = Math.min(request.maxResults(), SearchRequest.MAX_K);
    Filter filter = request.filter();
    JsonNode translated = filter == null ? null : Filters.toByhand(filter);
    List<EmbeddingMatch<TextSegment>> matches = new ArrayList<>();
    if (filter == null || translated != null) {
      for (Backend.Hit h : backend.search(query, k, translated)) {
        double score = RelevanceScore.fromCosineSimilarity(h.score());
        if (score >= request.minScore()) {
          matches.add(
              new EmbeddingMatch<>(
                  score, h.id(), Embedding.from(h.vector()), segment(h.payload())));
        }
      }
      return new EmbeddingSearchResult<>(matches);
    }
    // Exactly, in Java: every point whose metadata passes, scored by cosine against the query.
    float[] q = normalized(query);
    PriorityQueue<EmbeddingMatch<TextSegment>> best =
        new PriorityQueue<>(Comparator.comparingDouble(EmbeddingMatch::score));
    String cursor = null;
    do {
      Backend.Page page = backend.scroll(cursor, PAGE, true);
      for (Backend.Hit p : page.points()) {
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
      cursor = page.next();
    } while (cursor != null);
    matches.addAll(best);
    matches.sort(
        Comparator.comparingDouble((EmbeddingMatch<TextSegment> m) -> m.score()).reversed());
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
    List<String> all = new ArrayList<>(ids);
    for (int i = 0; i < all.size(); i += Collection.MAX_BATCH) {
      backend.delete(all.subList(i, Math.min(all.size(), i + Collection.MAX_BATCH)));
    }
  }

  @Override
  public void removeAll(Filter filter) {
    if (filter == null) {
      throw new IllegalArgumentException("filter cannot be null");
    }
    if (!backend.exists()) {
      return;
    }
    JsonNode translated = Filters.toByhand(filter);
    if (translated != null) {
      backend.delete(translated);
      return;
    }
    List<String> doomed = new ArrayList<>();
    String cursor = null;
    do {
      Backend.Page page = backend.scroll(cursor, PAGE, false);
      for (Backend.Hit p : page.points()) {
        TextSegment s = segment(p.payload());
        if (filter.test(s == null ? new Metadata() : s.metadata())) {
          doomed.add(p.id());
        }
      }
      cursor = page.next();
    } while (cursor != null);
    if (!doomed.isEmpty()) {
      removeAll(doomed);
    }
  }

  @Override
  public void removeAll() {
    if (backend.exists()) {
      backend.delete(Json.MAPPER.createObjectNode().set("must", Json.MAPPER.createArrayNode()));
    }
  }

  /** Closes the database if this store opened it. */
  @Override
  public void close() {
    backend.close();
  }
}
