package dev.byhand.cli;

import dev.byhand.dit.Generate;
import dev.byhand.dit.TextEmbeddings;
import dev.byhand.dit.VideoGenerator;
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
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code byhand demo}: the main job on an embedded default. Embeds the bundled corpus with
 * all-MiniLM-L6-v2, indexes it, and answers a few questions, showing scores and times.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Embed the bundled corpus (demo/corpus.txt), index it in memory, and run example queries;",
      "then generate one clip with the text-to-video model that ships in models/video.",
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

  @Option(
      names = "--video",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "End by generating a clip with the shipped text-to-video model (--no-video to skip). Default: ${DEFAULT-VALUE}.")
  boolean video;

  @Option(
      names = "--video-out",
      defaultValue = "runs/demo/blue-square-moving-up.gif",
      description = "Where the demo's clip goes. Default: ${DEFAULT-VALUE}.")
  Path videoOut;

  static final String VIDEO_PROMPT = "a blue square moving up";

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
    try (TextEncoder enc =
        Encoders.open(Encoders.MINILM, EncoderOptions.defaults(Encoders.MINILM))) {
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
      out.printf(
          Locale.ROOT,
          "search done in %.1f s. Next: ./byhand explain db   (the same steps, by hand)%n",
          (System.nanoTime() - t0) / 1e9);
      if (video) {
        // The prompt goes through the same MiniLM encoder the search used (closed with it).
        generateClip(new TextEmbeddings(enc::embed, enc.dimension(), null), out, err);
      }
    }
    return Main.OK;
  }

  /** The demo's second half: one clip from the video model that ships with byhand. */
  private void generateClip(TextEmbeddings text, PrintWriter out, PrintWriter err) {
    Path model = VideoCommand.shippedModel();
    if (!Files.isDirectory(model)) {
      out.println("(no video model at " + model + ": skipping the text-to-video part)");
      return;
    }
    out.println();
    out.printf(
        Locale.ROOT,
        "text to video: \"%s\" with the DiT in %s (50 sampling steps, guidance %s)%n",
        VIDEO_PROMPT,
        VideoCommand.SHIPPED_MODEL,
        VideoGenerator.DEFAULT_GUIDANCE);
    long v0 = System.nanoTime();
    PrintStream progress =
        new PrintStream(new WriterOutputStream(err), true, StandardCharsets.UTF_8);
    List<Path> written =
        Generate.run(
            model,
            text,
            VIDEO_PROMPT,
            videoOut,
            50,
            VideoGenerator.DEFAULT_GUIDANCE,
            1,
            1,
            progress);
    out.printf(
        Locale.ROOT,
        "wrote %s (and %s, the frames side by side) in %.1f s%n",
        written.get(0).toAbsolutePath(),
        written.get(written.size() - 1).toAbsolutePath(),
        (System.nanoTime() - v0) / 1e9);
    out.println(
        "Next: ./byhand video generate \"a green triangle moving down\" -o clip.gif   or   ./byhand explain video");
  }

  static List<String> resourceLines(String resource) {
    try (InputStream in = DemoCommand.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "resource " + resource + " is missing from the byhand jar: rebuild it");
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
