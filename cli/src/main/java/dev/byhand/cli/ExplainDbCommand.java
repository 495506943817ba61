package dev.byhand.cli;

import dev.byhand.embed.EncoderOptions;
import dev.byhand.embed.Encoders;
import dev.byhand.embed.EncodingTrace;
import dev.byhand.embed.PipelineEncoder;
import dev.byhand.embed.Pooling;
import dev.byhand.embed.SeedModel;
import dev.byhand.embed.TextEncoder;
import dev.byhand.vector.ExactIndex;
import dev.byhand.vector.Metric;
import dev.byhand.vector.Projection;
import dev.byhand.vector.SearchResult;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code byhand explain db}: the seed's "Vector Database by Hand", steps [1]–[10], run through the
 * same encoder, projection and exact index that {@code byhand demo} and the database use.
 */
@Command(
    name = "db",
    mixinStandardHelpOptions = true,
    description = {
      "Index \"how are you\", \"who are you\", \"who am I\"; query \"am I you\"; print every step.",
      "With --encoder seed (default) every matrix is printed whole; with --encoder minilm the same",
      "steps run on the real model and print shapes and first values."
    })
final class ExplainDbCommand implements Callable<Integer> {

  static final List<String> DOCUMENTS = List.of("how are you", "who are you", "who am I");
  static final String QUERY = "am I you";

  @Spec CommandSpec spec;

