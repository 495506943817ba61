package dev.byhand.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.Arbitrary;
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

  @Property(tries = 20, seed = "20261202", shrinking = ShrinkingMode.BOUNDED)
  void theStoreAgreesWithTheModel(@ForAll("sequences") HostileOp.Sequence sequence)
      throws IOException {
    Path dir = Files.createTempDirectory("hostile");
    try {
      new HostileRunner(dir, sequence.setup(), new HostileRunner.Strict(), false)
          .run(sequence.ops());
    } finally {
      HostileRunner.deleteRecursively(dir);
    }
  }

  @Provide
  Arbitrary<HostileOp.Sequence> sequences() {
    return HostileGen.sequence(SHORT_OPS);
  }

  /**
   * A child JVM runs writes with edge values and is killed with SIGKILL during one of them; the
   * database must open and hold what was acknowledged (the write in flight whole or not at all).
   */
  @Property(tries = 3, seed = "20261202", shrinking = ShrinkingMode.OFF)
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
