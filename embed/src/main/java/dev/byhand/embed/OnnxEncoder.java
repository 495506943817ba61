package dev.byhand.embed;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A BERT-style transformer through ONNX Runtime: seed step [3] for real. The graph is read from a
 * resource of the model's Maven artifact (see {@link ModelCard}); nothing is downloaded. The inputs
 * are {@code input_ids}, {@code attention_mask} and, when the graph declares it, {@code
 * token_type_ids} (all zeros: one segment); the output is {@code last_hidden_state}.
 *
 * <p>A graph is loaded once per process and thread count (see {@link #shared(ModelCard, int)});
 * every {@code OnnxEncoder} of that model and count uses the one {@link OrtSession}, which is
 * thread-safe.
 */
public final class OnnxEncoder implements TokenEncoder {

  private static final Map<String, OrtSession> SESSIONS = new HashMap<>();

  private final ModelCard card;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final Set<String> inputs;
  private final int threads;

  private OnnxEncoder(ModelCard card, OrtEnvironment env, OrtSession session, int threads) {
    this.card = card;
    this.env = env;
    this.session = session;
    this.inputs = session.getInputNames();
    this.threads = threads;
  }

  /**
   * The process's encoder of this model for this intra-op thread count, loading the graph on first
   * use.
   *
   * @param threads intra-op threads ONNX Runtime uses for one batch, in [1, 256]
   */
  public static OnnxEncoder shared(ModelCard card, int threads) {
    if (card == null) {
      throw new IllegalArgumentException("card: must not be null");
    }
    if (threads < 1 || threads > 256) {
      throw new IllegalArgumentException("threads: must be in [1, 256], got " + threads);
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    synchronized (SESSIONS) {
      String key = card.modelResource() + "#" + threads;
      OrtSession session = SESSIONS.get(key);
      if (session == null) {
        session = load(card, env, threads);
        SESSIONS.put(key, session);
      }
      return new OnnxEncoder(card, env, session, threads);
    }
  }

  private static OrtSession load(ModelCard card, OrtEnvironment env, int threads) {
    String resource = card.modelResource();
    byte[] model;
    try (InputStream in = OnnxEncoder.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "resource " + resource + " is missing: add " + card.artifact() + " to the classpath");
      }
      model = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      // ONNX Runtime's default behaves as one thread on this kind of machine: set it explicitly.
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      return env.createSession(model, options);
    } catch (OrtException e) {
      throw new IllegalStateException(
          "ONNX Runtime cannot load " + resource + ": " + e.getMessage(), e);
    }
  }

  /** The model this encoder runs. */
  public ModelCard card() {
    return card;
  }

  /** Intra-op threads of this encoder's session. */
  public int threads() {
    return threads;
  }

  @Override
  public int dimension() {
    return card.dimension();
  }

  /** One text per call for a quantised graph (see {@link ModelCard#batchIndependent()}). */
  @Override
  public int maxBatchSize() {
    return card.batchIndependent() ? Integer.MAX_VALUE : 1;
  }

  @Override
  public List<float[][]> encode(List<Tokens> batch) {
    int b = batch.size();
    if (b == 0) {
      return List.of();
    }
    int len = 0;
    for (Tokens t : batch) {
      len = Math.max(len, t.size());
    }
    // 1. Pad every text to the longest in the batch; the attention mask hides the padding.
    long[] ids = new long[b * len];
    long[] mask = new long[b * len];
    for (int i = 0; i < b; i++) {
      long[] tid = batch.get(i).ids();
      System.arraycopy(tid, 0, ids, i * len, tid.length);
      for (int j = 0; j < tid.length; j++) {
        mask[i * len + j] = 1;
      }
    }
    long[] shape = {b, len};
    Map<String, OnnxTensor> feed = new HashMap<>();
    try {
      feed.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
      feed.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
      if (inputs.contains("token_type_ids")) {
        feed.put(
            "token_type_ids",
            OnnxTensor.createTensor(env, LongBuffer.wrap(new long[b * len]), shape));
      }
      // 2. Run the transformer: last_hidden_state is [b, len, dimension].
      try (OrtSession.Result result = session.run(feed)) {
        OnnxTensor hidden = (OnnxTensor) result.get(0);
        FloatBuffer all = hidden.getFloatBuffer();
        // 3. Hand back only each text's own rows.
        int d = card.dimension();
        List<float[][]> out = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
          int n = batch.get(i).size();
          float[][] rows = new float[n][d];
          for (int j = 0; j < n; j++) {
            all.position((i * len + j) * d);
            all.get(rows[j]);
          }
          out.add(rows);
        }
        return out;
      }
    } catch (OrtException e) {
      throw new IllegalStateException(
          "ONNX Runtime failed on a batch of " + b + ": " + e.getMessage(), e);
    } finally {
      for (OnnxTensor t : feed.values()) {
        t.close();
      }
    }
  }
}
