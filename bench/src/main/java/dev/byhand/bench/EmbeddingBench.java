package dev.byhand.bench;

import dev.byhand.embed.EncoderOptions;
import dev.byhand.embed.Encoders;
import dev.byhand.embed.ModelCard;
import dev.byhand.embed.TextEncoder;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.e5smallv2q.E5SmallV2QuantizedEmbeddingModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * Sentences per second of each text model: byhand's pipeline beside langchain4j's in-process class
 * for the same ONNX graph ({@code AllMiniLmL6V2EmbeddingModel}, {@code
 * AllMiniLmL6V2QuantizedEmbeddingModel}, {@code BgeSmallEnV15QuantizedEmbeddingModel}, {@code
 * E5SmallV2QuantizedEmbeddingModel}), on the same texts, in the same JVM, alternating runs so that
 * both see the same machine load. Texts are embedded as documents; langchain4j, which adds no
 * prefix itself, is given the model's document prefix (e5's {@code "passage: "}) so that both run
 * the same tokens. Batch 1 means one text per call; batch 32 means 32 texts per call (langchain4j
 * spreads a call's texts over its executor, one model run per text; byhand pads them into one model
 * run, or for the quantised models, whose outputs depend on their batch, runs them one by one).
 * Threads are the ONNX Runtime intra-op threads for byhand and the executor's size for langchain4j
 * (whose session keeps ONNX Runtime's default threading).
 *
 * <p>byhand is measured both ways it can spend its threads ({@link EncoderOptions.Parallelism}):
 * intra-op (one model run over all threads) and batches (a call's texts split into one batch per
 * thread, run side by side); the ratio is byhand's better mode over langchain4j.
 *
 * <p>Usage: {@code bench/run embed [--texts N] [--repeats R] [--models minilm,bge-small,...]}.
 */
public final class EmbeddingBench {

  private interface Embedder {
    void embed(List<String> batch);
  }

  /** One model: byhand's encoder name and langchain4j's class for the same graph. */
  private record Peer(String encoder, Function<Executor, EmbeddingModel> langchain4j) {}

  private static final List<Peer> PEERS =
      List.of(
          new Peer(Encoders.MINILM, AllMiniLmL6V2EmbeddingModel::new),
          new Peer(Encoders.MINILM_Q, AllMiniLmL6V2QuantizedEmbeddingModel::new),
          new Peer(Encoders.BGE_SMALL, BgeSmallEnV15QuantizedEmbeddingModel::new),
          new Peer(Encoders.E5_SMALL, E5SmallV2QuantizedEmbeddingModel::new));

  public static void main(String[] args) throws Exception {
    int textCount = 640;
    int repeats = 5;
    List<String> models = PEERS.stream().map(Peer::encoder).toList();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--texts" -> textCount = Integer.parseInt(args[++i]);
        case "--repeats" -> repeats = Integer.parseInt(args[++i]);
        case "--models" -> models = List.of(args[++i].split(","));
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    List<String> texts = texts(textCount);
    double meanChars = texts.stream().mapToInt(String::length).average().orElse(0);
    System.out.printf(
        Locale.ROOT,
        "text embedding throughput (sentences/s): %d texts (demo corpus, mean %.0f characters),"
            + " median of %d runs, %d cores%n",
        texts.size(),
        meanChars,
        repeats,
        Runtime.getRuntime().availableProcessors());
    System.out.printf(
        Locale.ROOT,
        "%-10s %-6s %8s %18s %18s %14s %8s%n",
        "model",
        "batch",
        "threads",
        "byhand intra-op",
        "byhand batches",
        "langchain4j",
        "ratio");
    for (String model : models) {
      Peer peer =
          PEERS.stream()
              .filter(p -> p.encoder().equals(model))
              .findFirst()
              .orElseThrow(() -> new IllegalArgumentException("--models: unknown '" + model + "'"));
      measure(peer, texts, repeats);
    }
  }

  private static void measure(Peer peer, List<String> texts, int repeats) {
    String prefix = ModelCard.of(peer.encoder()).orElseThrow().documentPrefix();
    List<String> theirTexts = texts.stream().map(t -> prefix + t).toList();
    for (int threads : new int[] {1, 2}) {
      EncoderOptions options =
          EncoderOptions.defaults(peer.encoder()).withThreads(threads).withBatchSize(32);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try (TextEncoder ours =
              Encoders.open(
                  peer.encoder(), options.withParallelism(EncoderOptions.Parallelism.INTRA_OP));
          TextEncoder oursBatches =
              Encoders.open(
                  peer.encoder(), options.withParallelism(EncoderOptions.Parallelism.BATCHES))) {
        EmbeddingModel theirs = peer.langchain4j().apply(pool);
        Embedder byhand = ours::embedDocuments;
        Embedder byhandBatches = oursBatches::embedDocuments;
        Embedder lc4j = batch -> theirs.embedAll(batch.stream().map(TextSegment::from).toList());
        for (int batch : new int[] {1, 32}) {
          // Warm both up on the first slice (JIT, ONNX Runtime's first-run allocations).
          boolean both = threads > 1; // with one thread the two modes are the same thing
          int warm = Math.min(64, texts.size());
          run(byhand, texts.subList(0, warm), batch);
          if (both) {
            run(byhandBatches, texts.subList(0, warm), batch);
          }
          run(lc4j, theirTexts.subList(0, warm), batch);
          double[] a = new double[repeats];
          double[] c = new double[repeats];
          double[] b = new double[repeats];
          for (int r = 0; r < repeats; r++) {
            // Rotate who goes first so that drift in machine load falls on all.
            for (int turn = 0; turn < 3; turn++) {
              switch ((r + turn) % 3) {
                case 0 -> a[r] = run(byhand, texts, batch);
                case 1 -> c[r] = both ? run(byhandBatches, texts, batch) : Double.NaN;
                default -> b[r] = run(lc4j, theirTexts, batch);
              }
            }
          }
          double ma = Stats.median(a);
          double mc = both ? Stats.median(c) : Double.NaN;
          double mb = Stats.median(b);
          double best = both ? Math.max(ma, mc) : ma;
          System.out.printf(
              Locale.ROOT,
              "%-10s %-6d %8d %18.0f %18s %14.0f %7.2fx%n",
              peer.encoder(),
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
