package dev.byhand.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.server.ApiKeys.Access;
import dev.byhand.store.CollectionFailedException;
import dev.byhand.store.ConflictException;
import dev.byhand.store.CorruptedFileException;
import dev.byhand.store.Database;
import dev.byhand.store.DeadlineExceededException;
import dev.byhand.store.FailedCollection;
import dev.byhand.store.InvalidRequestException;
import dev.byhand.store.Json;
import dev.byhand.store.LimitExceededException;
import dev.byhand.store.NotFoundException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The byhand HTTP server: the REST API of {@link Routes} over one embedded {@link Database}, with
 * API keys, request limits, JSON errors, Prometheus metrics and the web page at {@code /}.
 *
 * <p>Every failure is answered as {@code {"error": {"code", "message", "field"}}}: 400 bad input,
 * 401 missing or wrong key, 403 read-only key on a write, 404 unknown collection, point or route,
 * 409 name taken, 413 body or batch over its limit, 503 shutting down or the store unable to write.
 * A 500 means a bug; its message never carries a stack trace.
 *
 * <p>{@link #close()} stops gracefully: new requests get 503, requests in flight finish (up to
 * {@link ServerConfig#shutdownMillis()}), then the database is closed, folding its logs into
 * segments. Writes are acknowledged only once durable, so nothing acknowledged is lost.
 */
public final class ByhandServer implements AutoCloseable {

  private static final String ROUTE = "byhand.route";
  private static final String START = "byhand.start";
  private static final String ANSWERED = "byhand.answered";
  private static final String DEADLINE = "byhand.deadline";

  private final ServerConfig config;
  private final Database db;
  private final Metrics metrics = new Metrics();
  private final SearchQueue searches;
  private final Routes routes;
  private final ManifestCollections manifests;
  private final List<String> registered = new ArrayList<>();
  private final Javalin app;
  private final LongSupplier clock;
  private final SiteCheck site;
  private volatile boolean draining;
  private boolean closed;

  private ByhandServer(
      ServerConfig config, Database db, LongSupplier clock, List<java.nio.file.Path> manifests) {
    this.config = config;
    this.db = db;
    this.clock = clock;
    this.site = new SiteCheck(config);
    this.searches = new SearchQueue(Runtime.getRuntime().availableProcessors(), this::fail);
    this.routes = new Routes(db, config, searches);
    this.manifests = ManifestCollections.open(manifests, db);
    routes.serveSharded(this.manifests.byName());
    this.app =
        Javalin.create(
            c -> {
              c.showJavalinBanner = false;
              // Javalin copies each response into Jetty's output through a new buffer of this size,
              // by default Jetty's whole output buffer (32 KiB): most of the garbage a search made.
              // Jetty still aggregates the chunks into its own (pooled) 32 KiB buffer.
              c.http.responseBufferSize = 4096;
              c.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
              if (config.tlsKeystore() != null) {
                // With a connector of ours Javalin adds none: the server speaks HTTPS only.
                c.jetty.addConnector((server, http) -> tlsConnector(server, http, config));
              }
              c.staticFiles.add(
                  s -> {
                    s.hostedPath = "/dashboard";
                    s.directory = "/public";
                    s.location = Location.CLASSPATH;
                  });
            });
    wire();
  }

  /**
   * Opens the database in {@code config.data()} and starts serving it.
   *
   * @throws IllegalArgumentException if the address is not loopback and no API key is configured
   */
  public static ByhandServer start(ServerConfig config) {
    return start(config, System::nanoTime);
  }

  /** The same with another clock for deadlines (tests move time on by hand). */
  static ByhandServer start(ServerConfig config, LongSupplier clock) {
    return start(config, clock, List.of());
  }

  /**
   * The same, also serving the sharded collection of each manifest ({@code manifest.json} of the
   * Spark index job, or its folder), read-only, under its own name (see {@link
   * ManifestCollections}).
   *
   * @throws IllegalArgumentException also if a manifest's name is taken
   */
  public static ByhandServer start(ServerConfig config, List<java.nio.file.Path> manifests) {
    return start(config, System::nanoTime, manifests);
  }

  private static ByhandServer start(
      ServerConfig config, LongSupplier clock, List<java.nio.file.Path> manifests) {
    checkExposure(config);
    Database db = Database.open(config.data());
    try {
      ByhandServer s = new ByhandServer(config, db, clock, manifests);
      s.app.start(config.host(), config.port());
      return s;
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  private static void checkExposure(ServerConfig config) {
    InetAddress address;
    try {
      address = InetAddress.getByName(config.host());
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("host: cannot resolve '" + config.host() + "'");
    }
    if (!address.isLoopbackAddress() && !config.keys().enabled()) {
      throw new IllegalArgumentException(
          "host: refusing to listen on "
              + config.host()
              + " without an API key; give --api-key-file or BYHAND_ADMIN_KEY, or listen on 127.0.0.1");
    }
  }

  private static ServerConnector tlsConnector(
      Server server, HttpConfiguration http, ServerConfig config) {
    if (!Files.isReadable(config.tlsKeystore())) {
      throw new IllegalArgumentException("tls-keystore: cannot read " + config.tlsKeystore());
    }
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStorePath(config.tlsKeystore().toAbsolutePath().toString());
    ssl.setKeyStorePassword(config.tlsPassword());
    HttpConfiguration https = new HttpConfiguration(http);
    https.addCustomizer(new SecureRequestCustomizer());
    ServerConnector connector =
        new ServerConnector(
            server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
    connector.setHost(config.host());
    connector.setPort(config.port());
    return connector;
  }

  /** The port it listens on (useful after asking for port 0). */
  public int port() {
    return app.port();
  }

  /** The base URL, e.g. {@code http://127.0.0.1:7700}. */
  public String url() {
    String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
    return (config.tlsKeystore() != null ? "https://" : "http://") + host + ":" + port();
  }

  /** The database it serves. */
  public Database database() {
    return db;
  }

  /**
   * Every route as {@code METHOD /path/{param}}, in registration order (the OpenAPI test reads it).
   */
  public List<String> routes() {
    return List.copyOf(registered);
  }

  private void wire() {
    app.before(
        ctx -> {
          ctx.attribute(START, System.nanoTime());
          ctx.attribute(DEADLINE, Deadline.in(config.requestTimeoutMillis(), clock));
          metrics.inFlight.incrementAndGet();
          if (draining) {
            throw new ApiError(503, "unavailable", null, "the server is shutting down");
          }
        });
    app.after(
        ctx -> {
          metrics.inFlight.decrementAndGet();
          Long start = ctx.attribute(START);
          String route = ctx.attribute(ROUTE);
          metrics.record(
              ctx.method().name(),
              route == null ? "unmatched" : route,
              ctx.statusCode(),
              start == null ? 0 : System.nanoTime() - start);
        });
    app.exception(Exception.class, (e, ctx) -> error(ctx, e));
    app.error(
        404,
        ctx -> {
          if (ctx.attribute(ANSWERED) == null) {
            write(
                ctx, ApiError.notFound(null, "no such route: " + ctx.method() + " " + ctx.path()));
          }
        });

    route(HandlerType.GET, "/healthz", null, this::health);
    route(
        HandlerType.GET,
        "/metrics",
        Access.READ,
        ctx ->
            ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(metrics.render(db, searches.waiting())));
    route(HandlerType.GET, "/openapi.json", null, routes::openApi);
    // Qdrant's version answer, open to all as in Qdrant: clients read it to check compatibility.
    route(HandlerType.GET, "/", null, routes::version);

    route(HandlerType.GET, "/collections", Access.READ, routes::listCollections);
    route(HandlerType.PUT, "/collections/{name}", Access.ADMIN, routes::createCollection);
    route(HandlerType.GET, "/collections/{name}", Access.READ, routes::collectionInfo);
    route(HandlerType.GET, "/collections/{name}/exists", Access.READ, routes::collectionExists);
    route(HandlerType.DELETE, "/collections/{name}", Access.ADMIN, routes::dropCollection);

    route(HandlerType.PUT, "/collections/{name}/index", Access.ADMIN, routes::createPayloadIndex);
    route(
        HandlerType.DELETE,
        "/collections/{name}/index/{key}",
        Access.ADMIN,
        routes::dropPayloadIndex);

    route(HandlerType.PUT, "/collections/{name}/points", Access.ADMIN, routes::upsert);
    route(HandlerType.POST, "/collections/{name}/points", Access.READ, routes::getPoints);
    route(HandlerType.GET, "/collections/{name}/points/{id}", Access.READ, routes::getPoint);
    route(
        HandlerType.POST, "/collections/{name}/points/delete", Access.ADMIN, routes::deletePoints);
    route(HandlerType.POST, "/collections/{name}/points/payload", Access.ADMIN, routes::setPayload);
    route(
        HandlerType.PUT,
        "/collections/{name}/points/payload",
        Access.ADMIN,
        routes::overwritePayload);
    route(
        HandlerType.POST,
        "/collections/{name}/points/payload/delete",
        Access.ADMIN,
        routes::deletePayloadKeys);
    route(
        HandlerType.POST,
        "/collections/{name}/points/payload/clear",
        Access.ADMIN,
        routes::clearPayload);
    route(HandlerType.POST, "/collections/{name}/points/count", Access.READ, routes::count);
    route(HandlerType.POST, "/collections/{name}/points/scroll", Access.READ, routes::scroll);
    route(HandlerType.POST, "/collections/{name}/points/search", Access.READ, routes::search);
    route(
        HandlerType.POST,
        "/collections/{name}/points/search/batch",
        Access.READ,
        routes::searchBatch);
    route(HandlerType.POST, "/collections/{name}/points/query", Access.READ, routes::query);
    route(
        HandlerType.POST,
        "/collections/{name}/points/query/batch",
        Access.READ,
        routes::queryBatch);
    route(HandlerType.POST, "/collections/{name}/explain", Access.READ, routes::explain);

    route(HandlerType.POST, "/collections/{name}/snapshots", Access.ADMIN, routes::createSnapshot);
    route(HandlerType.GET, "/collections/{name}/snapshots", Access.READ, routes::listSnapshots);
    route(
        HandlerType.DELETE,
        "/collections/{name}/snapshots/{snapshot}",
        Access.ADMIN,
        routes::deleteSnapshot);
    route(
        HandlerType.POST,
        "/collections/{name}/snapshots/{snapshot}/restore",
        Access.ADMIN,
        routes::restoreSnapshot);
  }

  /** Registers a route whose requests need {@code need} (null: open to all). */
  private void route(HandlerType method, String path, Access need, Handler handler) {
    registered.add(method.name() + " " + path);
    app.addHttpHandler(
        method,
        path,
        ctx -> {
          ctx.attribute(ROUTE, path);
          site.check(ctx);
          if (need != null) {
            authorize(ctx, need);
          }
          try {
            handler.handle(ctx);
          } catch (AssertionError | LinkageError e) {
            // A broken invariant or a missing class is a bug: answer a JSON 500, log it, keep
            // serving.
            internal(ctx, e);
          }
        });
  }

  /**
   * Liveness, and whether every collection opened. Always 200 while the server runs, even with a
   * collection quarantined: a load balancer that took the server out of rotation for one damaged
   * collection would take every healthy one down with it, and every replica holding the same damage
   * would go too. So {@code status} is {@code ok} or {@code degraded} with a count, for alerts (and
   * {@code byhand_collections_failed} in {@code /metrics}); the names and reasons are added for a
   * caller with a valid key, or when the server has no keys.
   */
  private void health(Context ctx) {
    List<FailedCollection> failed = db.failed();
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("status", failed.isEmpty() ? "ok" : "degraded");
    o.put("failed_collections", failed.size());
    if (!failed.isEmpty() && config.keys().access(presentedKey(ctx)) != Access.NONE) {
      ArrayNode list = o.putArray("failed");
      failed.forEach(f -> list.add(Routes.failed(f)));
    }
    ok(ctx, 200, o);
  }

  /** The API key the request presents (header {@code api-key} or a bearer token), or null. */
  private static String presentedKey(Context ctx) {
    String key = ctx.header("api-key");
    String auth = ctx.header("Authorization");
    if (key == null && auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      key = auth.substring(7).strip();
    }
    return key;
  }

  private void authorize(Context ctx, Access need) {
    String key = presentedKey(ctx);
    Access has = config.keys().access(key);
    if (has == Access.NONE) {
      throw new ApiError(
          401,
          "unauthorized",
          "api-key",
          key == null ? "an API key is required (header api-key)" : "the API key is not valid");
    }
    if (need == Access.ADMIN && has != Access.ADMIN) {
      throw new ApiError(
          403, "forbidden", "api-key", "this API key may only read; writes need an admin key");
    }
  }

  /** Writes the answer for a failure outside Javalin's own handler chain (a queued search). */
  private void fail(Context ctx, Throwable t) {
    if (t instanceof Exception e) {
      error(ctx, e);
    } else {
      internal(ctx, t);
    }
  }

  private void error(Context ctx, Exception e) {
    ApiError a;
    if (e instanceof ApiError x) {
      a = x;
    } else if (e instanceof LimitExceededException x) {
      a = ApiError.tooLarge(x.field(), firstLine(x.getMessage()));
    } else if (e instanceof DeadlineExceededException) {
      a = deadline(ctx).ranTooLong();
    } else if (e instanceof InvalidRequestException x) {
      a = ApiError.badRequest(x.field(), firstLine(x.getMessage()));
    } else if (e instanceof NotFoundException x) {
      a = ApiError.notFound(x.field(), firstLine(x.getMessage()));
    } else if (e instanceof ConflictException x) {
      a = new ApiError(409, "conflict", x.field(), firstLine(x.getMessage()));
    } else if (e instanceof IllegalArgumentException x) {
      a = ApiError.badRequest(null, firstLine(x.getMessage()));
    } else if (e instanceof HttpResponseException x) {
      a =
          new ApiError(
              x.getStatus(),
              x.getStatus() == 404 ? "not_found" : "http_" + x.getStatus(),
              null,
              firstLine(x.getMessage()));
    } else if (e instanceof CollectionFailedException x) {
      // Quarantined: the server is fine, this one collection is not. Not worth a log line per
      // request; Database logged why when it opened.
      a = new ApiError(503, "collection_failed", null, firstLine(x.getMessage()));
    } else if (e instanceof IllegalStateException
        || e instanceof CorruptedFileException
        || e instanceof UncheckedIOException) {
      // The store cannot serve this collection now (a failed disk, a closed database): not the
      // client's fault, not a bug.
      a = new ApiError(503, "unavailable", null, firstLine(e.getMessage()));
      System.err.println("byhand server: " + e);
    } else {
      internal(ctx, e);
      return;
    }
    write(ctx, a);
  }

  private static void internal(Context ctx, Throwable e) {
    System.err.println("byhand server: internal error on " + ctx.method() + " " + ctx.path());
    e.printStackTrace();
    write(
        ctx,
        new ApiError(
            500,
            "internal",
            null,
            "internal error (" + e.getClass().getSimpleName() + "); see the server log"));
  }

  /** The deadline set on a request's arrival. */
  static Deadline deadline(Context ctx) {
    Deadline d = ctx.attribute(DEADLINE);
    return d != null
        ? d
        : Deadline.in(ServerConfig.DEFAULT_REQUEST_TIMEOUT_MILLIS, System::nanoTime);
  }

  private static String firstLine(String m) {
    return m == null ? "" : m.lines().findFirst().orElse("");
  }

  /**
   * Writes Qdrant's error body, {@code {"status": {"error": message}, "time": seconds}}, with
   * byhand's {@code code} and {@code field} beside {@code error}.
   */
  private static void write(Context ctx, ApiError a) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    ObjectNode err = body.putObject("status");
    err.put("error", a.getMessage());
    err.put("code", a.code());
    if (a.field() == null) {
      err.putNull("field");
    } else {
      err.put("field", a.field());
    }
    body.put("time", elapsed(ctx));
    ctx.attribute(ANSWERED, true);
    if (a.status() == 401) {
      ctx.header("WWW-Authenticate", "ApiKey header=\"api-key\"");
    }
    ctx.status(a.status()).contentType("application/json").result(bytes(body));
  }

  /** Seconds since the request arrived (Qdrant's {@code time}). */
  static double elapsed(Context ctx) {
    Long start = ctx.attribute(START);
    return start == null ? 0.0 : (System.nanoTime() - start) / 1e9;
  }

  /** Writes Qdrant's {@code {"result": result, "status": "ok", "time": seconds}} with a status. */
  static void ok(Context ctx, int status, Object result) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    // A tree goes in as it is: valueToTree would copy it through a token buffer first.
    body.set("result", result instanceof JsonNode node ? node : Json.MAPPER.valueToTree(result));
    body.put("status", "ok");
    body.put("time", elapsed(ctx));
    ctx.status(status).contentType("application/json").result(bytes(body));
  }

  private static byte[] bytes(Object o) {
    try {
      return Json.MAPPER.writeValueAsBytes(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Stops gracefully: refuses new requests with 503, waits for those in flight, stops listening and
   * closes the database.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    draining = true;
    long deadline = System.nanoTime() + config.shutdownMillis() * 1_000_000L;
    while (metrics.inFlight.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    try {
      app.stop();
    } finally {
      routes.close();
      manifests.close();
      db.close();
    }
  }
}
