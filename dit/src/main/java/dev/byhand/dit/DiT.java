package dev.byhand.dit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.byhand.dit.DiTConfig.AttentionLayout;
import dev.byhand.dit.DiTConfig.Conditioning;
import dev.byhand.dit.DiTConfig.FeedForward;
import dev.byhand.dit.DiTConfig.TimestepEncoding;
import dev.byhand.dit.data.Rng;
import dev.byhand.dit.nn.Linear;
import dev.byhand.dit.nn.Parameters;
import java.util.ArrayList;
import java.util.List;

/**
 * The Diffusion Transformer (Peebles and Xie, "Scalable Diffusion Models with Transformers"), for
 * spacetime latents, laid out like the reference {@code models.py}: helpers, embedders, block,
 * final layer, the model, positional embeddings. It predicts the noise {@code eps} in a noised
 * latent {@code x_t}, given t and a text embedding. The seed's hand-sized model is the same code
 * with the options of {@link DiTConfig#seed()}.
 *
 * <p>Shapes: N clips, T tokens, D = hidden size, P = values per latent patch.
 */
public final class DiT implements AutoCloseable {

  // ---------------------------------------------------------------------------------------------
  // Helpers
  // ---------------------------------------------------------------------------------------------

  /** adaLN's modulation: {@code x · (1 + scale) + shift}, per clip, broadcast over tokens. */
  static NDArray modulate(NDArray x, NDArray shift, NDArray scale) {
    return x.mul(scale.expandDims(1).add(1)).add(shift.expandDims(1));
  }

  /**
   * LayerNorm over the last axis without affine parameters (DiT: elementwise_affine=False), eps
   * 1e-6. libtorch's fused kernel, given a unit scale and zero shift made once per model: one op
   * forward and backward instead of the seven of mean, subtract, square, mean, add, sqrt, divide.
   */
  static final class LayerNorm {
    final Shape shape;
    final NDArray one;
    final NDArray zero;

    LayerNorm(NDManager manager, int d) {
      this.shape = new Shape(d);
      this.one = manager.ones(shape);
      this.zero = manager.zeros(shape);
    }

    NDArray forward(NDArray x) {
      return x.getNDArrayInternal().layerNorm(x, shape, one, zero, 1e-6f).singletonOrThrow();
    }
  }

  /** SiLU, {@code x · sigmoid(x)} (DJL 0.36 has no silu of its own). */
  static NDArray silu(NDArray x) {
    return x.mul(x.getNDArrayInternal().sigmoid());
  }

  /** GELU, exact (erf) form; DiT's MLP uses the tanh approximation, which differs by < 1e-3. */
  static NDArray gelu(NDArray x) {
    return x.getNDArrayInternal().gelu();
  }

  /**
   * Cuts a latent grid into spacetime tokens: {@code (N, F, H, W, C) → (N, T, P)}, in the order of
   * {@link dev.byhand.dit.data.Patchify}.
   */
  public static NDArray patchify(NDArray x, int patchT, int patchH, int patchW) {
    Shape s = x.getShape();
    long n = s.get(0);
    long f = s.get(1);
    long h = s.get(2);
    long w = s.get(3);
    long c = s.get(4);
    NDArray blocks = x.reshape(n, f / patchT, patchT, h / patchH, patchH, w / patchW, patchW, c);
    NDArray grouped = blocks.transpose(0, 1, 3, 5, 2, 4, 6, 7); // (N, gt, gh, gw, pt, ph, pw, C)
    return grouped.reshape(
        n, (f / patchT) * (h / patchH) * (w / patchW), patchT * patchH * patchW * c);
  }

  /** The inverse of {@link #patchify}: {@code (N, T, P) → (N, F, H, W, C)}. */
  public static NDArray unpatchify(
      NDArray x, int frames, int height, int width, int patchT, int patchH, int patchW) {
    Shape s = x.getShape();
    long n = s.get(0);
    long c = s.get(2) / ((long) patchT * patchH * patchW);
    int gt = frames / patchT;
    int gh = height / patchH;
    int gw = width / patchW;
    NDArray blocks = x.reshape(n, gt, gh, gw, patchT, patchH, patchW, c);
    NDArray ordered = blocks.transpose(0, 1, 4, 2, 5, 3, 6, 7); // (N, gt, pt, gh, ph, gw, pw, C)
    return ordered.reshape(n, frames, height, width, c);
  }

