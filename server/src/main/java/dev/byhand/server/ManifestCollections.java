package dev.byhand.server;

import static dev.byhand.server.ByhandServer.ok;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.store.Database;
import dev.byhand.store.Json;
import dev.byhand.store.Page;
import dev.byhand.store.Point;
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

  private void getPoints(Context ctx, ShardedCollection c) {
    ObjectNode b = body(ctx, Set.of("ids", "with_vector"));
    List<Point> found = c.get(Requests.ids(b, "ids"), Requests.bool(b, "with_vector", false));
    ArrayNode out = Json.MAPPER.createArrayNode();
    found.forEach(p -> out.add(Routes.point(p)));
    ok(ctx, 200, out);
  }

  private void getPoint(Context ctx, ShardedCollection c) {
    String id = ctx.pathParam("id");
    boolean withVector = "true".equals(ctx.queryParam("with_vector"));
    List<Point> found = c.get(List.of(id), withVector);
    if (found.isEmpty()) {
      throw ApiError.notFound(
          "id", "no point '" + id + "' in collection '" + c.config().name() + "'");
    }
    ok(ctx, 200, Routes.point(found.get(0)));
  }

  private void count(Context ctx, ShardedCollection c) {
    ObjectNode b = optionalBody(ctx, Set.of("filter"));
    long n = c.count(Requests.filter(b, "filter"));
    ok(ctx, 200, Json.MAPPER.createObjectNode().put("count", n));
  }

  private void scroll(Context ctx, ShardedCollection c) {
    ObjectNode b = optionalBody(ctx, Set.of("filter", "offset", "limit", "with_vector"));
    Page page =
        c.scroll(
            Requests.filter(b, "filter"),
            Requests.has(b, "offset") ? Requests.id(b.get("offset"), "offset") : null,
            Requests.integer(b, "limit", 10, 1, 10_000),
            Requests.bool(b, "with_vector", false));
    ObjectNode out = Json.MAPPER.createObjectNode();
    ArrayNode points = out.putArray("points");
    page.points().forEach(p -> points.add(Routes.point(p)));
    if (page.nextCursor() == null) {
      out.putNull("next_offset");
    } else {
      out.put("next_offset", page.nextCursor());
    }
    ok(ctx, 200, out);
  }

  private void search(Context ctx, ShardedCollection c) {
    Requests.VectorBody b =
        Requests.bodyWithVector(
            in(ctx),
            ctx.req().getContentLengthLong(),
            config.maxBodyBytes(),
            c.config().dimension());
    Requests.only(b.node(), "", Routes.SEARCH_FIELDS);
    SearchRequest request = Routes.searchRequest(b.node(), "", b.vector());
    searches.answer(ctx, () -> ok(ctx, 200, Routes.hits(c.search(request))));
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
    List<SearchRequest> requests = new ArrayList<>(arr.size());
    for (int i = 0; i < arr.size(); i++) {
      if (!arr.get(i).isObject()) {
        throw ApiError.badRequest("searches[" + i + "]", "must be a JSON object");
      }
      requests.add(Routes.searchRequest((ObjectNode) arr.get(i), "searches[" + i + "]", null));
    }
    if (requests.isEmpty()) {
      ok(ctx, 200, Json.MAPPER.createArrayNode());
      return;
    }
    searches.answer(
        ctx,
        () -> {
          ArrayNode out = Json.MAPPER.createArrayNode();
          c.search(requests).forEach(h -> out.add(Routes.hits(h)));
          ok(ctx, 200, out);
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
