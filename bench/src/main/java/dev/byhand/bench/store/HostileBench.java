package dev.byhand.bench.store;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.byhand.store.HostileLongRun;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * The hostile client at length (issue 14): {@code HostileLongRun} from the store's tests, run on
 * the JUnit platform (jqwik draws the sequences, and only on its own threads). Prints operations,
 * database-open failures, answers that differed from the model and unexpected exceptions (5xx
 * equivalents), and exits 1 if any of them is above 0.
 *
 * <p>{@code bench/run hostile [--ops 100000] [--seed 20261202] [--sequence-ops 150]
 * [--minimise-seconds 30] [--exclude surrogates,tiny,…] [--replay SEED]}
 */
public final class HostileBench {

  public static void main(String[] args) {
    String[][] options = {
      {"--ops", "byhand.hostile.ops"},
      {"--seed", "byhand.hostile.seed"},
      {"--sequence-ops", "byhand.hostile.sequenceOps"},
      {"--exclude", "byhand.hostile.exclude"},
      {"--replay", "byhand.hostile.replay"},
    };
    System.setProperty("byhand.hostile.ops", "100000");
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      boolean known = false;
      if (a.equals("--minimise-seconds")) {
        System.setProperty(
            "byhand.hostile.minimiseMillis", Long.toString(Long.parseLong(args[++i]) * 1000));
        continue;
      }
      for (String[] o : options) {
        if (o[0].equals(a)) {
          System.setProperty(o[1], args[++i]);
          known = true;
        }
      }
      if (!known) {
        System.err.println("bench hostile: unknown argument " + a);
        System.exit(2);
      }
    }
    LauncherDiscoveryRequest request =
        LauncherDiscoveryRequestBuilder.request()
            .selectors(selectClass(HostileLongRun.class))
            .configurationParameter("jqwik.database", "bench/target/jqwik-database")
            .configurationParameter("jqwik.reporting.onlyfailures", "true")
            .build();
    Launcher launcher = LauncherFactory.create();
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    launcher.execute(request, listener);
    if (System.getProperty("byhand.hostile.replay") != null) {
      System.exit(0);
    }
    HostileLongRun.Summary s = HostileLongRun.last();
    if (s == null) {
      System.err.println("bench hostile: the long run did not finish");
      listener.getSummary().printFailuresTo(new java.io.PrintWriter(System.err, true), 20);
      System.exit(3);
    }
    System.exit(s.clean() ? 0 : 1);
  }
}