  /**
   * Sinusoidal timestep features as in DiT's {@code timestep_embedding}: for frequencies {@code
   * exp(-ln(10000)·i/half)}, {@code [cos(t·f), sin(t·f)]}.
   *
   * @return N × dim values, row-major
   */
  public static float[] timestepFeatures(int[] t, int dim) {
    int half = dim / 2;
    float[] out = new float[t.length * dim];
    for (int n = 0; n < t.length; n++) {
      for (int i = 0; i < half; i++) {
        double freq = Math.exp(-Math.log(10000) * i / half);
        double arg = t[n] * freq;
        out[n * dim + i] = (float) Math.cos(arg);
        out[n * dim + half + i] = (float) Math.sin(arg);
      }
    }
    return out;
  }

  /** t in binary, most significant bit first: t = 3 with 2 bits → [1, 1]. */
  public static float[] timestepBits(int[] t, int bits) {
    float[] out = new float[t.length * bits];
    for (int n = 0; n < t.length; n++) {
      for (int b = 0; b < bits; b++) {
        out[n * bits + b] = (t[n] >> (bits - 1 - b)) & 1;
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Embedding layers for timesteps and text
  // ---------------------------------------------------------------------------------------------

  /** Embeds scalar timesteps: features (sinusoidal or bits), then, in adaLN-Zero, an MLP. */
  static final class TimestepEmbedder {
    final DiTConfig config;
    final Linear fc1;
    final Linear fc2;

    TimestepEmbedder(Parameters p, DiTConfig config) {
      this.config = config;
      boolean mlp = config.conditioning() == Conditioning.ADALN_ZERO;
      int d = config.hiddenSize();
      this.fc1 = mlp ? new Linear(p, "t_embedder.mlp.0", config.timestepDim(), d, true) : null;
      this.fc2 = mlp ? new Linear(p, "t_embedder.mlp.2", d, d, true) : null;
    }

    NDArray forward(NDManager manager, int[] t) {
      float[] features =
          config.timestepEncoding() == TimestepEncoding.SINUSOIDAL
              ? timestepFeatures(t, config.timestepDim())
              : timestepBits(t, config.timestepDim());
      NDArray tFreq = manager.create(features, new Shape(t.length, config.timestepDim())); // (N, F)
      if (fc1 == null) {
        return tFreq;
      }
      NDArray h = silu(fc1.forward(tFreq)); // (N, D)
      return fc2.forward(h); // (N, D)
    }
  }

  /**
   * Embeds the prompt's text embedding: a linear projection to D; a learned null embedding stands
   * in for dropped prompts (classifier-free guidance). In SCALE_SHIFT the text passes unchanged.
   */
  static final class TextEmbedder {
    final Linear proj;
    final NDArray nullEmbedding;

    TextEmbedder(Parameters p, DiTConfig config) {
      boolean project = config.conditioning() == Conditioning.ADALN_ZERO;
      this.proj =
          project
              ? new Linear(p, "y_embedder.proj", config.textDim(), config.hiddenSize(), true)
              : null;
      this.nullEmbedding = project ? p.add("y_embedder.null_embedding", config.hiddenSize()) : null;
    }

    NDArray forward(NDArray text, boolean[] dropText) {
      if (proj == null) {
        return text; // (N, textDim)
      }
      NDArray y = proj.forward(text); // (N, D)
      if (dropText == null) {
        return y;
      }
      float[] mask = new float[dropText.length];
      for (int i = 0; i < mask.length; i++) {
        mask[i] = dropText[i] ? 1f : 0f;
      }
      NDArray drop = text.getManager().create(mask, new Shape(mask.length, 1)); // (N, 1)
      NDArray keep = drop.mul(-1).add(1); // (N, 1)
      return y.mul(keep).add(nullEmbedding.expandDims(0).mul(drop)); // (N, D)
    }
  }

  /**
   * Embeds the prompt's token vectors for cross-attention: a linear projection of each to D, and a
   * learned null token that stands alone for dropped prompts (classifier-free guidance). Padding
   * positions are masked out of the attention.
   */
  static final class TokenEmbedder {
    final Linear proj;
    final NDArray nullToken;

    TokenEmbedder(Parameters p, DiTConfig config) {
      this.proj =
          new Linear(p, "y_embedder.token_proj", config.textDim(), config.hiddenSize(), true);
      this.nullToken = p.add("y_embedder.null_token", config.hiddenSize());
    }

    /**
     * @param tokens (N, L, textDim)
     * @param mask (N, L), 1 for a token and 0 for padding
     * @return the embedded tokens (N, L, D) and the additive attention bias (N, 1, 1, L): 0 where a
     *     query may look, -1e9 where it may not
     */
    NDList forward(NDArray tokens, NDArray mask, boolean[] dropText) {
      NDArray y = proj.forward(tokens); // (N, L, D)
      NDArray keepMask = mask;
      if (dropText != null) {
        long n = tokens.getShape().get(0);
        long l = tokens.getShape().get(1);
        float[] dropped = new float[(int) n];
        for (int i = 0; i < dropped.length; i++) {
          dropped[i] = dropText[i] ? 1f : 0f;
        }
        float[] first = new float[(int) l];
        first[0] = 1f;
        NDManager m = tokens.getManager();
        NDArray drop = m.create(dropped, new Shape(n, 1)); // (N, 1)
        NDArray keep = drop.mul(-1).add(1); // (N, 1)
        NDArray firstOnly = m.create(first, new Shape(1, l)); // (1, L)
        // A dropped prompt is the null token alone, at position 0.
        NDArray nulls = firstOnly.expandDims(2).mul(nullToken.reshape(1, 1, -1)); // (1, L, D)
        y = y.mul(keep.expandDims(2)).add(nulls.mul(drop.expandDims(2))); // (N, L, D)
        keepMask = mask.mul(keep).add(firstOnly.mul(drop)); // (N, L)
      }
      NDArray bias = keepMask.sub(1).mul(1e9f).expandDims(1).expandDims(1); // (N, 1, 1, L)
      return new NDList(y, bias);
    }
  }

  /**
   * Multi-head cross-attention from the video tokens (queries) to the prompt's tokens (keys and
   * values), as PixArt-α and Open-Sora read T5's tokens; the output projection starts at zero, so a
   * new model begins as the DiT without it.
   */
  static final class CrossAttention {
    final int numHeads;
    final Linear q;
    final Linear kv;
    final Linear proj;

    CrossAttention(Parameters p, String name, DiTConfig config) {
      int d = config.hiddenSize();
      this.numHeads = config.numHeads();
      this.q = new Linear(p, name + ".q", d, d, true);
      this.kv = new Linear(p, name + ".kv", d, 2 * d, true);
      this.proj = new Linear(p, name + ".proj", d, d, true);
    }

    /**
     * @param x (N, T, D) queries
     * @param y (N, L, D) prompt tokens
     * @param bias (N, 1, 1, L) additive mask
     */
    NDArray forward(NDArray x, NDArray y, NDArray bias, String name, Trace trace) {
      Shape s = x.getShape();
      long n = s.get(0);
      long tokens = s.get(1);
      long d = s.get(2);
      long l = y.getShape().get(1);
      long headDim = d / numHeads;
      NDArray query = q.forward(x).reshape(n, tokens, numHeads, headDim).transpose(0, 2, 1, 3);
      NDList split = kv.forward(y).reshape(n, l, 2, numHeads, headDim).split(2, 2);
      NDArray key = split.get(0).squeeze(2).transpose(0, 2, 1, 3); // (N, H, L, hd)
      NDArray value = split.get(1).squeeze(2).transpose(0, 2, 1, 3); // (N, H, L, hd)
      NDArray scores =
          query.mul(1.0 / Math.sqrt(headDim)).matMul(key.transpose(0, 1, 3, 2)).add(bias);
      NDArray weights = scores.softmax(-1); // (N, H, T, L)
      trace.record(name + ".weights", weights);
      NDArray pooled = weights.matMul(value); // (N, H, T, hd)
      return proj.forward(pooled.transpose(0, 2, 1, 3).reshape(n, tokens, d)); // (N, T, D)
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Core DiT model
  // ---------------------------------------------------------------------------------------------

  /** Multi-head self-attention over all spacetime tokens. */
  static final class Attention {
    final int numHeads;
    final Linear qkv;
    final Linear qk;
    final Linear proj;

    Attention(Parameters p, String name, DiTConfig config) {
      int d = config.hiddenSize();
      this.numHeads = config.numHeads();
      boolean values = config.valueProjection();
      this.qkv = values ? new Linear(p, name + ".qkv", d, 3 * d, true) : null;
      this.qk = values ? null : new Linear(p, name + ".qk", d, 2 * d, true);
      this.proj = values ? new Linear(p, name + ".proj", d, d, true) : null;
    }

    NDArray forward(NDArray x, String name, Trace trace) {
      Shape s = x.getShape();
      long n = s.get(0);
      long tokens = s.get(1);
      long d = s.get(2);
      long headDim = d / numHeads;
      int parts = qkv != null ? 3 : 2;
      NDArray packed = (qkv != null ? qkv : qk).forward(x); // (N, T, parts·D)
      NDList split = packed.reshape(n, tokens, parts, numHeads, headDim).split(parts, 2);
      NDArray q = split.get(0).squeeze(2).transpose(0, 2, 1, 3); // (N, H, T, hd)
      NDArray k = split.get(1).squeeze(2).transpose(0, 2, 1, 3); // (N, H, T, hd)
      NDArray v =
          parts == 3
              ? split.get(2).squeeze(2).transpose(0, 2, 1, 3) // (N, H, T, hd)
              : x.reshape(n, tokens, numHeads, headDim).transpose(0, 2, 1, 3); // value = x itself
      trace.record(name + ".q", q);
      trace.record(name + ".k", k);
      // Scale q rather than the scores: T·hd values instead of T·T.
      NDArray scores =
          q.mul(1.0 / Math.sqrt(headDim)).matMul(k.transpose(0, 1, 3, 2)); // (N, H, T, T)
      NDArray weights = scores.softmax(-1); // (N, H, T, T)
      trace.record(name + ".weights", weights);
      NDArray pooled = weights.matMul(v); // (N, H, T, hd)
      NDArray merged = pooled.transpose(0, 2, 1, 3).reshape(n, tokens, d); // (N, T, D)
      trace.record(name + ".pooled", merged);
      return proj != null ? proj.forward(merged) : merged; // (N, T, D)
    }
  }

  /** The feed-forward part: a GELU MLP, or the seed's one pointwise linear layer. */
  static final class Mlp {
    final Linear fc1;
    final Linear fc2;
    final Linear fc;

    Mlp(Parameters p, String name, DiTConfig config) {
      int d = config.hiddenSize();
      if (config.feedForward() == FeedForward.MLP) {
        int hidden = (int) (d * config.mlpRatio());
        this.fc1 = new Linear(p, name + ".fc1", d, hidden, true);
        this.fc2 = new Linear(p, name + ".fc2", hidden, d, true);
        this.fc = null;
      } else {
        this.fc1 = null;
        this.fc2 = null;
        this.fc = new Linear(p, name + ".fc", d, d, true);
      }
    }

    NDArray forward(NDArray x) {
      if (fc != null) {
        return fc.forward(x); // (N, T, D)
      }
      NDArray h = gelu(fc1.forward(x)); // (N, T, ratio·D)
      return fc2.forward(h); // (N, T, D)
    }
  }

  /** Which tokens a block's attention mixes. */
  enum Axis {
    ALL,
    SPACE,
    TIME
  }

  /** A DiT block with adaLN-Zero conditioning (or the seed's plain scale and shift). */
  static final class DiTBlock {
    final String name;
    final Conditioning conditioning;
    final Axis axis;
    final int gridT;
    final Attention attn;
    final Mlp mlp;
    final Linear adaLnModulation;
    final LayerNorm norm;
    final CrossAttention crossAttn;

    DiTBlock(
        Parameters p, String name, DiTConfig config, int conditionDim, Axis axis, LayerNorm norm) {
      this.name = name;
      this.norm = norm;
      this.conditioning = config.conditioning();
      this.axis = axis;
      this.gridT = config.gridT();
      int d = config.hiddenSize();
      this.attn = new Attention(p, name + ".attn", config);
      this.mlp = new Mlp(p, name + ".mlp", config);
      int chunks = conditioning == Conditioning.ADALN_ZERO ? 6 : 2;
      this.adaLnModulation =
          new Linear(p, name + ".adaLN_modulation.1", conditionDim, chunks * d, true);
      this.crossAttn =
          config.textTokens() > 0 ? new CrossAttention(p, name + ".cross_attn", config) : null;
    }

    NDArray attend(NDArray x, Trace trace) {
      return attendAlong(attn, name + ".attn", axis, gridT, x, trace);
    }

    NDArray forward(NDArray x, NDArray c, NDList text, Trace trace) {
      if (conditioning == Conditioning.SCALE_SHIFT) {
        NDList mod = adaLnModulation.forward(c).split(2, 1); // 2 × (N, D)
        NDArray scale = mod.get(0);
        NDArray shift = mod.get(1);
        trace.record(name + ".scale", scale);
        trace.record(name + ".shift", shift);
        NDArray conditioned = x.mul(scale.expandDims(1)).add(shift.expandDims(1)); // (N, T, D)
        trace.record(name + ".conditioned", conditioned);
        NDArray attended = attend(conditioned, trace); // (N, T, D)
        NDArray out = mlp.forward(attended); // (N, T, D)
        trace.record(name + ".mlp", out);
        return out;
      }
      NDList mod = adaLnModulation.forward(silu(c)).split(6, 1); // 6 × (N, D)
      NDArray shiftMsa = mod.get(0);
      NDArray scaleMsa = mod.get(1);
      NDArray gateMsa = mod.get(2);
      NDArray shiftMlp = mod.get(3);
      NDArray scaleMlp = mod.get(4);
      NDArray gateMlp = mod.get(5);
      NDArray h = modulate(norm.forward(x), shiftMsa, scaleMsa); // (N, T, D)
      trace.record(name + ".conditioned", h);
      NDArray a = attend(h, trace); // (N, T, D)
      x = x.add(gateMsa.expandDims(1).mul(a)); // (N, T, D)
      if (crossAttn != null) {
        // Reads the prompt's tokens: x + CrossAttn(LN(x), tokens), between attention and MLP.
        x =
            x.add(
                crossAttn.forward(
                    norm.forward(x), text.get(0), text.get(1), name + ".cross_attn", trace));
      }
      NDArray m = mlp.forward(modulate(norm.forward(x), shiftMlp, scaleMlp)); // (N, T, D)
      x = x.add(gateMlp.expandDims(1).mul(m)); // (N, T, D)
      trace.record(name + ".out", x);
      return x;
    }
  }

  /**
   * Attention over the block's axis: all tokens, the tokens of one frame, or one position's tokens
   * across frames (tokens run frame-major, so a frame's tokens are contiguous).
   */
  private static NDArray attendAlong(
      Attention attn, String name, Axis axis, int gridT, NDArray x, Trace trace) {
    if (axis == Axis.ALL) {
      return attn.forward(x, name, trace); // (N, T, D)
    }
    Shape s = x.getShape();
    long n = s.get(0);
    long space = s.get(1) / gridT;
    long d = s.get(2);
    if (axis == Axis.SPACE) {
      NDArray frames = x.reshape(n * gridT, space, d); // (N·gt, S, D)
      return attn.forward(frames, name, trace).reshape(n, gridT * space, d); // (N, T, D)
    }
    NDArray tracks =
        x.reshape(n, gridT, space, d)
            .transpose(0, 2, 1, 3)
            .reshape(n * space, gridT, d); // (N·S, gt, D)
    NDArray mixed = attn.forward(tracks, name, trace); // (N·S, gt, D)
    return mixed
        .reshape(n, space, gridT, d)
        .transpose(0, 2, 1, 3)
        .reshape(n, gridT * space, d); // (N, T, D)
  }

  /** The final layer: adaLN (shift, scale) then a linear map from D back to a latent patch. */
  static final class FinalLayer {
    final Linear adaLnModulation;
    final Linear linear;
    final LayerNorm norm;

    FinalLayer(Parameters p, DiTConfig config, LayerNorm norm) {
      this.norm = norm;
      int d = config.hiddenSize();
      this.adaLnModulation = new Linear(p, "final_layer.adaLN_modulation.1", d, 2 * d, true);
      this.linear = new Linear(p, "final_layer.linear", d, config.patchDim(), true);
    }

    NDArray forward(NDArray x, NDArray c) {
      NDList mod = adaLnModulation.forward(silu(c)).split(2, 1); // 2 × (N, D)
      NDArray shift = mod.get(0);
      NDArray scale = mod.get(1);
      NDArray h = modulate(norm.forward(x), shift, scale); // (N, T, D)
      return linear.forward(h); // (N, T, P)
    }
  }

  private final DiTConfig config;
  private final Parameters parameters;
  private final Linear xEmbedder;
  private final TimestepEmbedder tEmbedder;
  private final TextEmbedder yEmbedder;
  private final TokenEmbedder tokenEmbedder;
  private final List<DiTBlock> blocks = new ArrayList<>();
  private final FinalLayer finalLayer;
  private final NDArray posEmbed;

  /**
   * Builds the model with zero weights; call {@link #initializeWeights} or load weights.
   *
   * @param manager the parent manager; the model's parameters live in a sub-manager of it
   */
  public DiT(DiTConfig config, NDManager manager) {
    this.config = config;
    this.parameters = new Parameters(manager.newSubManager(), true);
    boolean full = config.conditioning() == Conditioning.ADALN_ZERO;
    int d = config.hiddenSize();
    this.xEmbedder =
        full ? new Linear(parameters, "x_embedder.proj", config.patchDim(), d, true) : null;
    this.tEmbedder = new TimestepEmbedder(parameters, config);
    this.yEmbedder = new TextEmbedder(parameters, config);
    this.tokenEmbedder = config.textTokens() > 0 ? new TokenEmbedder(parameters, config) : null;
    int conditionDim = full ? d : config.textDim() + config.timestepDim();
    LayerNorm norm = new LayerNorm(parameters.manager(), d);
    for (int i = 0; i < config.depth(); i++) {
      Axis axis =
          config.attention() == AttentionLayout.FULL
              ? Axis.ALL
              : i % 2 == 0 ? Axis.SPACE : Axis.TIME;
      blocks.add(new DiTBlock(parameters, "blocks." + i, config, conditionDim, axis, norm));
    }
    this.finalLayer = full ? new FinalLayer(parameters, config, norm) : null;
    this.posEmbed =
        config.positionalEmbedding()
            ? parameters
                .manager()
                .create(
                    posEmbed3d(d, config.gridT(), config.gridH(), config.gridW()),
                    new Shape(1, config.tokens(), d))
            : null;
  }

  /** The config. */
  public DiTConfig config() {
    return config;
  }

  /** The learnable parameters, by PyTorch-style name. */
  public Parameters parameters() {
    return parameters;
  }

  /**
   * DiT's initialisation, from a seeded generator:
   *
   * <ul>
   *   <li>every linear layer: Xavier-uniform weights, zero bias (the patch embedding too, as DiT
   *       does for its convolution viewed as a matrix);
   *   <li>text projection and null embedding: normal, std 0.02 (DiT's label-embedding table);
   *   <li>timestep MLP: normal, std 0.02;
   *   <li>adaLN modulation in every block: zero, so each block starts as the identity (adaLN-Zero);
   *   <li>with cross-attention: the token projection and null token normal, std 0.02, and each
   *       block's cross-attention output projection zero;
   *   <li>final layer: modulation and output zero, so the model starts by predicting 0.
   * </ul>
   *
   * In SCALE_SHIFT (the seed) there is no residual path, so the modulation keeps Xavier weights.
   */
  public void initializeWeights(Rng rng) {
    parameters.initializeLinear(rng);
    if (config.conditioning() == Conditioning.SCALE_SHIFT) {
      return;
    }
    parameters.normal("y_embedder.proj.weight", 0.02, rng);
    parameters.normal("y_embedder.null_embedding", 0.02, rng);
    parameters.normal("t_embedder.mlp.0.weight", 0.02, rng);
    parameters.normal("t_embedder.mlp.2.weight", 0.02, rng);
    for (int i = 0; i < config.depth(); i++) {
      parameters.zero("blocks." + i + ".adaLN_modulation.1.weight");
      parameters.zero("blocks." + i + ".adaLN_modulation.1.bias");
    }
    if (config.textTokens() > 0) {
      parameters.normal("y_embedder.token_proj.weight", 0.02, rng);
      parameters.normal("y_embedder.null_token", 0.02, rng);
      for (int i = 0; i < config.depth(); i++) {
        // Zero output: the block starts as if it had no cross-attention (as adaLN-Zero's gates).
        parameters.zero("blocks." + i + ".cross_attn.proj.weight");
        parameters.zero("blocks." + i + ".cross_attn.proj.bias");
      }
    }
    parameters.zero("final_layer.adaLN_modulation.1.weight");
    parameters.zero("final_layer.adaLN_modulation.1.bias");
    parameters.zero("final_layer.linear.weight");
    parameters.zero("final_layer.linear.bias");
  }

  /**
   * Predicts the noise; see {@link #forward(NDArray, int[], NDArray, NDArray, NDArray, boolean[],
   * Trace)}.
   */
  public NDArray forward(NDArray x, int[] t, NDArray text, boolean[] dropText) {
    return forward(x, t, text, null, null, dropText, Trace.NONE);
  }

  /** Predicts the noise without prompt tokens (a model with {@code textTokens} 0). */
  public NDArray forward(NDArray x, int[] t, NDArray text, boolean[] dropText, Trace trace) {
    return forward(x, t, text, null, null, dropText, trace);
  }

  /**
   * Predicts the noise; see {@link #forward(NDArray, int[], NDArray, NDArray, NDArray, boolean[],
   * Trace)}.
   */
  public NDArray forward(
      NDArray x, int[] t, NDArray text, NDArray tokens, NDArray tokenMask, boolean[] dropText) {
    return forward(x, t, text, tokens, tokenMask, dropText, Trace.NONE);
  }

  /**
   * Predicts the noise in {@code x_t}.
   *
   * @param x noised latents {@code x_t}, (N, frames, height, width, inChannels)
   * @param t diffusion step per clip
   * @param text text embeddings, (N, textDim)
   * @param tokens the prompt's token vectors, (N, L, textDim) with L ≤ {@code textTokens}, for a
   *     model with cross-attention; null otherwise
   * @param tokenMask (N, L): 1 for a token, 0 for padding; null when {@code tokens} is
   * @param dropText per clip, true to use the null embedding (and the null token) instead of the
   *     text (or null)
   * @param trace receives intermediates
   * @return predicted noise {@code eps}, the shape of {@code x}
   * @throws IllegalArgumentException for shapes that do not fit, or tokens given to a model without
   *     cross-attention or missing for one with it
   */
  public NDArray forward(
      NDArray x,
      int[] t,
      NDArray text,
      NDArray tokens,
      NDArray tokenMask,
      boolean[] dropText,
      Trace trace) {
    Shape s = x.getShape();
    if (s.dimension() != 5
        || s.get(1) != config.frames()
        || s.get(2) != config.height()
        || s.get(3) != config.width()
        || s.get(4) != config.inChannels()) {
      throw new IllegalArgumentException(
          "x: shape "
              + s
              + " is not (N, "
              + config.frames()
              + ", "
              + config.height()
              + ", "
              + config.width()
              + ", "
              + config.inChannels()
              + ")");
    }
    long n = s.get(0);
    if (t.length != n
        || text.getShape().get(0) != n
        || text.getShape().get(1) != config.textDim()) {
      throw new IllegalArgumentException(
          "t/text: need "
              + n
              + " steps and ("
              + n
              + ", "
              + config.textDim()
              + ") text, got "
              + t.length
              + " and "
              + text.getShape());
    }
    for (int step : t) {
      if (step < 0 || step > config.maxTimestep()) {
        throw new IllegalArgumentException("t: " + step + " is outside 0.." + config.maxTimestep());
      }
    }
    if ((tokens != null) != (tokenEmbedder != null)) {
      throw new IllegalArgumentException(
          "tokens: the model has textTokens "
              + config.textTokens()
              + ", so prompt tokens must be "
              + (tokenEmbedder != null ? "given" : "null"));
    }
    NDList text2 = null;
    if (tokens != null) {
      Shape ts = tokens.getShape();
      if (ts.dimension() != 3
          || ts.get(0) != n
          || ts.get(1) < 1
          || ts.get(1) > config.textTokens()
          || ts.get(2) != config.textDim()
          || tokenMask == null
          || !tokenMask.getShape().equals(new Shape(n, ts.get(1)))) {
        throw new IllegalArgumentException(
            "tokens: need (N, L ≤ "
                + config.textTokens()
                + ", "
                + config.textDim()
                + ") and a (N, L) mask, got "
                + ts
                + " and "
                + (tokenMask == null ? "no mask" : tokenMask.getShape()));
      }
      text2 = tokenEmbedder.forward(tokens, tokenMask, dropText);
    }
    NDArray patches = patchify(x, config.patchT(), config.patchH(), config.patchW()); // (N, T, P)
    trace.record("patches", patches);
    NDArray h = xEmbedder != null ? xEmbedder.forward(patches) : patches; // (N, T, D)
    if (posEmbed != null) {
      h = h.add(posEmbed); // (N, T, D)
    }
    NDArray tEmb = tEmbedder.forward(x.getManager(), t); // (N, D) or (N, bits)
    NDArray yEmb = yEmbedder.forward(text, dropText); // (N, D) or (N, textDim)
    NDArray c =
        config.conditioning() == Conditioning.ADALN_ZERO
            ? tEmb.add(yEmb) // (N, D)
            : NDArrays.concat(new NDList(yEmb, tEmb), 1); // (N, textDim + bits)
    trace.record("condition", c);
    for (DiTBlock block : blocks) {
      h = block.forward(h, c, text2, trace); // (N, T, D)
    }
    NDArray out = finalLayer != null ? finalLayer.forward(h, c) : h; // (N, T, P)
    trace.record("predicted", out);
    return unpatchify(
        out,
        config.frames(),
        config.height(),
        config.width(),
        config.patchT(),
        config.patchH(),
        config.patchW()); // (N, F, H, W, C)
  }

  @Override
  public void close() {
    parameters.close();
  }

  // ---------------------------------------------------------------------------------------------
  // Sine/cosine positional embedding
  // ---------------------------------------------------------------------------------------------

  /**
   * Fixed 3-D sin-cos positional embeddings over (frame, row, column), DiT's 2-D version extended
   * by one axis: rows and columns get {@code 2·floor(D/6)} features each, frames the rest.
   *
   * @return tokens × D values, tokens in (frame, row, column) order
   */
  public static float[] posEmbed3d(int dim, int gridT, int gridH, int gridW) {
    int dimH = 2 * (dim / 6);
    int dimW = dimH;
    int dimT = dim - dimH - dimW;
    float[] out = new float[gridT * gridH * gridW * dim];
    int row = 0;
    for (int t = 0; t < gridT; t++) {
      for (int y = 0; y < gridH; y++) {
        for (int x = 0; x < gridW; x++) {
          int base = row * dim;
          sinCos(out, base, dimT, t);
          sinCos(out, base + dimT, dimH, y);
          sinCos(out, base + dimT + dimH, dimW, x);
          row++;
        }
      }
    }
    return out;
  }

  /** DiT's 1-D embedding: {@code [sin(pos·ω_i), cos(pos·ω_i)]}, {@code ω_i = 10000^(-i/half)}. */
  private static void sinCos(float[] out, int offset, int dim, int pos) {
    int half = dim / 2;
    for (int i = 0; i < half; i++) {
      double omega = 1.0 / Math.pow(10000, (double) i / half);
      out[offset + i] = (float) Math.sin(pos * omega);
      out[offset + half + i] = (float) Math.cos(pos * omega);
    }
  }
}
