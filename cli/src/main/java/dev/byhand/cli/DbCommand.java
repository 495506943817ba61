package dev.byhand.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.server.ApiKeys;
import dev.byhand.server.ByhandServer;
import dev.byhand.server.ServerConfig;
import dev.byhand.store.ConflictException;
import dev.byhand.store.FailedCollection;
import dev.byhand.store.InvalidRequestException;
import dev.byhand.store.Json;
import dev.byhand.store.NotFoundException;
import dev.byhand.store.Point;
import dev.byhand.store.ScoredPoint;
import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code byhand db}: the vector database from the shell. Every subcommand but {@code serve} works
 * on an embedded folder ({@code --data}, default {@code ./data}) or on a running server ({@code
 * --url}, {@code --api-key}), with the same flags and the same output: a table, or JSON with {@code
 * --json}. Exit codes: 0 ok, 1 bad usage or input, 2 not found, 3 failure.
 */
@Command(
    name = "db",
    mixinStandardHelpOptions = true,
    description =
        "The vector database: serve it, or create, ingest, search, get, delete, count, snapshot and restore.",
    subcommands = {
      DbCommand.Serve.class,
      DbCommand.Create.class,
      DbCommand.Ingest.class,
      DbCommand.Search.class,
      DbCommand.Get.class,
      DbCommand.Delete.class,
      DbCommand.Count.class,
      DbCommand.Snapshot.class,
      DbCommand.Restore.class
    })
public final class DbCommand implements Runnable {

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Where the database is: a folder, or a server. */
  static final class Target {
    @Option(
        names = "--data",
        paramLabel = "DIR",
        description = "Embedded database folder (default: ${DEFAULT-VALUE}).",
        defaultValue = "data")
    Path data;

    @Option(
        names = "--url",
        paramLabel = "URL",
        description = "A running server, e.g. http://127.0.0.1:7700, instead of --data.")
    String url;

    @Option(
        names = "--api-key",
        paramLabel = "KEY",
        description = "API key for --url (default: $BYHAND_API_KEY).",
        defaultValue = "${env:BYHAND_API_KEY}")
    String apiKey;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    DbBackend open() {
      return url != null ? new RemoteBackend(url, apiKey) : new EmbeddedBackend(data);
    }
  }

  /** The shared frame of every subcommand: open the backend, run, map failures to exit codes. */
  abstract static class Sub implements Callable<Integer> {
    @Mixin Target target;
    @Spec CommandLine.Model.CommandSpec spec;

    /** Set by the shutdown hook of an interruptible command: finish the current step and stop. */
    volatile boolean stopping;

    abstract int run(DbBackend db, PrintWriter out) throws Exception;

