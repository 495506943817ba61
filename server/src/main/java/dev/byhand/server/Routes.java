package dev.byhand.server;

import static dev.byhand.server.ByhandServer.ok;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.embed.EncoderOptions;
import dev.byhand.embed.Encoders;
import dev.byhand.embed.EncodingTrace;
import dev.byhand.embed.TextEncoder;
import dev.byhand.store.Collection;
import dev.byhand.store.CollectionConfig;
import dev.byhand.store.CollectionInfo;
import dev.byhand.store.Database;
import dev.byhand.store.Durability;
import dev.byhand.store.Filter;
import dev.byhand.store.Json;
import dev.byhand.store.Page;
import dev.byhand.store.PayloadIndexType;
import dev.byhand.store.Point;
import dev.byhand.store.ScoredPoint;
import dev.byhand.store.SearchRequest;
import dev.byhand.vector.Metric;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** The handlers of the REST API; {@link ByhandServer} wires them to routes and checks keys. */
final class Routes implements AutoCloseable {

  private final Database db;
  private final ServerConfig config;
  private final Map<String, TextEncoder> encoders = new ConcurrentHashMap<>();
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

  void listCollections(Context ctx) {
    ArrayNode out = Json.MAPPER.createArrayNode();
    for (String name : db.list()) {
      out.addObject().put("name", name);
    }
    ok(ctx, 200, Json.MAPPER.createObjectNode().set("collections", out));
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
      int m = Requests.integer(hnsw, "m", c.m(), 2, 128);
      c =
          c.withHnsw(
              m,
              Requests.integer(hnsw, "ef_construction", Math.max(c.efConstruction(), m), m, 4096));
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

  void collectionInfo(Context ctx) {
    Collection c = collection(ctx);
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
    TextEncoder e = encoders.remove(name);
    if (e != null) {
      e.close();
    }
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

  static ObjectNode point(Point p) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("id", p.id());
    o.set("payload", p.payload() == null ? Json.MAPPER.nullNode() : p.payload());
    if (p.vector() != null) {
      o.set("vector", floats(p.vector()));
    }
    return o;
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
    ArrayNode out = Json.MAPPER.createArrayNode();
    found.forEach(p -> out.add(point(p)));
    ok(ctx, 200, out);
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
    ok(ctx, 200, point(found.get(0)));
  }

  /** Exactly one of {@code ids} or {@code filter}. */
  private static boolean byIds(ObjectNode b) {
    boolean ids = Requests.has(b, "ids");
    if (ids == Requests.has(b, "filter")) {
      throw ApiError.badRequest("ids", "give exactly one of ids or filter");
    }
    return ids;
  }

  void deletePoints(Context ctx) {
    Collection c = collection(ctx);
    ObjectNode b = body(ctx, Set.of("ids", "filter"));
    int n = byIds(b) ? c.delete(Requests.ids(b, "ids")) : c.delete(Requests.filter(b, "filter"));
    ok(ctx, 200, Json.MAPPER.createObjectNode().put("deleted", n));
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
    } else {
      out.put("updated", c.setPayload(Requests.filter(b, "filter"), payload));
    }
    ok(ctx, 200, out);
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
    } else {
      out.put("updated", c.deletePayloadKeys(Requests.filter(b, "filter"), keys));
    }
    ok(ctx, 200, out);
  }

  void count(Context ctx) {
    Collection c = collection(ctx);
    ObjectNode b = optionalBody(ctx, Set.of("filter"));
    ok(
        ctx,
        200,
        Json.MAPPER.createObjectNode().put("count", c.count(Requests.filter(b, "filter"))));
  }

  void scroll(Context ctx) {
    Collection c = collection(ctx);
    ObjectNode b = optionalBody(ctx, Set.of("filter", "offset", "limit", "with_vector"));
    Page page =
        c.scroll(
            Requests.filter(b, "filter"),
            Requests.has(b, "offset") ? Requests.id(b.get("offset"), "offset") : null,
            Requests.integer(b, "limit", 10, 1, 10_000),
            Requests.bool(b, "with_vector", false));
    ObjectNode out = Json.MAPPER.createObjectNode();
    ArrayNode points = out.putArray("points");
    page.points().forEach(p -> points.add(point(p)));
    if (page.nextCursor() == null) {
      out.putNull("next_offset");
    } else {
      out.put("next_offset", page.nextCursor());
    }
    ok(ctx, 200, out);
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
    Filter filter = Requests.filter(b, "filter");
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

  static ArrayNode hits(List<ScoredPoint> hits) {
    ArrayNode out = Json.MAPPER.createArrayNode();
    for (ScoredPoint h : hits) {
      ObjectNode o = out.addObject();
      o.put("id", h.id());
      o.put("score", h.score());
      if (h.payload() != null) {
        o.set("payload", h.payload());
      }
      if (h.vector() != null) {
        o.set("vector", floats(h.vector()));
      }
    }
    return out;
  }

  void search(Context ctx) {
    Collection c = collection(ctx);
    Requests.VectorBody b =
        Requests.bodyWithVector(
            in(ctx),
            ctx.req().getContentLengthLong(),
            config.maxBodyBytes(),
            c.config().dimension());
    Requests.only(b.node(), "", SEARCH_FIELDS);
    SearchRequest request = searchRequest(b.node(), "", b.vector());
    searches.answer(ctx, () -> ok(ctx, 200, hits(c.search(request))));
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
    List<SearchRequest> requests = new ArrayList<>(arr.size());
    for (int i = 0; i < arr.size(); i++) {
      if (!arr.get(i).isObject()) {
        throw ApiError.badRequest("searches[" + i + "]", "must be a JSON object");
      }
      requests.add(searchRequest((ObjectNode) arr.get(i), "searches[" + i + "]"));
    }
    if (requests.isEmpty()) {
      ok(ctx, 200, Json.MAPPER.createArrayNode());
      return;
    }
    searches.answer(
        ctx,
        () -> {
          ArrayNode out = Json.MAPPER.createArrayNode();
          c.search(requests).forEach(h -> out.add(hits(h)));
          ok(ctx, 200, out);
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
    String encoderName = c.config().encoder();
    if (encoderName == null) {
      throw ApiError.badRequest(
          "text",
          "collection '"
              + c.config().name()
              + "' has no encoder, so there is no text pipeline to show");
    }
    TextEncoder encoder =
        encoders.computeIfAbsent(
            c.config().name(),
            n -> Encoders.open(encoderName, EncoderOptions.defaults(encoderName)));
    EncodingTrace trace = encoder.trace(text);
    float[] query = trace.vector();
    List<ScoredPoint> top = c.search(SearchRequest.vector(query, k).withVector(true));
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
    Collection c = collection(ctx);
    String name = Snapshots.create(db, c);
    ok(
        ctx,
        201,
        Json.MAPPER.createObjectNode().put("collection", c.config().name()).put("snapshot", name));
  }

  void listSnapshots(Context ctx) {
    Collection c = collection(ctx);
    ArrayNode out = Json.MAPPER.createArrayNode();
    Snapshots.list(db, c.config().name()).forEach(n -> out.addObject().put("snapshot", n));
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
    encoders.values().forEach(TextEncoder::close);
    encoders.clear();
  }
}
