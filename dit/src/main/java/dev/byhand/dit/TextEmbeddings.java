package dev.byhand.dit;

import dev.byhand.embed.Encoders;
import dev.byhand.embed.PipelineEncoder;
import dev.byhand.embed.TextEncoder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The prompt's text embedding (seed step [5]), computed once per distinct caption and cached: the
 * DiT sees each caption many thousand times, the encoder once.
 */
public final class TextEmbeddings implements AutoCloseable {
  private final Function<String, float[]> encoder;
  private final Function<String, float[][]> tokenEncoder;
  private final int dimension;
  private final AutoCloseable resource;
  private final Map<String, float[]> cache = new ConcurrentHashMap<>();
  private final Map<String, float[][]> tokenCache = new ConcurrentHashMap<>();

  /**
   * Wraps any text → vector function, without token vectors.
   *
   * @param dimension the length every vector has
   * @param resource closed with this object (may be null)
   */
  public TextEmbeddings(Function<String, float[]> encoder, int dimension, AutoCloseable resource) {
    this(encoder, null, dimension, resource);
  }

  /**
   * Wraps a text → vector function and a text → one vector per token function.
   *
   * @param tokenEncoder gives {@code [tokens][dimension]} for a text (may be null: no tokens)
   * @param dimension the length every vector has
   * @param resource closed with this object (may be null)
   */
  public TextEmbeddings(
      Function<String, float[]> encoder,
      Function<String, float[][]> tokenEncoder,
      int dimension,
      AutoCloseable resource) {
    if (dimension < 1) {
      throw new IllegalArgumentException("dimension: must be at least 1, got " + dimension);
    }
    this.encoder = encoder;
    this.tokenEncoder = tokenEncoder;
    this.dimension = dimension;
    this.resource = resource;
  }

  /**
   * all-MiniLM-L6-v2 from module {@code embed}: 384 numbers, normalised; its tokens are the
   * encoder's last hidden states, {@code [CLS]} and {@code [SEP]} included (seed step [3], before
   * pooling).
   */
  public static TextEmbeddings minilm() {
    TextEncoder encoder = Encoders.open(Encoders.MINILM);
    Function<String, float[][]> tokens = null;
    if (encoder instanceof PipelineEncoder pipeline) {
      tokens =
          text ->
              pipeline.tokenEncoder().encode(List.of(pipeline.tokenizer().tokenize(text))).get(0);
    }
    return new TextEmbeddings(encoder::embed, tokens, encoder.dimension(), encoder);
  }

  /** Whether {@link #tokens} is available. */
  public boolean hasTokens() {
    return tokenEncoder != null;
  }

  /**
   * One vector per token of {@code caption}, cached as {@link #embed} is. The returned arrays are
   * shared: do not change them.
   *
   * @throws IllegalStateException if this encoder gives no token vectors
   * @throws IllegalArgumentException for a blank caption or vectors of the wrong length
   */
  public float[][] tokens(String caption) {
    if (tokenEncoder == null) {
      throw new IllegalStateException("this text encoder gives no token vectors");
    }
    if (caption == null || caption.isBlank()) {
      throw new IllegalArgumentException("caption: must not be empty");
    }
    return tokenCache.computeIfAbsent(
        caption,
        c -> {
          float[][] v = tokenEncoder.apply(c);
          if (v.length == 0 || v[0].length != dimension) {
            throw new IllegalArgumentException(
                "encoder: gave tokens of "
                    + (v.length == 0 ? 0 : v[0].length)
                    + " numbers for '"
                    + c
                    + "', expected "
                    + dimension);
          }
          return v;
        });
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
