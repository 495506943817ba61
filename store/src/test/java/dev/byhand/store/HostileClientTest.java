package dev.byhand.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;

/**
 * The hostile client: random sequences of every operation of the embedded API, with edge values on
 * purpose, each answer compared with {@link HostileModel}, the database closed and reopened every
 * few operations. See {@link HostileGen} for what is drawn and {@link HostileRunner} for what is
 * checked. {@code bench/run hostile --ops 100000} is the long run.
 */
class HostileClientTest {

  static final int SHORT_OPS = 120;

  /**
   * How long a failure is minimised before it is reported: {@code -Dbyhand.hostile.minimiseMillis}.
   */
  static final long MINIMISE_MILLIS = Long.getLong("byhand.hostile.minimiseMillis", 6_000);

  /**
   * The main property. Edge values are drawn by HostileGen with weights of its own, so jqwik's
   * edge-case injection (the first and last element of every pool, at a high rate) is off.
   * Shrinking is this test's own ({@link HostileMinimiser}: it knows that a batch is a list too),
   * so the failure message carries a reproduction of a few calls beside jqwik's seed and original
   * sample.
   */
  @Property(
      tries = 20,
      seed = "20261202",
      shrinking = ShrinkingMode.OFF,
      edgeCases = EdgeCasesMode.NONE)
  void theStoreAgreesWithTheModel(@ForAll("sequences") HostileOp.Sequence sequence)
      throws IOException {
    check(sequence);
  }

  /** Runs a sequence strictly; a failure is minimised and reported with its reproduction. */
  static void check(HostileOp.Sequence sequence) throws IOException {
    Path dir = Files.createTempDirectory("hostile");
    try {
      HostileRunner.Failure f = HostileMinimiser.failure(dir, sequence);
      if (f != null) {
        throw new AssertionError(
            f.kind
                + " "
                + f.where
                + ": "
                + f.detail
                + "\n\n"
                + HostileMinimiser.report(dir, sequence, f, MINIMISE_MILLIS),
            f);
      }
    } finally {
      HostileRunner.deleteRecursively(dir);
    }
  }

  @Provide
  Arbitrary<HostileOp.Sequence> sequences() {
    return HostileGen.sequence(SHORT_OPS);
  }

  /**
   * Payload indexes only narrow, so every answer must be the same with and without them (and the
   * model has none): points, a few indexes, then many filtered counts, scrolls and searches.
   */
  @Property(
      tries = 10,
      seed = "20261202",
      shrinking = ShrinkingMode.OFF,
      edgeCases = EdgeCasesMode.NONE)
  void payloadIndexesNeverChangeAnAnswer(@ForAll("indexedReads") HostileOp.Sequence sequence)
      throws IOException {
    check(sequence);
  }

  @Provide
  Arbitrary<HostileOp.Sequence> indexedReads() {
    return HostileGen.indexedReads();
  }

  /**
   * A child JVM runs writes with edge values and is killed with SIGKILL during one of them; the
   * database must open and hold what was acknowledged (the write in flight whole or not at all).
   */
  @Property(
      tries = 3,
      seed = "20261202",
      shrinking = ShrinkingMode.OFF,
      edgeCases = EdgeCasesMode.NONE)
  void aKilledWriterLeavesWhatWasAcknowledged(@ForAll("crashRuns") HostileCrash.Run run)
      throws Exception {
    Path dir = Files.createTempDirectory("hostile-crash");
    try {
      new HostileCrash(dir, System.getProperty("java.class.path"), new HostileRunner.Strict())
          .run(run);
    } finally {
      HostileRunner.deleteRecursively(dir);
    }
  }

  @Provide
  Arbitrary<HostileCrash.Run> crashRuns() {
    return HostileGen.crashRun(40);
  }
}
