package dev.byhand.embed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One model card's encoder against langchain4j's in-process model class for the same ONNX graph and
 * tokenizer, an independent implementation. langchain4j embeds exactly the text it is given (no
 * prefix, no instruction) and each text alone, so the reference is handed the prefixed text ({@code
 * queryPrefix + text} or {@code documentPrefix + text}) and compared with byhand's query or
 * document side. Only texts both read whole are compared: langchain4j splits text beyond 510 word
 * pieces into parts and averages them, and its MiniLM tokenizer truncates at 128.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OnnxReferenceTestBase {

  static final double TOLERANCE = 1e-5;

  TextEncoder encoder;
  EmbeddingModel reference;

  /** The model under test. */
  abstract ModelCard card();

  /** langchain4j's class for the same model. */
  abstract EmbeddingModel openReference();

  /** The longest text, in tokens with the special ones, that the reference reads whole. */
  abstract int referenceWindow();

  @BeforeAll
  void open() {
    reference = openReference();
    encoder = Encoders.open(card().name(), EncoderOptions.defaults(card().name()).withThreads(2));
  }

  @AfterAll
  void close() {
    encoder.close();
  }

  float[] ref(String text) {
    return reference.embed(TextSegment.from(text)).content().vector();
  }

  /** Texts both read whole, with this prefix. */
  List<String> comparable(List<String> texts, String prefix) {
    return ReferenceTexts.fitting(
        card(), texts, prefix, Math.min(referenceWindow(), card().maxTokens()));
  }

  static List<String> varied() throws IOException {
    List<String> texts = new ArrayList<>(ReferenceTexts.generated(300, 16));
    texts.addAll(MiniLmReferenceTest.texts().subList(0, 120));
    texts.addAll(ReferenceTexts.longOnes(16));
    return texts;
  }

  @Test
  void optionsDefaultToTheModelsOwnConventions() {
    EncoderOptions o = EncoderOptions.defaults(card().name());
    assertThat(o.pooling()).isEqualTo(card().pooling());
    assertThat(o.maxTokens()).isEqualTo(card().maxTokens());
    assertThat(o.normalize()).isTrue();
    assertThat(encoder.dimension()).isEqualTo(384).isEqualTo(Encoders.dimension(card().name()));
  }

  @Test
  void documentsEqualTheReferenceOnHundredsOfVariedTexts() throws IOException {
    String prefix = card().documentPrefix();
    List<String> texts = comparable(varied(), prefix);
    assertThat(texts).hasSizeGreaterThan(300);
    double worst =
        ReferenceTexts.assertClose(
            texts, encoder.embedDocuments(texts), t -> ref(prefix + t), TOLERANCE);
    System.out.printf(
        "%s documents vs langchain4j: %d texts, worst max-abs difference %.2e%n",
        card().name(), texts.size(), worst);
  }

  @Test
  void queriesEqualTheReferenceGivenThePrefixedText() throws IOException {
    String prefix = card().queryPrefix();
    List<String> texts = comparable(ReferenceTexts.generated(200, 61), prefix);
    assertThat(texts).hasSizeGreaterThan(150);
    double worst =
        ReferenceTexts.assertClose(
            texts, encoder.embedQueries(texts), t -> ref(prefix + t), TOLERANCE);
    System.out.printf(
        "%s queries vs langchain4j: %d texts, worst max-abs difference %.2e%n",
        card().name(), texts.size(), worst);
    assertThat(ReferenceTexts.maxDiff(encoder.embedQuery(texts.get(0)), ref(prefix + texts.get(0))))
        .isLessThan(TOLERANCE);
  }

  @Test
  void edgeCasesMatchTheReferenceToo() {
    String prefix = card().documentPrefix();
    for (String text :
        List.of("你好，世界", "日本語のテキスト", "🚀", "hello 👍🏽 world", "naïve façade", "x", "?!", "3.14")) {
      assertThat(ReferenceTexts.maxDiff(encoder.embed(text), ref(prefix + text)))
          .as(text)
          .isLessThan(TOLERANCE);
    }
    assertThat(
            ReferenceTexts.maxDiff(
                encoder.embed("bad \uD800 char"), ref(prefix + "bad \uFFFD char")))
        .isLessThan(TOLERANCE);
    assertThat(encoder.embed("")).hasSize(384);
  }

  @Test
  void queriesAndDocumentsDifferExactlyWhenTheModelMarksThem() {
    String text = "why do volcanoes erupt";
    double d = ReferenceTexts.maxDiff(encoder.embedQuery(text), encoder.embed(text));
    if (card().asymmetric()) {
      assertThat(d).isGreaterThan(1e-3);
    } else {
      assertThat(d).isZero();
    }
    // embedAll and embed mean documents, as they always did.
    assertThat(encoder.embedAll(List.of(text)).get(0)).containsExactly(encoder.embed(text));
    assertThat(encoder.embedDocuments(List.of(text)).get(0)).containsExactly(encoder.embed(text));
  }

  @Test
  void aTextsVectorDoesNotDependOnWhatItIsEmbeddedWith() {
    List<String> texts = ReferenceTexts.generated(24, 5);
    List<float[]> together = encoder.embedDocuments(texts);
    EncoderOptions oneThread =
        EncoderOptions.defaults(card().name()).withThreads(1).withBatchSize(8);
    try (TextEncoder single = Encoders.open(card().name(), oneThread)) {
      for (int i = 0; i < texts.size(); i += 3) {
        // Alone, in another encoder, on one thread: the same numbers, bit for bit.
        assertThat(single.embed(texts.get(i))).as(texts.get(i)).containsExactly(together.get(i));
      }
    }
  }

  @Test
  void longTextTruncatesAtTheModelsWindow() {
    String longText =
        "The quick brown fox jumps over the lazy dog near the river bank. ".repeat(80);
    String head = longText.substring(0, 3600); // over 512 word pieces (about 14 per sentence)
    assertThat(ReferenceTexts.maxDiff(encoder.embed(longText), encoder.embed(head)))
        .isLessThan(1e-6);
    PipelineEncoder pipeline = (PipelineEncoder) encoder;
    assertThat(pipeline.tokenizer().tokenize(card().documentPrefix() + longText).size())
        .isEqualTo(card().maxTokens());
  }

  @Test
  void windowsCarryTheModelsPrefixEach() {
    String longText = "Volcanoes erupt when magma rises through the crust. ".repeat(120);
    EncoderOptions windows =
        EncoderOptions.defaults(card().name()).withLongText(EncoderOptions.LongText.WINDOWS);
    try (PipelineEncoder windowed = (PipelineEncoder) Encoders.open(card().name(), windows)) {
      for (String prefix : List.of(card().queryPrefix(), card().documentPrefix())) {
        List<Tokens> parts = windowed.tokenizer().windows(longText, prefix);
        assertThat(parts.size()).isGreaterThan(1);
        Tokens bare = windowed.tokenizer().tokenize(prefix);
        for (Tokens w : parts) {
          assertThat(w.size()).isLessThanOrEqualTo(card().maxTokens());
          for (int j = 0; j < bare.size() - 1; j++) { // [CLS] and the prefix's pieces
            assertThat(w.pieces()[j]).isEqualTo(bare.pieces()[j]);
          }
        }
      }
      assertThat(windowed.embedQuery(longText)).hasSize(384);
      assertThat(ReferenceTexts.maxDiff(windowed.embed(longText), encoder.embed(longText)))
          .isGreaterThan(1e-4);
    }
  }
}
