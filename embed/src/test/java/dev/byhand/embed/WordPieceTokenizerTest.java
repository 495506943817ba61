package dev.byhand.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WordPieceTokenizerTest {

  private static WordPieceTokenizer tokenizer;

  @BeforeAll
  static void open() {
    tokenizer = new WordPieceTokenizer();
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  private static List<String> pieces(String text) {
    return List.of(tokenizer.tokenize(text).pieces());
  }

  @Test
  void wrapsTextInClsAndSep() {
    Tokens t = tokenizer.tokenize("how are you");
    assertThat(t.pieces()).containsExactly("[CLS]", "how", "are", "you", "[SEP]");
    assertThat(t.ids()).containsExactly(101, 2129, 2024, 2017, 102);
  }

  @Test
  void emptyAndWhitespaceOnlyTextAreJustTheSpecialTokens() {
    assertThat(pieces("")).containsExactly("[CLS]", "[SEP]");
    assertThat(pieces(" \t\n  ")).containsExactly("[CLS]", "[SEP]");
  }

  @Test
  void lowerCasesAndStripsAccents() {
    assertThat(pieces("Café ÉCOLE")).containsExactly("[CLS]", "cafe", "ecole", "[SEP]");
  }

  @Test
  void splitsCjkIntoCharactersAndUnknownOnesBecomeUnk() {
    assertThat(pieces("中国人")).containsExactly("[CLS]", "中", "国", "人", "[SEP]");
    // 你 is not among the vocabulary's 30,522 pieces.
    assertThat(pieces("你中")).containsExactly("[CLS]", "[UNK]", "中", "[SEP]");
  }

  @Test
  void emojiBecomeUnknown() {
    assertThat(pieces("hi 🚀")).containsExactly("[CLS]", "hi", "[UNK]", "[SEP]");
  }

  @Test
  void unpairedSurrogatesAreDroppedLikeOtherInvalidCharacters() {
    assertThat(WordPieceTokenizer.clean("a\uD800b")).isEqualTo("a\uFFFDb");
    assertThat(WordPieceTokenizer.clean("a\uDC00")).isEqualTo("a\uFFFD");
    assertThat(WordPieceTokenizer.clean("x\uD83D")).isEqualTo("x\uFFFD");
    String paired = "ok 🚀 ok";
    assertThat(WordPieceTokenizer.clean(paired)).isSameAs(paired);
    // BERT's normaliser removes U+FFFD (and control characters), so the text reads as without it.
    assertThat(pieces("hello \uD800 world")).containsExactly("[CLS]", "hello", "world", "[SEP]");
    assertThat(pieces("hello\uDC00world")).isEqualTo(pieces("helloworld"));
  }

  @Test
  void truncatesLongTextAtTheWindowKeepingSep() {
    String text = "word ".repeat(1000);
    Tokens t = tokenizer.tokenize(text);
    assertThat(t.size()).isEqualTo(256);
    assertThat(t.pieces()[0]).isEqualTo("[CLS]");
    assertThat(t.pieces()[255]).isEqualTo("[SEP]");
  }

  @Test
  void windowsCoverEveryWordPiece() {
    String text = "alpha beta ".repeat(300); // 600 word pieces
    List<Tokens> windows = tokenizer.windows(text);
    assertThat(windows).hasSize(3); // 254 + 254 + 92
    int body = 0;
    for (Tokens w : windows) {
      assertThat(w.size()).isLessThanOrEqualTo(256);
      assertThat(w.pieces()[0]).isEqualTo("[CLS]");
      assertThat(w.pieces()[w.size() - 1]).isEqualTo("[SEP]");
      body += w.size() - 2;
    }
    assertThat(body).isEqualTo(600);
    assertThat(tokenizer.windows("short text")).containsExactly(tokenizer.tokenize("short text"));
  }

  @Test
  void batchTokenizationEqualsOneByOne() {
    List<String> texts = List.of("one", "two words", "", "a much longer sentence than the others");
    List<Tokens> batch = tokenizer.tokenizeAll(texts);
    for (int i = 0; i < texts.size(); i++) {
      assertThat(batch.get(i)).isEqualTo(tokenizer.tokenize(texts.get(i)));
    }
  }

  @Test
  void rejectsNullAndBadWindows() {
    assertThatThrownBy(() -> tokenizer.tokenize(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("text");
    assertThatThrownBy(() -> new WordPieceTokenizer(600))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxTokens: must be in [3, 512], got 600");
  }
}
