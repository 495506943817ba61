package dev.byhand.vector;

import java.util.SplittableRandom;

/**
 * Seed step [5]: a linear map {@code y = P·x} from d numbers down to r, which shortens vectors so
 * they compare faster. {@link #gaussian} draws P at random with the Johnson–Lindenstrauss scaling
 * (entries N(0, 1/r)), which keeps dot products and distances unbiased in expectation.
 */
public final class Projection {

  private final int inputDimension;
  private final int outputDimension;
  private final float[] matrix; // row-major, outputDimension × inputDimension
  private final VectorOps ops = VectorOps.get();

  /**
   * A projection with the given r × d matrix (copied).
   *
   * @throws IllegalArgumentException if the matrix is empty, ragged or holds a non-finite value
   */
  public Projection(float[][] matrix) {
    if (matrix == null || matrix.length == 0 || matrix[0] == null || matrix[0].length == 0) {
      throw new IllegalArgumentException("matrix: must have at least one row and one column");
    }
    this.outputDimension = matrix.length;
    this.inputDimension = matrix[0].length;
    this.matrix = new float[outputDimension * inputDimension];
    for (int r = 0; r < outputDimension; r++) {
      if (matrix[r] == null || matrix[r].length != inputDimension) {
        throw new IllegalArgumentException(
            "matrix[" + r + "]: every row must have " + inputDimension + " columns");
      }
      for (int c = 0; c < inputDimension; c++) {
        if (!Float.isFinite(matrix[r][c])) {
          throw new IllegalArgumentException(
              "matrix[" + r + "][" + c + "]: must be finite, got " + matrix[r][c]);
        }
      }
      System.arraycopy(matrix[r], 0, this.matrix, r * inputDimension, inputDimension);
    }
  }

  /**
   * A seeded random projection from {@code inputDimension} to {@code outputDimension} numbers:
   * entries drawn from N(0, 1) and scaled by 1/√r. The same seed gives the same matrix.
   */
  public static Projection gaussian(int inputDimension, int outputDimension, long seed) {
    if (inputDimension < 1) {
      throw new IllegalArgumentException(
          "inputDimension: must be at least 1, got " + inputDimension);
    }
    if (outputDimension < 1 || outputDimension > inputDimension) {
      throw new IllegalArgumentException(
          "outputDimension: must be in [1, " + inputDimension + "], got " + outputDimension);
    }
    SplittableRandom random = new SplittableRandom(seed);
    double scale = 1 / Math.sqrt(outputDimension);
    float[][] m = new float[outputDimension][inputDimension];
    for (float[] row : m) {
      for (int c = 0; c < inputDimension; c++) {
        row[c] = (float) (gaussian(random) * scale);
      }
    }
    return new Projection(m);
  }

  /** A standard normal draw (Marsaglia's polar method). */
  private static double gaussian(SplittableRandom random) {
    double u, v, s;
    do {
      u = 2 * random.nextDouble() - 1;
      v = 2 * random.nextDouble() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s == 0);
    return u * Math.sqrt(-2 * Math.log(s) / s);
  }

  /** d, the length of the vectors this projection takes. */
  public int inputDimension() {
    return inputDimension;
  }

  /** r, the length of the vectors it returns. */
  public int outputDimension() {
    return outputDimension;
  }

  /** The r × d matrix, as a fresh copy. */
  public float[][] matrix() {
    float[][] out = new float[outputDimension][inputDimension];
    for (int r = 0; r < outputDimension; r++) {
      System.arraycopy(matrix, r * inputDimension, out[r], 0, inputDimension);
    }
    return out;
  }

  /** {@code P·x}: the projected vector of length r. */
  public float[] apply(float[] x) {
    if (x == null || x.length != inputDimension) {
      throw new IllegalArgumentException(
          "x: dimension "
              + (x == null ? "null" : Integer.toString(x.length))
              + " does not match the projection's input dimension "
              + inputDimension);
    }
    float[] y = new float[outputDimension];
    for (int r = 0; r < outputDimension; r++) {
      y[r] = ops.dot(matrix, r * inputDimension, x, 0, inputDimension);
    }
    return y;
  }
}
