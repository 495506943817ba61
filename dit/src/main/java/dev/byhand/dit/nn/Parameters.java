package dev.byhand.dit.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.byhand.dit.data.Rng;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model's named parameters, in registration order, owned by one {@link NDManager}. Names follow
 * PyTorch's {@code state_dict} ({@code blocks.0.attn.qkv.weight}), so a safetensors file of ours
 * loads into the same model written in PyTorch. Initial values come from a seeded {@link Rng}, so a
 * model is a pure function of its config and seed, whatever libtorch's own RNG does.
 */
public final class Parameters implements AutoCloseable {
  private final NDManager manager;
  private final boolean trainable;
  private final Map<String, NDArray> byName = new LinkedHashMap<>();

  /**
   * @param manager owns the arrays; closed with this object
   * @param trainable whether the parameters collect gradients (false for a frozen model)
   */
  public Parameters(NDManager manager, boolean trainable) {
    this.manager = manager;
    this.trainable = trainable;
  }

  /** The manager owning the parameters. */
  public NDManager manager() {
    return manager;
  }

  /** Whether the parameters collect gradients. */
  public boolean trainable() {
    return trainable;
  }

  /**
   * Registers a zero-filled parameter.
   *
   * @throws IllegalArgumentException if the name is taken
   */
  public NDArray add(String name, long... shape) {
    if (byName.containsKey(name)) {
      throw new IllegalArgumentException("name: parameter " + name + " already exists");
    }
    NDArray array = manager.zeros(new Shape(shape));
    array.setRequiresGradient(trainable);
    byName.put(name, array);
    return array;
  }

  /** All parameters by name, in registration order (unmodifiable). */
  public Map<String, NDArray> all() {
    return Collections.unmodifiableMap(byName);
  }

  /**
   * One parameter.
   *
   * @throws IllegalArgumentException if there is none by that name
   */
  public NDArray get(String name) {
    NDArray array = byName.get(name);
    if (array == null) {
      throw new IllegalArgumentException("name: no parameter " + name);
    }
    return array;
  }

  /** Total number of values. */
  public long count() {
    long n = 0;
    for (NDArray a : byName.values()) {
      n += a.size();
    }
    return n;
  }

  /** Sets a parameter's values (row-major). */
  public void set(String name, float... values) {
    NDArray array = get(name);
    if (values.length != array.size()) {
      throw new IllegalArgumentException(
          "values: " + values.length + " for " + name + " of shape " + array.getShape());
    }
    write(array, values);
  }

  /** Xavier (Glorot) uniform: U(±sqrt(6 / (fanIn + fanOut))) for a (fanOut, fanIn) weight. */
  public void xavierUniform(String name, Rng rng) {
    NDArray array = get(name);
    long fanOut = array.getShape().get(0);
    long fanIn = array.size() / fanOut;
    double bound = Math.sqrt(6.0 / (fanIn + fanOut));
    float[] v = new float[(int) array.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
    }
    write(array, v);
  }

  /** Normal with mean 0 and the given standard deviation. */
  public void normal(String name, double std, Rng rng) {
    NDArray array = get(name);
    float[] v = new float[(int) array.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (rng.nextGaussian() * std);
    }
    write(array, v);
  }

  /**
   * The default for linear layers: Xavier-uniform for every {@code .weight}, zeros for the rest.
   */
  public void initializeLinear(Rng rng) {
    for (String name : byName.keySet()) {
      if (name.endsWith(".weight")) {
        xavierUniform(name, rng);
      } else {
        zero(name);
      }
    }
  }

  /** Zeros. */
  public void zero(String name) {
    NDArray array = get(name);
    write(array, new float[(int) array.size()]);
  }

  /** Stops every parameter from collecting gradients: the model is frozen from now on. */
  public void freeze() {
    for (NDArray a : byName.values()) {
      a.setRequiresGradient(false);
    }
  }

  /** A heap copy of every parameter, by name. */
  public Map<String, Tensor> snapshot() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    byName.forEach(
        (name, a) -> out.put(name, new Tensor(a.getShape().getShape(), a.toFloatArray())));
    return out;
  }

  /**
   * Loads every parameter from {@code tensors} (keys {@code prefix + name}).
   *
   * @throws IllegalArgumentException naming a missing tensor or one of the wrong shape
   */
  public void load(Map<String, Tensor> tensors, String prefix) {
    for (Map.Entry<String, NDArray> e : byName.entrySet()) {
      Tensor t = tensors.get(prefix + e.getKey());
      if (t == null) {
        throw new IllegalArgumentException("weights: missing tensor " + prefix + e.getKey());
      }
      long[] expected = e.getValue().getShape().getShape();
      if (!Arrays.equals(expected, t.shape())) {
        throw new IllegalArgumentException(
            "weights: tensor "
                + prefix
                + e.getKey()
                + " has shape "
                + t.shapeString()
                + ", the model needs "
                + new Shape(expected));
      }
      write(e.getValue(), t.data());
    }
  }

  /**
   * Overwrites an array's values in place. Through an indexed copy rather than {@code
   * NDArray.set(float[])}: DJL implements that one with a guard libtorch deprecates, which prints a
   * one-line warning on stderr in every process that loads or initialises a model.
   */
  public static void write(NDArray array, float[] values) {
    NDIndex all = new NDIndex("...");
    try (NDManager scratch = array.getManager().newSubManager()) {
      array.set(all, scratch.create(values, array.getShape()));
    }
  }

  /** Copies every value of {@code other}, which must have the same names and shapes. */
  public void copyFrom(Parameters other) {
    load(other.snapshot(), "");
  }

  @Override
  public void close() {
    manager.close();
  }
}
