package dev.byhand.store;

import dev.byhand.store.HostileModel.V;
import dev.byhand.store.HostileRunner.Want;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The crash half of the hostile client: a child JVM ({@link HostileCrashWorker}) runs write
 * operations with edge values and is killed with SIGKILL while one of them is in flight; then the
 * database must open, and hold exactly what was acknowledged, with the write in flight either
 * applied whole or not at all. Each acknowledged write's outcome (done, or refused as the model
 * says) is checked too. Rounds go on from the write after the one in flight.
 */
final class HostileCrash {

  static final String COLLECTION = "c";

  /** A run: a setup, its writes, and for each round how many writes to let through first. */
  record Run(HostileOp.Setup setup, List<HostileOp> writes, List<Integer> killAfter) {
    @Override
    public String toString() {
      return new HostileOp.Sequence(setup, writes) + "kill after (per round): " + killAfter + "\n";
    }
  }

  private final Path root;
  private final String classpath;
  private final HostileRunner.Findings findings;
  int acknowledged;
  int rounds;

  HostileCrash(Path root, String classpath, HostileRunner.Findings findings) {
    this.root = root;
    this.classpath = classpath;
    this.findings = findings;
  }

  /** Runs the rounds; returns false at the first finding. */
  boolean run(Run run) throws IOException, InterruptedException {
    Path opsFile = root.resolve("ops.json");
    Files.writeString(opsFile, HostileCodec.encode(run.setup(), run.writes()));
    Path db = root.resolve("db");
    HostileModel model = new HostileModel(run.setup());
    int next = 0;
    for (int round = 0; round < run.killAfter().size() && next < run.writes().size(); round++) {
      rounds++;
      int killAt = Math.min(run.writes().size() - 1, next + run.killAfter().get(round));
      Process p =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-ea",
                  "-Xmx256m",
                  "--add-modules",
                  "jdk.incubator.vector",
                  "-cp",
                  classpath,
                  HostileCrashWorker.class.getName(),
                  db.toString(),
                  opsFile.toString(),
                  Integer.toString(next))
              .redirectError(root.resolve("worker-" + round + ".err").toFile())
              .start();
      int inFlight = -1;
      String[] outcome = new String[run.writes().size()];
      boolean ready = false;
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String l; (l = r.readLine()) != null; ) {
          if (l.equals("READY")) {
            ready = true;
          } else if (l.startsWith("BEGIN ")) {
            inFlight = Integer.parseInt(l.substring(6));
            if (inFlight >= killAt) {
              sigkill(p);
            }
          } else if (l.startsWith("END ")) {
            String[] parts = l.split(" ", 3);
            if (parts.length == 3) { // a line cut by the kill is not an acknowledgement
              outcome[Integer.parseInt(parts[1])] = parts[2];
              inFlight = -1;
            }
          } else if (l.equals("DONE")) {
            sigkill(p);
          }
        }
      }
      p.waitFor(60, TimeUnit.SECONDS);
      String where = "in round " + round + " (killed during write " + killAt + ")";
      if (!ready) {
        findings.openFailure(where + ": the worker could not open the database", null);
        return false;
      }
      // The acknowledged writes, judged by the model as in-process runs judge them.
      for (int i = next; i < outcome.length && outcome[i] != null; i++) {
        HostileOp op = run.writes().get(i);
        HostileWrites.Expect e = HostileWrites.expect(model, op);
        String problem = judge(e, outcome[i]);
        if (problem != null) {
          findings.differs("at write " + i + " " + op + " " + where, problem);
          return false;
        }
        if (outcome[i].equals("OK")) {
          e.apply().accept(model);
        }
        acknowledged++;
        next = i + 1;
      }
      // The write in flight: applied whole, or not at all.
      HostileModel with = null;
      if (inFlight >= 0) {
        HostileWrites.Expect e = HostileWrites.expect(model, run.writes().get(inFlight));
        if (e.validity() != V.BAD && e.want() == Want.SUCCESS) {
          with = model.copy();
          e.apply().accept(with);
        }
        next = inFlight + 1;
      }
      try (Database d = Database.open(db)) {
        Collection c = d.collection(COLLECTION);
        String without = HostileWrites.difference(model, c, "the reopened collection");
        if (without != null) {
          String other =
              with == null ? without : HostileWrites.difference(with, c, "the reopened collection");
          if (other != null) {
            findings.differs(
                where,
                without
                    + (with == null
                        ? ""
                        : " (and with write " + inFlight + " applied: " + other + ")"));
            return false;
          }
          model = with;
        }
      } catch (RuntimeException | Error e) {
        findings.openFailure(where, e);
        return false;
      }
    }
    return true;
  }

  /** Whether an acknowledged outcome is one the model allows; the problem if not. */
  private static String judge(HostileWrites.Expect e, String outcome) {
    boolean invalid = outcome.equals(InvalidRequestException.class.getName());
    boolean notFound = outcome.equals(NotFoundException.class.getName());
    boolean conflict = outcome.equals(ConflictException.class.getName());
    if (outcome.equals("OK")) {
      return e.validity() == V.BAD
          ? "accepted a request that must be refused as invalid"
          : e.want() != Want.SUCCESS ? "succeeded, expected " + e.want() : null;
    }
    if (invalid) {
      return e.validity() == V.OK ? "refused as invalid, but the request is valid" : null;
    }
    if (notFound || conflict) {
      Want got = notFound ? Want.NOT_FOUND : Want.CONFLICT;
      return e.validity() == V.BAD || e.want() != got
          ? "answered " + got + ", expected " + (e.validity() == V.BAD ? "invalid" : e.want())
          : null;
    }
    return "unexpected exception (a 5xx): " + outcome;
  }

  /** SIGKILL through kill(1), so that the lines printed just before are still read. */
  private static void sigkill(Process p) {
    try {
      new ProcessBuilder("kill", "-KILL", Long.toString(p.pid())).start().waitFor();
    } catch (IOException e) {
      p.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }
}
