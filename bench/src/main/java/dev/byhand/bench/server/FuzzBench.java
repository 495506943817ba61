package dev.byhand.bench.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.byhand.server.ApiKeys;
import dev.byhand.server.ByhandServer;
import dev.byhand.server.ServerConfig;
import dev.byhand.store.Collection;
import dev.byhand.store.CollectionConfig;
import dev.byhand.store.Database;
import dev.byhand.store.Json;
import dev.byhand.store.Page;
import dev.byhand.store.Point;
import dev.byhand.vector.Metric;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Hostile input, in two phases. First: sends N malformed or hostile requests (broken JSON, wrong
 * types, NaN and huge numbers, deep nesting, giant batches, path tricks in names, bad keys, junk)
 * to a server holding known data, checks that each is answered with a 4xx JSON error, that the
 * server stays up, and that the data is byte-for-byte what it was (a digest of every point before
 * and after). Every request is built to be invalid, so any 2xx is a finding too.
 *
 * <p>Second (issue 14): M valid but extreme requests to collections of their own, one per metric —
 * tiny, huge and denormal vectors, ids with lone surrogates (JSON {@code \ud800} escapes), control
 * characters and 256 bytes, integers past 2^53 and 2^63, deep and wide payloads, filters of
 * hundreds of conditions, {@code any} lists of 10,000 values, batches of 100 searches at k = 1000.
 * Any answer is fine but a 5xx or a dropped connection; then the server is stopped and started
 * again on the same folder, and must come up and answer for every collection.
 *
 * <p>{@code java … dev.byhand.bench.server.FuzzBench [--requests 10000] [--extreme 2000] [--seed 7]
 * [--out FILE]}
 */
public final class FuzzBench {

  static final String ADMIN = "fuzz-admin-key-0123456789";
  static final String READ = "fuzz-read-key-0123456789";

  /** One hostile request. */
  record Req(String category, String method, String path, String key, byte[] body) {}

