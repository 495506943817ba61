package dev.byhand.server;

import static dev.byhand.server.ByhandServer.ok;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.store.Database;
import dev.byhand.store.Filter;
import dev.byhand.store.Json;
import dev.byhand.store.Page;
import dev.byhand.store.Point;
import dev.byhand.store.ScoredPoint;
import dev.byhand.store.SearchRequest;
import dev.byhand.store.ShardedCollection;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The sharded collections a server was started with ({@code byhand db serve --manifest
 * index/manifest.json}), served beside the database's own under the manifest's name: the read
 * routes answer as they would for one collection (search, batch search, count, scroll, get, info),
 * merged over the shards by {@link ShardedCollection}; the write routes answer 409, since a sharded
 * collection is rebuilt offline, never written in place.
 *
 * <p>{@link ByhandServer} asks {@link #answer} before each collection route's own handler: a
 * request about a sharded collection is answered here, any other goes on to {@link Routes}.
 */
final class ManifestCollections implements AutoCloseable {

  private final Map<String, ShardedCollection> byName;
  private final Database db;
  private final ServerConfig config;
  private final SearchQueue searches;

  private ManifestCollections(
      Map<String, ShardedCollection> byName,
      Database db,
      ServerConfig config,
      SearchQueue searches) {
    this.byName = byName;
    this.db = db;
    this.config = config;
    this.searches = searches;
  }

  /**
   * Opens each manifest's sharded collection (checking its files).
   *
   * @throws IllegalArgumentException if two manifests, or a manifest and a collection of the
   *     database, have one name
   */
  static ManifestCollections open(
      List<Path> manifests, Database db, ServerConfig config, SearchQueue searches) {
    Map<String, ShardedCollection> byName = new LinkedHashMap<>();
    try {
      for (Path m : manifests) {
        ShardedCollection c = ShardedCollection.open(m);
        String name = c.config().name();
        if (byName.containsKey(name) || db.find(name).isPresent()) {
          c.close();
          throw new IllegalArgumentException(
              "manifest: "
                  + m
                  + " is collection '"
                  + name
                  + "', a name "
                  + (byName.containsKey(name) ? "another manifest" : "the database " + db.folder())
                  + " already has");
        }
        byName.put(name, c);
      }
    } catch (RuntimeException e) {
      byName.values().forEach(ShardedCollection::close);
      throw e;
    }
    return new ManifestCollections(byName, db, config, searches);
  }

  /** The names served, in the order given. */
  List<String> names() {
    return List.copyOf(byName.keySet());
  }

  /**
   * Answers the request if it is about a sharded collection (or lists collections while there are
   * any), and says whether it did; {@code path} is the route's pattern, keys already checked.
   */
  boolean answer(Context ctx, String method, String path) {
    if (byName.isEmpty()) {
      return false;
    }
    if (path.equals("/collections")) {
      listCollections(ctx);
      return true;
    }
    if (!path.startsWith("/collections/{name}")) {
      return false;
    }
    String name = ctx.pathParam("name");
    ShardedCollection c = byName.get(name);
    if (c == null) {
      return false;
    }
    switch (method + " " + path.substring("/collections/{name}".length())) {
      case "GET " -> collectionInfo(ctx, c);
      case "POST /points" -> getPoints(ctx, c);
      case "GET /points/{id}" -> getPoint(ctx, c);
      case "POST /points/count" -> count(ctx, c);
      case "POST /points/scroll" -> scroll(ctx, c);
      case "POST /points/search" -> search(ctx, c);
      case "POST /points/search/batch" -> searchBatch(ctx, c);
      case "GET /snapshots" ->
          ok(
              ctx,
              200,
              Json.MAPPER.createObjectNode().set("snapshots", Json.MAPPER.createArrayNode()));
      case "PUT " ->
          throw new ApiError(
              409, "conflict", "name", "collection '" + name + "' already exists (sharded)");
      default ->
          throw new ApiError(
              409,
              "read_only",
              null,
              "collection '"
                  + name
                  + "' is sharded, served from a manifest, and read-only here: rebuild it with"
                  + " the Spark index job"
                  + (path.endsWith("/explain")
                      ? " (explain is not offered on sharded collections)"
                      : ""));
    }
    return true;
  }

  private void listCollections(Context ctx) {
    TreeSet<String> names = new TreeSet<>(db.list());
    names.addAll(byName.keySet());
    ArrayNode out = Json.MAPPER.createArrayNode();
    for (String n : names) {
      out.addObject().put("name", n);
    }
    ok(ctx, 200, Json.MAPPER.createObjectNode().set("collections", out));
  }

  private void collectionInfo(Context ctx, ShardedCollection c) {
    ObjectNode o = Routes.info(c.info());
    ObjectNode indexes = o.putObject("payload_indexes");
    c.payloadIndexes().forEach((k, t) -> indexes.put(k, t.toString()));
    o.put("shards", c.shardCount());
    o.put(
        "partitioner", c.manifest().partitioner().kind().name().toLowerCase(java.util.Locale.ROOT));
    o.put("read_only", true);
    ok(ctx, 200, o);
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

  /** As {@link #body}, but an empty body is an empty object. */
  private ObjectNode optionalBody(Context ctx, Set<String> allowed) {
    if (ctx.req().getContentLengthLong() == 0) {
      return Json.MAPPER.createObjectNode();
    }
    try {
      return body(ctx, allowed);
    } catch (ApiError e) {
      if ("body".equals(e.field()) && e.getMessage().startsWith("a JSON object is required")) {
        return Json.MAPPER.createObjectNode();
      }
      throw e;
    }
  }

  // The read routes, as Routes answers them for one collection: the same limits, deadlines and
  // answer budget.

  private static final String LESS_HITS =
      "ask for fewer hits (k), only the payload keys you need (with_payload: [\"key\", …]),"
          + " or no vectors (with_vector: false)";

  private void getPoints(Context ctx, ShardedCollection c) {
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

  private void getPoint(Context ctx, ShardedCollection c) {
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

  private void count(Context ctx, ShardedCollection c) {
    ObjectNode b = optionalBody(ctx, Set.of("filter"));
    Filter filter = Requests.filter(b, "filter");
    if (filter == null) {
      ok(ctx, 200, Json.MAPPER.createObjectNode().put("count", c.count(null)));
      return;
    }
    Deadline d = ByhandServer.deadline(ctx);
    Filter bounded = d.bound(filter);
    searches.answer(
        ctx, d, () -> ok(ctx, 200, Json.MAPPER.createObjectNode().put("count", c.count(bounded))));
  }

  private void scroll(Context ctx, ShardedCollection c) {
    ObjectNode b = optionalBody(ctx, Set.of("filter", "offset", "limit", "with_vector"));
    Deadline d = ByhandServer.deadline(ctx);
    Filter filter = d.bound(Requests.filter(b, "filter"));
    String offset = Requests.has(b, "offset") ? Requests.id(b.get("offset"), "offset") : null;
    int limit = Requests.integer(b, "limit", 10, 1, Routes.MAX_POINTS);
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
                g.writeStringField("next_offset", page.nextCursor());
                g.writeEndObject();
              });
        });
  }

  private void search(Context ctx, ShardedCollection c) {
    Requests.VectorBody b =
        Requests.bodyWithVector(
            in(ctx),
            ctx.req().getContentLengthLong(),
            config.maxBodyBytes(),
            c.config().dimension());
    Requests.only(b.node(), "", Routes.SEARCH_FIELDS);
    SearchRequest parsed = Routes.searchRequest(b.node(), "", b.vector());
    Deadline d = ByhandServer.deadline(ctx);
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

  private void searchBatch(Context ctx, ShardedCollection c) {
    ObjectNode b = body(ctx, Set.of("searches"));
    JsonNode arr = b.get("searches");
    if (arr == null || !arr.isArray()) {
      throw ApiError.badRequest("searches", "must be an array of searches");
    }
    if (arr.size() > config.maxBatchSearches()) {
      throw ApiError.tooLarge(
          "searches", "has " + arr.size() + " searches; the limit is " + config.maxBatchSearches());
    }
    Deadline d = ByhandServer.deadline(ctx);
    List<SearchRequest> requests = new ArrayList<>(arr.size());
    long withData = 0;
    for (int i = 0; i < arr.size(); i++) {
      if (!arr.get(i).isObject()) {
        throw ApiError.badRequest("searches[" + i + "]", "must be a JSON object");
      }
      SearchRequest r = Routes.searchRequest((ObjectNode) arr.get(i), "searches[" + i + "]", null);
      if (r.withPayload() || r.withVector()) {
        withData += r.k();
      }
      requests.add(r.filter() == null ? r : r.withFilter(d.bound(r.filter())));
    }
    if (withData > Routes.MAX_POINTS) {
      throw ApiError.tooLarge(
          "searches",
          "asks for "
              + withData
              + " hits with payloads or vectors in all (the sum of k); the limit is "
              + Routes.MAX_POINTS
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

  @Override
  public void close() {
    RuntimeException first = null;
    for (ShardedCollection c : byName.values()) {
      try {
        c.close();
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
