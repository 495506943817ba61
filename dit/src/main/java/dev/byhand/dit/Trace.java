package dev.byhand.dit;

import ai.djl.ndarray.NDArray;

/**
 * Receives named intermediate arrays during a forward pass, for {@code byhand explain}. The arrays
 * are only valid during the call: copy what you keep.
 */
@FunctionalInterface
public interface Trace {
  /** Records nothing: the normal case, costs nothing. */
  Trace NONE = (name, value) -> {};

  /** Receives one intermediate. */
  void record(String name, NDArray value);
}
