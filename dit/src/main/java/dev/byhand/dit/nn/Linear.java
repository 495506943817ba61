package dev.byhand.dit.nn;

import ai.djl.ndarray.NDArray;

/**
 * {@code y = x Wᵀ + b} over the last axis, with PyTorch's layout: weight {@code (out, in)}, bias
 * {@code (out)}. Parameters are registered as {@code name.weight} and {@code name.bias}.
 */
public final class Linear {
  private final String name;
  private final NDArray weight;
  private final NDArray bias;

  /**
   * @param hasBias false for a projection without bias
   */
  public Linear(Parameters parameters, String name, int in, int out, boolean hasBias) {
    if (in < 1 || out < 1) {
      throw new IllegalArgumentException(
          "in/out: sizes must be at least 1, got " + in + " → " + out + " for " + name);
    }
    this.name = name;
    this.weight = parameters.add(name + ".weight", out, in);
    this.bias = hasBias ? parameters.add(name + ".bias", out) : null;
  }

  /** The prefix of this layer's parameter names. */
  public String name() {
    return name;
  }

  /** Applies the layer: {@code (..., in) → (..., out)}. */
  public NDArray forward(NDArray x) {
    if (bias == null) {
      return x.matMul(weight.transpose());
    }
    return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
  }
}
