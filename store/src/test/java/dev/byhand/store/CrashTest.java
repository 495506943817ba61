package dev.byhand.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The short version of the crash test: a handful of SIGKILLs; {@code bench/run crash} does 100. */
class CrashTest {

  @Test
  void acknowledgedWritesSurviveSigkill(@TempDir Path dir) throws Exception {
    long seed = 20261126L;
    CrashHarness.Result r =
        new CrashHarness(dir, System.getProperty("java.class.path")).run(6, seed);
    System.out.println("crash test (seed " + seed + "): " + r);
    assertThat(r.problems()).as("seed %d", seed).isEmpty();
    assertThat(r.acknowledged())
        .as("the worker got writes acknowledged before being killed")
        .isGreaterThan(6);
  }
}
