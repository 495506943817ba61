package dev.byhand.store;

import dev.byhand.embed.Encoders;
import dev.byhand.vector.HnswIndex;
import dev.byhand.vector.Metric;
import java.util.regex.Pattern;

/**
 * What a collection is, fixed when it is created.
 *
 * @param name {@code [A-Za-z0-9_-]{1,64}}: also the collection's folder name, so no name can reach
 *     outside the database folder
 * @param dimension numbers per vector, in [1, 4096]
 * @param metric how vectors are compared (cosine vectors are stored normalised)
 * @param encoder one of {@link Encoders#NAMES} ({@code minilm}, {@code minilm-q}, {@code
 *     bge-small}, {@code e5-small}, {@code seed}), or null when points always come with vectors
 * @param m HNSW: links per node per layer (level 0 has 2m), in [2, {@link HnswIndex#MAX_M}]
 * @param efConstruction HNSW: beam width while inserting, in [m, {@link
 *     HnswIndex#MAX_EF_CONSTRUCTION}]
 * @param durability when writes are acknowledged
 * @param syncIntervalMillis fsync period for {@link Durability#INTERVAL}, in [1, 60000]
 */
public record CollectionConfig(
    String name,
    int dimension,
    Metric metric,
    String encoder,
    int m,
    int efConstruction,
    Durability durability,
    int syncIntervalMillis) {

  /** Allowed collection names. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** The largest dimension a collection takes: 4096 covers every common embedding model. */
  public static final int MAX_DIMENSION = 4096;

  public CollectionConfig {
    checkName(name);
    if (dimension < 1 || dimension > MAX_DIMENSION) {
      throw new InvalidRequestException(
          "dimension", "must be in [1, " + MAX_DIMENSION + "], got " + dimension);
    }
    if (metric == null) {
      throw new InvalidRequestException("metric", "must be dot, cosine or l2");
    }
    if (encoder != null && !Encoders.NAMES.contains(encoder)) {
      throw new InvalidRequestException(
          "encoder",
          "unknown '" + encoder + "'; known encoders: " + String.join(", ", Encoders.NAMES));
    }
    if (m < 2 || m > HnswIndex.MAX_M) {
      throw new InvalidRequestException("m", "must be in [2, " + HnswIndex.MAX_M + "], got " + m);
    }
    if (efConstruction < m || efConstruction > HnswIndex.MAX_EF_CONSTRUCTION) {
      throw new InvalidRequestException(
          "efConstruction",
          "must be in [m = "
              + m
              + ", "
              + HnswIndex.MAX_EF_CONSTRUCTION
              + "], got "
              + efConstruction);
    }
    if (durability == null) {
      throw new InvalidRequestException("durability", "must be fsync or interval");
    }
    if (syncIntervalMillis < 1 || syncIntervalMillis > 60_000) {
      throw new InvalidRequestException(
          "syncIntervalMillis", "must be in [1, 60000], got " + syncIntervalMillis);
    }
  }

  /**
   * A collection with the defaults: m = 16, efConstruction = 100, fsync on every write (interval
   * 1000 ms if switched to {@link Durability#INTERVAL}).
   */
  public static CollectionConfig of(String name, int dimension, Metric metric) {
    return new CollectionConfig(name, dimension, metric, null, 16, 100, Durability.FSYNC, 1000);
  }

  /**
   * A collection whose points and queries may be given as text, embedded by {@code encoder}; the
   * dimension and metric follow the encoder (the ONNX models minilm, minilm-q, bge-small and
   * e5-small: 384, cosine; seed: 4, dot).
   */
  public static CollectionConfig withEncoder(String name, String encoder) {
    if (Encoders.SEED.equals(encoder)) {
      return new CollectionConfig(name, 4, Metric.DOT, encoder, 16, 100, Durability.FSYNC, 1000);
    }
    if (encoder != null && Encoders.NAMES.contains(encoder)) {
      return new CollectionConfig(
          name,
          Encoders.dimension(encoder),
          Metric.COSINE,
          encoder,
          16,
          100,
          Durability.FSYNC,
          1000);
    }
    throw new InvalidRequestException(
        "encoder",
        "unknown '" + encoder + "'; known encoders: " + String.join(", ", Encoders.NAMES));
  }

  public CollectionConfig withHnsw(int m, int efConstruction) {
    return new CollectionConfig(
        name, dimension, metric, encoder, m, efConstruction, durability, syncIntervalMillis);
  }

  public CollectionConfig withDurability(Durability d, int intervalMillis) {
    return new CollectionConfig(
        name, dimension, metric, encoder, m, efConstruction, d, intervalMillis);
  }

  public CollectionConfig withName(String newName) {
    return new CollectionConfig(
        newName, dimension, metric, encoder, m, efConstruction, durability, syncIntervalMillis);
  }

  /** Checks a collection name against {@link #NAME}. */
  public static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidRequestException(
          "name",
          "must match [A-Za-z0-9_-]{1,64}, got " + (name == null ? "null" : "'" + name + "'"));
    }
  }
}