  public static void main(String[] args) throws Exception {
    int n = 10_000;
    int extreme = 2_000;
    long seed = 7;
    Path out = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--requests" -> n = Integer.parseInt(args[++i]);
        case "--extreme" -> extreme = Integer.parseInt(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Path data = Files.createTempDirectory("byhand-fuzz");
    // 1. known data: 500 points with nested payloads, and a snapshot
    try (Database db = Database.open(data)) {
      Collection c = db.create(CollectionConfig.of("docs", 8, Metric.COSINE));
      SplittableRandom r = new SplittableRandom(1);
      List<Point> points = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        float[] v = new float[8];
        for (int d = 0; d < 8; d++) {
          v[d] = (float) r.nextDouble(-1, 1);
        }
        points.add(
            Point.of(
                "d" + i,
                v,
                Json.parsePayload(
                    "payload",
                    "{\"n\":"
                        + i
                        + ",\"tag\":\"t"
                        + (i % 7)
                        + "\",\"deep\":{\"a\":[1,2,{\"b\":true}]}}")));
      }
      c.upsert(points);
      db.create(CollectionConfig.of("other", 3, Metric.DOT));
    }
    ServerConfig config =
        ServerConfig.of(data)
            .withAddress("127.0.0.1", 0)
            .withKeys(ApiKeys.of(List.of(ADMIN), List.of(READ)))
            .withMaxBodyBytes(4L << 20);
    Map<String, Integer> statuses = new TreeMap<>();
    Map<String, Integer> categories = new TreeMap<>();
    List<String> findings = new ArrayList<>();
    int nonJson = 0;
    String before;
    String after;
    boolean healthy;
    Extreme ex;
    try (ByhandServer server = ByhandServer.start(config)) {
      before = digest(server.database());
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      SplittableRandom r = new SplittableRandom(seed);
      List<Function<SplittableRandom, Req>> generators =
          List.of(
              FuzzBench::brokenJson,
              FuzzBench::wrongTypes,
              FuzzBench::badNumbers,
              FuzzBench::deepNesting,
              FuzzBench::giant,
              FuzzBench::pathTricks,
              FuzzBench::badKeys,
              FuzzBench::junk,
              FuzzBench::invalidValues);
      for (int i = 0; i < n; i++) {
        Req q = generators.get(r.nextInt(generators.size())).apply(r);
        categories.merge(q.category(), 1, Integer::sum);
        HttpRequest.Builder b =
            HttpRequest.newBuilder(URI.create(server.url() + q.path()))
                .timeout(Duration.ofSeconds(60));
        if (q.key() != null) {
          b.header("api-key", q.key());
        }
        b.header("Content-Type", "application/json");
        b.method(
            q.method(),
            q.body() == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(q.body()));
        try {
          HttpResponse<String> resp = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
          int s = resp.statusCode();
          statuses.merge(String.valueOf(s), 1, Integer::sum);
          if (s < 400 || s >= 500) {
            findings.add(
                q.category()
                    + " "
                    + q.method()
                    + " "
                    + brief(q.path())
                    + " -> "
                    + s
                    + " "
                    + brief(resp.body()));
          } else if (!isErrorJson(resp.body())) {
            nonJson++;
            if (nonJson <= 5) {
              findings.add(
                  "not a JSON error: "
                      + q.category()
                      + " "
                      + q.method()
                      + " "
                      + brief(q.path())
                      + " -> "
                      + s
                      + " "
                      + brief(resp.body()));
            }
          }
        } catch (IOException e) {
          statuses.merge("io-error", 1, Integer::sum);
          findings.add(q.category() + " " + q.method() + " " + brief(q.path()) + " -> " + e);
        }
        if ((i + 1) % 1000 == 0) {
          System.err.printf(Locale.ROOT, "bench: fuzz %d/%d%n", i + 1, n);
        }
      }
      HttpResponse<String> h =
          client.send(
              HttpRequest.newBuilder(URI.create(server.url() + "/healthz")).build(),
              HttpResponse.BodyHandlers.ofString());
      healthy = h.statusCode() == 200;
      after = digest(server.database());
      ex = new Extreme(client, server.url());
      ex.run(extreme, seed);
    }
    // Stopped (as SIGTERM stops it); it must start again on the same folder and serve everything.
    ex.restart(config);
    String reopened;
    try (Database db = Database.open(data)) {
      reopened = digest(db);
    } catch (RuntimeException e) {
      reopened = "the database does not open: " + e;
      ex.findings.add("the database does not open after both phases: " + e);
    }
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "%d hostile requests, seed %d, server with an admin and a read-only key, body limit 4 MiB%n%n",
            n,
            seed));
    sb.append("| category | requests |\n| --- | ---: |\n");
    categories.forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v).append(" |\n"));
    sb.append("\n| status | answers |\n| --- | ---: |\n");
    statuses.forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v).append(" |\n"));
    sb.append(
        String.format(
            Locale.ROOT,
            "%n- answers not in 4xx: %d%n",
            findings.stream().filter(f -> !f.startsWith("not a JSON")).count()));
    sb.append(String.format(Locale.ROOT, "- 4xx answers without a JSON error body: %d%n", nonJson));
    sb.append(
        String.format(Locale.ROOT, "- /healthz afterwards: %s%n", healthy ? "200" : "FAILED"));
    sb.append(
        String.format(
            Locale.ROOT,
            "- data digest before %s, after %s, after reopening %s: %s%n",
            before.substring(0, 16),
            after.substring(0, 16),
            reopened.substring(0, 16),
            before.equals(after) && before.equals(reopened) ? "unchanged" : "CHANGED"));
    for (String f : findings.subList(0, Math.min(20, findings.size()))) {
      sb.append("- finding: ").append(f.replace("|", "\\|")).append('\n');
    }
    sb.append(ex.report());
    System.out.println(sb);
    if (out != null) {
      Files.writeString(out, sb.toString());
    }
    boolean ok =
        findings.isEmpty()
            && ex.findings.isEmpty()
            && nonJson == 0
            && healthy
            && before.equals(after)
            && before.equals(reopened);
    System.exit(ok ? 0 : 1);
  }

  /** The hostile phase's collections: the extreme phase adds its own, outside the digest. */
  static final List<String> DIGESTED = List.of("docs", "other");

  /** Every digested collection's config, and every point's id, vector and payload, hashed. */
  static String digest(Database db) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    for (String name : db.list().stream().sorted().filter(DIGESTED::contains).toList()) {
      Collection c = db.collection(name);
      md.update(Json.MAPPER.writeValueAsBytes(c.config()));
      String cursor = null;
      do {
        Page p = c.scroll(null, cursor, 1000, true);
        for (Point pt : p.points()) {
          md.update(pt.id().getBytes(StandardCharsets.UTF_8));
          for (float f : pt.vector()) {
            int bits = Float.floatToIntBits(f);
            md.update(
                new byte[] {
                  (byte) bits, (byte) (bits >> 8), (byte) (bits >> 16), (byte) (bits >> 24)
                });
          }
          md.update(Json.MAPPER.writeValueAsBytes(pt.payload()));
        }
        cursor = p.nextCursor();
      } while (cursor != null);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  static boolean isErrorJson(String body) {
    try {
      JsonNode n = Json.MAPPER.readTree(body);
      // Qdrant's error shape, with byhand's code beside the message
      return n != null
          && n.path("status").isObject()
          && n.get("status").path("error").isTextual()
          && n.get("status").has("code");
    } catch (IOException e) {
      return false;
    }
  }

  static String brief(String s) {
    s = s.replace('\n', ' ');
    return s.length() > 100 ? s.substring(0, 100) + "…" : s;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // ---- generators: every request they make is invalid by construction ---------------------

  private static final String[] WRITE_PATHS = {
    "PUT /collections/docs/points", "POST /collections/docs/points/delete",
        "POST /collections/docs/points/payload",
    "PUT /collections/docs/points/payload", "POST /collections/docs/points/payload/delete",
        "PUT /collections/fresh",
    "POST /collections/docs/snapshots/none/restore"
  };

  private static final String[] VALID_BODIES = {
    "{\"points\":[{\"id\":\"x1\",\"vector\":[1,2,3,4,5,6,7,8],\"payload\":{\"a\":1}}]}",
    "{\"ids\":[\"d1\",\"d2\"]}",
    "{\"filter\":{\"must\":[{\"key\":\"n\",\"range\":{\"gte\":0}}]}}",
    "{\"payload\":{\"z\":1},\"points\":[\"d1\"]}",
    "{\"keys\":[\"n\"],\"filter\":{\"must\":[{\"key\":\"tag\",\"match\":{\"value\":\"t1\"}}]}}",
    "{\"vector\":[1,2,3,4,5,6,7,8],\"limit\":3,\"filter\":{\"should\":[{\"key\":\"tag\",\"match\":{\"any\":[\"t1\",\"t2\"]}}]}}",
    "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"}}",
  };

  private static Req at(String category, String route, String key, byte[] body) {
    int sp = route.indexOf(' ');
    return new Req(category, route.substring(0, sp), route.substring(sp + 1), key, body);
  }

  private static String anyRoute(SplittableRandom r) {
    String[] reads = {
      "POST /collections/docs/points/search",
      "POST /collections/docs/points/count",
      "POST /collections/docs/points/scroll",
      "POST /collections/docs/points",
      "POST /collections/docs/points/search/batch"
    };
    return r.nextBoolean()
        ? WRITE_PATHS[r.nextInt(WRITE_PATHS.length)]
        : reads[r.nextInt(reads.length)];
  }

  static Req brokenJson(SplittableRandom r) {
    String body = VALID_BODIES[r.nextInt(VALID_BODIES.length)];
    String cut = body.substring(0, r.nextInt(body.length() - 1) + 1);
    String[] breakers = {
      cut,
      body + "}",
      body + body,
      body.replace("\"", "'"),
      body.replace(":", ""),
      "{" + body,
      body.replace("{", "[")
    };
    return at("broken JSON", anyRoute(r), ADMIN, utf8(breakers[r.nextInt(breakers.length)]));
  }

  static Req wrongTypes(SplittableRandom r) {
    String[] bad = {"\"8\"", "{}", "true", "[\"a\"]", "[[1]]", "null"};
    String v = bad[r.nextInt(bad.length)];
    String[] bodies = {
      "{\"points\":[{\"id\":\"x\",\"vector\":" + (v.equals("null") ? "\"v\"" : v) + "}]}",
      "{\"points\":[{\"id\":"
          + (v.equals("null") || v.equals("\"8\"") ? "1.5" : v)
          + ",\"vector\":[1,2,3,4,5,6,7,8]}]}",
      "{\"points\":[{\"id\":\"x\",\"vector\":[1,2,3,4,5,6,7,8],\"payload\":"
          + (v.equals("{}") || v.equals("null") ? "7" : v)
          + "}]}",
      "{\"points\":" + (v.equals("[[1]]") || v.equals("[\"a\"]") ? "{}" : v) + "}",
      "{\"ids\":" + (v.startsWith("[") ? "\"d1\"" : v) + "}",
      "{\"payload\":" + (v.equals("{}") || v.equals("null") ? "[1]" : v) + ",\"ids\":[\"d1\"]}",
      "{\"vectors\":{\"size\":" + v + ",\"distance\":\"Cosine\"}}",
    };
    int i = r.nextInt(bodies.length);
    String route =
        i < 4
            ? "PUT /collections/docs/points"
            : i == 4
                ? "POST /collections/docs/points/delete"
                : i == 5 ? "POST /collections/docs/points/payload" : "PUT /collections/fresh";
    return at("wrong types", route, ADMIN, utf8(bodies[i]));
  }

  static Req badNumbers(SplittableRandom r) {
    String[] nums = {
      "NaN",
      "Infinity",
      "-Infinity",
      "1e400",
      "-1e400",
      "1e39",
      "-3.5e38",
      "9".repeat(60),
      "0x10",
      "1_000"
    };
    String x = nums[r.nextInt(nums.length)];
    String[] bodies = {
      "{\"points\":[{\"id\":\"x\",\"vector\":[1,2,3," + x + ",5,6,7,8]}]}",
      "{\"vector\":[1,2,3,4,5,6,7," + x + "],\"limit\":3}",
      "{\"vector\":[1,2,3,4,5,6,7,8],\"limit\":"
          + (x.startsWith("9") || x.contains("e") ? x : "1e10")
          + "}",
      "{\"vector\":[1,2,3,4,5,6,7,8],\"score_threshold\":"
          + (x.startsWith("9") ? "1e400" : x)
          + "}",
      "{\"points\":[{\"id\":\"x\",\"vector\":[1,2,3,4,5,6,7,8],\"payload\":{\"v\":"
          + (x.startsWith("9") || x.equals("1e39") || x.equals("-3.5e38") ? "NaN" : x)
          + "}}]}",
    };
    int i = r.nextInt(bodies.length);
    String route =
        i == 0 || i == 4 ? "PUT /collections/docs/points" : "POST /collections/docs/points/search";
    return at("NaN and huge numbers", route, ADMIN, utf8(bodies[i]));
  }

  static Req deepNesting(SplittableRandom r) {
    int depth = 33 + r.nextInt(r.nextBoolean() ? 100 : 200_000);
    String body;
    String route;
    switch (r.nextInt(3)) {
      case 0 -> {
        body =
            "{\"points\":[{\"id\":\"x\",\"vector\":[1,2,3,4,5,6,7,8],\"payload\":"
                + "{\"a\":".repeat(depth)
                + "1"
                + "}".repeat(depth)
                + "}]}";
        route = "PUT /collections/docs/points";
      }
      case 1 -> {
        body =
            "{\"filter\":"
                + "{\"must\":[".repeat(depth)
                + "{\"key\":\"n\",\"match\":{\"value\":1}}"
                + "]}".repeat(depth)
                + "}";
        route = "POST /collections/docs/points/delete";
      }
      default -> {
        body = "{\"ids\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
        route = "POST /collections/docs/points/delete";
      }
    }
    return at("deep nesting", route, ADMIN, utf8(body));
  }

  static Req giant(SplittableRandom r) {
    StringBuilder sb = new StringBuilder();
    switch (r.nextInt(4)) {
      case 0 -> {
        sb.append("{\"points\":[");
        for (int i = 0; i <= Collection.MAX_BATCH; i++) {
          sb.append(i == 0 ? "" : ",")
              .append("{\"id\":\"g")
              .append(i)
              .append("\",\"vector\":[1,2,3,4,5,6,7,8]}");
        }
        return at(
            "giant batches",
            "PUT /collections/docs/points",
            ADMIN,
            utf8(sb.append("]}").toString()));
      }
      case 1 -> {
        sb.append("{\"ids\":[");
        for (int i = 0; i <= 10_000; i++) {
          sb.append(i == 0 ? "" : ",").append('"').append('d').append(i).append('"');
        }
        return at(
            "giant batches",
            "POST /collections/docs/points/delete",
            ADMIN,
            utf8(sb.append("]}").toString()));
      }
      case 2 -> {
        sb.append("{\"searches\":[");
        for (int i = 0; i <= ServerConfig.DEFAULT_MAX_BATCH_SEARCHES; i++) {
          sb.append(i == 0 ? "" : ",").append("{\"vector\":[1,2,3,4,5,6,7,8]}");
        }
        return at(
            "giant batches",
            "POST /collections/docs/points/search/batch",
            ADMIN,
            utf8(sb.append("]}").toString()));
      }
      default -> {
        return at(
            "giant batches",
            "PUT /collections/docs/points",
            ADMIN,
            utf8(
                "{\"points\":[{\"id\":\"x\",\"vector\":[1,2,3,4,5,6,7,8],\"payload\":{\"s\":\""
                    + "x".repeat(5 << 20)
                    + "\"}}]}"));
      }
    }
  }

  static Req pathTricks(SplittableRandom r) {
    String[] names = {
      "..",
      "../docs",
      "docs/../other",
      ".",
      "docs%00",
      "%2e%2e",
      "%2e%2e%2fdocs",
      "..%5cdocs",
      "a b",
      "d%C3%A9j%C3%A0",
      "n".repeat(65),
      "n".repeat(3000),
      "docs%20",
      "%00",
      "docs;x",
      "*",
      "docs.bak",
      "~root",
      "%252e%252e"
    };
    String name = names[r.nextInt(names.length)];
    String encoded =
        name.contains("%")
            ? name
            : java.net.URLEncoder.encode(name, StandardCharsets.UTF_8)
                .replace("+", "%20")
                .replace(".", "%2E");
    String[] routes = {
      "GET /collections/" + encoded,
      "PUT /collections/" + encoded,
      "DELETE /collections/" + encoded,
      "PUT /collections/" + encoded + "/points",
      "POST /collections/docs/snapshots/" + encoded + "/restore",
      "POST /collections/" + encoded + "/snapshots"
    };
    int i = r.nextInt(routes.length);
    String body =
        i == 1
            ? "{\"vectors\":{\"size\":4,\"distance\":\"Cosine\"}}"
            : i == 3
                ? VALID_BODIES[0]
                : i == 4
                    ? "{\"collection\":\"" + (r.nextBoolean() ? "restored" : "../x") + "\"}"
                    : null;
    if (i == 4 && body.contains("restored") && name.matches("[A-Za-z0-9_-]{1,64}")) {
      body =
          "{\"collection\":\"../x\"}"; // a valid snapshot name that does not exist is a 404 anyway;
      // keep the target invalid too
    }
    return at("path tricks in names", routes[i], ADMIN, body == null ? null : utf8(body));
  }

  static Req badKeys(SplittableRandom r) {
    String[] keys = {
      null,
      "",
      "wrong-key-0123456789",
      READ,
      READ + " ",
      ADMIN.substring(1),
      ADMIN.toUpperCase(Locale.ROOT),
      "Bearer " + ADMIN
    };
    String key = keys[r.nextInt(keys.length)];
    String[][] writes = {
      {"DELETE /collections/docs", null},
      {"POST /collections/docs/points/delete", "{\"filter\":{\"must\":[]}}"},
      {"PUT /collections/docs/points/payload", "{\"points\":[\"d1\"],\"payload\":{}}"},
      {"PUT /collections/docs/points", VALID_BODIES[0]},
      {"POST /collections/docs/snapshots", null},
      {"GET /collections", null},
      {"GET /metrics", null},
    };
    String[] w = writes[r.nextInt(writes.length)];
    if (key != null && key.strip().equals(READ) && w[0].startsWith("GET")) {
      key = "wrong-key-0123456789"; // a read key (header values lose outer spaces) may read: keep
      // this hostile
    }
    return at("bad keys", w[0], key, w[1] == null ? null : utf8(w[1]));
  }

  static Req junk(SplittableRandom r) {
    byte[] bytes = new byte[1 + r.nextInt(2000)];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) r.nextInt(256);
    }
    if (bytes[0] == '{' || bytes[0] == '[' || bytes[0] == ' ') {
      bytes[0] = 0x01;
    }
    String[] odd = {
      "PATCH /collections/docs",
      "POST /collections",
      "DELETE /collections/docs/points",
      "GET /collections/docs/points/search",
      "POST /nope",
      "PUT /"
    };
    return r.nextBoolean()
        ? at("junk bytes and odd routes", anyRoute(r), ADMIN, bytes)
        : at(
            "junk bytes and odd routes",
            odd[r.nextInt(odd.length)],
            ADMIN,
            r.nextBoolean() ? bytes : null);
  }

  static Req invalidValues(SplittableRandom r) {
    String[][] cases = {
      {"PUT /collections/docs/points", "{\"points\":[{\"id\":\"x\",\"vector\":[1,2,3]}]}"},
      {
        "PUT /collections/docs/points", "{\"points\":[{\"id\":\"x\",\"vector\":[0,0,0,0,0,0,0,0]}]}"
      },
      {"PUT /collections/docs/points", "{\"points\":[{\"id\":\"\",\"vector\":[1,2,3,4,5,6,7,8]}]}"},
      {
        "PUT /collections/docs/points",
        "{\"points\":[{\"id\":\"" + "i".repeat(257) + "\",\"vector\":[1,2,3,4,5,6,7,8]}]}"
      },
      {
        "PUT /collections/docs/points", "{\"points\":[{\"id\":\"x\",\"text\":\"no encoder here\"}]}"
      },
      {
        "PUT /collections/docs/points",
        "{\"points\":[{\"id\":\"x\",\"vector\":[1,2,3,4,5,6,7,8]},{\"id\":\"y\",\"vector\":[1]}]}"
      },
      {
        "PUT /collections/docs/points",
        "{\"points\":[{\"id\":\"x\",\"vector\":[1,2,3,4,5,6,7,8],\"extra\":1}]}"
      },
      {"PUT /collections/docs", "{\"vectors\":{\"size\":8,\"distance\":\"Cosine\"}}"},
      {"PUT /collections/fresh", "{\"vectors\":{\"size\":5000,\"distance\":\"Cosine\"}}"},
      {"PUT /collections/fresh", "{\"vectors\":{\"size\":4,\"distance\":\"Hamming\"}}"},
      {"PUT /collections/fresh", "{\"encoder\":\"gpt-9\"}"},
      {
        "PUT /collections/fresh",
        "{\"vectors\":{\"size\":4,\"distance\":\"Cosine\"},\"hnsw_config\":{\"m\":1000}}"
      },
      {
        "PUT /collections/fresh",
        "{\"vectors\":{\"size\":4,\"distance\":\"Cosine\"},\"durability\":\"never\"}"
      },
      {"POST /collections/docs/points/delete", "{\"points\":[\"d1\"],\"filter\":{\"must\":[]}}"},
      {"POST /collections/docs/points/delete", "{}"},
      {
        "POST /collections/docs/points/delete",
        "{\"filter\":{\"must\":[{\"key\":\"n\",\"match\":{\"value\":1.5}}]}}"
      },
      {
        "POST /collections/docs/points/delete",
        "{\"filter\":{\"must\":[{\"key\":\"n\",\"range\":{\"gte\":\"a\"}}]}}"
      },
      {
        "POST /collections/docs/points/delete",
        "{\"filter\":{\"must\":[{\"key\":\"\",\"match\":{\"value\":1}}]}}"
      },
      {"POST /collections/docs/points/payload", "{\"payload\":{\"a\":1}}"},
      {"POST /collections/docs/points/payload/delete", "{\"keys\":\"n\",\"points\":[\"d1\"]}"},
      {"POST /collections/docs/points/search", "{\"vector\":[1,2,3,4,5,6,7,8],\"text\":\"both\"}"},
      {"POST /collections/docs/points/search", "{\"vector\":[1,2,3,4,5,6,7,8],\"limit\":0}"},
      {
        "POST /collections/docs/points/search",
        "{\"vector\":[1,2,3,4,5,6,7,8],\"limit\":5,\"ef\":2}"
      },
      {"POST /collections/docs/points/scroll", "{\"limit\":100000}"},
      {"POST /collections/docs/explain", "{\"text\":\"no encoder\"}"},
      {"POST /collections/docs/snapshots/nothing/restore", "{\"collection\":\"docs\"}"},
      {"POST /collections/missing/points/search", "{\"vector\":[1,2,3]}"},
      {"PUT /collections/docs/index", "{\"key\":\"tag\",\"type\":\"vector\"}"},
      {"PUT /collections/docs/index", "{\"key\":\"\",\"type\":\"keyword\"}"},
      {"PUT /collections/docs/index", "{\"type\":\"keyword\"}"},
      {"DELETE /collections/docs/index/nothing", "{}"},
    };
    String[] c = cases[r.nextInt(cases.length)];
    return at("invalid values", c[0], ADMIN, utf8(c[1]));
  }

  // ---- phase 2: valid but extreme requests (issue 14) ---------------------------------------

  /**
   * Valid but extreme requests, to collections of their own ({@link #COLLECTIONS}, one per metric).
   * Every answer may be a 2xx or a 4xx (a store may refuse a vector it cannot score), but never a
   * 5xx or a dropped connection; afterwards the server must start again on the same folder and
   * answer for every collection.
   */
  static final class Extreme {
    static final List<String> COLLECTIONS = List.of("xdot", "xcos", "xl2");
    static final int DIM = 4;

    final HttpClient client;
    String url;
    final List<String> findings = new ArrayList<>();
    final Map<String, Map<String, Integer>> statuses = new TreeMap<>();
    final Map<String, String> example4xx = new TreeMap<>();
    int requests;

    Extreme(HttpClient client, String url) {
      this.client = client;
      this.url = url;
    }

    /** Sends one request; records its status, and a finding for a 5xx or an I/O error. */
    int send(String category, String method, String path, String body) {
      requests++;
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(url + path))
              .timeout(Duration.ofSeconds(120))
              .header("api-key", ADMIN)
              .header("Content-Type", "application/json");
      b.method(
          method,
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(utf8(body)));
      String status;
      int code = -1;
      try {
        HttpResponse<String> resp = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        code = resp.statusCode();
        status = String.valueOf(code);
        if (code >= 400 && code < 500) {
          example4xx.putIfAbsent(category, code + " " + brief(resp.body()));
        }
        if (code >= 500) {
          findings.add(
              category
                  + " "
                  + method
                  + " "
                  + path
                  + " -> "
                  + code
                  + " "
                  + resp.body()
                  + " (request: "
                  + brief(body == null ? "" : body)
                  + ")");
        }
      } catch (IOException e) {
        status = "io-error";
        findings.add(category + " " + method + " " + path + " -> " + e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      statuses.computeIfAbsent(category, k -> new TreeMap<>()).merge(status, 1, Integer::sum);
      return code;
    }

    // -- values, as JSON text: escapes are written as the client would send them --

    static final String[] IDS = {
      "p0",
      "p1",
      "p2",
      "p3",
      "p4",
      "p5",
      "p6",
      "p7",
      "\\ud800",
      "\\udbff",
      "\\udc00x",
      "a\\ud800b",
      "\\udfff\\ud800",
      "?",
      "\\u0000",
      "nul\\u0000in",
      "\\u001b]0;x\\u0007",
      "\\n",
      "\\u007f",
      "\\u2028",
      "x".repeat(256),
      "x".repeat(255) + "\\u00e9",
      "\\u20ac".repeat(85) + "a",
      "\\ud83d\\ude00".repeat(64),
      "x".repeat(250) + "\\ud800",
      "\\u65e5\\u672c"
    };

    static final String[] COMPONENTS = {
      "1e-30", "-1e-30", "1e-25", "1e-38", "1e-45", "1.4e-45", "-1e-40", "5.877472e-39",
      "3.4e38", "-3.4e38", "3.4028234e38", "3e38", "-3e38", "2e19", "1e19", "1e30",
      "-0.0", "0.0", "0", "1", "-1", "0.5", "0.25", "-0.125"
    };

    static final String[] INTEGERS = {
      "9007199254740991",
      "9007199254740992",
      "9007199254740993",
      "9007199254740994",
      "9007199254740995",
      "-9007199254740993",
      "9223372036854775807",
      "-9223372036854775808",
      "9223372036854775808",
      "-9223372036854775809",
      "18446744073709551616",
      "1000000000000000000000000000000",
      "0",
      "-1",
      "7"
    };

    static final String[] STRINGS = {
      "red", "", "\\u0000", "\\ud800", "a\\udc00b", "\\u001b[31m", "x.y", "\\u65e5\\u672c"
    };

    static String pick(SplittableRandom r, String[] a) {
      return a[r.nextInt(a.length)];
    }

    static String id(SplittableRandom r) {
      return "\"" + pick(r, IDS) + "\"";
    }

    static String vector(SplittableRandom r) {
      StringBuilder sb = new StringBuilder("[");
      int style = r.nextInt(4);
      for (int i = 0; i < DIM; i++) {
        String c =
            switch (style) {
              case 0 -> pick(r, COMPONENTS);
              case 1 -> (r.nextBoolean() ? "" : "-") + "1e-30"; // all tiny
              case 2 -> (r.nextBoolean() ? "" : "-") + "3e38"; // all huge
              default -> Float.toString((float) r.nextDouble(-1, 1));
            };
        sb.append(i == 0 ? "" : ",").append(c);
      }
      return sb.append(']').toString();
    }

    static String deep(int depth) {
      return "{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
    }

    static String payload(SplittableRandom r) {
      switch (r.nextInt(8)) {
        case 0:
          return "null";
        case 1:
          // the request's body may nest 32 levels: {"points":[{"payload":{"deep": is 5 of them
          return "{\"deep\":" + deep(25 + r.nextInt(3)) + "}";
        case 2:
          {
            StringBuilder sb = new StringBuilder("{");
            int keys = 500 + r.nextInt(1500);
            for (int i = 0; i < keys; i++) {
              sb.append(i == 0 ? "" : ",").append("\"w").append(i).append("\":").append(i);
            }
            return sb.append('}').toString();
          }
        case 3:
          return "{\"tags\":[" + "\"t\",".repeat(999) + "\"t\"]}";
        case 4:
          return "{\"" + (r.nextBoolean() ? "\\ud800" : "k\\udbff") + "\":1}";
        default:
          return "{\"n\":"
              + pick(r, INTEGERS)
              + ",\"s\":\""
              + pick(r, STRINGS)
              + "\",\"f\":"
              + pick(r, new String[] {"-0.0", "1e300", "4.9e-324", "9007199254740993.0"})
              + ",\"obj\":{\"x\":"
              + pick(r, INTEGERS)
              + "},\"b\":"
              + r.nextBoolean()
              + "}";
      }
    }

    static String condition(SplittableRandom r) {
      return switch (r.nextInt(5)) {
        case 0 ->
            "{\"key\":\"n\",\"range\":{\""
                + pick(r, new String[] {"gt", "gte", "lt", "lte"})
                + "\":"
                + pick(r, INTEGERS)
                + "}}";
        case 1 -> "{\"key\":\"n\",\"match\":{\"value\":" + pick(r, INTEGERS) + "}}";
        case 2 -> "{\"key\":\"s\",\"match\":{\"value\":\"" + pick(r, STRINGS) + "\"}}";
        case 3 -> "{\"has_id\":[" + id(r) + "," + id(r) + "]}";
        default -> "{\"" + (r.nextBoolean() ? "exists" : "is_null") + "\":{\"key\":\"obj.x\"}}";
      };
    }

    static String filter(SplittableRandom r) {
      return filter(r, true);
    }

    /**
     * A filter; {@code deep}: also the costly shapes (hundreds of conditions, any lists of 10,000,
     * nesting to just under the body's 32 levels).
     */
    static String filter(SplittableRandom r, boolean deep) {
      switch (deep ? r.nextInt(6) : 5) { // not deep: the plain shape, for batches of 100
        case 0:
          {
            StringBuilder sb = new StringBuilder("{\"should\":[");
            int n = 100 + r.nextInt(400);
            for (int i = 0; i < n; i++) {
              sb.append(i == 0 ? "" : ",").append(condition(r));
            }
            return sb.append("]}").toString();
          }
        case 1:
          {
            StringBuilder sb = new StringBuilder("{\"key\":\"s\",\"match\":{\"any\":[");
            for (int i = 0; i < 10_000; i++) {
              sb.append(i == 0 ? "" : ",").append(i % 2 == 0 ? "\"v" + i + "\"" : "" + i);
            }
            return sb.append(",\"red\"]}}").toString();
          }
        case 2:
          {
            // each level is an object and an array; with {"filter": and the condition, 31 levels
            int depth = 12 + r.nextInt(3);
            return "{\"must\":[".repeat(depth) + condition(r) + "]}".repeat(depth);
          }
        default:
          return "{\"must\":["
              + condition(r)
              + "],\"must_not\":["
              + condition(r)
              + "],\"should\":["
              + condition(r)
              + ","
              + condition(r)
              + "]}";
      }
    }

    static String search(SplittableRandom r, int k, boolean deep) {
      return "{\"vector\":"
          + vector(r)
          + ",\"k\":"
          + k
          + (r.nextBoolean() ? ",\"filter\":" + (deep ? filter(r) : filter(r, false)) : "")
          + ",\"with_payload\":true,\"with_vector\":"
          + r.nextBoolean()
          + (r.nextInt(4) == 0 ? ",\"score_threshold\":" + pick(r, COMPONENTS) : "")
          + "}";
    }

    void run(int n, long seed) {
      SplittableRandom r = new SplittableRandom(seed * 31 + 14);
      String[] metrics = {"dot", "cosine", "l2"};
      for (int i = 0; i < COLLECTIONS.size(); i++) {
        send(
            "setup",
            "PUT",
            "/collections/" + COLLECTIONS.get(i),
            "{\"dimension\":" + DIM + ",\"metric\":\"" + metrics[i] + "\"}");
      }
      for (int i = 0; i < n; i++) {
        String c = "/collections/" + COLLECTIONS.get(r.nextInt(COLLECTIONS.size()));
        int kind = r.nextInt(100);
        if (kind < 30) {
          StringBuilder sb = new StringBuilder("{\"points\":[");
          int size = 1 + r.nextInt(r.nextInt(10) == 0 ? 200 : 8);
          for (int j = 0; j < size; j++) {
            sb.append(j == 0 ? "" : ",")
                .append("{\"id\":")
                .append(id(r))
                .append(",\"vector\":")
                .append(vector(r))
                .append(",\"payload\":")
                .append(payload(r))
                .append('}');
          }
          send("upsert: extreme vectors, ids, payloads", "PUT", c + "/points", sb + "]}");
        } else if (kind < 45) {
          send(
              "search: extreme vectors and filters",
              "POST",
              c + "/points/search",
              search(r, 1 + r.nextInt(1000), true));
        } else if (kind < 48) {
          StringBuilder sb = new StringBuilder("{\"searches\":[");
          for (int j = 0; j < 100; j++) {
            sb.append(j == 0 ? "" : ",").append(search(r, 1000, false));
          }
          send(
              "search/batch: 100 searches at k = 1000",
              "POST",
              c + "/points/search/batch",
              sb + "]}");
        } else if (kind < 60) {
          send(
              "count: extreme filters",
              "POST",
              c + "/points/count",
              "{\"filter\":" + filter(r) + "}");
        } else if (kind < 66) {
          send(
              "scroll: extreme filters and offsets",
              "POST",
              c + "/points/scroll",
              "{\"filter\":"
                  + filter(r)
                  + ",\"limit\":"
                  + (1 + r.nextInt(10_000))
                  + (r.nextBoolean() ? ",\"offset\":" + id(r) : "")
                  + ",\"with_vector\":true}");
        } else if (kind < 72) {
          send(
              "get: odd ids",
              "POST",
              c + "/points",
              "{\"ids\":[" + id(r) + "," + id(r) + "],\"with_vector\":true}");
        } else if (kind < 80) {
          String target = r.nextBoolean() ? "\"ids\":[" + id(r) + "]" : "\"filter\":" + filter(r);
          switch (r.nextInt(3)) {
            case 0 ->
                send(
                    "payload: set",
                    "POST",
                    c + "/points/payload",
                    "{\"payload\":" + payload(r).replace("null", "{}") + "," + target + "}");
            case 1 ->
                send(
                    "payload: overwrite",
                    "PUT",
                    c + "/points/payload",
                    "{\"payload\":"
                        + payload(r).replace("null", "{}")
                        + ",\"ids\":["
                        + id(r)
                        + "]}");
            default ->
                send(
                    "payload: delete keys",
                    "POST",
                    c + "/points/payload/delete",
                    "{\"keys\":[\"n\",\"x.y\",\"\\ud800\",\"deep\"]," + target + "}");
          }
        } else if (kind < 86) {
          String[][] defs = {
            {"n", "integer"},
            {"n", "float"},
            {"obj.x", "integer"},
            {"s", "keyword"},
            {"b", "bool"},
            {"f", "float"}
          };
          String[] d = defs[r.nextInt(defs.length)];
          if (r.nextBoolean()) {
            send(
                "payload index: create",
                "PUT",
                c + "/index",
                "{\"key\":\"" + d[0] + "\",\"type\":\"" + d[1] + "\"}");
          } else {
            send("payload index: drop", "DELETE", c + "/index/" + d[0], null);
          }
        } else if (kind < 94) {
          send("delete: by filter", "POST", c + "/points/delete", "{\"filter\":" + filter(r) + "}");
        } else if (kind < 97) {
          send(
              "delete: odd ids",
              "POST",
              c + "/points/delete",
              "{\"ids\":[" + id(r) + "," + id(r) + "]}");
        } else {
          send("snapshot", "POST", c + "/snapshots", null);
        }
        if ((i + 1) % 500 == 0) {
          System.err.printf(Locale.ROOT, "bench: fuzz extreme %d/%d%n", i + 1, n);
        }
      }
    }

    /** Starts the server again on the same folder: it must come up and serve each collection. */
    void restart(ServerConfig config) {
      try (ByhandServer again = ByhandServer.start(config)) {
        url = again.url();
        if (send("restart", "GET", "/healthz", null) != 200) {
          findings.add("restart: /healthz is not 200 after starting again on the same folder");
        }
        for (String name : again.database().list()) {
          if (send("restart", "POST", "/collections/" + name + "/points/count", "{}") != 200) {
            findings.add("restart: collection " + name + " does not answer a count");
          }
        }
      } catch (RuntimeException e) {
        findings.add("restart: the server does not start again on the same folder: " + e);
      }
    }

    String report() {
      StringBuilder sb = new StringBuilder();
      sb.append(
          String.format(
              Locale.ROOT,
              "%nValid but extreme requests (issue 14): %d, to collections %s; then a restart on the same folder%n%n",
              requests,
              COLLECTIONS));
      sb.append("| category | answers by status |\n| --- | --- |\n");
      statuses.forEach(
          (k, v) ->
              sb.append("| ").append(k.replace("|", "\\|")).append(" | ").append(v).append(" |\n"));
      sb.append(
          String.format(
              Locale.ROOT,
              "%n- 5xx answers, dropped connections, failed restarts: %d%n",
              findings.size()));
      // Restart and open failures first, then one example of each kind of 5xx, with its count.
      Map<String, List<String>> byKind = new TreeMap<>();
      for (String f : findings) {
        String kind =
            f.startsWith("restart") || f.startsWith("the database")
                ? "0 " + f
                : "1 " + f.substring(0, Math.max(0, f.indexOf(" -> ")));
        byKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(f);
      }
      byKind.forEach(
          (kind, list) -> {
            String f = list.get(0).replace('\n', ' ');
            sb.append("- finding (")
                .append(list.size())
                .append("×): ")
                .append((f.length() > 600 ? f.substring(0, 600) + "…" : f).replace("|", "\\|"))
                .append('\n');
          });
      example4xx.forEach(
          (k, v) ->
              sb.append("- a 4xx of ")
                  .append(k.replace("|", "\\|"))
                  .append(": ")
                  .append(v.replace("|", "\\|"))
                  .append('\n'));
      return sb.toString();
    }
  }
}