    /** Whether Ctrl-C should let the command finish its current step (ingest). */
    boolean interruptible() {
      return false;
    }

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      CountDownLatch finished = new CountDownLatch(1);
      Thread hook = null;
      if (interruptible()) {
        hook =
            new Thread(
                () -> {
                  stopping = true;
                  try {
                    finished.await(60, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "byhand-stop");
        Runtime.getRuntime().addShutdownHook(hook);
      }
      try (DbBackend db = target.open()) {
        return run(db, out);
      } catch (Exception e) {
        err.println("byhand: " + message(e));
        if (Boolean.getBoolean("byhand.debug")) {
          e.printStackTrace(err);
        }
        err.flush();
        return exitCode(e);
      } finally {
        finished.countDown();
        if (hook != null) {
          try {
            Runtime.getRuntime().removeShutdownHook(hook);
          } catch (IllegalStateException shuttingDown) {
            // the hook is running: it returns now that we have finished
          }
        }
      }
    }

    void printJson(PrintWriter out, JsonNode node) throws IOException {
      out.println(Terminal.JSON.writeValueAsString(node));
      out.flush();
    }
  }

  static String message(Throwable e) {
    Throwable t = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
    if (t instanceof NoSuchFileException || t instanceof FileNotFoundException) {
      return "no such file: " + Terminal.safe(t.getMessage());
    }
    String m = t.getMessage();
    return m == null || m.isBlank()
        ? t.getClass().getSimpleName()
        : Terminal.safe(m.lines().findFirst().orElse(m)); // it may quote stored ids
  }

  static int exitCode(Throwable e) {
    Throwable t = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
    if (t instanceof RemoteBackend.RemoteError r) {
      return r.exitCode();
    }
    if (t instanceof NotFoundException
        || t instanceof NoSuchFileException
        || t instanceof FileNotFoundException) {
      return Main.NOT_FOUND;
    }
    if (t instanceof IllegalArgumentException || t instanceof ConflictException) {
      return Main.USAGE;
    }
    return Main.FAILED;
  }

  /**
   * {@code s} with control characters written as {@code \\uXXXX}: a reason can quote a stored id,
   * and an id must not drive the terminal.
   */
  static String printable(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    s.chars()
        .forEach(
            c -> {
              if (Character.isISOControl(c)) {
                sb.append(String.format("\\u%04x", c));
              } else {
                sb.append((char) c);
              }
            });
    return sb.toString();
  }

  static JsonNode parseJson(String option, String json) {
    if (json == null) {
      return null;
    }
    try {
      return Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new InvalidRequestException(
          option, "is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  static String payloadText(JsonNode payload) {
    return payload == null || payload.isNull() ? "" : payload.toString();
  }

  // ---- serve ------------------------------------------------------------------------------

  /** {@code db serve}: the HTTP server on an embedded folder, until Ctrl-C or SIGTERM. */
  @Command(
      name = "serve",
      mixinStandardHelpOptions = true,
      description = "Serve a database folder over HTTP (REST API and web page).")
  static final class Serve implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--data",
        paramLabel = "DIR",
        defaultValue = "data",
        description = "Database folder (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(
        names = "--host",
        defaultValue = "127.0.0.1",
        description =
            "Address to listen on (default: ${DEFAULT-VALUE}); any other than loopback needs an API key.")
    String host;

    @Option(
        names = "--port",
        defaultValue = "7700",
        description = "Port (default: ${DEFAULT-VALUE}; 0 for any free one).")
    int port;

    @Option(
        names = "--api-key-file",
        paramLabel = "FILE",
        description =
            "Keys, one a line: admin=KEY or read=KEY. Also read: $BYHAND_ADMIN_KEY, $BYHAND_READ_KEY.")
    Path keyFile;

    @Option(
        names = "--max-body-bytes",
        paramLabel = "N",
        description = "Largest request body (default: 67108864).")
    long maxBody = ServerConfig.DEFAULT_MAX_BODY_BYTES;

    @Option(
        names = "--max-response-bytes",
        paramLabel = "N",
        description = "Largest answer the server builds; 413 beyond it (default: 67108864).")
    long maxResponse = ServerConfig.DEFAULT_MAX_RESPONSE_BYTES;

    @Option(
        names = "--request-timeout-ms",
        paramLabel = "MS",
        description =
            "Deadline of a search, count, scroll or write by filter, queue included; 503 beyond"
                + " it (default: 10000).")
    long requestTimeout = ServerConfig.DEFAULT_REQUEST_TIMEOUT_MILLIS;

    @Option(
        names = "--tls-keystore",
        paramLabel = "FILE",
        description =
            "Serve HTTPS only, with the key and certificate in this PKCS#12 or JKS keystore.")
    Path tlsKeystore;

    @Option(
        names = "--tls-password",
        paramLabel = "PASSWORD",
        description = "Keystore password (default: $BYHAND_TLS_PASSWORD).",
        defaultValue = "${env:BYHAND_TLS_PASSWORD}")
    String tlsPassword;

    @Option(
        names = "--manifest",
        paramLabel = "FILE",
        description =
            "Also serve the sharded collection of this manifest (the Spark index job's manifest.json"
                + " or its folder, on this machine), read-only, under its own name; repeatable.")
    List<Path> manifests = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
      PrintWriter err = spec.commandLine().getErr();
      ByhandServer server;
      try {
        ApiKeys keys = ApiKeys.load(keyFile, System.getenv());
        ServerConfig config =
            ServerConfig.of(data)
                .withAddress(host, port)
                .withKeys(keys)
                .withMaxBodyBytes(maxBody)
                .withMaxResponseBytes(maxResponse)
                .withRequestTimeoutMillis(requestTimeout);
        server =
            ByhandServer.start(
                tlsKeystore == null ? config : config.withTls(tlsKeystore, tlsPassword), manifests);
      } catch (RuntimeException e) {
        err.println("byhand: " + message(e));
        return exitCode(e);
      }
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    err.println(
                        "byhand: stopping (finishing requests in flight, closing " + data + ")");
                    err.flush();
                    server.close();
                    stopped.countDown();
                  },
                  "byhand-serve-stop"));
      spec.commandLine()
          .getOut()
          .println(
              "byhand: serving "
                  + data
                  + " on "
                  + server.url()
                  + " (web page at "
                  + server.url()
                  + "/, Ctrl-C to stop)");
      spec.commandLine().getOut().flush();
      for (FailedCollection f : server.database().failed()) {
        err.println(
            "byhand: collection '"
                + f.name()
                + "' failed to open and is quarantined (the others are served): "
                + printable(f.reason()));
      }
      err.flush();
      stopped.await();
      return Main.OK;
    }
  }

  // ---- create -----------------------------------------------------------------------------

  /** {@code db create NAME}. */
  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a collection.")
  static final class Create extends Sub {
    @Parameters(
        index = "0",
        paramLabel = "NAME",
        description = "Collection name: [A-Za-z0-9_-]{1,64}.")
    String name;

    @Option(
        names = "--encoder",
        description =
            "minilm, minilm-q, bge-small, e5-small or seed: points and queries may then be text.")
    String encoder;

    @Option(
        names = "--dimension",
        description = "Numbers per vector (from the encoder when one is given).")
    int dimension;

    @Option(names = "--metric", description = "cosine (default), dot or l2.")
    String metric;

    @Override
    int run(DbBackend db, PrintWriter out) throws IOException {
      if (encoder == null && dimension == 0) {
        throw new IllegalArgumentException(
            "create: give --encoder (minilm, minilm-q, bge-small, e5-small or seed) or --dimension");
      }
      DbBackend.Info i = db.create(name, encoder, dimension, metric);
      if (target.json) {
        printJson(out, Json.MAPPER.valueToTree(i));
      } else {
        new Table("collection", "dimension", "metric", "encoder")
            .row(i.name(), i.dimension(), i.metric(), i.encoder() == null ? "-" : i.encoder())
            .print(out);
      }
      return Main.OK;
    }
  }

  // ---- ingest -----------------------------------------------------------------------------

  /** {@code db ingest FILE}: batches of documents, progress, stop and resume. */
  @Command(
      name = "ingest",
      mixinStandardHelpOptions = true,
      description = {
        "Ingest a file, one document a line: JSON Lines (.jsonl), CSV (.csv, with a header) or plain text.",
        "Ids come from the file ('id' field or column) or are FILE:LINE, so running it again replaces instead of duplicating.",
        "Ctrl-C finishes the current batch and remembers the position; the same command resumes."
      })
  static final class Ingest extends Sub {
    @Parameters(index = "0", paramLabel = "FILE")
    Path file;

    @Option(
        names = {"-c", "--collection"},
        required = true,
        description = "Collection to fill (created with --encoder if missing).")
    String collection;

    @Option(
        names = "--format",
        description = "jsonl, csv or text (default: by the file's extension).")
    String format;

    @Option(
        names = "--text-field",
        defaultValue = "text",
        description = "Field or column holding the text (default: ${DEFAULT-VALUE}).")
    String textField;

    @Option(
        names = "--encoder",
        defaultValue = "minilm",
        description =
            "Encoder of a collection created here: minilm, minilm-q, bge-small, e5-small or seed"
                + " (default: ${DEFAULT-VALUE}).")
    String encoder;

    @Option(
        names = "--batch",
        defaultValue = "64",
        description = "Documents per write (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(
        names = "--restart",
        description = "Ignore a saved position and start from the first line.")
    boolean restart;

    @Option(
        names = "--state",
        paramLabel = "FILE",
        description =
            "Where the position is saved (default: under --data, or ~/.cache/byhand/ingest with --url).")
    Path state;

    /** Test hook: stop by itself after this many batches, as if interrupted. */
    @Option(names = "--stop-after-batches", hidden = true, defaultValue = "0")
    int stopAfterBatches;

    @Override
    boolean interruptible() {
      return true;
    }

    private Path stateFile() throws IOException {
      if (state != null) {
        return state;
      }
      String where =
          target.url != null ? target.url : target.data.toAbsolutePath().normalize().toString();
      String key = where + "\n" + collection + "\n" + file.toAbsolutePath().normalize();
      String hash;
      try {
        hash =
            HexFormat.of()
                .formatHex(
                    MessageDigest.getInstance("SHA-256")
                        .digest(key.getBytes(StandardCharsets.UTF_8)))
                .substring(0, 16);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is missing from this JVM", e);
      }
      Path dir =
          target.url == null
              ? target.data.resolve("ingest")
              : Path.of(
                  System.getProperty(
                      "byhand.cache", System.getProperty("user.home") + "/.cache/byhand"),
                  "ingest");
      Files.createDirectories(dir);
      return dir.resolve(collection + "-" + hash + ".progress");
    }

    /** The position to resume from: lines already done, when the file is unchanged. */
    private long[] readState(Path stateFile, String stamp) throws IOException {
      if (restart || !Files.exists(stateFile)) {
        return new long[] {0, 0};
      }
      String[] parts = Files.readString(stateFile, StandardCharsets.UTF_8).strip().split(" ");
      if (parts.length != 3 || !parts[0].equals(stamp)) {
        return new long[] {0, 0}; // another version of the file: start again (ids make this safe)
      }
      return new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2])};
    }

    private static void writeState(Path stateFile, String stamp, long line, long docs)
        throws IOException {
      Path tmp = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
      Files.writeString(tmp, stamp + " " + line + " " + docs + "\n", StandardCharsets.UTF_8);
      Files.move(
          tmp, stateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    int run(DbBackend db, PrintWriter out) throws IOException {
      if (batch < 1 || batch > 10_000) {
        throw new IllegalArgumentException("batch: must be in [1, 10000], got " + batch);
      }
      if (!Files.isRegularFile(file)) {
        throw new NoSuchFileException(file.toString());
      }
      IngestSource source = new IngestSource(file, IngestSource.Format.of(file, format), textField);
      long total = source.count();
      try {
        db.info(collection);
      } catch (NotFoundException | RemoteBackend.RemoteError e) {
        if (e instanceof RemoteBackend.RemoteError r && r.status != 404) {
          throw r;
        }
        db.create(collection, encoder, 0, null);
        spec.commandLine()
            .getErr()
            .println("byhand: created collection '" + collection + "' with encoder " + encoder);
      }
      Path stateFile = stateFile();
      String stamp = Files.size(file) + ":" + Files.getLastModifiedTime(file).toMillis();
      long[] resume = readState(stateFile, stamp);
      long skipLines = resume[0];
      long done = resume[1];
      if (skipLines > 0) {
        spec.commandLine()
            .getErr()
            .println(
                "byhand: resuming after line "
                    + skipLines
                    + " ("
                    + done
                    + " documents already in)");
      }
      Progress progress = new Progress(spec.commandLine().getErr(), "ingest", "docs", total);
      List<Point> pending = new ArrayList<>(batch);
      long lineNumber = 0;
      int batches = 0;
      boolean stopped = false;
      try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        String line;
        while ((line = r.readLine()) != null) {
          lineNumber++;
          if (lineNumber <= skipLines) {
            continue;
          }
          Point p = source.point(line, lineNumber);
          if (p != null) {
            pending.add(p);
          }
          if (pending.size() == batch) {
            db.upsert(collection, pending);
            done += pending.size();
            pending.clear();
            writeState(stateFile, stamp, lineNumber, done);
            progress.update(done);
            batches++;
            if (stopping || (stopAfterBatches > 0 && batches >= stopAfterBatches)) {
              stopped = true;
              break;
            }
          }
        }
      }
      if (!stopped && !pending.isEmpty()) {
        db.upsert(collection, pending);
        done += pending.size();
      }
      if (stopped) {
        spec.commandLine()
            .getErr()
            .println(
                "byhand: stopped after line "
                    + lineNumber
                    + " ("
                    + done
                    + " of "
                    + total
                    + " documents); run the same command to resume");
        return Main.FAILED;
      }
      progress.update(total);
      Files.deleteIfExists(stateFile);
      long count = db.count(collection, null);
      if (target.json) {
        printJson(
            out,
            Json.MAPPER
                .createObjectNode()
                .put("collection", collection)
                .put("ingested", done)
                .put("points", count));
      } else {
        new Table("collection", "ingested", "points").row(collection, done, count).print(out);
      }
      return Main.OK;
    }
  }

  // ---- search -----------------------------------------------------------------------------

  /** {@code db search COLLECTION QUERY}. */
  @Command(
      name = "search",
      mixinStandardHelpOptions = true,
      description = "Search a collection by text (or --vector).")
  static final class Search extends Sub {
    @Parameters(index = "0", paramLabel = "COLLECTION")
    String collection;

    @Parameters(
        index = "1..*",
        paramLabel = "QUERY",
        arity = "0..*",
        description = "Query text (collections with an encoder).")
    List<String> query;

    @Option(names = "-k", defaultValue = "5", description = "Results (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(
        names = "--vector",
        paramLabel = "JSON",
        description = "Query vector as a JSON array, instead of text.")
    String vector;

    @Option(
        names = "--filter",
        paramLabel = "JSON",
        description =
            "Payload filter, e.g. '{\"must\": [{\"key\": \"lang\", \"match\": {\"value\": \"en\"}}]}'.")
    String filter;

    @Override
    int run(DbBackend db, PrintWriter out) throws IOException {
      String text = query == null || query.isEmpty() ? null : String.join(" ", query);
      float[] v = null;
      if (vector != null) {
        JsonNode n = parseJson("vector", vector);
        if (!n.isArray()) {
          throw new InvalidRequestException("vector", "must be a JSON array of numbers");
        }
        v = new float[n.size()];
        for (int i = 0; i < v.length; i++) {
          v[i] = n.get(i).floatValue();
        }
      }
      if ((text == null) == (v == null)) {
        throw new IllegalArgumentException(
            "search: give a query text or --vector, not both and not neither");
      }
      List<ScoredPoint> hits = db.search(collection, text, v, k, parseJson("filter", filter));
      if (target.json) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (ScoredPoint h : hits) {
          ObjectNode o = a.addObject().put("id", h.id()).put("score", h.score());
          o.set("payload", h.payload());
        }
        printJson(out, a);
      } else {
        Table t = new Table("#", "id", "score", "payload");
        for (int i = 0; i < hits.size(); i++) {
          ScoredPoint h = hits.get(i);
          t.row(
              i + 1,
              h.id(),
              String.format(Locale.ROOT, "%.4f", h.score()),
              payloadText(h.payload()));
        }
        t.print(out);
      }
      return Main.OK;
    }
  }

  // ---- get --------------------------------------------------------------------------------

  /** {@code db get COLLECTION ID...}. */
  @Command(
      name = "get",
      mixinStandardHelpOptions = true,
      description = "Show points by id (exit 2 if none exists).")
  static final class Get extends Sub {
    @Parameters(index = "0", paramLabel = "COLLECTION")
    String collection;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "ID")
    List<String> ids;

    @Option(names = "--with-vector", description = "Show the stored vectors too.")
    boolean withVector;

    @Override
    int run(DbBackend db, PrintWriter out) throws IOException {
      List<Point> found = db.get(collection, ids, withVector);
      if (target.json) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (Point p : found) {
          ObjectNode o = a.addObject().put("id", p.id());
          o.set("payload", p.payload());
          if (p.vector() != null) {
            o.set("vector", Json.MAPPER.valueToTree(p.vector()));
          }
        }
        printJson(out, a);
      } else {
        Table t = withVector ? new Table("id", "payload", "vector") : new Table("id", "payload");
        for (Point p : found) {
          if (withVector) {
            t.row(p.id(), payloadText(p.payload()), Json.MAPPER.valueToTree(p.vector()).toString());
          } else {
            t.row(p.id(), payloadText(p.payload()));
          }
        }
        t.print(out);
      }
      if (found.isEmpty()) {
        spec.commandLine()
            .getErr()
            .println(
                "byhand: no point with "
                    + (ids.size() == 1 ? "id " + Terminal.safe(ids.get(0)) : "these ids")
                    + " in '"
                    + collection
                    + "'");
        return Main.NOT_FOUND;
      }
      return Main.OK;
    }
  }

  // ---- delete -----------------------------------------------------------------------------

  /** {@code db delete COLLECTION ID... | --filter JSON | --drop}. */
  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description = "Delete points by id or filter, or a whole collection with --drop.")
  static final class Delete extends Sub {
    @Parameters(index = "0", paramLabel = "COLLECTION")
    String collection;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "ID")
    List<String> ids;

    @Option(
        names = "--filter",
        paramLabel = "JSON",
        description = "Delete the points passing this filter.")
    String filter;

    @Option(names = "--drop", description = "Delete the collection itself, with all its points.")
    boolean drop;

    @Override
    int run(DbBackend db, PrintWriter out) throws IOException {
      int given =
          (ids == null || ids.isEmpty() ? 0 : 1) + (filter == null ? 0 : 1) + (drop ? 1 : 0);
      if (given != 1) {
        throw new IllegalArgumentException("delete: give ids, --filter or --drop (exactly one)");
      }
      if (drop) {
        db.drop(collection);
        if (target.json) {
          printJson(out, Json.MAPPER.createObjectNode().put("dropped", collection));
        } else {
          out.println("dropped collection " + collection);
        }
        return Main.OK;
      }
      int n =
          filter != null
              ? db.delete(collection, parseJson("filter", filter))
              : db.delete(collection, ids);
      if (target.json) {
        printJson(out, Json.MAPPER.createObjectNode().put("deleted", n));
      } else {
        new Table("collection", "deleted").row(collection, n).print(out);
      }
      return Main.OK;
    }
  }

  // ---- count ------------------------------------------------------------------------------

  /**
   * {@code db count [COLLECTION]}. The listing shows a quarantined collection as {@code failed},
   * with its reason below the table (and on stderr), and still exits 0: the listing worked, and the
   * other collections are served. Counting a quarantined collection by name fails (exit 3).
   */
  @Command(
      name = "count",
      mixinStandardHelpOptions = true,
      description = {
        "Count points of a collection (or list every collection with its count).",
        "A collection that failed to open is listed as failed, with the reason."
      })
  static final class Count extends Sub {
    @Parameters(index = "0", arity = "0..1", paramLabel = "COLLECTION")
    String collection;

    @Option(
        names = "--filter",
        paramLabel = "JSON",
        description = "Count only the points passing this filter.")
    String filter;

    @Override
    int run(DbBackend db, PrintWriter out) throws IOException {
      List<String> names = collection == null ? db.list() : List.of(collection);
      if (collection == null && filter != null) {
        throw new IllegalArgumentException("count: --filter needs a collection");
      }
      List<DbBackend.Failed> failed = collection == null ? db.failed() : List.of();
      Map<String, ObjectNode> rows = new TreeMap<>();
      for (String n : names) {
        long c = db.count(n, parseJson("filter", filter));
        rows.put(n, Json.MAPPER.createObjectNode().put("collection", n).put("points", c));
      }
      for (DbBackend.Failed f : failed) {
        ObjectNode o = Json.MAPPER.createObjectNode().put("collection", f.name());
        rows.put(f.name(), o.putNull("points").put("status", "failed").put("reason", f.reason()));
      }
      if (target.json) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        a.addAll(rows.values());
        printJson(out, collection == null ? a : a.get(0));
      } else {
        Table t = new Table("collection", "points");
        rows.values()
            .forEach(
                r ->
                    t.row(
                        r.get("collection").asText(),
                        r.has("status") ? "failed" : r.get("points").asText()));
        t.print(out);
        for (DbBackend.Failed f : failed) {
          out.println(f.name() + " failed to open: " + printable(f.reason()));
        }
        out.flush();
      }
      if (!failed.isEmpty()) {
        PrintWriter err = spec.commandLine().getErr();
        err.println(
            "byhand: "
                + failed.size()
                + (failed.size() == 1 ? " collection" : " collections")
                + " failed to open and "
                + (failed.size() == 1 ? "is" : "are")
                + " quarantined; drop them or restore a snapshot under their names");
        err.flush();
      }
      return Main.OK;
    }
  }

  // ---- snapshots --------------------------------------------------------------------------

  /** {@code db snapshot COLLECTION [--list]}. */
  @Command(
      name = "snapshot",
      mixinStandardHelpOptions = true,
      description = "Take a consistent snapshot of a collection, or --list them.")
  static final class Snapshot extends Sub {
    @Parameters(index = "0", paramLabel = "COLLECTION")
    String collection;

    @Option(names = "--list", description = "List the snapshots instead of taking one.")
    boolean list;

    @Override
    int run(DbBackend db, PrintWriter out) throws IOException {
      List<String> names = list ? db.snapshots(collection) : List.of(db.snapshot(collection));
      if (target.json) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        names.forEach(a::add);
        printJson(out, list ? a : a.get(0));
      } else {
        Table t = new Table("collection", "snapshot");
        names.forEach(n -> t.row(collection, n));
        t.print(out);
      }
      return Main.OK;
    }
  }

  /** {@code db restore COLLECTION SNAPSHOT --as NEW}. */
  @Command(
      name = "restore",
      mixinStandardHelpOptions = true,
      description = "Restore a snapshot as a new collection.")
  static final class Restore extends Sub {
    @Parameters(
        index = "0",
        paramLabel = "COLLECTION",
        description = "The collection the snapshot was taken of.")
    String collection;

    @Parameters(index = "1", paramLabel = "SNAPSHOT")
    String snapshot;

    @Option(
        names = "--as",
        required = true,
        paramLabel = "NAME",
        description = "Name of the new collection.")
    String as;

    @Override
    int run(DbBackend db, PrintWriter out) throws IOException {
      DbBackend.Info i = db.restore(collection, snapshot, as);
      if (target.json) {
        printJson(out, Json.MAPPER.valueToTree(i));
      } else {
        new Table("collection", "points", "from snapshot")
            .row(i.name(), i.points(), snapshot)
            .print(out);
      }
      return Main.OK;
    }
  }
}
