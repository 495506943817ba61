package dev.byhand.bench.dit;

import ai.djl.ndarray.NDManager;
import dev.byhand.dit.Autoencoder;
import dev.byhand.dit.AutoencoderConfig;
import dev.byhand.dit.DiT;
import dev.byhand.dit.DiTConfig;
import dev.byhand.dit.ModelFiles;
import dev.byhand.dit.Records;
import dev.byhand.dit.TextEmbeddings;
import dev.byhand.dit.VideoGenerator;
import dev.byhand.dit.data.Rng;
import dev.byhand.dit.data.Video;
import dev.byhand.dit.nn.Safetensors;
import dev.byhand.dit.nn.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Times generating one clip with {@link VideoGenerator} — the code {@code byhand video generate}
 * runs: DDIM with classifier-free guidance (both halves in one batch), then the decoder — for the
 * side-by-side with {@code bench/python/dit_generate_time.py}. A measurement tool, not a test.
 *
 * <p>Without a trained model folder it writes one with random weights of the {@code small} presets
 * (timing only), which {@code byhand video generate --model DIR} can then read too.
 */
public final class GenerateTimer {
  private GenerateTimer() {}

  /**
   * Median times of one clip.
   *
   * @param wallMillis median wall time per clip
   * @param cpuMillis median CPU time of the whole process per clip (all threads)
   * @param minMillis fastest clip
   * @param maxMillis slowest clip
   */
  public record Timing(double wallMillis, double cpuMillis, double minMillis, double maxMillis) {}

  /**
   * Writes a model folder with random weights for {@code config} and {@code autoencoder}: every DiT
   * tensor uniform in ±1/sqrt(fan-in) (PyTorch's default for linear layers, and no zero adaLN
   * gates, so every path of every block does real work), the autoencoder with its own
   * initialisation.
   */
  public static void writeRandomModel(
      Path folder, DiTConfig config, AutoencoderConfig autoencoder, long seed) {
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + folder, e);
    }
    Rng rng = new Rng(seed);
    try (NDManager manager = NDManager.newBaseManager();
        Autoencoder ae = new Autoencoder(autoencoder, manager);
        DiT model = new DiT(config, manager)) {
      ae.initializeWeights(rng);
      ae.save(folder.resolve(ModelFiles.AUTOENCODER_FILE));
      Map<String, Tensor> weights = new LinkedHashMap<>();
      model
          .parameters()
          .snapshot()
          .forEach(
              (name, t) -> {
                int n = t.data().length;
                long fanIn = t.shape().length > 1 ? n / t.shape()[0] : n;
                double bound = 1 / Math.sqrt(fanIn);
                float[] v = new float[n];
                for (int i = 0; i < v.length; i++) {
                  v[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
                }
                weights.put(name, new Tensor(t.shape(), v));
              });
      Map<String, String> meta = new LinkedHashMap<>(Records.toMetadata("dit.", config));
      meta.put("step", "0");
      meta.put("schedule", "linear");
      meta.put("diffusionSteps", "1000");
      meta.put("objective", "eps");
      Safetensors.write(folder.resolve(ModelFiles.MODEL_FILE), weights, meta);
    }
  }

  /**
   * Times {@code clips} clips after {@code warmup} (the first embeds the prompt, which is cached
   * from then on, and warms libtorch and the JIT).
   *
   * @throws IllegalArgumentException if clips is below 1 or warmup below 0
   */
  public static Timing time(
      VideoGenerator generator, String prompt, int steps, double guidance, int clips, int warmup) {
    if (clips < 1 || warmup < 0) {
      throw new IllegalArgumentException(
          "clips/warmup: need clips ≥ 1 and warmup ≥ 0, got " + clips + ", " + warmup);
    }
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    double[] wall = new double[clips];
    double[] cpu = new double[clips];
    for (int i = 0; i < warmup + clips; i++) {
      long start = System.nanoTime();
      long startCpu = os.getProcessCpuTime();
      List<Video> videos = generator.generate(prompt, steps, guidance, 0.0, 1 + i, 1, null);
      if (i >= warmup) {
        wall[i - warmup] = (System.nanoTime() - start) / 1e6;
        cpu[i - warmup] = (os.getProcessCpuTime() - startCpu) / 1e6;
      }
      for (float v : videos.get(0).data()) {
        if (!Float.isFinite(v)) {
          throw new IllegalStateException("the clip is not finite");
        }
      }
    }
    Arrays.sort(wall);
    Arrays.sort(cpu);
    return new Timing(wall[clips / 2], cpu[clips / 2], wall[0], wall[clips - 1]);
  }

  /**
   * {@code GenerateTimer MODEL_DIR [clips] [warmup] [steps] [cfg]}: defaults 5, 2, 50, 4. A folder
   * without {@value ModelFiles#MODEL_FILE} first gets random weights of the small presets.
   */
  public static void main(String[] args) {
    if (args.length < 1) {
      System.err.println("usage: GenerateTimer MODEL_DIR [clips] [warmup] [steps] [cfg]");
      System.exit(2);
    }
    Path folder = Path.of(args[0]);
    int clips = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int steps = args.length > 3 ? Integer.parseInt(args[3]) : 50;
    double guidance = args.length > 4 ? Double.parseDouble(args[4]) : 4.0;
    if (!Files.isRegularFile(folder.resolve(ModelFiles.MODEL_FILE))) {
      writeRandomModel(folder, DiTConfig.small(), AutoencoderConfig.small(), 7);
    }
    try (TextEmbeddings text = TextEmbeddings.minilm();
        VideoGenerator generator = VideoGenerator.open(folder, text)) {
      Timing t = time(generator, "a red circle moving left", steps, guidance, clips, warmup);
      System.out.printf(
          Locale.ROOT,
          "byhand DJL threads %s %s generate 1 clip (%d DDIM steps, cfg %s): median %.1f ms"
              + " (min %.1f, max %.1f, %d clips after %d), median CPU %.1f ms%n",
          System.getProperty("ai.djl.pytorch.num_threads", "default"),
          generator.model().config().name(),
          steps,
          java.math.BigDecimal.valueOf(guidance).stripTrailingZeros().toPlainString(),
          t.wallMillis(),
          t.minMillis(),
          t.maxMillis(),
          clips,
          warmup,
          t.cpuMillis());
    }
  }
}
