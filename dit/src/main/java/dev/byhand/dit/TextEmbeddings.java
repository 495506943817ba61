package dev.byhand.dit;

import dev.byhand.embed.Encoders;
import dev.byhand.embed.TextEncoder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The prompt's text embedding (seed step [5]), computed once per distinct caption and cached: the
 * DiT sees each caption many thousand times, the encoder once.
 */
public final class TextEmbeddings implements AutoCloseable {
  private final Function<String, float[]> encoder;
  private final int dimension;
  private final AutoCloseable resource;
  private final Map<String, float[]> cache = new ConcurrentHashMap<>();

  /**
   * Wraps any text → vector function.
   *
   * @param dimension the length every vector has
   * @param resource closed with this object (may be null)
   */
  public TextEmbeddings(Function<String, float[]> encoder, int dimension, AutoCloseable resource) {
    if (dimension < 1) {
      throw new IllegalArgumentException("dimension: must be at least 1, got " + dimension);
    }
    this.encoder = encoder;
    this.dimension = dimension;
    this.resource = resource;
  }

  /** all-MiniLM-L6-v2 from module {@code embed}: 384 numbers, normalised. */
  public static TextEmbeddings minilm() {
    TextEncoder encoder = Encoders.open(Encoders.MINILM);
    return new TextEmbeddings(encoder::embed, encoder.dimension(), encoder);
  }

  /** Length of every vector. */
  public int dimension() {
    return dimension;
  }

  /**
   * The embedding of {@code caption}, from the cache after the first time. The returned array is
   * shared: do not change it.
   *
   * @throws IllegalArgumentException for a blank caption or a vector of the wrong length
   */
  public float[] embed(String caption) {
    if (caption == null || caption.isBlank()) {
      throw new IllegalArgumentException("caption: must not be empty");
    }
    return cache.computeIfAbsent(
        caption,
        c -> {
          float[] v = encoder.apply(c);
          if (v.length != dimension) {
            throw new IllegalArgumentException(
                "encoder: gave " + v.length + " numbers for '" + c + "', expected " + dimension);
          }
          return v;
        });
  }

  /** Distinct captions embedded so far. */
  public int cached() {
    return cache.size();
  }

  @Override
  public void close() {
    if (resource != null) {
      try {
        resource.close();
      } catch (Exception e) {
        throw new IllegalStateException("cannot close the text encoder", e);
      }
    }
  }
}
