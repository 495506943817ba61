package dev.byhand.embed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * byhand's all-MiniLM-L6-v2 pipeline against langchain4j's {@code AllMiniLmL6V2EmbeddingModel}, an
 * independent implementation over the same ONNX model. Only texts both treat alike are compared:
 * the reference truncates at 128 tokens (its tokenizer.json's own setting), so every text here
 * stays under that.
 */
class MiniLmReferenceTest {

  private static final double TOLERANCE = 1e-5;

  private static AllMiniLmL6V2EmbeddingModel reference;
  private static TextEncoder minilm;

  @BeforeAll
  static void open() {
    reference = new AllMiniLmL6V2EmbeddingModel();
    minilm =
        Encoders.open(Encoders.MINILM, EncoderOptions.defaults(Encoders.MINILM).withThreads(2));
  }

  @AfterAll
  static void close() {
    minilm.close();
  }

  static List<String> texts() throws IOException {
    List<String> texts = new ArrayList<>();
    try (InputStream in = MiniLmReferenceTest.class.getResourceAsStream("reference-texts.txt");
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      texts.addAll(r.lines().collect(Collectors.toList()));
    }
    Path corpus = Path.of("..", "demo", "corpus.txt");
    if (Files.exists(corpus)) {
      texts.addAll(Files.readAllLines(corpus).subList(0, 100));
    }
    return texts;
  }

  private static float[] ref(String text) {
    return reference.embed(TextSegment.from(text)).content().vector();
  }

  private static double maxDiff(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }

  @Test
  void equalsLangchain4jOnHundredsOfVariedTexts() throws IOException {
    List<String> texts = texts();
    assertThat(texts).hasSizeGreaterThan(200);
    List<float[]> ours = minilm.embedAll(texts);
    double worst = 0;
    for (int i = 0; i < texts.size(); i++) {
      String text = texts.get(i);
      double d = maxDiff(ours.get(i), ref(text));
      assertThat(d).as("max |difference| for text %d: %s", i, text).isLessThan(TOLERANCE);
      worst = Math.max(worst, d);
    }
    System.out.printf(
        "minilm vs langchain4j: %d texts, worst max-abs difference %.2e%n", texts.size(), worst);
  }

  @Test
  void edgeCasesMatchTheReferenceToo() {
    // The reference has no defined output for empty or blank text (it refuses it); ours embeds
    // [CLS] [SEP], the same as sentence-transformers does.
    for (String text :
        List.of("你好，世界", "日本語のテキスト", "🚀", "hello 👍🏽 world", "naïve façade", "x")) {
      assertThat(maxDiff(minilm.embed(text), ref(text))).as(text).isLessThan(TOLERANCE);
    }
    // An unpaired surrogate is read as U+FFFD, which the reference receives as such.
    assertThat(maxDiff(minilm.embed("bad \uD800 char"), ref("bad \uFFFD char")))
        .isLessThan(TOLERANCE);
    float[] empty = minilm.embed("");
    assertThat(empty).hasSize(384);
    assertThat(minilm.embed("   \t ")).containsExactly(empty);
    double norm = 0;
    for (float x : empty) {
      norm += x * x;
    }
    assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
  }

  @Test
  void batchingAndSortingKeepInputOrder() throws IOException {
    List<String> texts = texts().subList(0, 70);
    EncoderOptions small = EncoderOptions.defaults(Encoders.MINILM).withBatchSize(8).withThreads(1);
    try (TextEncoder batched = Encoders.open(Encoders.MINILM, small)) {
      List<float[]> all = batched.embedAll(texts);
      for (int i = 0; i < texts.size(); i += 7) {
        assertThat(maxDiff(all.get(i), batched.embed(texts.get(i))))
            .as(texts.get(i))
            .isLessThan(1e-6);
      }
    }
  }

  @Test
  void batchesInParallelGiveTheSameVectorsInTheSameOrder() throws IOException {
    List<String> texts = texts().subList(0, 90);
    EncoderOptions parallel =
        EncoderOptions.defaults(Encoders.MINILM)
            .withThreads(2)
            .withBatchSize(8)
            .withParallelism(EncoderOptions.Parallelism.BATCHES);
    EncoderOptions intraOp =
        EncoderOptions.defaults(Encoders.MINILM)
            .withThreads(2)
            .withParallelism(EncoderOptions.Parallelism.INTRA_OP);
    try (TextEncoder batches = Encoders.open(Encoders.MINILM, parallel);
        TextEncoder oneRunAtATime = Encoders.open(Encoders.MINILM, intraOp)) {
      List<float[]> a = batches.embedAll(texts);
      List<float[]> b = oneRunAtATime.embedAll(texts);
      for (int i = 0; i < texts.size(); i++) {
        assertThat(maxDiff(a.get(i), b.get(i))).as(texts.get(i)).isLessThan(1e-5);
      }
      // A call smaller than one batch per thread is still split and still in order.
      List<float[]> few = batches.embedAll(texts.subList(0, 3));
      for (int i = 0; i < 3; i++) {
        assertThat(maxDiff(few.get(i), b.get(i))).isLessThan(1e-5);
      }
    }
  }

  @Test
  void longTextTruncatesByDefaultAndWindowsOnRequest() {
    String longText =
        "The quick brown fox jumps over the lazy dog near the river bank. ".repeat(60);
    String head = longText.substring(0, 3000); // well over 256 tokens
    // Truncation keeps the first 256 tokens: two texts sharing them embed the same.
    assertThat(maxDiff(minilm.embed(longText), minilm.embed(head))).isLessThan(1e-6);
    EncoderOptions windows =
        EncoderOptions.defaults(Encoders.MINILM).withLongText(EncoderOptions.LongText.WINDOWS);
    try (PipelineEncoder windowed = (PipelineEncoder) Encoders.open(Encoders.MINILM, windows)) {
      // Windowed: the token-weighted mean of each window's pooled vector, then normalised.
      List<Tokens> parts = windowed.tokenizer().windows(longText);
      assertThat(parts.size()).isGreaterThan(1);
      OnnxEncoder model = OnnxEncoder.shared(ModelCard.MINILM, windowed.options().threads());
      float[] expected = new float[384];
      int total = 0;
      for (Tokens w : parts) {
        float[] p = Pooling.MEAN.pool(model.encode(List.of(w)).get(0));
        for (int j = 0; j < 384; j++) {
          expected[j] += p[j] * w.size();
        }
        total += w.size();
      }
      for (int j = 0; j < 384; j++) {
        expected[j] /= total;
      }
      Vectors.normalize(expected);
      assertThat(maxDiff(windowed.embed(longText), expected)).isLessThan(1e-5);
      assertThat(maxDiff(windowed.embed(longText), minilm.embed(longText))).isGreaterThan(1e-3);
    }
  }
}
