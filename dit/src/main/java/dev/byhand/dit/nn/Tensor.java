package dev.byhand.dit.nn;

import java.util.Arrays;

/**
 * A float32 array with a shape, on the Java heap: what goes into and out of safetensors files.
 *
 * @param shape sizes per axis (empty for a scalar)
 * @param data row-major values, {@code product(shape)} of them
 */
public record Tensor(long[] shape, float[] data) {
  /**
   * @throws IllegalArgumentException if {@code data.length} is not the product of {@code shape}
   */
  public Tensor {
    long n = 1;
    for (long s : shape) {
      if (s < 0) {
        throw new IllegalArgumentException("shape: negative size in " + Arrays.toString(shape));
      }
      n *= s;
    }
    if (n != data.length) {
      throw new IllegalArgumentException(
          "data: length " + data.length + " != product of shape " + Arrays.toString(shape));
    }
  }

  /** The shape as text, "(2, 3)". */
  public String shapeString() {
    StringBuilder b = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      b.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    return b.append(")").toString();
  }
}
