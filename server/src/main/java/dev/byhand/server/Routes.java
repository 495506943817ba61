package dev.byhand.server;

import static dev.byhand.server.ByhandServer.ok;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.embed.EncodingTrace;
import dev.byhand.store.Collection;
import dev.byhand.store.CollectionConfig;
import dev.byhand.store.CollectionInfo;
import dev.byhand.store.Database;
import dev.byhand.store.Durability;
import dev.byhand.store.FailedCollection;
import dev.byhand.store.Filter;
import dev.byhand.store.Json;
import dev.byhand.store.Page;
import dev.byhand.store.PayloadIndexType;
import dev.byhand.store.Point;
import dev.byhand.store.ScoredPoint;
import dev.byhand.store.SearchRequest;
import dev.byhand.store.Snapshots;
import dev.byhand.vector.HnswIndex;
import dev.byhand.vector.Metric;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The handlers of the REST API; {@link ByhandServer} wires them to routes and checks keys. */
final class Routes implements AutoCloseable {

  private final Database db;
  private final ServerConfig config;
  private final byte[] openApi;
  private final SearchQueue searches;

  Routes(Database db, ServerConfig config, SearchQueue searches) {
    this.db = db;
    this.config = config;
    this.searches = searches;
    try (InputStream in = Routes.class.getResourceAsStream("/openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("openapi.json is missing from the server jar; rebuild it");
      }
      this.openApi = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream in(Context ctx) {
    try {
      return ctx.req().getInputStream();
    } catch (IOException e) {
      throw ApiError.badRequest("body", "could not be read: " + e.getMessage());
    }
  }

  private ObjectNode body(Context ctx, Set<String> allowed) {
    ObjectNode o = Requests.body(in(ctx), ctx.req().getContentLengthLong(), config.maxBodyBytes());
    Requests.only(o, "", allowed);
    return o;
  }

  private ObjectNode optionalBody(Context ctx, Set<String> allowed) {
    if (ctx.req().getContentLengthLong() == 0) {
      return Json.MAPPER.createObjectNode();
    }
    try {
      ObjectNode o =
          Requests.body(in(ctx), ctx.req().getContentLengthLong(), config.maxBodyBytes());
      Requests.only(o, "", allowed);
      return o;
    } catch (ApiError e) {
      if ("body".equals(e.field()) && e.getMessage().startsWith("a JSON object is required")) {
        return Json.MAPPER.createObjectNode();
      }
      throw e;
    }
  }

  private Collection collection(Context ctx) {
    String name = ctx.pathParam("name");
    CollectionConfig.checkName(name);
    return db.collection(name);
  }

  // ---- service ----------------------------------------------------------------------------

  void openApi(Context ctx) {
    ctx.contentType("application/json").result(openApi);
  }

  // ---- collections ------------------------------------------------------------------------

  /** Every collection by name, a quarantined one with {@code "status": "failed"} and why. */
  void listCollections(Context ctx) {
    Map<String, ObjectNode> byName = new TreeMap<>();
    for (String name : db.list()) {
      byName.put(name, Json.MAPPER.createObjectNode().put("name", name).put("status", "green"));
    }
    for (FailedCollection f : db.failed()) {
      byName.put(f.name(), failed(f));
    }
    ArrayNode out = Json.MAPPER.createArrayNode();
    out.addAll(byName.values());
    ok(ctx, 200, Json.MAPPER.createObjectNode().set("collections", out));
  }

  /** What the API says of a quarantined collection: its name, that it failed, and why. */
  static ObjectNode failed(FailedCollection f) {
    return Json.MAPPER
        .createObjectNode()
        .put("name", f.name())
        .put("status", "failed")
        .put("failure", f.kind().label())
        .put("reason", f.reason());
  }

  void createCollection(Context ctx) {
    String name = ctx.pathParam("name");
    CollectionConfig.checkName(name);
    ObjectNode b =
        body(
            ctx,
            Set.of("dimension", "metric", "encoder", "hnsw", "durability", "sync_interval_ms"));
    String encoder = Requests.string(b, "encoder", null);
    CollectionConfig c;
    if (encoder != null) {
      c = CollectionConfig.withEncoder(name, encoder);
      int dimension =
          Requests.integer(b, "dimension", c.dimension(), 1, CollectionConfig.MAX_DIMENSION);
      if (dimension != c.dimension()) {
        throw ApiError.badRequest(
            "dimension",
            "encoder '" + encoder + "' makes " + c.dimension() + " numbers, got " + dimension);
      }
    } else {
      if (!Requests.has(b, "dimension")) {
        throw ApiError.badRequest("dimension", "is required when no encoder is given");
      }
      int dimension = Requests.integer(b, "dimension", 0, 1, CollectionConfig.MAX_DIMENSION);
      c = CollectionConfig.of(name, dimension, Metric.COSINE);
    }
    String metric = Requests.string(b, "metric", null);
    if (metric != null) {
      Metric m = enumOf(Metric.class, "metric", metric);
      c =
          new CollectionConfig(
              c.name(),
              c.dimension(),
              m,
              c.encoder(),
              c.m(),
              c.efConstruction(),
              c.durability(),
              c.syncIntervalMillis());
    }
    ObjectNode hnsw = Requests.object(b, "hnsw");
    if (hnsw != null) {
      Requests.only(hnsw, "hnsw", Set.of("m", "ef_construction"));
      int m = Requests.integer(hnsw, "m", c.m(), 2, HnswIndex.MAX_M);
      c =
          c.withHnsw(
              m,
              Requests.integer(
                  hnsw,
                  "ef_construction",
                  Math.max(c.efConstruction(), m),
                  m,
                  HnswIndex.MAX_EF_CONSTRUCTION));
    }
    String durability = Requests.string(b, "durability", null);
    if (durability != null || Requests.has(b, "sync_interval_ms")) {
      Durability d =
          durability == null ? c.durability() : enumOf(Durability.class, "durability", durability);
      c =
          c.withDurability(
              d, Requests.integer(b, "sync_interval_ms", c.syncIntervalMillis(), 1, 60_000));
    }
    Collection created = db.create(c);
    ok(ctx, 201, info(created.info()));
  }

  private static <E extends Enum<E>> E enumOf(Class<E> type, String field, String value) {
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(value)) {
        return e;
      }
    }
    List<String> names =
        Stream.of(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
    throw ApiError.badRequest(
        field,
        "must be one of "
            + String.join(", ", names)
            + ", got '"
            + Requests.brief(Json.MAPPER.getNodeFactory().textNode(value))
            + "'");
  }

  static ObjectNode info(CollectionInfo i) {
    CollectionConfig c = i.config();
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("name", c.name());
    o.put("status", "green");
    o.put("dimension", c.dimension());
    o.put("metric", c.metric().name().toLowerCase(Locale.ROOT));
    if (c.encoder() == null) {
      o.putNull("encoder");
    } else {
      o.put("encoder", c.encoder());
    }
    o.putObject("hnsw").put("m", c.m()).put("ef_construction", c.efConstruction());
    o.put("durability", c.durability().name().toLowerCase(Locale.ROOT));
    o.put("sync_interval_ms", c.syncIntervalMillis());
    o.put("points", i.points());
    o.put("wal_bytes", i.walBytes());
    o.put("last_sequence", i.lastSequence());
    o.put("segment_sequence", i.segmentSequence());
    o.put("deleted_in_index", i.deletedInIndex());
    return o;
  }

  /** A quarantined collection answers 200 with its failure: this is where an admin looks. */
  void collectionInfo(Context ctx) {
    String name = ctx.pathParam("name");
    CollectionConfig.checkName(name);
    Optional<FailedCollection> failure = db.failure(name);
    if (failure.isPresent()) {
      ok(ctx, 200, failed(failure.get()));
      return;
    }
    Collection c = db.collection(name);
    ObjectNode o = info(c.info());
    ObjectNode indexes = o.putObject("payload_indexes");
    c.payloadIndexes().forEach((k, t) -> indexes.put(k, t.toString()));
    ok(ctx, 200, o);
  }

  void createPayloadIndex(Context ctx) {
    Collection c = collection(ctx);
    ObjectNode b = body(ctx, Set.of("key", "type"));
    String key = Requests.string(b, "key", null);
    String type = Requests.string(b, "type", null);
    if (key == null || type == null) {
      throw ApiError.badRequest(key == null ? "key" : "type", "is required");
    }
    PayloadIndexType t = PayloadIndexType.parse(type);
    c.createPayloadIndex(key, t);
    ok(ctx, 200, Json.MAPPER.createObjectNode().put("key", key).put("type", t.toString()));
  }

  void dropPayloadIndex(Context ctx) {
    Collection c = collection(ctx);
    String key = ctx.pathParam("key");
    c.dropPayloadIndex(key);
    ok(ctx, 200, Json.MAPPER.createObjectNode().put("dropped", key));
  }

  void dropCollection(Context ctx) {
    String name = ctx.pathParam("name");
    CollectionConfig.checkName(name);
    db.drop(name);
    ok(ctx, 200, Json.MAPPER.createObjectNode().put("dropped", name));
  }

  // ---- points -----------------------------------------------------------------------------

  void upsert(Context ctx) {
    Collection c = collection(ctx);
    ObjectNode b = body(ctx, Set.of("points"));
    JsonNode arr = b.get("points");
    if (arr == null || !arr.isArray()) {
      throw ApiError.badRequest("points", "must be an array of points");
    }
    if (arr.size() > Collection.MAX_BATCH) {
      throw ApiError.tooLarge(
          "points",
          "has " + arr.size() + " points; the limit is " + Collection.MAX_BATCH + " a request");
    }
    List<Point> points = new ArrayList<>(arr.size());
    for (int i = 0; i < arr.size(); i++) {
      String f = "points[" + i + "]";
      JsonNode n = arr.get(i);
      if (!n.isObject()) {
        throw ApiError.badRequest(f, "must be a JSON object");
      }
      ObjectNode p = (ObjectNode) n;
      Requests.only(p, f, Set.of("id", "vector", "text", "payload"));
      String id = Requests.id(p.get("id"), f + ".id");
      float[] vector =
          Requests.has(p, "vector") ? Requests.vector(p.get("vector"), f + ".vector") : null;
      String text = Requests.string(p, "text", null);
      if (Requests.has(p, "text") && text == null) {
        throw ApiError.badRequest(f + ".text", "must be a string");
      }
      ObjectNode payload = Json.checkPayload(f + ".payload", p.get("payload"));
      points.add(new Point(id, vector, text, payload));
    }
    c.upsert(points);
    ok(ctx, 200, Json.MAPPER.createObjectNode().put("upserted", points.size()));
  }

  static ArrayNode floats(float[] v) {
    ArrayNode a = Json.MAPPER.createArrayNode();
    for (float x : v) {
      a.add(x);
    }
    return a;
  }

  void getPoints(Context ctx) {
    Collection c = collection(ctx);
    ObjectNode b = body(ctx, Set.of("ids", "with_vector"));
    List<Point> found = c.get(Requests.ids(b, "ids"), Requests.bool(b, "with_vector", false));
    JsonAnswer.ok(
        ctx,
        config.maxResponseBytes(),
        "ids",
        "ask for fewer ids at a time, or leave out the vectors (with_vector: false)",
        g -> {
          g.writeStartArray();
          for (Point p : found) {
            JsonAnswer.point(g, p);
          }
          g.writeEndArray();
        });
  }

  void getPoint(Context ctx) {
    Collection c = collection(ctx);
    String id = ctx.pathParam("id");
    boolean withVector = "true".equals(ctx.queryParam("with_vector"));
    List<Point> found = c.get(List.of(id), withVector);
    if (found.isEmpty()) {
      throw ApiError.notFound(
          "id", "no point '" + id + "' in collection '" + c.config().name() + "'");
    }
    JsonAnswer.ok(
        ctx,
        config.maxResponseBytes(),
        "with_vector",
        "leave out the vector",
        g -> JsonAnswer.point(g, found.get(0)));
  }

  /** Exactly one of {@code ids} or {@code filter}. */
  private static boolean byIds(ObjectNode b) {
    boolean ids = Requests.has(b, "ids");
    if (ids == Requests.has(b, "filter")) {
      throw ApiError.badRequest("ids", "give exactly one of ids or filter");
    }
    return ids;
  }

  /** The request's deadline (set on arrival by {@link ByhandServer}). */
  private static Deadline deadline(Context ctx) {
    return ByhandServer.deadline(ctx);
  }

  void deletePoints(Context ctx) {
    Collection c = collection(ctx);
    ObjectNode b = body(ctx, Set.of("ids", "filter"));
    if (byIds(b)) {
      int n = c.delete(Requests.ids(b, "ids"));
      ok(ctx, 200, Json.MAPPER.createObjectNode().put("deleted", n));
      return;
    }
    // Selecting by filter scans points: it waits its turn for a core and has a deadline, as a
    // search does.
    Deadline d = deadline(ctx);
    Filter filter = d.bound(Requests.filter(b, "filter"));
    searches.answer(
        ctx,
        d,
        () -> ok(ctx, 200, Json.MAPPER.createObjectNode().put("deleted", c.delete(filter))));
  }

  void setPayload(Context ctx) {
    Collection c = collection(ctx);
    ObjectNode b = body(ctx, Set.of("payload", "ids", "filter"));
    ObjectNode payload = Json.checkPayload("payload", b.get("payload"));
    if (payload == null) {
      throw ApiError.badRequest("payload", "is required: a JSON object of keys to set");
    }
    ObjectNode out = Json.MAPPER.createObjectNode();
    if (byIds(b)) {
      List<String> ids = Requests.ids(b, "ids");
      c.setPayload(ids, payload);
      out.put("updated", ids.size());
      ok(ctx, 200, out);
      return;
    }
    Deadline d = deadline(ctx);
    Filter filter = d.bound(Requests.filter(b, "filter"));
    searches.answer(ctx, d, () -> ok(ctx, 200, out.put("updated", c.setPayload(filter, payload))));
  }

  void overwritePayload(Context ctx) {
    Collection c = collection(ctx);
    ObjectNode b = body(ctx, Set.of("payload", "ids"));
    ObjectNode payload = Json.checkPayload("payload", b.get("payload"));
    List<String> ids = Requests.ids(b, "ids");
    c.overwritePayload(ids, payload == null ? Json.MAPPER.createObjectNode() : payload);
    ok(ctx, 200, Json.MAPPER.createObjectNode().put("updated", ids.size()));
  }

  void deletePayloadKeys(Context ctx) {
    Collection c = collection(ctx);
    ObjectNode b = body(ctx, Set.of("keys", "ids", "filter"));
    List<String> keys = Requests.strings(b.get("keys"), "keys");
    ObjectNode out = Json.MAPPER.createObjectNode();
    if (byIds(b)) {
      List<String> ids = Requests.ids(b, "ids");
      c.deletePayloadKeys(ids, keys);
      out.put("updated", ids.size());
      ok(ctx, 200, out);
      return;
    }
    Deadline d = deadline(ctx);
    Filter filter = d.bound(Requests.filter(b, "filter"));
    searches.answer(
        ctx, d, () -> ok(ctx, 200, out.put("updated", c.deletePayloadKeys(filter, keys))));
  }

  void count(Context ctx) {
    Collection c = collection(ctx);
    ObjectNode b = optionalBody(ctx, Set.of("filter"));
    Filter filter = Requests.filter(b, "filter");
    if (filter == null) {
      ok(ctx, 200, Json.MAPPER.createObjectNode().put("count", c.count(null))); // no scan
      return;
    }
    Deadline d = deadline(ctx);
    Filter bounded = d.bound(filter);
    searches.answer(
        ctx, d, () -> ok(ctx, 200, Json.MAPPER.createObjectNode().put("count", c.count(bounded))));
  }

  void scroll(Context ctx) {
    Collection c = collection(ctx);
    ObjectNode b = optionalBody(ctx, Set.of("filter", "offset", "limit", "with_vector"));
    Deadline d = deadline(ctx);
    Filter filter = d.bound(Requests.filter(b, "filter"));
    String offset = Requests.has(b, "offset") ? Requests.id(b.get("offset"), "offset") : null;
    int limit = Requests.integer(b, "limit", 10, 1, MAX_POINTS);
    boolean withVector = Requests.bool(b, "with_vector", false);
    searches.answer(
        ctx,
        d,
        () -> {
          Page page = c.scroll(filter, offset, limit, withVector);
          JsonAnswer.ok(
              ctx,
              config.maxResponseBytes(),
              "limit",
              "ask for fewer points a page (limit), or leave out the vectors (with_vector: false)",
              g -> {
                g.writeStartObject();
                g.writeArrayFieldStart("points");
                for (Point p : page.points()) {
                  JsonAnswer.point(g, p);
                }
                g.writeEndArray();
                g.writeStringField("next_offset", page.nextCursor()); // null when done
                g.writeEndObject();
              });
        });
  }

  static final Set<String> SEARCH_FIELDS =
      Set.of(
          "vector",
          "text",
          "k",
          "limit",
          "ef",
          "filter",
          "with_payload",
          "with_vector",
          "score_threshold");

  /** Reads one search; {@code where} prefixes field names in errors (e.g. {@code searches[3]}). */
  private static SearchRequest searchRequest(ObjectNode b, String where) {
    return searchRequest(b, where, null);
  }

  /** The same with the vector already read ({@link Requests#bodyWithVector}), or null. */
  static SearchRequest searchRequest(ObjectNode b, String where, float[] vectorRead) {
    String p = where.isEmpty() ? "" : where + ".";
    Requests.only(b, where, SEARCH_FIELDS);
    if (Requests.has(b, "k") && Requests.has(b, "limit")) {
      throw ApiError.badRequest(p + "k", "give k or its alias limit, not both");
    }
    int k;
    try {
      k = Requests.integer(b, Requests.has(b, "limit") ? "limit" : "k", 10, 1, SearchRequest.MAX_K);
    } catch (ApiError e) {
      throw ApiError.badRequest(p + e.field(), e.getMessage());
    }
    float[] vector =
        vectorRead != null
            ? vectorRead
            : Requests.has(b, "vector") ? Requests.vector(b.get("vector"), p + "vector") : null;
    String text = Requests.string(b, "text", null);
    if ((vector == null) == (text == null)) {
      throw ApiError.badRequest(p + "vector", "give exactly one of vector or text");
    }
    boolean withPayload = true;
    List<String> fields = null;
    JsonNode wp = b.get("with_payload");
    if (wp != null && !wp.isNull()) {
      if (wp.isBoolean()) {
        withPayload = wp.booleanValue();
      } else if (wp.isArray()) {
        fields = Requests.strings(wp, p + "with_payload");
      } else {
        throw ApiError.badRequest(
            p + "with_payload", "must be true, false or an array of payload keys");
      }
    }
    int ef = Requests.integer(b, "ef", 0, 0, SearchRequest.MAX_EF);
    Filter filter = Requests.filter(b, p + "filter", "filter");
    return new SearchRequest(
        vector,
        text,
        k,
        ef,
        filter,
        withPayload,
        fields,
        Requests.bool(b, "with_vector", false),
        Requests.number(b, "score_threshold"));
  }

  /** Most points one request reads or returns: a scroll page, the hits of a batch with data. */
  static final int MAX_POINTS = 10_000;

  private static final String LESS_HITS =
      "ask for fewer hits (k), only the payload keys you need (with_payload: [\"key\", …]),"
          + " or no vectors (with_vector: false)";

  void search(Context ctx) {
    Collection c = collection(ctx);
    Requests.VectorBody b =
        Requests.bodyWithVector(
            in(ctx),
            ctx.req().getContentLengthLong(),
            config.maxBodyBytes(),
            c.config().dimension());
    Requests.only(b.node(), "", SEARCH_FIELDS);
    SearchRequest parsed = searchRequest(b.node(), "", b.vector());
    Deadline d = deadline(ctx);
    SearchRequest request =
        parsed.filter() == null ? parsed : parsed.withFilter(d.bound(parsed.filter()));
    searches.answer(
        ctx,
        d,
        () -> {
          List<ScoredPoint> hits = c.search(request);
          JsonAnswer.ok(
              ctx, config.maxResponseBytes(), "k", LESS_HITS, g -> JsonAnswer.hits(g, hits));
        });
  }

  void searchBatch(Context ctx) {
    Collection c = collection(ctx);
    ObjectNode b = body(ctx, Set.of("searches"));
    JsonNode arr = b.get("searches");
    if (arr == null || !arr.isArray()) {
      throw ApiError.badRequest("searches", "must be an array of searches");
    }
    if (arr.size() > config.maxBatchSearches()) {
      throw ApiError.tooLarge(
          "searches", "has " + arr.size() + " searches; the limit is " + config.maxBatchSearches());
    }
    Deadline d = deadline(ctx);
    List<SearchRequest> requests = new ArrayList<>(arr.size());
    long withData = 0; // hits that carry a payload or a vector
    for (int i = 0; i < arr.size(); i++) {
      if (!arr.get(i).isObject()) {
        throw ApiError.badRequest("searches[" + i + "]", "must be a JSON object");
      }
      SearchRequest r = searchRequest((ObjectNode) arr.get(i), "searches[" + i + "]");
      if (r.withPayload() || r.withVector()) {
        withData += r.k();
      }
      requests.add(r.filter() == null ? r : r.withFilter(d.bound(r.filter())));
    }
    if (withData > MAX_POINTS) {
      // Checked before any search runs: the store copies every hit's payload, so 100 searches
      // of k 1,000 over 1 MiB payloads would hold 100 GiB before the answer could be measured.
      throw ApiError.tooLarge(
          "searches",
          "asks for "
              + withData
              + " hits with payloads or vectors in all (the sum of k); the limit is "
              + MAX_POINTS
              + " a request. Split the batch, lower k, or set with_payload and with_vector to"
              + " false for the searches that only need ids and scores");
    }
    if (requests.isEmpty()) {
      ok(ctx, 200, Json.MAPPER.createArrayNode());
      return;
    }
    searches.answer(
        ctx,
        d,
        () -> {
          List<List<ScoredPoint>> all = c.search(requests);
          JsonAnswer.ok(
              ctx,
              config.maxResponseBytes(),
              "searches",
              "split the batch, " + LESS_HITS,
              g -> {
                g.writeStartArray();
                for (List<ScoredPoint> hits : all) {
                  JsonAnswer.hits(g, hits);
                }
                g.writeEndArray();
              });
        });
  }

  /**
   * The seed's steps [8]–[10] for one query, by hand: the query's tokens, their encoder vectors
   * (step [3]), the pooled vector (step [4]), the index vector that is searched, and for each top
   * hit its stored vector and the dot product written out.
   */
  void explain(Context ctx) {
    Collection c = collection(ctx);
    ObjectNode b = body(ctx, Set.of("text", "k"));
    String text = Requests.string(b, "text", null);
    if (text == null || text.isEmpty()) {
      throw ApiError.badRequest("text", "is required: the query text");
    }
    int k = Requests.integer(b, "k", 3, 1, 20);
    // The collection's own encoder (the one its searches use), not a second copy of the model.
    Collection.Explanation explanation = c.explain(text, k);
    EncodingTrace trace = explanation.trace();
    float[] query = trace.vector();
    List<ScoredPoint> top = explanation.hits();
    String encoderName = explanation.encoder();
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put("encoder", encoderName);
    out.put("metric", c.config().metric().name().toLowerCase(Locale.ROOT));
    ArrayNode tokens = out.putArray("tokens");
    for (String piece : trace.tokens().pieces()) {
      tokens.add(piece);
    }
    ArrayNode features = out.putArray("token_vectors");
    for (float[] f : trace.features()) {
      features.add(floats(f));
    }
    out.set("pooled", floats(trace.pooled()));
    out.set("index_vector", floats(query));
    ArrayNode hits = out.putArray("hits");
    for (ScoredPoint h : top) {
      ObjectNode o = hits.addObject();
      o.put("id", h.id());
      o.put("score", h.score());
      o.set("payload", h.payload());
      o.set("vector", floats(h.vector()));
      double dot = 0;
      for (int i = 0; i < query.length; i++) {
        dot += (double) query[i] * h.vector()[i];
      }
      o.put("dot", dot);
    }
    ok(ctx, 200, out);
  }

  // ---- snapshots --------------------------------------------------------------------------

  void createSnapshot(Context ctx) {
    String collection = ctx.pathParam("name");
    CollectionConfig.checkName(collection);
    String name = Snapshots.create(db, collection);
    ok(
        ctx,
        201,
        Json.MAPPER.createObjectNode().put("collection", collection).put("snapshot", name));
  }

  /** Listed for a quarantined collection too: they are what an admin restores in its place. */
  void listSnapshots(Context ctx) {
    String collection = ctx.pathParam("name");
    CollectionConfig.checkName(collection);
    ArrayNode out = Json.MAPPER.createArrayNode();
    Snapshots.list(db, collection).forEach(n -> out.addObject().put("snapshot", n));
    ok(ctx, 200, Json.MAPPER.createObjectNode().set("snapshots", out));
  }

  void restoreSnapshot(Context ctx) {
    String name = ctx.pathParam("name");
    CollectionConfig.checkName(name);
    ObjectNode b = body(ctx, Set.of("collection"));
    String target = Requests.string(b, "collection", null);
    if (target == null) {
      throw ApiError.badRequest("collection", "is required: the name of the new collection");
    }
    Collection restored = Snapshots.restore(db, name, ctx.pathParam("snapshot"), target);
    ok(ctx, 201, info(restored.info()));
  }

  @Override
  public void close() {
    searches.close();
  }
}
