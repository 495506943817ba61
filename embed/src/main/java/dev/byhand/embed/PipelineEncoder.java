package dev.byhand.embed;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The text-embedding pipeline, the same for every model: mark the text as a query or a document
 * (the model's prefix, if any) → tokenize (seed [2]) → encode each token (seed [3]) → pool (seed
 * [4]) → normalise. Batches are formed longest-first so that texts of similar length share a batch
 * and little padding is computed; results come back in input order. A batch never holds more texts
 * than the token encoder allows ({@link TokenEncoder#maxBatchSize()}: one for quantised models), so
 * a text's vector never depends on what it was embedded with.
 */
public final class PipelineEncoder implements TextEncoder {

  private final String name;
  private final Tokenizer tokenizer;
  private final TokenEncoder encoder;
  private final EncoderOptions options;
  private final String queryPrefix;
  private final String documentPrefix;

  /** Runs batches side by side when the options ask for it; null for one batch at a time. */
  private final java.util.concurrent.ExecutorService batchPool;

  /**
   * Assembles a symmetric pipeline (queries and documents embed alike); it owns {@code tokenizer}
   * and {@code encoder} and closes them (if closeable) when closed.
   */
  public PipelineEncoder(
      String name, Tokenizer tokenizer, TokenEncoder encoder, EncoderOptions options) {
    this(name, tokenizer, encoder, options, "", "");
  }

  /**
   * Assembles a pipeline that puts {@code queryPrefix} before every query and {@code
   * documentPrefix} before every document ("" for none); it owns {@code tokenizer} and {@code
   * encoder} and closes them (if closeable) when closed.
   */
  public PipelineEncoder(
      String name,
      Tokenizer tokenizer,
      TokenEncoder encoder,
      EncoderOptions options,
      String queryPrefix,
      String documentPrefix) {
    this.queryPrefix = Objects.requireNonNull(queryPrefix, "queryPrefix");
    this.documentPrefix = Objects.requireNonNull(documentPrefix, "documentPrefix");
    this.name = Objects.requireNonNull(name, "name");
    this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
    this.encoder = Objects.requireNonNull(encoder, "encoder");
    this.options = Objects.requireNonNull(options, "options");
    this.batchPool =
        options.parallelism() == EncoderOptions.Parallelism.BATCHES && options.threads() > 1
            ? java.util.concurrent.Executors.newFixedThreadPool(
                options.threads(),
                r -> {
                  Thread t = new Thread(r, "byhand-embed-" + name);
                  t.setDaemon(true);
                  return t;
                })
            : null;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int dimension() {
    return encoder.dimension();
  }

  /** The options this pipeline runs with. */
  public EncoderOptions options() {
    return options;
  }

  /** The tokenizer of step [2]. */
  public Tokenizer tokenizer() {
    return tokenizer;
  }

  /** The token encoder of step [3]. */
  public TokenEncoder tokenEncoder() {
    return encoder;
  }

  /** What this pipeline puts before a query ("" for nothing). */
  public String queryPrefix() {
    return queryPrefix;
  }

  /** What this pipeline puts before a document ("" for nothing). */
  public String documentPrefix() {
    return documentPrefix;
  }

  @Override
  public List<float[]> embedDocuments(List<String> texts) {
    return embed(texts, documentPrefix);
  }

  @Override
  public List<float[]> embedQueries(List<String> queries) {
    return embed(queries, queryPrefix);
  }

  private List<float[]> embed(List<String> texts, String prefix) {
    Objects.requireNonNull(texts, "texts");
    int n = texts.size();
    // 1. Tokenize; with windows, one text may become several units.
    List<Tokens> units = new ArrayList<>(n);
    int[] owner;
    if (options.longText() == EncoderOptions.LongText.TRUNCATE) {
      units.addAll(tokenizeAll(prefixed(texts, prefix)));
      owner = new int[n];
      Arrays.setAll(owner, i -> i);
    } else {
      List<Integer> owners = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        for (Tokens w : tokenizer.windows(checked(texts.get(i)), prefix)) {
          units.add(w);
          owners.add(i);
        }
      }
      owner = owners.stream().mapToInt(Integer::intValue).toArray();
    }
    // 2. Encode and pool, longest units first.
    float[][] pooled = poolUnits(units);
    // 3. Merge windows (token-weighted mean), then normalise.
    float[][] sums = new float[n][];
    int[] weights = new int[n];
    for (int u = 0; u < units.size(); u++) {
      int t = owner[u];
      int w = units.get(u).size();
      if (sums[t] == null) {
        sums[t] = pooled[u];
        weights[t] = w;
        continue;
      }
      float[] acc = sums[t];
      for (int j = 0; j < acc.length; j++) {
        acc[j] = (acc[j] * weights[t] + pooled[u][j] * w) / (weights[t] + w);
      }
      weights[t] += w;
    }
    List<float[]> out = new ArrayList<>(n);
    for (float[] v : sums) {
      out.add(finish(v));
    }
    return out;
  }

  private static List<String> prefixed(List<String> texts, String prefix) {
    List<String> out = new ArrayList<>(texts.size());
    for (String t : texts) {
      out.add(prefix.isEmpty() ? checked(t) : prefix + checked(t));
    }
    return out;
  }

  /** A null text is refused here, before a prefix could turn it into the text "null". */
  private static String checked(String text) {
    if (text == null) {
      throw new IllegalArgumentException("text: must not be null");
    }
    return text;
  }

  private List<Tokens> tokenizeAll(List<String> texts) {
    if (tokenizer instanceof WordPieceTokenizer wp) {
      return wp.tokenizeAll(texts);
    }
    List<Tokens> out = new ArrayList<>(texts.size());
    for (String t : texts) {
      out.add(tokenizer.tokenize(t));
    }
    return out;
  }

  private float[][] poolUnits(List<Tokens> units) {
    Integer[] order = new Integer[units.size()];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, Comparator.comparingInt((Integer i) -> units.get(i).size()).reversed());
    float[][] pooled = new float[units.size()][];
    int batch = Math.min(options.batchSize(), encoder.maxBatchSize());
    if (batchPool != null) {
      // Enough batches to keep every thread busy, even when a call brings fewer than one per
      // thread.
      batch =
          Math.max(1, Math.min(batch, (units.size() + options.threads() - 1) / options.threads()));
    }
    List<java.util.concurrent.Callable<Void>> work = new ArrayList<>();
    for (int from = 0; from < order.length; from += batch) {
      int start = from;
      int to = Math.min(order.length, from + batch);
      work.add(
          () -> {
            List<Tokens> chunk = new ArrayList<>(to - start);
            for (int k = start; k < to; k++) {
              chunk.add(units.get(order[k]));
            }
            List<float[][]> features = encoder.encode(chunk);
            for (int k = start; k < to; k++) {
              pooled[order[k]] = options.pooling().pool(features.get(k - start));
            }
            return null;
          });
    }
    if (batchPool == null || work.size() < 2) {
      for (java.util.concurrent.Callable<Void> w : work) {
        try {
          w.call();
        } catch (RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
      return pooled;
    }
    // Batches in parallel, one model run per thread (see EncoderOptions.Parallelism.BATCHES).
    try {
      for (java.util.concurrent.Future<Void> f : batchPool.invokeAll(work)) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while embedding", e);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("embedding failed: " + e.getCause(), e.getCause());
    }
    return pooled;
  }

  private float[] finish(float[] pooled) {
    float[] v = pooled.clone();
    return options.normalize() ? Vectors.normalize(v) : v;
  }

  @Override
  public EncodingTrace trace(String text) {
    return trace(text, documentPrefix);
  }

  @Override
  public EncodingTrace traceQuery(String query) {
    return trace(query, queryPrefix);
  }

  private EncodingTrace trace(String text, String prefix) {
    Tokens tokens = tokenizer.tokenize(prefix.isEmpty() ? checked(text) : prefix + checked(text));
    float[][] features = encoder.encode(List.of(tokens)).get(0);
    float[] pooled = options.pooling().pool(features);
    return new EncodingTrace(
        tokens, encoder.wordEmbeddings(tokens), features, pooled, finish(pooled));
  }

  @Override
  public void close() {
    if (batchPool != null) {
      batchPool.shutdownNow();
    }
    encoder.close();
    if (tokenizer instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing tokenizer of " + name + ": " + e.getMessage(), e);
      }
    }
  }
}
