package dev.byhand.bench.store;

import dev.byhand.store.CrashHarness;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The store's crash test at length: a child process writes (batch upserts, deletes, payload
 * merges), is killed with SIGKILL at a random moment, and the reopened database is compared with
 * every write it acknowledged. Usage: {@code bench/run crash [--kills N] [--seed S]}.
 */
public final class CrashBench {

  public static void main(String[] args) throws Exception {
    int kills = 100;
    long seed = 1;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--kills" -> kills = Integer.parseInt(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Path dir = Files.createTempDirectory("byhand-crash-");
    long t0 = System.nanoTime();
    CrashHarness.Result r =
        new CrashHarness(dir, System.getProperty("java.class.path")).run(kills, seed);
    double s = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        "crash test, seed %d: %d SIGKILLs, %d acknowledged writes checked, in-flight write present after %d kills,"
            + " absent after %d, problems: %d (%.0f s)%n",
        seed,
        r.kills(),
        r.acknowledged(),
        r.inFlightApplied(),
        r.inFlightLost(),
        r.problems().size(),
        s);
    r.problems().forEach(p -> System.out.println("  " + p));
    System.exit(r.problems().isEmpty() ? 0 : 1);
  }
}
