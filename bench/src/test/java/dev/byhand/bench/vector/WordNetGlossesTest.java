package dev.byhand.bench.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WordNetGlossesTest {

  @TempDir Path dir;

  @Test
  void glossIsTheTextAfterTheFirstBar() {
    assertThat(
            WordNetGlosses.gloss(
                "00001740 02 r 01 a_cappella 0 000 | without musical accompaniment; \"they performed a cappella\"  "))
        .isEqualTo("without musical accompaniment; \"they performed a cappella\"");
    assertThat(WordNetGlosses.gloss("00000001 03 n 01 x 0 000 | one | two")).isEqualTo("one | two");
  }

  @Test
  void licenseHeaderAndLinesWithoutAGlossAreSkipped() {
    assertThat(WordNetGlosses.gloss("  1 This software and database is being provided | to you"))
        .isNull();
    assertThat(WordNetGlosses.gloss("")).isNull();
    assertThat(WordNetGlosses.gloss("00000001 03 n 01 x 0 000")).isNull();
    assertThat(WordNetGlosses.gloss("00000001 03 n 01 x 0 000 |   ")).isNull();
  }

  @Test
  void readKeepsEachDistinctGlossOnceInFileOrder() throws IOException {
    Files.writeString(
        dir.resolve("data.noun"),
        "  1 license | text\n00000001 03 n 01 a 0 000 | first  \n00000002 03 n 01 b 0 000 | second  \n");
    Files.writeString(dir.resolve("data.verb"), "00000003 29 v 01 c 0 000 | first  \n");
    Files.writeString(dir.resolve("data.adj"), "00000004 00 a 01 d 0 000 | third  \n");
    Files.writeString(dir.resolve("data.adv"), "");
    assertThat(WordNetGlosses.read(dir)).containsExactly("first", "second", "third");
  }

  @Test
  void npyRoundTripAndStaleShapesAreRejected() throws IOException {
    float[][] v = {{1f, -2.5f, 3f}, {0f, 0.25f, -0f}};
    int[][] t = {{7, 8}, {9, 10}};
    Path f = dir.resolve("v.npy");
    Path i = dir.resolve("t.npy");
    Npy.writeFloats(f, v);
    Npy.writeInts(i, t);
    assertThat(Files.size(f) % 4).isZero();
    assertThat(Npy.readFloats(f, 2, 3)).isDeepEqualTo(v);
    assertThat(Npy.readInts(i, 2, 2)).isDeepEqualTo(t);
    assertThatThrownBy(() -> Npy.readFloats(f, 3, 3)).hasMessageContaining("expected (3, 3)");
    assertThatThrownBy(() -> Npy.readInts(f, 2, 3)).hasMessageContaining("expected <i4");
    byte[] bytes = Files.readAllBytes(f);
    Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length - 4));
    assertThatThrownBy(() -> Npy.readFloats(f, 2, 3)).hasMessageContaining("truncated");
  }

  @Test
  void manifestRoundTrips() throws IOException {
    Path m = dir.resolve(Dataset.MANIFEST);
    Dataset.writeManifest(m, java.util.Map.of("seed", "1", "encoder", "minilm pooling=MEAN"));
    assertThat(Dataset.readManifest(m))
        .containsOnlyKeys(List.of("seed", "encoder"))
        .containsEntry("encoder", "minilm pooling=MEAN");
  }
}
