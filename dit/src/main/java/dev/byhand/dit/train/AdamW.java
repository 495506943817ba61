package dev.byhand.dit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.byhand.dit.nn.Parameters;
import dev.byhand.dit.nn.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter) with global-norm gradient clipping, written out so that its state
 * (moments and step count) goes into our checkpoints: DJL's own optimiser keeps it private, clips
 * values rather than the global norm, and decays weights by 0.01 unless told otherwise. The update
 * matches {@code torch.optim.AdamW}: decoupled decay {@code p ← p·(1 - lr·λ)}, then {@code p ← p -
 * lr·m̂/(sqrt(v̂) + ε)} with bias-corrected moments. Decay applies to every parameter, as in
 * PyTorch with one parameter group.
 */
public final class AdamW implements AutoCloseable {
  private final Parameters parameters;
  private final double beta1;
  private final double beta2;
  private final double epsilon;
  private final double weightDecay;
  private final NDManager manager;
  private final List<NDArray> firstMoments = new ArrayList<>();
  private final List<NDArray> secondMoments = new ArrayList<>();
  private long step;

  /**
   * @param weightDecay decoupled weight decay λ, stated explicitly (DiT trains with 0)
   * @throws IllegalArgumentException for a β outside [0, 1), ε ≤ 0 or λ < 0
   */
  public AdamW(
      Parameters parameters, double beta1, double beta2, double epsilon, double weightDecay) {
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException(
          "beta1/beta2: must be in [0, 1), got " + beta1 + ", " + beta2);
    }
    if (!(epsilon > 0)) {
      throw new IllegalArgumentException("epsilon: must be > 0, got " + epsilon);
    }
    if (!(weightDecay >= 0)) {
      throw new IllegalArgumentException("weightDecay: must be ≥ 0, got " + weightDecay);
    }
    this.parameters = parameters;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.weightDecay = weightDecay;
    this.manager = parameters.manager().newSubManager();
    for (NDArray p : parameters.all().values()) {
      firstMoments.add(manager.zeros(p.getShape()));
      secondMoments.add(manager.zeros(p.getShape()));
    }
  }

  /** Steps taken so far. */
  public long step() {
    return step;
  }

  /**
   * Clips the gradients to a global L2 norm of {@code maxNorm} (as {@code
   * torch.nn.utils.clip_grad_norm_}), takes one AdamW step with learning rate {@code lr}, and
   * zeroes the gradients.
   *
   * @param maxNorm clipping threshold; {@code Double.POSITIVE_INFINITY} turns clipping off
   * @return the global gradient norm before clipping
   */
  public double step(double lr, double maxNorm) {
    if (!(lr >= 0)) {
      throw new IllegalArgumentException("lr: must be ≥ 0, got " + lr);
    }
    if (!(maxNorm > 0)) {
      throw new IllegalArgumentException("maxNorm: must be > 0, got " + maxNorm);
    }
    List<NDArray> params = new ArrayList<>(parameters.all().values());
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      List<NDArray> grads = new ArrayList<>();
      NDList squares = new NDList(params.size());
      for (NDArray p : params) {
        NDArray g = p.getGradient();
        grads.add(g);
        squares.add(g.square().sum());
      }
      // One read back from libtorch for the global norm, not one per tensor.
      double norm = Math.sqrt(NDArrays.stack(squares).sum().getFloat());
      double clip = Math.min(1.0, maxNorm / (norm + 1e-6));
      step++;
      double correction1 = 1 - Math.pow(beta1, step);
      double correction2 = 1 - Math.pow(beta2, step);
      for (int i = 0; i < params.size(); i++) {
        NDArray p = params.get(i);
        NDArray g = clip < 1 ? grads.get(i).mul(clip) : grads.get(i);
        NDArray m = firstMoments.get(i);
        NDArray v = secondMoments.get(i);
        m.muli(beta1).addi(g.mul(1 - beta1));
        v.muli(beta2).addi(g.square().mul(1 - beta2));
        if (weightDecay > 0) {
          p.muli(1 - lr * weightDecay);
        }
        NDArray denominator = v.div(correction2).sqrt().add(epsilon);
        p.subi(m.div(denominator).mul(lr / correction1));
        grads.get(i).subi(grads.get(i)); // zero the gradient in place for the next step
      }
      return norm;
    }
  }

  /** Moments ({@code exp_avg.NAME}, {@code exp_avg_sq.NAME}) as heap tensors, for checkpoints. */
  public Map<String, Tensor> state() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    List<String> names = new ArrayList<>(parameters.all().keySet());
    for (int i = 0; i < names.size(); i++) {
      NDArray m = firstMoments.get(i);
      NDArray v = secondMoments.get(i);
      out.put("exp_avg." + names.get(i), new Tensor(m.getShape().getShape(), m.toFloatArray()));
      out.put("exp_avg_sq." + names.get(i), new Tensor(v.getShape().getShape(), v.toFloatArray()));
    }
    return out;
  }

  /**
   * Restores moments and step count saved by {@link #state()}.
   *
   * @throws IllegalArgumentException naming a missing tensor
   */
  public void load(Map<String, Tensor> state, long stepCount) {
    List<String> names = new ArrayList<>(parameters.all().keySet());
    for (int i = 0; i < names.size(); i++) {
      Tensor m = state.get("exp_avg." + names.get(i));
      Tensor v = state.get("exp_avg_sq." + names.get(i));
      if (m == null || v == null) {
        throw new IllegalArgumentException("optimizer: missing state for " + names.get(i));
      }
      Parameters.write(firstMoments.get(i), m.data());
      Parameters.write(secondMoments.get(i), v.data());
    }
    this.step = stepCount;
  }

  @Override
  public void close() {
    manager.close();
  }
}
