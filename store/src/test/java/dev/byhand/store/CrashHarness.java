package dev.byhand.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Kills a {@link CrashWorker} with SIGKILL again and again and checks, after each kill, that the
 * reopened database holds exactly the acknowledged writes: each acknowledged point with its exact
 * vector and payload, no deleted point back, no phantom or duplicate ids, count equal to a full
 * scan, and every point found by a search for its own vector. The one write in flight at the kill
 * may or may not be there (it was never acknowledged); whichever it is becomes the new truth.
 */
public final class CrashHarness {

  /** A point as the model expects it. */
  record Expected(float[] vector, ObjectNode payload) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Expected e
          && Arrays.equals(vector, e.vector)
          && Objects.equals(payload, e.payload);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(vector) * 31 + Objects.hashCode(payload);
    }
  }

  /** What a run of the harness found. */
  public record Result(
      int kills, long acknowledged, int inFlightApplied, int inFlightLost, List<String> problems) {}

  private final Path folder;
  private final String classpath;
  private Map<String, Expected> model = new HashMap<>();

  public CrashHarness(Path folder, String classpath) {
    this.folder = folder;
    this.classpath = classpath;
  }

  /** Runs {@code kills} rounds with seeds drawn from {@code seed}; stops at the first problem. */
  public Result run(int kills, long seed) throws IOException, InterruptedException {
    SplittableRandom random = new SplittableRandom(seed);
    long acked = 0;
    int applied = 0;
    int lost = 0;
    List<String> problems = new ArrayList<>();
    for (int round = 0; round < kills && problems.isEmpty(); round++) {
      long childSeed = random.nextLong();
      Process p =
          new ProcessBuilder(
                  javaBinary(),
                  "-ea",
                  "-Xmx256m",
                  "-cp",
                  classpath,
                  CrashWorker.class.getName(),
                  folder.toString(),
                  Long.toString(childSeed))
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      List<JsonNode> done = new ArrayList<>();
      JsonNode inFlight = null;
      long killAfterMillis = 150 + random.nextInt(900);
      Thread killer =
          new Thread(
              () -> {
                try {
                  Thread.sleep(killAfterMillis);
                } catch (InterruptedException ignored) {
                  // killed early: fine
                }
                sigkill(p);
              });
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line = r.readLine();
        if (!"READY".equals(line)) {
          p.destroyForcibly();
          p.waitFor();
          problems.add(
              "round " + round + " (seed " + childSeed + "): the worker did not start: " + line);
          break;
        }
        killer.start();
        for (String l; (l = r.readLine()) != null; ) {
          if (l.startsWith("BEGIN ")) {
            try {
              inFlight = Json.MAPPER.readTree(l.substring(6));
            } catch (IOException e) {
              inFlight = null; // cut mid-line by the kill: never started
            }
          } else if (l.equals("ACK") && inFlight != null) {
            done.add(inFlight);
            inFlight = null;
          }
        }
      }
      killer.join();
      p.waitFor(30, TimeUnit.SECONDS);
      for (JsonNode op : done) {
        apply(model, op);
      }
      acked += done.size();
      // Reopen and compare, allowing the in-flight write either way.
      Map<String, Expected> actual = read(problems, round, childSeed);
      if (!problems.isEmpty()) {
        break;
      }
      if (actual.equals(model)) {
        if (inFlight != null) {
          Map<String, Expected> with = copy(model);
          apply(with, inFlight);
          if (!with.equals(model)) {
            lost++;
          }
        }
        continue;
      }
      if (inFlight != null) {
        Map<String, Expected> with = copy(model);
        apply(with, inFlight);
        if (actual.equals(with)) {
          model = with;
          applied++;
          continue;
        }
      }
      problems.add("round " + round + " (seed " + childSeed + "): " + diff(model, actual));
    }
    return new Result(kills, acked, applied, lost, problems);
  }

  private Map<String, Expected> read(List<String> problems, int round, long seed) {
    Map<String, Expected> actual = new HashMap<>();
    try (Database db = Database.open(folder)) {
      if (db.find(CrashWorker.COLLECTION).isEmpty()) {
        return actual;
      }
      Collection c = db.collection(CrashWorker.COLLECTION);
      String cursor = null;
      int scanned = 0;
      do {
        Page page = c.scroll(null, cursor, 97, true);
        for (Point pt : page.points()) {
          scanned++;
          if (actual.put(pt.id(), new Expected(pt.vector(), pt.payload())) != null) {
            problems.add(
                "round "
                    + round
                    + " (seed "
                    + seed
                    + "): id "
                    + pt.id()
                    + " appears twice in a scan");
          }
        }
        cursor = page.nextCursor();
      } while (cursor != null);
      if (c.count(null) != scanned) {
        problems.add("round " + round + ": count " + c.count(null) + " != scan " + scanned);
      }
      for (Map.Entry<String, Expected> e : actual.entrySet()) {
        List<ScoredPoint> hits =
            c.search(SearchRequest.vector(e.getValue().vector(), 10).withEf(200));
        if (hits.stream().noneMatch(h -> h.id().equals(e.getKey()))) {
          problems.add(
              "round " + round + ": search for the vector of " + e.getKey() + " does not find it");
          break;
        }
      }
    } catch (RuntimeException e) {
      problems.add("round " + round + " (seed " + seed + "): reopen failed: " + e);
    }
    return actual;
  }

  private static void apply(Map<String, Expected> m, JsonNode op) {
    switch (op.get("op").asText()) {
      case "upsert" -> {
        for (JsonNode p : op.get("points")) {
          float[] v = new float[p.get("vector").size()];
          for (int j = 0; j < v.length; j++) {
            v[j] = p.get("vector").get(j).floatValue();
          }
          m.put(p.get("id").asText(), new Expected(v, (ObjectNode) p.get("payload")));
        }
      }
      case "delete" -> op.get("ids").forEach(id -> m.remove(id.asText()));
      case "setPayload" -> {
        for (JsonNode id : op.get("ids")) {
          Expected e = m.get(id.asText());
          if (e != null) {
            ObjectNode next = e.payload().deepCopy();
            next.setAll((ObjectNode) op.get("values"));
            m.put(id.asText(), new Expected(e.vector(), next));
          }
        }
      }
      default -> throw new IllegalStateException("unknown op " + op);
    }
  }

  private static Map<String, Expected> copy(Map<String, Expected> m) {
    return new HashMap<>(m);
  }

  private static String diff(Map<String, Expected> expected, Map<String, Expected> actual) {
    for (String id : expected.keySet()) {
      if (!actual.containsKey(id)) {
        return "acknowledged point " + id + " is missing";
      }
      if (!actual.get(id).equals(expected.get(id))) {
        return "point "
            + id
            + " differs: expected "
            + expected.get(id).payload()
            + " "
            + Arrays.toString(expected.get(id).vector())
            + ", found "
            + actual.get(id).payload()
            + " "
            + Arrays.toString(actual.get(id).vector());
      }
    }
    for (String id : actual.keySet()) {
      if (!expected.containsKey(id)) {
        return "point " + id + " is there but was deleted or never written";
      }
    }
    return "states differ";
  }

  /**
   * SIGKILL through kill(1): Process.destroyForcibly also closes our end of the pipes, which would
   * cut off the lines the worker printed just before dying.
   */
  private static void sigkill(Process p) {
    try {
      new ProcessBuilder("kill", "-KILL", Long.toString(p.pid())).inheritIO().start().waitFor();
    } catch (IOException e) {
      p.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
