package dev.byhand.dit.explain;

import ai.djl.ndarray.NDArray;
import java.util.Locale;

/**
 * A named matrix copied out of a run, for printing: every axis but the last is folded into rows.
 *
 * @param name what it is
 * @param rows number of rows
 * @param cols number of columns
 * @param values row-major values
 */
public record Matrix(String name, int rows, int cols, float[] values) {

  /**
   * @throws IllegalArgumentException if {@code values.length != rows * cols}
   */
  public Matrix {
    if (rows * cols != values.length) {
      throw new IllegalArgumentException(
          "values: " + values.length + " != rows × cols = " + rows + " × " + cols);
    }
  }

  /** Copies an array; a vector becomes one row. */
  public static Matrix of(String name, NDArray array) {
    long[] shape = array.getShape().getShape();
    int cols = shape.length == 0 ? 1 : (int) shape[shape.length - 1];
    float[] values = array.toFloatArray();
    return new Matrix(name, values.length / Math.max(cols, 1), cols, values);
  }

  /** A matrix from values. */
  public static Matrix of(String name, int rows, int cols, float... values) {
    return new Matrix(name, rows, cols, values.clone());
  }

  /** The same values under another name. */
  public Matrix rename(String newName) {
    return new Matrix(newName, rows, cols, values);
  }

  /** One value. */
  public float get(int row, int col) {
    return values[row * cols + col];
  }

  /** The name, then one line per row of right-aligned numbers. */
  public String format() {
    StringBuilder b = new StringBuilder(name).append(" (").append(rows).append("×").append(cols);
    b.append(")\n");
    for (int r = 0; r < rows; r++) {
      b.append("  [");
      for (int c = 0; c < cols; c++) {
        b.append(String.format(Locale.ROOT, "%8.3f", values[r * cols + c]));
      }
      b.append(" ]\n");
    }
    return b.toString();
  }
}
