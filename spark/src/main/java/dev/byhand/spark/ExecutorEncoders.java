package dev.byhand.spark;

import dev.byhand.embed.EncoderOptions;
import dev.byhand.embed.Encoders;
import dev.byhand.embed.TextEncoder;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * One text encoder per executor JVM and set of options, shared by the tasks that run there side by
 * side. Each task's call runs on the task's own thread with one ONNX Runtime intra-op thread, so an
 * executor with C task slots embeds C batches at once on one model session (ONNX Runtime sessions
 * are thread-safe; the graph is loaded once per JVM).
 */
public final class ExecutorEncoders {

  private static final Map<Spec, TextEncoder> OPEN = new HashMap<>();

  private ExecutorEncoders() {}

  /**
   * How to embed, as given on the command line; the rest follows {@link EncoderOptions#defaults}.
   *
   * @param encoder one of {@link Encoders#NAMES}
   * @param pooling {@code mean} or {@code cls}, or null for the model's own
   * @param normalize null for the encoder's default
   * @param longText {@code truncate} or {@code windows}
   * @param batchSize texts per model call
   */
  public record Spec(
      String encoder, String pooling, Boolean normalize, String longText, int batchSize)
      implements Serializable {

    /** The encoder options these settings give: one intra-op thread, the model's defaults. */
    public EncoderOptions options() {
      EncoderOptions o =
          EncoderOptions.defaults(encoder)
              .withThreads(1)
              .withParallelism(EncoderOptions.Parallelism.BATCHES)
              .withBatchSize(batchSize);
      if (pooling != null) {
        o = o.withPooling(dev.byhand.embed.Pooling.parse(pooling));
      }
      if (normalize != null) {
        o = o.withNormalize(normalize);
      }
      return o.withLongText(
          EncoderOptions.LongText.valueOf(longText.toUpperCase(java.util.Locale.ROOT)));
    }
  }

  /** The executor's encoder for {@code spec}, opened on first use and kept for the JVM's life. */
  static synchronized TextEncoder get(Spec spec) {
    return OPEN.computeIfAbsent(spec, s -> Encoders.open(s.encoder(), s.options()));
  }
}
