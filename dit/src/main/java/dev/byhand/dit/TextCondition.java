package dev.byhand.dit;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A prompt as the DiT takes it: the pooled embedding standardised by {@link TextNorm} (for adaLN),
 * and, for a model with cross-attention ({@link DiTConfig#textTokens()} above 0), the prompt's
 * token vectors standardised by a second norm fitted on tokens, at most {@code textTokens} of them.
 *
 * @param pooled the standardised pooled embedding, textDim numbers
 * @param tokens the standardised token vectors, {@code count × textDim} row-major, or null
 * @param count tokens held (0 when there are none)
 */
public record TextCondition(float[] pooled, float[] tokens, int count) {

  /** Tensor-name prefix of the token norm in a model file (beside {@link TextNorm}'s). */
  public static final String TOKEN_NORM = "token_norm.";

  /** Turns prompts into {@link TextCondition}s with fixed norms. */
  public static final class Encoder {
    private final TextEmbeddings text;
    private final TextNorm pooledNorm;
    private final TextNorm tokenNorm;
    private final int maxTokens;

    /**
     * @param tokenNorm the norm of token vectors, or null for a model without cross-attention
     * @param maxTokens the model's {@code textTokens} (0: no tokens)
     */
    public Encoder(TextEmbeddings text, TextNorm pooledNorm, TextNorm tokenNorm, int maxTokens) {
      if (maxTokens > 0 && (tokenNorm == null || !text.hasTokens())) {
        throw new IllegalArgumentException(
            "text: a model with cross-attention needs token vectors and their norm");
      }
      this.text = text;
      this.pooledNorm = pooledNorm;
      this.tokenNorm = tokenNorm;
      this.maxTokens = maxTokens;
    }

    /** The condition for one prompt; tokens past {@code maxTokens} are cut. */
    public TextCondition encode(String prompt) {
      float[] pooled = pooledNorm.apply(text.embed(prompt));
      if (maxTokens == 0) {
        return new TextCondition(pooled, null, 0);
      }
      float[][] rows = text.tokens(prompt);
      int count = Math.min(rows.length, maxTokens);
      int d = pooled.length;
      float[] tokens = new float[count * d];
      for (int i = 0; i < count; i++) {
        System.arraycopy(tokenNorm.apply(rows[i]), 0, tokens, i * d, d);
      }
      return new TextCondition(pooled, tokens, count);
    }

    /** The norms as tensors, to save beside the weights. */
    public Map<String, dev.byhand.dit.nn.Tensor> tensors() {
      Map<String, dev.byhand.dit.nn.Tensor> out = new java.util.LinkedHashMap<>();
      out.putAll(pooledNorm.tensors());
      if (tokenNorm != null) {
        tokenNorm.tensors().forEach((k, v) -> out.put(TOKEN_NORM + k, v));
      }
      return out;
    }
  }

  /**
   * Packs the token vectors of some conditions into one batch of {@code width} positions: {@code
   * tokens} gets {@code n × width × d} values (zeros past each prompt's end) and {@code mask}
   * {@code n × width} (1 for a token, 0 for padding).
   */
  public static void pack(
      List<TextCondition> rows, int width, int d, float[] tokens, float[] mask) {
    Arrays.fill(tokens, 0f);
    Arrays.fill(mask, 0f);
    for (int i = 0; i < rows.size(); i++) {
      TextCondition c = rows.get(i);
      System.arraycopy(c.tokens, 0, tokens, i * width * d, c.count * d);
      Arrays.fill(mask, i * width, i * width + c.count, 1f);
    }
  }
}
