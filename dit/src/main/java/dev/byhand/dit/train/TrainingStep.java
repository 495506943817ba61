package dev.byhand.dit.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.byhand.dit.DiT;
import dev.byhand.dit.DiTConfig;
import dev.byhand.dit.Trace;
import dev.byhand.dit.diffusion.Objective;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One DiT training step (seed step [11]): noise the clean latents ({@code x_t = q_sample(x_0, t,
 * eps)}), predict the noise, take the MSE against the sampled noise, back-propagate, clip, update
 * with AdamW. With a {@link dev.byhand.dit.diffusion.RectifiedFlow} objective the input is the
 * straight-path mix and the target the velocity instead. Every temporary lives in a per-step
 * sub-manager and scope, so memory stays flat.
 */
public final class TrainingStep {

  /**
   * One batch, on the Java heap.
   *
   * @param x0 clean latents, n × frames × height × width × channels
   * @param eps sampled noise, the same size
   * @param t diffusion step per clip
   * @param text text embeddings, n × textDim
   * @param dropText per clip, true to train the null embedding instead of the text
   * @param tokens the prompts' token vectors, n × width × textDim (zeros past each prompt's end),
   *     for a model with cross-attention; null otherwise
   * @param tokenMask n × width: 1 for a token, 0 for padding (null without tokens)
   * @param width token positions per clip (0 without tokens)
   */
  public record Batch(
      float[] x0,
      float[] eps,
      int[] t,
      float[] text,
      boolean[] dropText,
      float[] tokens,
      float[] tokenMask,
      int width) {
    /** A batch without prompt tokens (a model with {@code textTokens} 0). */
    public Batch(float[] x0, float[] eps, int[] t, float[] text, boolean[] dropText) {
      this(x0, eps, t, text, dropText, null, null, 0);
    }

    /** Clips in the batch. */
    public int size() {
      return t.length;
    }
  }

  /** What a step reports. */
  public record Result(double loss, double gradientNorm) {}

  /** Reused direct buffers for the step's inputs; see {@link #input}. */
  private final ByteBuffer[] buffers = new ByteBuffer[5];

  /** A step runner that reuses its input buffers from step to step (one per training loop). */
  public TrainingStep() {}

  /**
   * Runs one step with fresh input buffers; for one-off steps (tests, {@code explain}).
   *
   * @see #step
   */
  public static Result run(
      DiT model,
      AdamW optimizer,
      Objective diffusion,
      Batch batch,
      double lr,
      double maxGradNorm,
      Consumer<Map<String, NDArray>> beforeUpdate,
      Trace trace) {
    return new TrainingStep()
        .step(model, optimizer, diffusion, batch, lr, maxGradNorm, beforeUpdate, trace);
  }

  /**
   * Runs one step.
   *
   * @param lr learning rate for this step
   * @param maxGradNorm global-norm clipping threshold
   * @param beforeUpdate sees the parameters after back-propagation, before the update (their
   *     gradients are readable), for {@code explain}; may be null
   * @param trace receives the forward pass's intermediates
   */
  public Result step(
      DiT model,
      AdamW optimizer,
      Objective diffusion,
      Batch batch,
      double lr,
      double maxGradNorm,
      Consumer<Map<String, NDArray>> beforeUpdate,
      Trace trace) {
    DiTConfig c = model.config();
    int n = batch.size();
    Shape shape = new Shape(n, c.frames(), c.height(), c.width(), c.inChannels());
    try (NDManager step = model.parameters().manager().newSubManager();
        NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      NDArray x0 = input(step, 0, batch.x0(), shape);
      NDArray eps = input(step, 1, batch.eps(), shape);
      NDArray text = input(step, 2, batch.text(), new Shape(n, c.textDim()));
      NDArray tokens =
          batch.tokens() == null
              ? null
              : input(step, 3, batch.tokens(), new Shape(n, batch.width(), c.textDim()));
      NDArray mask =
          batch.tokens() == null
              ? null
              : input(step, 4, batch.tokenMask(), new Shape(n, batch.width()));
      double loss;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray xt = diffusion.noised(x0, batch.t(), eps);
        trace.record("x_t", xt);
        trace.record("eps", eps);
        NDArray predicted =
            model.forward(xt, batch.t(), text, tokens, mask, batch.dropText(), trace);
        NDArray mse = diffusion.loss(predicted, diffusion.target(x0, eps));
        collector.backward(mse);
        loss = mse.getFloat();
      }
      if (beforeUpdate != null) {
        beforeUpdate.accept(model.parameters().all());
      }
      double norm = optimizer.step(lr, maxGradNorm);
      return new Result(loss, norm);
    }
  }

  /**
   * An input array over a reused direct buffer. {@code NDManager.create(float[])} allocates a new
   * direct buffer each call, freed only when the garbage collector gets to it, so resident memory
   * creeps up over thousands of steps; libtorch wraps a direct buffer without copying, so one
   * buffer per input, refilled each step, keeps it flat. Safe because every array of a step is
   * closed before the next step refills the buffer.
   */
  private NDArray input(NDManager manager, int slot, float[] values, Shape shape) {
    ByteBuffer buffer = buffers[slot];
    if (buffer == null || buffer.capacity() != 4 * values.length) {
      buffer = ByteBuffer.allocateDirect(4 * values.length).order(ByteOrder.nativeOrder());
      buffers[slot] = buffer;
    }
    buffer.clear();
    buffer.asFloatBuffer().put(values);
    return manager.create(buffer, shape, DataType.FLOAT32);
  }
}
