package dev.byhand.store;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.Example;
import net.jqwik.api.RandomGenerator;

/**
 * The long run of the hostile client: sequences drawn one after another (each from its own seed,
 * printed) until {@code byhand.hostile.ops} operations have run, each compared with the model;
 * after a finding the run takes the store's state as the model's and goes on, so every operation
 * counts. Prints operations, database-open failures, answers that differed and unexpected
 * exceptions (5xx-equivalents), and the distinct failures by signature, each minimised once when
 * {@code byhand.hostile.minimiseMillis} is set; fails if any count is above 0.
 *
 * <p>Not part of {@code mvn verify} (surefire runs classes named *Test): {@code bench/run hostile
 * --ops 100000} runs it, or {@code mvn -pl store test -Dtest=HostileLongRun
 * -Dbyhand.hostile.ops=5000}. {@code -Dbyhand.hostile.replay=SEED} replays one sequence strictly
 * and minimises its failure.
 */
public class HostileLongRun {

  /** What a run found. */
  public record Summary(
      long operations,
      long sequences,
      long openFailures,
      long differences,
      long unexpected,
      Map<String, Integer> signatures) {
    public boolean clean() {
      return openFailures == 0 && differences == 0 && unexpected == 0;
    }
  }

  /** The last run's summary, for {@code bench/run hostile} (same JVM). */
  private static volatile Summary last;

  /** The summary of the last run in this JVM, or null if none finished. */
  public static Summary last() {
    return last;
  }

  static final int GEN_SIZE = 1000;

  @Example
  void longRun() throws IOException {
    PrintStream out = System.out;
    long target = Long.getLong("byhand.hostile.ops", 5_000);
    long seed = Long.getLong("byhand.hostile.seed", 20261202L);
    int maxOps = Integer.getInteger("byhand.hostile.sequenceOps", 150);
    long minimiseMillis = Long.getLong("byhand.hostile.minimiseMillis", 0);
    String replay = System.getProperty("byhand.hostile.replay");
    RandomGenerator<HostileOp.Sequence> gen =
        HostileGen.sequence(maxOps).generator(GEN_SIZE, false);
    Path scratch = Files.createTempDirectory("hostile-long");
    try {
      if (replay != null && !replay.isBlank()) {
        HostileOp.Sequence s = gen.next(new Random(Long.parseLong(replay))).value();
        HostileRunner.Failure f = HostileMinimiser.failure(scratch, s);
        out.println(
            f == null
                ? "hostile: sequence " + replay + " passes"
                : HostileMinimiser.report(scratch, s, f, Math.max(minimiseMillis, 60_000)));
        return;
      }
      Summary s = run(gen, target, seed, minimiseMillis, scratch, out);
      last = s;
      if (!s.clean()) {
        throw new AssertionError(
            "the hostile client found "
                + s.openFailures()
                + " database-open failures, "
                + s.differences()
                + " answers that differ from the model and "
                + s.unexpected()
                + " unexpected exceptions in "
                + s.operations()
                + " operations (seed "
                + seed
                + ")");
      }
    } finally {
      HostileRunner.deleteRecursively(scratch);
    }
  }

  static Summary run(
      RandomGenerator<HostileOp.Sequence> gen,
      long target,
      long seed,
      long minimiseMillis,
      Path scratch,
      PrintStream out)
      throws IOException {
    Random master = new Random(seed);
    long ops = 0;
    long sequences = 0;
    long open = 0;
    long differ = 0;
    long unexpected = 0;
    Map<String, Integer> signatures = new TreeMap<>();
    long start = System.nanoTime();
    long lastReport = start;
    out.printf(Locale.ROOT, "hostile: %,d operations, seed %d%n", target, seed);
    while (ops < target) {
      long s = master.nextLong();
      HostileOp.Sequence seq = gen.next(new Random(s)).value();
      HostileRunner.Counts counts = new HostileRunner.Counts();
      Path dir = Files.createTempDirectory(scratch, "seq");
      HostileRunner r = new HostileRunner(dir, seq.setup(), counts, true);
      try {
        r.run(seq.ops());
      } catch (RuntimeException | Error e) {
        counts.unexpected("outside any operation", e); // a bug of the runner, or the JVM
      } finally {
        HostileRunner.deleteRecursively(dir);
      }
      sequences++;
      ops += r.operations;
      open += counts.openFailures;
      differ += counts.differences;
      unexpected += counts.unexpected;
      if (counts.openFailures + counts.differences + counts.unexpected > 0) {
        HostileRunner.Failure f = HostileMinimiser.failure(scratch, seq);
        String sig = f == null ? "(does not fail when replayed strictly)" : f.signature();
        boolean first = !signatures.containsKey(sig);
        signatures.merge(sig, 1, Integer::sum);
        out.printf(
            Locale.ROOT,
            "hostile: sequence seed %d: %d open failures, %d differences, %d unexpected; %s%n",
            s,
            counts.openFailures,
            counts.differences,
            counts.unexpected,
            counts.examples.isEmpty() ? "" : brief(counts.examples.get(0)));
        if (f == null) {
          out.println("hostile: not reproduced by a strict replay: " + counts.examples);
        }
        if (first && f != null && minimiseMillis > 0) {
          out.println(HostileMinimiser.report(scratch, seq, f, minimiseMillis));
        }
      }
      if (System.nanoTime() - lastReport > 30e9) {
        lastReport = System.nanoTime();
        out.printf(Locale.ROOT, "hostile: %,d/%,d operations%n", ops, target);
      }
    }
    double secs = (System.nanoTime() - start) / 1e9;
    out.printf(
        Locale.ROOT,
        "hostile: %,d operations in %,d sequences, %.0f s%n"
            + "hostile: database-open failures: %d%n"
            + "hostile: answers that differed from the model: %d%n"
            + "hostile: 5xx-equivalents (unexpected exceptions): %d%n",
        ops,
        sequences,
        secs,
        open,
        differ,
        unexpected);
    signatures.forEach((sig, n) -> out.printf(Locale.ROOT, "hostile: %4d sequences: %s%n", n, sig));
    return new Summary(ops, sequences, open, differ, unexpected, signatures);
  }

  private static String brief(String s) {
    s = s.replace('\n', ' ');
    return s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }
}
