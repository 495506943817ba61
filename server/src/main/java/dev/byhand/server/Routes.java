package dev.byhand.server;

import static dev.byhand.server.ByhandServer.ok;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.embed.EncodingTrace;
import dev.byhand.store.Collection;
import dev.byhand.store.CollectionConfig;
import dev.byhand.store.CollectionInfo;
import dev.byhand.store.CollectionView;
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
    refuseSharded(name);
    return db.collection(name);
  }

  // ---- sharded collections (issue 18) -----------------------------------------------------

  /** Sharded collections served beside the database's own, read-only, by name. */
  private Map<String, dev.byhand.store.ShardedCollection> sharded = Map.of();

  /** Serves these sharded collections too (see {@link ManifestCollections}). */
  void serveSharded(Map<String, dev.byhand.store.ShardedCollection> collections) {
    this.sharded = Map.copyOf(collections);
  }

  /** What a read route reads: the sharded collection of that name, or the database's. */
  private CollectionView view(Context ctx) {
    String name = ctx.pathParam("name");
    CollectionConfig.checkName(name);
    CollectionView s = sharded.get(name);
    return s != null ? s : db.collection(name);
  }

  /** Writes, drops, creates and snapshots of a sharded collection's name answer 409. */
  private void refuseSharded(String name) {
    if (sharded.containsKey(name)) {
      throw new ApiError(
          409,
          "read_only",
          null,
          "collection '"
              + name
              + "' is sharded, served from a manifest, and read-only: rebuild it with the Spark"
              + " index job");
    }
  }

  // ---- service ----------------------------------------------------------------------------

  void openApi(Context ctx) {
    ctx.contentType("application/json").result(openApi);
  }

  // ---- collections ------------------------------------------------------------------------

  private final java.util.concurrent.atomic.AtomicLong operations =
      new java.util.concurrent.atomic.AtomicLong();

  /** Qdrant's UpdateResult: every write is durable once acknowledged, so it is completed. */
  private ObjectNode completed() {
    return Json.MAPPER
        .createObjectNode()
        .put("operation_id", operations.incrementAndGet())
        .put("status", "completed");
  }

  /** {@code GET /}: Qdrant's VersionInfo, which clients read to check compatibility. */
  void version(Context ctx) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("title", "byhand - vector search engine (speaks the Qdrant REST API)");
    o.put("version", Qdrant.API_VERSION);
    o.put("byhand", ByhandServer.class.getPackage().getImplementationVersion());
    ctx.contentType("application/json").result(o.toString());
  }

  /** Every collection by name, a quarantined one with {@code "status": "failed"} and why. */
  void listCollections(Context ctx) {
    Map<String, ObjectNode> byName = new TreeMap<>();
    for (String name : db.list()) {
      byName.put(name, Json.MAPPER.createObjectNode().put("name", name).put("status", "green"));
    }
    for (FailedCollection f : db.failed()) {
      byName.put(f.name(), failed(f));
    }
    for (String name : sharded.keySet()) {
      byName.put(name, Json.MAPPER.createObjectNode().put("name", name).put("status", "green"));
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

  void collectionExists(Context ctx) {
    String name = ctx.pathParam("name");
    CollectionConfig.checkName(name);
    boolean exists =
        db.list().contains(name) || db.failure(name).isPresent() || sharded.containsKey(name);
    ok(ctx, 200, Json.MAPPER.createObjectNode().put("exists", exists));
  }

  /** Fields of Qdrant's create-collection body that a single node has no use for. */
  private static final Set<String> IGNORED_CREATE =
      Set.of(
          "shard_number",
          "sharding_method",
          "replication_factor",
          "write_consistency_factor",
          "on_disk_payload",
          "optimizers_config",
          "wal_config",
          "strict_mode_config",
          "metadata",
          "timeout");

  void createCollection(Context ctx) {
    String name = ctx.pathParam("name");
    CollectionConfig.checkName(name);
    refuseSharded(name);
    Set<String> allowed = new java.util.HashSet<>(IGNORED_CREATE);
    allowed.addAll(
        Set.of(
            "vectors",
            "hnsw_config",
            "quantization_config",
            "sparse_vectors",
            "init_from",
            "encoder",
            "durability",
            "sync_interval_ms"));
    ObjectNode b = body(ctx, allowed);
    if (Requests.has(b, "quantization_config")) {
      throw ApiError.badRequest(
          "quantization_config", "is not supported by byhand's REST API; leave it out");
    }
    if (Requests.has(b, "init_from")) {
      throw ApiError.badRequest("init_from", "is not supported; restore a snapshot instead");
    }
    JsonNode sparse = b.get("sparse_vectors");
    if (sparse != null && !sparse.isNull() && sparse.size() > 0) {
      throw ApiError.badRequest("sparse_vectors", "are not supported by byhand");
    }
    String encoder = Requests.string(b, "encoder", null);
    ObjectNode params = vectorParams(b.get("vectors"), encoder == null);
    CollectionConfig c;
    if (encoder != null) {
      c = CollectionConfig.withEncoder(name, encoder);
      if (params != null && Requests.has(params, "size")) {
        int size =
            Requests.integer(params, "size", c.dimension(), 1, CollectionConfig.MAX_DIMENSION);
        if (size != c.dimension()) {
          throw ApiError.badRequest(
              "vectors.size",
              "encoder '" + encoder + "' makes " + c.dimension() + " numbers, got " + size);
        }
      }
    } else {
      if (!Requests.has(params, "size")) {
        throw ApiError.badRequest("vectors.size", "is required when no encoder is given");
      }
      int size;
      try {
        size = Requests.integer(params, "size", 0, 1, CollectionConfig.MAX_DIMENSION);
      } catch (ApiError e) {
        throw ApiError.badRequest("vectors.size", e.getMessage());
      }
      c = CollectionConfig.of(name, size, Metric.COSINE);
    }
    if (params != null && Requests.has(params, "distance")) {
      Metric m = Qdrant.metric(params.get("distance"), "vectors.distance");
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
    } else if (encoder == null) {
      throw ApiError.badRequest("vectors.distance", "is required: Cosine, Dot or Euclid");
    }
    ObjectNode hnsw = Requests.object(b, "hnsw_config");
    if (hnsw == null && params != null) {
      hnsw = Requests.object(params, "hnsw_config");
    }
    if (hnsw != null) {
      Requests.only(
          hnsw,
          "hnsw_config",
          Set.of(
              "m",
              "ef_construct",
              "full_scan_threshold",
              "max_indexing_threads",
              "on_disk",
              "payload_m",
              "inline_storage"));
      int m;
      try {
        m = Requests.integer(hnsw, "m", c.m(), 2, HnswIndex.MAX_M);
      } catch (ApiError e) {
        throw ApiError.badRequest("hnsw_config.m", e.getMessage());
      }
      int ef;
      try {
        ef =
            Requests.integer(
                hnsw,
                "ef_construct",
                Math.max(c.efConstruction(), m),
                m,
                HnswIndex.MAX_EF_CONSTRUCTION);
      } catch (ApiError e) {
        throw ApiError.badRequest("hnsw_config.ef_construct", e.getMessage());
      }
      c = c.withHnsw(m, ef);
    }
    String durability = Requests.string(b, "durability", null);
    if (durability != null || Requests.has(b, "sync_interval_ms")) {
      Durability d =
          durability == null ? c.durability() : enumOf(Durability.class, "durability", durability);
      c =
          c.withDurability(
              d, Requests.integer(b, "sync_interval_ms", c.syncIntervalMillis(), 1, 60_000));
    }
    db.create(c);
    ok(ctx, 200, Json.MAPPER.getNodeFactory().booleanNode(true));
  }

  /**
   * Qdrant's {@code vectors}: {@code {size, distance, …}} for the unnamed vector, or {@code
   * {"name": {size, distance}}} for one named vector (byhand keeps one vector a point).
   */
  private static ObjectNode vectorParams(JsonNode v, boolean required) {
    if (v == null || v.isNull()) {
      if (required) {
        throw ApiError.badRequest(
            "vectors", "is required: {\"size\": N, \"distance\": \"Cosine\"} (or give an encoder)");
      }
      return null;
    }
    if (!v.isObject()) {
      throw ApiError.badRequest("vectors", "must be {\"size\": N, \"distance\": \"Cosine\"}");
    }
    ObjectNode o = (ObjectNode) v;
    if (!o.has("size") && !o.has("distance") && o.size() >= 1) {
      if (o.size() > 1) {
        throw ApiError.badRequest(
            "vectors", "byhand keeps one vector a point; name at most one vector, got " + o.size());
      }
      String name = o.fieldNames().next();
      JsonNode inner = o.get(name);
      if (!inner.isObject()) {
        throw ApiError.badRequest("vectors." + name, "must be {\"size\": N, \"distance\": …}");
      }
      o = (ObjectNode) inner;
    }
    Requests.only(
        o,
        "vectors",
        Set.of(
            "size",
            "distance",
            "hnsw_config",
            "quantization_config",
            "on_disk",
            "datatype",
            "multivector_config"));
    if (Requests.has(o, "quantization_config") || Requests.has(o, "multivector_config")) {
      throw ApiError.badRequest(
          Requests.has(o, "multivector_config")
              ? "vectors.multivector_config"
              : "vectors.quantization_config",
          "is not supported by byhand; leave it out");
    }
    String datatype = Requests.string(o, "datatype", "float32");
    if (!datatype.equalsIgnoreCase("float32")) {
      throw ApiError.badRequest("vectors.datatype", "byhand stores float32 only");
    }
    return o;
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

  /**
   * Qdrant's CollectionInfo (every field qdrant-client requires), with byhand's own figures as
   * extra fields ({@code encoder}, {@code durability}, {@code wal_bytes}, …).
   */
  static ObjectNode info(CollectionInfo i, Map<String, PayloadIndexType> indexes) {
    CollectionConfig c = i.config();
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("status", "green");
    o.put("optimizer_status", "ok");
    o.put("segments_count", 1);
    o.put("points_count", i.points());
    o.put("indexed_vectors_count", i.points());
    o.put("vectors_count", i.points());
    ObjectNode config = o.putObject("config");
    ObjectNode params = config.putObject("params");
    params
        .putObject("vectors")
        .put("size", c.dimension())
        .put("distance", Qdrant.distance(c.metric()));
    params.put("shard_number", 1);
    params.put("replication_factor", 1);
    params.put("write_consistency_factor", 1);
    params.put("on_disk_payload", true);
    config
        .putObject("hnsw_config")
        .put("m", c.m())
        .put("ef_construct", c.efConstruction())
        .put("full_scan_threshold", 10_000);
    config
        .putObject("optimizer_config")
        .put("deleted_threshold", 0.2)
        .put("vacuum_min_vector_number", 1000)
        .put("default_segment_number", 1)
        .put("flush_interval_sec", 5);
    config.putObject("wal_config").put("wal_capacity_mb", 32).put("wal_segments_ahead", 0);
    config.putNull("quantization_config");
    ObjectNode schema = o.putObject("payload_schema");
    indexes.forEach(
        (k, t) -> schema.putObject(k).put("data_type", t.toString()).put("points", i.points()));
    o.put("name", c.name());
    if (c.encoder() == null) {
      o.putNull("encoder");
    } else {
      o.put("encoder", c.encoder());
    }
    o.put("durability", c.durability().name().toLowerCase(Locale.ROOT));
    o.put("sync_interval_ms", c.syncIntervalMillis());
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
    CollectionView c = sharded.containsKey(name) ? sharded.get(name) : db.collection(name);
    ok(ctx, 200, info(c.info(), c.payloadIndexes()));
  }

  void createPayloadIndex(Context ctx) {
    Collection c = collection(ctx);
    ObjectNode b = body(ctx, Set.of("field_name", "field_schema"));
    String key = Requests.string(b, "field_name", null);
    if (key == null) {
      throw ApiError.badRequest("field_name", "is required: the payload key to index");
    }
    JsonNode schema = b.get("field_schema");
    String type;
    if (schema != null && schema.isTextual()) {
      type = schema.textValue();
    } else if (schema != null && schema.isObject() && schema.path("type").isTextual()) {
      type = schema.get("type").textValue();
    } else {
      throw ApiError.badRequest(
          "field_schema", "is required: keyword, integer, float or bool (or {\"type\": …})");
    }
    PayloadIndexType t;
    try {
      t = PayloadIndexType.parse(type);
    } catch (dev.byhand.store.InvalidRequestException e) {
      throw ApiError.badRequest("field_schema", e.getMessage());
    }
    if (!c.payloadIndexes().containsKey(key) || c.payloadIndexes().get(key) != t) {
      c.createPayloadIndex(key, t);
    }
    ok(ctx, 200, completed());
  }

  void dropPayloadIndex(Context ctx) {
    Collection c = collection(ctx);
    String key = ctx.pathParam("key");
    c.dropPayloadIndex(key);
    ok(ctx, 200, completed());
  }

  void dropCollection(Context ctx) {
    String name = ctx.pathParam("name");
    CollectionConfig.checkName(name);
    refuseSharded(name);
    db.drop(name);
    ok(ctx, 200, Json.MAPPER.getNodeFactory().booleanNode(true));
  }

  // ---- points -----------------------------------------------------------------------------

  /** A point's vector: an array, or one named vector {@code {"name": [...]}} ({@code ""} too). */
  private static float[] pointVector(JsonNode v, String field) {
    if (v != null && v.isObject()) {
      if (v.size() != 1) {
        throw ApiError.badRequest(field, "byhand keeps one vector a point; give exactly one");
      }
      String name = v.fieldNames().next();
      return Requests.vector(v.get(name), field + "." + name);
    }
    return Requests.vector(v, field);
  }

  private void checkBatch(int n, String field) {
    if (n > Collection.MAX_BATCH) {
      throw ApiError.tooLarge(
          field, "has " + n + " points; the limit is " + Collection.MAX_BATCH + " a request");
    }
  }

  void upsert(Context ctx) {
    Collection c = collection(ctx);
    ObjectNode b = body(ctx, Set.of("points", "batch", "shard_key", "update_filter"));
    if (Requests.has(b, "update_filter")) {
      throw ApiError.badRequest("update_filter", "is not supported by byhand");
    }
    List<Point> points;
    if (Requests.has(b, "batch") == Requests.has(b, "points")) {
      throw ApiError.badRequest("points", "give exactly one of points or batch");
    }
    if (Requests.has(b, "points")) {
      JsonNode arr = b.get("points");
      if (!arr.isArray()) {
        throw ApiError.badRequest("points", "must be an array of points");
      }
      checkBatch(arr.size(), "points");
      points = new ArrayList<>(arr.size());
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
            Requests.has(p, "vector") ? pointVector(p.get("vector"), f + ".vector") : null;
        String text = Requests.string(p, "text", null);
        if (Requests.has(p, "text") && text == null) {
          throw ApiError.badRequest(f + ".text", "must be a string");
        }
        ObjectNode payload = Json.checkPayload(f + ".payload", p.get("payload"));
        points.add(new Point(id, vector, text, payload));
      }
    } else {
      ObjectNode batch = Requests.object(b, "batch");
      Requests.only(batch, "batch", Set.of("ids", "vectors", "payloads", "texts"));
      List<String> ids = Requests.ids(batch, "ids");
      checkBatch(ids.size(), "batch.ids");
      JsonNode vectors = batch.get("vectors");
      if (vectors != null && vectors.isObject() && vectors.size() == 1) {
        vectors = vectors.elements().next();
      }
      JsonNode payloads = batch.get("payloads");
      JsonNode texts = batch.get("texts");
      String[] names = {"batch.vectors", "batch.payloads", "batch.texts"};
      JsonNode[] lists = {vectors, payloads, texts};
      for (int i = 0; i < names.length; i++) {
        JsonNode n = lists[i];
        if (n != null && !n.isNull() && (!n.isArray() || n.size() != ids.size())) {
          throw ApiError.badRequest(
              names[i], "must be an array as long as batch.ids (" + ids.size() + ")");
        }
      }

      points = new ArrayList<>(ids.size());
      for (int i = 0; i < ids.size(); i++) {
        float[] vector =
            vectors == null || vectors.isNull()
                ? null
                : Requests.vector(vectors.get(i), "batch.vectors[" + i + "]");
        String text = null;
        if (texts != null && !texts.isNull()) {
          if (!texts.get(i).isTextual()) {
            throw ApiError.badRequest("batch.texts[" + i + "]", "must be a string");
          }
          text = texts.get(i).textValue();
        }
        ObjectNode payload =
            payloads == null || payloads.isNull()
                ? null
                : Json.checkPayload("batch.payloads[" + i + "]", payloads.get(i));
        points.add(new Point(ids.get(i), vector, text, payload));
      }
    }
    c.upsert(points);
    ok(ctx, 200, completed());
  }

  static ArrayNode floats(float[] v) {
    ArrayNode a = Json.MAPPER.createArrayNode();
    for (float x : v) {
      a.add(x);
    }
    return a;
  }

  /** Qdrant's {@code with_vector}: true, false, or a list of vector names (any: the one vector). */
  private static boolean withVector(ObjectNode b, String field) {
    JsonNode n = b.get(field);
    if (n == null || n.isNull()) {
      return false;
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    if (n.isArray()) {
      return n.size() > 0;
    }
    throw ApiError.badRequest(field, "must be true, false or an array of vector names");
  }

  void getPoints(Context ctx) {
    CollectionView c = view(ctx);
    ObjectNode b =
        body(ctx, Set.of("ids", "with_vector", "with_payload", "shard_key", "consistency"));
    PayloadSelector sel =
        PayloadSelector.parse(b.get("with_payload"), "with_payload", PayloadSelector.ALL);
    List<Point> found = c.get(Requests.ids(b, "ids"), withVector(b, "with_vector"));
    JsonAnswer.ok(
        ctx,
        config.maxResponseBytes(),
        "ids",
        "ask for fewer ids at a time, or leave out the vectors (with_vector: false)",
        g -> {
          g.writeStartArray();
          for (Point p : found) {
            JsonAnswer.point(g, p, sel);
          }
          g.writeEndArray();
        });
  }

  void getPoint(Context ctx) {
    CollectionView c = view(ctx);
    String raw = ctx.pathParam("id");
    String id = raw;
    boolean withVector = !"false".equals(ctx.queryParam("with_vector"));
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
        g -> JsonAnswer.point(g, found.get(0), null));
  }

  /** Exactly one of {@code points} (ids) or {@code filter}; true for ids. */
  private static boolean byIds(ObjectNode b) {
    boolean ids = Requests.has(b, "points");
    if (ids == Requests.has(b, "filter")) {
      throw ApiError.badRequest("points", "give exactly one of points (ids) or filter");
    }
    return ids;
  }

  /** The request's deadline (set on arrival by {@link ByhandServer}). */
  private static Deadline deadline(Context ctx) {
    return ByhandServer.deadline(ctx);
  }

  void deletePoints(Context ctx) {
    Collection c = collection(ctx);
    ObjectNode b = body(ctx, Set.of("points", "filter", "shard_key"));
    if (byIds(b)) {
      c.delete(Requests.ids(b, "points"));
      ok(ctx, 200, completed());
      return;
    }
    // Selecting by filter scans points: it waits its turn for a core and has a deadline, as a
    // search does.
    Deadline d = deadline(ctx);
    Filter filter = d.bound(Requests.filter(b, "filter"));
    searches.answer(
        ctx,
        d,
        () -> {
          c.delete(filter);
          ok(ctx, 200, completed());
        });
  }

  void setPayload(Context ctx) {
    Collection c = collection(ctx);
    ObjectNode b = body(ctx, Set.of("payload", "points", "filter", "key", "shard_key"));
    if (Requests.has(b, "key")) {
      throw ApiError.badRequest("key", "setting a payload under a nested key is not supported");
    }
    ObjectNode payload = Json.checkPayload("payload", b.get("payload"));
    if (payload == null) {
      throw ApiError.badRequest("payload", "is required: a JSON object of keys to set");
    }
    if (byIds(b)) {
      c.setPayload(Requests.ids(b, "points"), payload);
      ok(ctx, 200, completed());
      return;
    }
    Deadline d = deadline(ctx);
    Filter filter = d.bound(Requests.filter(b, "filter"));
    searches.answer(
        ctx,
        d,
        () -> {
          c.setPayload(filter, payload);
          ok(ctx, 200, completed());
        });
  }

  /** The ids of every point a filter selects (for writes the store offers by ids only). */
  private static List<String> selected(Collection c, Filter filter) {
    List<String> ids = new ArrayList<>();
    String cursor = null;
    do {
      Page page = c.scroll(filter, cursor, MAX_POINTS, false);
      page.points().forEach(p -> ids.add(p.id()));
      cursor = page.nextCursor();
    } while (cursor != null);
    return ids;
  }

  /** Replaces whole payloads; {@code clear} empties them (Qdrant's clear payload). */
  private void replacePayload(Context ctx, ObjectNode b, ObjectNode payload) {
    Collection c = collection(ctx);
    if (byIds(b)) {
      c.overwritePayload(Requests.ids(b, "points"), payload);
      ok(ctx, 200, completed());
      return;
    }
    Deadline d = deadline(ctx);
    Filter filter = d.bound(Requests.filter(b, "filter"));
    searches.answer(
        ctx,
        d,
        () -> {
          List<String> ids = selected(c, filter);
          for (int i = 0; i < ids.size(); i += Collection.MAX_BATCH) {
            c.overwritePayload(
                ids.subList(i, Math.min(ids.size(), i + Collection.MAX_BATCH)), payload);
          }
          ok(ctx, 200, completed());
        });
  }

  void overwritePayload(Context ctx) {
    ObjectNode b = body(ctx, Set.of("payload", "points", "filter", "key", "shard_key"));
    if (Requests.has(b, "key")) {
      throw ApiError.badRequest("key", "overwriting a payload under a nested key is not supported");
    }
    ObjectNode payload = Json.checkPayload("payload", b.get("payload"));
    replacePayload(ctx, b, payload == null ? Json.MAPPER.createObjectNode() : payload);
  }

  void clearPayload(Context ctx) {
    ObjectNode b = body(ctx, Set.of("points", "filter", "shard_key"));
    replacePayload(ctx, b, Json.MAPPER.createObjectNode());
  }

  void deletePayloadKeys(Context ctx) {
    Collection c = collection(ctx);
    ObjectNode b = body(ctx, Set.of("keys", "points", "filter", "shard_key"));
    List<String> keys = Requests.strings(b.get("keys"), "keys");
    if (byIds(b)) {
      c.deletePayloadKeys(Requests.ids(b, "points"), keys);
      ok(ctx, 200, completed());
      return;
    }
    Deadline d = deadline(ctx);
    Filter filter = d.bound(Requests.filter(b, "filter"));
    searches.answer(
        ctx,
        d,
        () -> {
          c.deletePayloadKeys(filter, keys);
          ok(ctx, 200, completed());
        });
  }

  void count(Context ctx) {
    CollectionView c = view(ctx);
    ObjectNode b = optionalBody(ctx, Set.of("filter", "exact", "shard_key"));
    Requests.bool(b, "exact", true); // counts are always exact
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
    CollectionView c = view(ctx);
    ObjectNode b =
        optionalBody(
            ctx,
            Set.of(
                "filter",
                "offset",
                "limit",
                "with_vector",
                "with_payload",
                "order_by",
                "shard_key",
                "consistency"));
    if (Requests.has(b, "order_by")) {
      throw ApiError.badRequest("order_by", "is not supported by byhand; points come in id order");
    }
    Deadline d = deadline(ctx);
    Filter filter = d.bound(Requests.filter(b, "filter"));
    String offset = Requests.has(b, "offset") ? Requests.id(b.get("offset"), "offset") : null;
    int limit = Requests.integer(b, "limit", 10, 1, MAX_POINTS);
    boolean withVector = withVector(b, "with_vector");
    PayloadSelector sel =
        PayloadSelector.parse(b.get("with_payload"), "with_payload", PayloadSelector.ALL);
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
                  JsonAnswer.point(g, p, sel);
                }
                g.writeEndArray();
                g.writeFieldName("next_page_offset");
                if (page.nextCursor() == null) {
                  g.writeNull(); // the last page
                } else {
                  JsonAnswer.id(g, page.nextCursor());
                }
                g.writeEndObject();
              });
        });
  }

  /** Fields of a search ({@code /points/search}) and of a query ({@code /points/query}). */
  private static final Set<String> SEARCH_FIELDS =
      Set.of(
          "vector",
          "text",
          "limit",
          "offset",
          "filter",
          "params",
          "with_payload",
          "with_vector",
          "score_threshold",
          "shard_key",
          "consistency",
          "lookup_from");

  private static final Set<String> QUERY_FIELDS =
      Set.of(
          "query",
          "text",
          "using",
          "limit",
          "offset",
          "filter",
          "params",
          "with_payload",
          "with_vector",
          "score_threshold",
          "shard_key",
          "consistency",
          "lookup_from",
          "prefetch");

  /** One search, parsed: the store's request and what the answer keeps of it. */
  record Search(
      SearchRequest request,
      int offset,
      PayloadSelector payload,
      Double mmrDiversity,
      int limit,
      boolean withVector,
      Metric metric) {
    List<ScoredPoint> page(List<ScoredPoint> hits) {
      if (mmrDiversity != null) {
        hits = Mmr.select(hits, request.vector(), limit + offset, mmrDiversity, metric);
        if (!withVector) {
          hits =
              hits.stream()
                  .map(h -> new ScoredPoint(h.id(), h.score(), h.payload(), null))
                  .toList();
        }
      }
      return offset == 0 ? hits : hits.subList(Math.min(offset, hits.size()), hits.size());
    }
  }

  /**
   * Reads one search or query; {@code where} prefixes field names in errors (e.g. {@code
   * searches[3]}); {@code vectorRead} is the vector already read ({@link Requests#bodyWithVector})
   * or null; {@code query} for the Query API's fields.
   */
  private Search searchRequest(
      CollectionView c, ObjectNode b, String where, float[] vectorRead, boolean query) {
    String p = where.isEmpty() ? "" : where + ".";
    Requests.only(b, where, query ? QUERY_FIELDS : SEARCH_FIELDS);
    if (query && Requests.has(b, "prefetch")) {
      throw ApiError.badRequest(p + "prefetch", "is not supported by byhand");
    }
    if (Requests.has(b, "lookup_from")) {
      throw ApiError.badRequest(p + "lookup_from", "is not supported by byhand");
    }
    int limit;
    int offset;
    try {
      limit = Requests.integer(b, "limit", 10, 1, SearchRequest.MAX_K);
      offset = Requests.integer(b, "offset", 0, 0, SearchRequest.MAX_K - limit);
    } catch (ApiError e) {
      throw ApiError.badRequest(
          p + e.field(),
          e.getMessage() + " (limit + offset is at most " + SearchRequest.MAX_K + ")");
    }
    float[] vector = vectorRead;
    String text = Requests.string(b, "text", null);
    if (vector == null && !query && Requests.has(b, "vector")) {
      JsonNode v = b.get("vector");
      if (v.isObject() && v.has("vector")) { // the NamedVector form {"name", "vector"}
        vector = Requests.vector(v.get("vector"), p + "vector.vector");
      } else {
        vector = Requests.vector(v, p + "vector");
      }
    }
    Double diversity = null;
    int candidates = 0;
    if (vector == null && query && Requests.has(b, "query")) {
      JsonNode q = b.get("query");
      if (q.isObject() && q.has("mmr") && !q.get("mmr").isNull()) {
        // Qdrant's maximal marginal relevance: nearest candidates, then a diverse selection
        if (!q.get("mmr").isObject()) {
          throw ApiError.badRequest(p + "query.mmr", "must be {diversity, candidates_limit}");
        }
        ObjectNode mmr = (ObjectNode) q.get("mmr");
        Requests.only(mmr, p + "query.mmr", Set.of("diversity", "candidates_limit"));
        Float d = Requests.number(mmr, "diversity");
        if (d != null && (d < 0 || d > 1)) {
          throw ApiError.badRequest(p + "query.mmr.diversity", "must be in [0, 1], got " + d);
        }
        diversity = d == null ? 0.5 : d.doubleValue();
        try {
          candidates = Requests.integer(mmr, "candidates_limit", 0, 1, SearchRequest.MAX_K);
        } catch (ApiError e) {
          throw ApiError.badRequest(p + "query.mmr.candidates_limit", e.getMessage());
        }
      }
      vector = queryVector(c, q, p + "query");
    }
    String what = query ? "query" : "vector";
    if ((vector == null) == (text == null)) {
      throw ApiError.badRequest(p + what, "give exactly one of " + what + " or text");
    }
    PayloadSelector sel =
        PayloadSelector.parse(
            b.get("with_payload"),
            p + "with_payload",
            query ? PayloadSelector.NONE : PayloadSelector.NONE);
    int ef = 0;
    boolean exact = false;
    ObjectNode params = Requests.object(b, "params");
    if (params != null) {
      Requests.only(
          params,
          p + "params",
          Set.of("hnsw_ef", "exact", "quantization", "indexed_only", "acorn"));
      try {
        ef = Requests.integer(params, "hnsw_ef", 0, 0, SearchRequest.MAX_EF);
      } catch (ApiError e) {
        throw ApiError.badRequest(p + "params.hnsw_ef", e.getMessage());
      }
      exact = Requests.bool(params, "exact", false);
    }
    int k = Math.max(limit + offset, candidates);
    if (exact) {
      ef = SearchRequest.MAX_EF; // the widest beam: exact for all but the largest collections
    } else if (ef != 0) {
      ef = Math.max(ef, k);
    }
    Filter filter = Requests.filter(b, p + "filter", "filter");
    Float threshold;
    try {
      threshold = Requests.number(b, "score_threshold");
    } catch (ApiError e) {
      throw ApiError.badRequest(p + "score_threshold", e.getMessage());
    }
    List<String> fields = sel.include();
    boolean withVector = withVector(b, "with_vector");
    if (diversity != null && text != null) {
      throw ApiError.badRequest(p + "query.mmr", "needs a query vector, not a text");
    }
    if (ef != 0) {
      ef = Math.max(ef, k);
    }
    return new Search(
        new SearchRequest(
            vector,
            text,
            k,
            ef,
            filter,
            sel.any(),
            fields,
            withVector || diversity != null,
            Qdrant.threshold(c.config().metric(), threshold)),
        offset,
        sel,
        diversity,
        limit,
        withVector,
        c.config().metric());
  }

  /**
   * The Query API's {@code query}: a vector, {@code {"nearest": vector or id}}, or a point id (its
   * stored vector is the query).
   */
  private static float[] queryVector(CollectionView c, JsonNode q, String field) {
    if (q.isObject()) {
      if (q.has("nearest")) {
        Requests.only((ObjectNode) q, field, Set.of("nearest", "mmr"));
        return queryVector(c, q.get("nearest"), field + ".nearest");
      }
      throw ApiError.badRequest(
          field, "byhand supports a vector, a point id or {\"nearest\": …} as the query");
    }
    if (q.isArray()) {
      return Requests.vector(q, field);
    }
    String id = Requests.id(q, field);
    List<Point> found = c.get(List.of(id), true);
    if (found.isEmpty()) {
      throw ApiError.notFound(
          field, "no point '" + id + "' in collection '" + c.config().name() + "'");
    }
    return found.get(0).vector();
  }

  /** Most points one request reads or returns: a scroll page, the hits of a batch with data. */
  static final int MAX_POINTS = 10_000;

  private static final String LESS_HITS =
      "ask for fewer hits (limit), only the payload keys you need (with_payload: [\"key\", …]),"
          + " or no vectors (with_vector: false)";

  void search(Context ctx) {
    one(ctx, false);
  }

  void query(Context ctx) {
    one(ctx, true);
  }

  private void one(Context ctx, boolean query) {
    CollectionView c = view(ctx);
    Requests.VectorBody b =
        query
            ? new Requests.VectorBody(
                Requests.body(in(ctx), ctx.req().getContentLengthLong(), config.maxBodyBytes()),
                null)
            : Requests.bodyWithVector(
                in(ctx),
                ctx.req().getContentLengthLong(),
                config.maxBodyBytes(),
                c.config().dimension());
    Search parsed = searchRequest(c, b.node(), "", b.vector(), query);
    Deadline d = deadline(ctx);
    SearchRequest request =
        parsed.request().filter() == null
            ? parsed.request()
            : parsed.request().withFilter(d.bound(parsed.request().filter()));
    Metric metric = c.config().metric();
    searches.answer(
        ctx,
        d,
        () -> {
          List<ScoredPoint> hits = parsed.page(c.search(request));
          JsonAnswer.ok(
              ctx,
              config.maxResponseBytes(),
              "limit",
              LESS_HITS,
              g -> {
                if (query) {
                  g.writeStartObject();
                  g.writeFieldName("points");
                }
                JsonAnswer.hits(g, hits, metric, parsed.payload());
                if (query) {
                  g.writeEndObject();
                }
              });
        });
  }

  void searchBatch(Context ctx) {
    batch(ctx, false);
  }

  void queryBatch(Context ctx) {
    batch(ctx, true);
  }

  private void batch(Context ctx, boolean query) {
    CollectionView c = view(ctx);
    ObjectNode b = body(ctx, Set.of("searches", "consistency"));
    JsonNode arr = b.get("searches");
    if (arr == null || !arr.isArray()) {
      throw ApiError.badRequest("searches", "must be an array of searches");
    }
    if (arr.size() > config.maxBatchSearches()) {
      throw ApiError.tooLarge(
          "searches", "has " + arr.size() + " searches; the limit is " + config.maxBatchSearches());
    }
    Deadline d = deadline(ctx);
    List<Search> parsed = new ArrayList<>(arr.size());
    List<SearchRequest> requests = new ArrayList<>(arr.size());
    long withData = 0; // hits that carry a payload or a vector
    for (int i = 0; i < arr.size(); i++) {
      if (!arr.get(i).isObject()) {
        throw ApiError.badRequest("searches[" + i + "]", "must be a JSON object");
      }
      Search s = searchRequest(c, (ObjectNode) arr.get(i), "searches[" + i + "]", null, query);
      SearchRequest r = s.request();
      if (r.withPayload() || r.withVector()) {
        withData += r.k();
      }
      parsed.add(s);
      requests.add(r.filter() == null ? r : r.withFilter(d.bound(r.filter())));
    }
    if (withData > MAX_POINTS) {
      // Checked before any search runs: the store copies every hit's payload, so 100 searches
      // of k 1,000 over 1 MiB payloads would hold 100 GiB before the answer could be measured.
      throw ApiError.tooLarge(
          "searches",
          "asks for "
              + withData
              + " hits with payloads or vectors in all (the sum of limit + offset); the limit is "
              + MAX_POINTS
              + " a request. Split the batch, lower the limits, or set with_payload and"
              + " with_vector to false for the searches that only need ids and scores");
    }
    if (requests.isEmpty()) {
      ok(ctx, 200, Json.MAPPER.createArrayNode());
      return;
    }
    Metric metric = c.config().metric();
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
                for (int i = 0; i < all.size(); i++) {
                  if (query) {
                    g.writeStartObject();
                    g.writeFieldName("points");
                  }
                  JsonAnswer.hits(
                      g, parsed.get(i).page(all.get(i)), metric, parsed.get(i).payload());
                  if (query) {
                    g.writeEndObject();
                  }
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

  /** Qdrant's SnapshotDescription of one snapshot folder. */
  private ObjectNode describe(String collection, String name) {
    java.nio.file.Path dir = Snapshots.folder(db, collection).resolve(name);
    long size = 0;
    java.time.Instant created = null;
    try (Stream<java.nio.file.Path> files = java.nio.file.Files.walk(dir)) {
      for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files::iterator) {
        if (java.nio.file.Files.isRegularFile(f)) {
          size += java.nio.file.Files.size(f);
        }
      }
      created = java.nio.file.Files.getLastModifiedTime(dir).toInstant();
    } catch (IOException e) {
      // listed a moment ago, deleted since: describe what is known
    }
    ObjectNode o = Json.MAPPER.createObjectNode().put("name", name);
    if (created == null) {
      o.putNull("creation_time");
    } else {
      o.put(
          "creation_time",
          java.time.LocalDateTime.ofInstant(created, java.time.ZoneOffset.UTC)
              .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
              .toString());
    }
    o.put("size", size);
    o.putNull("checksum");
    return o;
  }

  void createSnapshot(Context ctx) {
    String collection = ctx.pathParam("name");
    CollectionConfig.checkName(collection);
    String name = Snapshots.create(db, collection);
    ok(ctx, 200, describe(collection, name));
  }

  /** Listed for a quarantined collection too: they are what an admin restores in its place. */
  void listSnapshots(Context ctx) {
    String collection = ctx.pathParam("name");
    CollectionConfig.checkName(collection);
    ArrayNode out = Json.MAPPER.createArrayNode();
    Snapshots.list(db, collection).forEach(n -> out.add(describe(collection, n)));
    ok(ctx, 200, out);
  }

  void deleteSnapshot(Context ctx) {
    String collection = ctx.pathParam("name");
    CollectionConfig.checkName(collection);
    Snapshots.delete(db, collection, ctx.pathParam("snapshot"));
    ok(ctx, 200, Json.MAPPER.getNodeFactory().booleanNode(true));
  }

  /** byhand's extension: restores a snapshot of this collection as a new collection. */
  void restoreSnapshot(Context ctx) {
    String name = ctx.pathParam("name");
    CollectionConfig.checkName(name);
    ObjectNode b = body(ctx, Set.of("collection"));
    String target = Requests.string(b, "collection", null);
    if (target == null) {
      throw ApiError.badRequest("collection", "is required: the name of the new collection");
    }
    Collection restored = Snapshots.restore(db, name, ctx.pathParam("snapshot"), target);
    ok(ctx, 200, info(restored.info(), restored.payloadIndexes()));
  }

  @Override
  public void close() {
    searches.close();
  }
}
