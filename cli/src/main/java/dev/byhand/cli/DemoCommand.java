package dev.byhand.cli;

import dev.byhand.embed.EncoderOptions;
import dev.byhand.embed.Encoders;
import dev.byhand.embed.TextEncoder;
import dev.byhand.vector.ExactIndex;
import dev.byhand.vector.Metric;
import dev.byhand.vector.SearchResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code byhand demo}: the main job on an embedded default. Embeds the bundled corpus with
 * all-MiniLM-L6-v2, indexes it, and answers a few questions, showing scores and times.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Embed the bundled corpus (demo/corpus.txt), index it in memory, and run example queries.",
      "Nothing to set up: no server, no configuration, no download."
    })
final class DemoCommand implements Callable<Integer> {

  static final String CORPUS = "/demo/corpus.txt";
  static final String QUERIES = "/demo/queries.txt";

  @Spec CommandSpec spec;

  @Option(
      names = {"-k", "--top"},
      defaultValue = "3",
      description = "Results shown per query, in [1, 20]. Default: ${DEFAULT-VALUE}.")
  int k;

  @Option(
      names = "--query",
      paramLabel = "TEXT",
      description = "Ask your own question(s) instead of the bundled ones.")
  List<String> queries;

  @Override
  public Integer call() {
    if (k < 1 || k > 20) {
      throw new IllegalArgumentException("top: must be in [1, 20], got " + k);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<String> corpus = resourceLines(CORPUS);
    List<String> asked = queries != null && !queries.isEmpty() ? queries : resourceLines(QUERIES);

    long t0 = System.nanoTime();
    try (TextEncoder enc = Encoders.open(Encoders.MINILM, EncoderOptions.defaults(Encoders.MINILM))) {
      long t1 = System.nanoTime();
      out.printf(
          Locale.ROOT,
          "byhand demo: semantic search over %d sentences with all-MiniLM-L6-v2 (loaded in %.1f s)%n",
          corpus.size(),
          (t1 - t0) / 1e9);

      // Embed in slices so the progress bar moves; each slice is still batched inside.
      ExactIndex index = new ExactIndex(enc.dimension(), Metric.COSINE);
      Progress progress = new Progress(err, "embedding", "sentences", corpus.size());
      int slice = 64;
      for (int from = 0; from < corpus.size(); from += slice) {
        List<String> part = corpus.subList(from, Math.min(corpus.size(), from + slice));
        for (float[] v : enc.embedAll(part)) {
          index.add(v);
        }
        progress.update(index.size());
      }
      long t2 = System.nanoTime();
      out.printf(
          Locale.ROOT,
          "embedded and indexed %d sentences in %.1f s (%.0f sentences/s, %d numbers each)%n",
          index.size(),
          (t2 - t1) / 1e9,
          index.size() / ((t2 - t1) / 1e9),
          enc.dimension());

      for (String question : asked) {
        long s0 = System.nanoTime();
        float[] q = enc.embed(question);
        long s1 = System.nanoTime();
        List<SearchResult> hits = index.search(q, k);
        long s2 = System.nanoTime();
        out.println();
        out.printf(
            Locale.ROOT,
            "query: %s   (embed %.1f ms, exact search %.2f ms)%n",
            question,
            (s1 - s0) / 1e6,
            (s2 - s1) / 1e6);
        for (SearchResult hit : hits) {
          out.printf(Locale.ROOT, "  %.3f  %s%n", hit.score(), corpus.get(hit.ordinal()));
        }
      }
      out.println();
      out.printf(Locale.ROOT, "done in %.1f s. Next: ./byhand explain db   (the same steps, by hand)%n", (System.nanoTime() - t0) / 1e9);
    }
    return Main.OK;
  }

  static List<String> resourceLines(String resource) {
    try (InputStream in = DemoCommand.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("resource " + resource + " is missing from the byhand jar: rebuild it");
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      List<String> lines = new ArrayList<>();
      for (String line; (line = r.readLine()) != null; ) {
        if (!line.isBlank()) {
          lines.add(line.strip());
        }
      }
      return lines;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }
}