  @Option(
      names = "--encoder",
      defaultValue = Encoders.SEED,
      description =
          "seed (the 22-word toy encoder), or a real model: minilm (all-MiniLM-L6-v2), minilm-q,"
              + " bge-small, e5-small. Default: ${DEFAULT-VALUE}.")
  String encoder;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Seed of the random projection used with minilm. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    boolean toy = Encoders.SEED.equals(encoder);
    try (TextEncoder enc = Encoders.open(encoder, EncoderOptions.defaults(encoder))) {
      // Step [5]'s projection: the seed's own 4 → 2 matrix, or a seeded random one halving minilm.
      Projection projection =
          toy
              ? new Projection(SeedModel.projection())
              : Projection.gaussian(enc.dimension(), enc.dimension() / 2, seed);
      ExactIndex index = new ExactIndex(projection.outputDimension(), Metric.DOT);

      out.println("Vector Database by Hand — run by byhand's own classes");
      out.printf(
          "encoder: %s (%d numbers per text), projection %d → %d, score: dot product%n",
          enc.name(), enc.dimension(), projection.inputDimension(), projection.outputDimension());
      if (toy) {
        printSeedWeights(out, projection);
      }
      out.println();
      out.println("[1] Given: a dataset of three sentences, each of three words");
      for (String d : DOCUMENTS) {
        out.println("      \"" + d + "\"");
      }

      for (int i = 0; i < DOCUMENTS.size(); i++) {
        String doc = DOCUMENTS.get(i);
        out.println();
        if (i == 0) {
          out.printf("Process \"%s\"%n", doc);
        } else {
          out.printf("[%d] Process \"%s\": repeat [2]–[5]%n", 5 + i, doc);
        }
        int ordinal = index.add(walk(out, enc, projection, doc, toy, false));
        out.printf("      saved in the vector storage as point %d%n", ordinal);
      }
      out.println();
      out.println("Now the dataset is indexed.");
      out.println();
      out.printf("[8] Query \"%s\": repeat [2]–[5]%n", QUERY);
      float[] q = walk(out, enc, projection, QUERY, toy, true);

      // Step [9]: Q · Xᵀ — the query against every stored vector as one matrix product.
      out.println();
      out.println(
          "[9] Dot products: the query times the stored vectors, transposed (one matrix product)");
      float[] scores = index.scores(q);
      for (int i = 0; i < DOCUMENTS.size(); i++) {
        String v = toy ? Matrices.row(index.vector(i), 5) : Matrices.head(index.vector(i), 3);
        out.printf(
            "      %-14s %s · query = %s%n",
            "\"" + DOCUMENTS.get(i) + "\"", v, score(scores[i], toy));
      }

      // Step [10]: the largest dot product, found by linear scan with a bounded heap.
      List<SearchResult> top = index.search(q, 1);
      SearchResult best = top.get(0);
      out.println();
      out.printf(
          "[10] Nearest neighbour by linear scan: \"%s\" (point %d, dot product %s)%n",
          DOCUMENTS.get(best.ordinal()), best.ordinal(), score(best.score(), toy));
      out.println(
          "      In practice an approximate index (HNSW) replaces the scan when there are millions of points.");
      return Main.OK;
    }
  }

  /** The seed's numbers are thirds: two decimals show them; real scores need four. */
  private static String score(float s, boolean toy) {
    return toy ? Matrices.number(s) : String.format(java.util.Locale.ROOT, "%.4f", s);
  }

  /**
   * Steps [2]–[5] for one text, as a document or as the query (models such as e5 mark the two
   * differently; the tokens show it); prints them and returns the index vector.
   */
  private static float[] walk(
      PrintWriter out,
      TextEncoder enc,
      Projection projection,
      String text,
      boolean toy,
      boolean query) {
    EncodingTrace t = query ? enc.traceQuery(text) : enc.trace(text);
    float[] indexVector = projection.apply(t.vector());
    out.println("── \"" + text + "\" ──");
    List<String> labels = Arrays.asList(t.tokens().pieces());
    if (toy) {
      out.println("[2] Word embeddings: one row of the 22-row table per word");
      Matrices.print(out, "      ", labels, t.wordEmbeddings().orElseThrow());
      out.println("[3] Encoding: ReLU(W · x + b), one feature vector per word");
      Matrices.print(out, "      ", labels, t.features());
      out.println("[4] Mean pooling: the average of the feature vectors → the text embedding");
      out.println("      " + Matrices.row(t.pooled(), 5));
      out.println("[5] Indexing: the projection P halves the dimension → the index vector");
      out.println("      " + Matrices.row(indexVector, 5));
    } else {
      out.printf("[2] Tokens (%d): %s%n", t.tokens().size(), String.join(" ", labels));
      out.printf("    ids: %s%n", Arrays.toString(t.tokens().ids()));
      out.println("    (the embedding lookup happens inside the ONNX model)");
      out.printf("[3] Encoder features: %d × %d%n", t.features().length, t.features()[0].length);
      for (int i = 0; i < t.features().length; i++) {
        out.printf("      %-8s %s%n", labels.get(i), Matrices.head(t.features()[i], 4));
      }
      boolean cls = enc instanceof PipelineEncoder p && p.options().pooling() == Pooling.CLS;
      out.printf(
          "[4] %s pooling → %d numbers: %s%n",
          cls ? "CLS" : "Mean", t.pooled().length, Matrices.head(t.pooled(), 4));
      out.printf("    L2-normalised:          %s%n", Matrices.head(t.vector(), 4));
      out.printf(
          "[5] Projection %d → %d: %s%n",
          projection.inputDimension(), projection.outputDimension(), Matrices.head(indexVector, 4));
    }
    return indexVector;
  }

  private static void printSeedWeights(PrintWriter out, Projection projection) {
    out.println();
    out.println("The weights, all in dev.byhand.embed.SeedModel:");
    out.println("  encoder W (4 × 4) and bias b:");
    float[][] w = SeedModel.encoderWeights();
    float[] b = SeedModel.encoderBias();
    List<String> rows = new ArrayList<>();
    float[][] wb = new float[w.length][];
    for (int r = 0; r < w.length; r++) {
      rows.add("row " + (r + 1));
      wb[r] = Arrays.copyOf(w[r], w[r].length + 1);
      wb[r][w[r].length] = b[r];
    }
    Matrices.print(out, "      ", rows, wb);
    out.println("      (the last column is b)");
    out.println("  projection P (2 × 4):");
    Matrices.print(out, "      ", List.of("row 1", "row 2"), projection.matrix());
  }
}
