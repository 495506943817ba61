package dev.byhand.dit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.byhand.dit.nn.Parameters;
import java.util.Iterator;

/**
 * An exponential moving average of a model's weights, {@code ema ← d·ema + (1 - d)·θ}, which DiT
 * samples from (its d = 0.9999 over 400k steps; ours are shorter runs, so the trainer passes a
 * smaller d).
 */
public final class Ema {
  private final Parameters source;
  private final Parameters average;

  /**
   * @param source the trained weights
   * @param average a model of the same shape, receiving the average (starts as a copy)
   */
  public Ema(Parameters source, Parameters average) {
    this.source = source;
    this.average = average;
    average.copyFrom(source);
  }

  /** The averaged weights. */
  public Parameters average() {
    return average;
  }

  /** One update with decay {@code decay} in [0, 1]. */
  public void update(double decay) {
    if (!(decay >= 0 && decay <= 1)) {
      throw new IllegalArgumentException("decay: must be in [0, 1], got " + decay);
    }
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      Iterator<NDArray> from = source.all().values().iterator();
      for (NDArray e : average.all().values()) {
        NDArray p = from.next();
        e.muli(decay).addi(p.mul(1 - decay));
      }
    }
  }
}
