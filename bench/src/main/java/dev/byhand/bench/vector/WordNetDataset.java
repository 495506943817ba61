package dev.byhand.bench.vector;

import dev.byhand.embed.EncoderOptions;
import dev.byhand.embed.Encoders;
import dev.byhand.embed.TextEncoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Real text embeddings: every distinct WordNet gloss ({@link WordNetGlosses}) embedded by byhand's
 * all-MiniLM-L6-v2 pipeline (mean pooling, normalised: 384 numbers, unit length), about 117,000
 * vectors; {@code nq} glosses chosen with a fixed seed are held out as queries, the rest are the
 * base set, in file order.
 *
 * <p>Two cache levels under {@code bench/cache/vector/}: {@code wordnet-minilm/} holds the
 * embedding of every distinct gloss ({@code vectors.npy}, minutes of work, made once), keyed on the
 * SHA-256 of the WordNet files and the encoder's settings; {@code wordnet-minilm-qQ/} holds the
 * split and its ground truth (seconds), keyed on the same plus the split.
 */
final class WordNetDataset {

  /** Bump when the split or the gloss parsing changes. */
  private static final String VERSION = "wordnet-v1";

  private static final long SEED = 20261127L;

  private WordNetDataset() {}

  static Dataset load(Path cacheRoot, Path wordnetDir, int nq, int threads) throws IOException {
    for (String f : WordNetGlosses.FILES) {
      if (!Files.isReadable(wordnetDir.resolve(f))) {
        throw new IOException(
            wordnetDir.resolve(f)
                + " is missing: apt-get install wordnet-base (bench/run vector does)");
      }
    }
    EncoderOptions options =
        EncoderOptions.defaults(Encoders.MINILM).withThreads(threads).withBatchSize(32);
    Map<String, String> embeddingKeys = new TreeMap<>();
    embeddingKeys.put("version", VERSION);
    embeddingKeys.put("wordnet.sha256", WordNetGlosses.fingerprint(wordnetDir));
    // the settings that decide the numbers (threads and batch size only decide the speed)
    embeddingKeys.put(
        "encoder",
        String.format(
            Locale.ROOT,
            "%s pooling=%s normalize=%s maxTokens=%d longText=%s",
            Encoders.MINILM,
            options.pooling(),
            options.normalize(),
            options.maxTokens(),
            options.longText()));
    Map<String, String> splitKeys = new TreeMap<>(embeddingKeys);
    splitKeys.put("split.seed", Long.toString(SEED));
    splitKeys.put("truth.method", "byhand ExactIndex, dot, top " + Dataset.TRUTH_K);

    String name = "wordnet-minilm";
    String description =
        String.format(
            Locale.ROOT,
            "WordNet 3.0 glosses (Debian wordnet-base, distinct glosses of data.noun/verb/adj/adv)"
                + " embedded by byhand's all-MiniLM-L6-v2 pipeline (mean pooling, unit length),"
                + " %,d glosses held out as queries (seeded), inner product = cosine",
            nq);
    Path splitDir = cacheRoot.resolve(name + "-q" + nq);
    Dataset cached = Dataset.loadCached(splitDir, name, description, splitKeys);
    if (cached != null) {
      return cached;
    }

    List<String> glosses = WordNetGlosses.read(wordnetDir);
    float[][] vectors = embeddings(cacheRoot.resolve(name), glosses, embeddingKeys, options);
    if (nq >= glosses.size()) {
      throw new IllegalArgumentException(
          "--queries " + nq + ": only " + glosses.size() + " glosses");
    }
    // seeded partial Fisher–Yates: the first nq of the permutation are the queries
    int[] order = new int[glosses.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(SEED);
    for (int i = 0; i < nq; i++) {
      int j = i + random.nextInt(order.length - i);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    float[][] queries = new float[nq][];
    List<String> queryText = new ArrayList<>(nq);
    for (int i = 0; i < nq; i++) {
      queries[i] = vectors[order[i]];
      queryText.add(glosses.get(order[i]));
    }
    int[] rest = Arrays.copyOfRange(order, nq, order.length);
    Arrays.sort(rest);
    float[][] base = new float[rest.length][];
    for (int i = 0; i < rest.length; i++) {
      base[i] = vectors[rest[i]];
    }
    int[][] truth = Dataset.groundTruth(base, queries, threads);
    // for a reader of the cache: the text of query i is line i
    Files.createDirectories(splitDir);
    Files.write(splitDir.resolve("queries.txt"), queryText, StandardCharsets.UTF_8);
    return Dataset.store(splitDir, name, description, splitKeys, base, queries, truth);
  }

  /**
   * Every gloss's vector, from {@code dir} if it holds them for {@code keys}, else embedded now.
   */
  private static float[][] embeddings(
      Path dir, List<String> glosses, Map<String, String> keys, EncoderOptions options)
      throws IOException {
    Path file = dir.resolve("vectors.npy");
    Path manifest = dir.resolve(Dataset.MANIFEST);
    Map<String, String> expected = new TreeMap<>(keys);
    expected.put("vectors", glosses.size() + "x384");
    if (Files.exists(manifest)) {
      if (Dataset.readManifest(manifest).equals(expected)) {
        try {
          float[][] v = Npy.readFloats(file, glosses.size(), 384);
          System.err.println("data: cached embeddings " + file);
          return v;
        } catch (IOException e) {
          System.err.println(
              "cache " + file + " is unreadable (" + e.getMessage() + "), re-embedding");
        }
      } else {
        System.err.println("cache " + dir + " is stale, re-embedding");
      }
      Files.delete(manifest);
    }
    float[][] vectors = new float[glosses.size()][];
    long start = System.nanoTime();
    long last = start;
    int chunk = 1024; // PipelineEncoder sorts each call's texts by length into batches
    System.err.printf(
        Locale.ROOT,
        "data: embedding %,d WordNet glosses with all-MiniLM-L6-v2, %d thread(s)…%n",
        glosses.size(),
        options.threads());
    try (TextEncoder encoder = Encoders.open(Encoders.MINILM, options)) {
      if (encoder.dimension() != 384) {
        throw new IllegalStateException(
            "all-MiniLM-L6-v2 returned " + encoder.dimension() + " numbers");
      }
      for (int from = 0; from < glosses.size(); from += chunk) {
        int to = Math.min(glosses.size(), from + chunk);
        List<float[]> part = encoder.embedAll(glosses.subList(from, to));
        for (int i = from; i < to; i++) {
          vectors[i] = part.get(i - from);
        }
        long now = System.nanoTime();
        if (now - last > 10e9 || to == glosses.size()) {
          last = now;
          Dataset.Progress.report("embedding", to, glosses.size(), start);
        }
      }
    }
    System.err.printf(
        Locale.ROOT,
        "data: embedded %,d glosses in %.1f s%n",
        glosses.size(),
        (System.nanoTime() - start) / 1e9);
    Npy.writeFloats(file, vectors);
    Dataset.writeManifest(manifest, expected);
    return vectors;
  }
}
