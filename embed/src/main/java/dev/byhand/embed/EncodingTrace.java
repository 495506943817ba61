package dev.byhand.embed;

import java.util.Optional;

/**
 * Every intermediate of embedding one text, produced by the same code path as {@link
 * TextEncoder#embed}.
 *
 * @param tokens seed step [2]: the tokens (of the first window, when long text is windowed)
 * @param wordEmbeddings seed step [2]: the looked-up embedding rows, when the encoder exposes them
 * @param features seed step [3]: one encoder feature vector per token
 * @param pooled seed step [4]: the pooled sentence vector, before normalisation
 * @param vector the returned vector (pooled, then L2-normalised if the encoder normalises)
 */
public record EncodingTrace(
    Tokens tokens,
    Optional<float[][]> wordEmbeddings,
    float[][] features,
    float[] pooled,
    float[] vector) {}
