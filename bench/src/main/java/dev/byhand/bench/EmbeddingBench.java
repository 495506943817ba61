package dev.byhand.bench;

import dev.byhand.embed.EncoderOptions;
import dev.byhand.embed.Encoders;
import dev.byhand.embed.TextEncoder;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Sentences per second of all-MiniLM-L6-v2: byhand's pipeline beside langchain4j's in-process
 * {@code AllMiniLmL6V2EmbeddingModel}, on the same texts, in the same JVM, alternating runs so that
 * both see the same machine load. Batch 1 means one text per call; batch 32 means 32 texts per call
 * (langchain4j spreads a call's texts over its executor, one model run per text; byhand pads them
 * into one model run). Threads are the ONNX Runtime intra-op threads for byhand and the executor's
 * size for langchain4j (whose session keeps ONNX Runtime's default threading).
 *
 * <p>byhand is measured both ways it can spend its threads ({@link EncoderOptions.Parallelism}):
 * intra-op (one model run over all threads) and batches (a call's texts split into one batch per
 * thread, run side by side); the ratio is byhand's better mode over langchain4j.
 *
 * <p>Usage: {@code bench/run embed [--texts N] [--repeats R]}.
 */
public final class EmbeddingBench {

  private interface Embedder {
    void embed(List<String> batch);
  }

  public static void main(String[] args) throws Exception {
    int textCount = 640;
    int repeats = 5;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--texts" -> textCount = Integer.parseInt(args[++i]);
        case "--repeats" -> repeats = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    List<String> texts = texts(textCount);
    double meanChars = texts.stream().mapToInt(String::length).average().orElse(0);
    System.out.printf(
        Locale.ROOT,
        "all-MiniLM-L6-v2 throughput: %d texts (demo corpus, mean %.0f characters), median of %d runs, %d cores%n",
        texts.size(),
        meanChars,
        repeats,
        Runtime.getRuntime().availableProcessors());
    System.out.printf(
        Locale.ROOT,
        "%-6s %8s %18s %18s %14s %8s%n",
        "batch",
        "threads",
        "byhand intra-op",
        "byhand batches",
        "langchain4j",
        "ratio");

    for (int threads : new int[] {1, 2}) {
      EncoderOptions options =
          EncoderOptions.defaults(Encoders.MINILM).withThreads(threads).withBatchSize(32);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try (TextEncoder ours =
              Encoders.open(
                  Encoders.MINILM, options.withParallelism(EncoderOptions.Parallelism.INTRA_OP));
          TextEncoder oursBatches =
              Encoders.open(
                  Encoders.MINILM, options.withParallelism(EncoderOptions.Parallelism.BATCHES))) {
        AllMiniLmL6V2EmbeddingModel theirs = new AllMiniLmL6V2EmbeddingModel(pool);
        Embedder byhand = ours::embedAll;
        Embedder byhandBatches = oursBatches::embedAll;
        Embedder lc4j = batch -> theirs.embedAll(batch.stream().map(TextSegment::from).toList());
        for (int batch : new int[] {1, 32}) {
          // Warm both up on the first slice (JIT, ONNX Runtime's first-run allocations).
          boolean both = threads > 1; // with one thread the two modes are the same thing
          run(byhand, texts.subList(0, 64), batch);
          if (both) {
            run(byhandBatches, texts.subList(0, 64), batch);
          }
          run(lc4j, texts.subList(0, 64), batch);
          double[] a = new double[repeats];
          double[] c = new double[repeats];
          double[] b = new double[repeats];
          for (int r = 0; r < repeats; r++) {
            // Rotate who goes first so that drift in machine load falls on all.
            for (int turn = 0; turn < 3; turn++) {
              switch ((r + turn) % 3) {
                case 0 -> a[r] = run(byhand, texts, batch);
                case 1 -> c[r] = both ? run(byhandBatches, texts, batch) : Double.NaN;
                default -> b[r] = run(lc4j, texts, batch);
              }
            }
          }
          double ma = Stats.median(a);
          double mc = both ? Stats.median(c) : Double.NaN;
          double mb = Stats.median(b);
          double best = both ? Math.max(ma, mc) : ma;
          System.out.printf(
              Locale.ROOT,
              "%-6d %8d %18.0f %18s %14.0f %7.2fx%n",
              batch,
              threads,
              ma,
              both ? String.format(Locale.ROOT, "%.0f", mc) : "—",
              mb,
              best / mb);
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /** Embeds all texts in calls of {@code batch}; returns texts per second. */
  private static double run(Embedder e, List<String> texts, int batch) {
    long t0 = System.nanoTime();
    for (int from = 0; from < texts.size(); from += batch) {
      e.embed(texts.subList(from, Math.min(texts.size(), from + batch)));
    }
    return texts.size() / ((System.nanoTime() - t0) / 1e9);
  }

  /** The demo corpus, cycled to {@code n} texts and shuffled with a fixed seed. */
  static List<String> texts(int n) throws IOException {
    List<String> corpus = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("demo", "corpus.txt"))) {
      if (!line.isBlank()) {
        corpus.add(line.strip());
      }
    }
    List<String> out = new ArrayList<>(n);
    for (int i = 0; out.size() < n; i++) {
      out.add(corpus.get(i % corpus.size()));
    }
    java.util.Collections.shuffle(out, new java.util.Random(7));
    return out;
  }
}
