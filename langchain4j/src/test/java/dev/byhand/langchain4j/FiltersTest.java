package dev.byhand.langchain4j;

import static dev.langchain4j.store.embedding.filter.MetadataFilterBuilder.metadataKey;
import static org.assertj.core.api.Assertions.assertThat;

import dev.byhand.store.Database;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.filter.Filter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LangChain4j filters mapped onto byhand's: the mapping itself, and equal answers to LangChain4j's
 * own {@link Filter#test} over random metadata and random filters.
 */
class FiltersTest {

  @TempDir Path dir;

  @Test
  void mapping() {
    assertThat(Filters.toByhand(metadataKey("a").isEqualTo("x")).toString())
        .isEqualTo("{\"key\":\"metadata.a\",\"match\":{\"value\":\"x\"}}");
    assertThat(
            Filters.toByhand(
                    metadataKey("n").isGreaterThan(3).and(metadataKey("n").isLessThanOrEqualTo(7L)))
                .toString())
        .isEqualTo(
            "{\"must\":[{\"key\":\"metadata.n\",\"range\":{\"gt\":3.0}},{\"key\":\"metadata.n\",\"range\":{\"lte\":7.0}}]}");
    assertThat(Filters.toByhand(metadataKey("a").isNotIn("x", "y")).toString())
        .isEqualTo("{\"must_not\":[{\"key\":\"metadata.a\",\"match\":{\"any\":[\"x\",\"y\"]}}]}");
    assertThat(Filters.toByhand(metadataKey("f").isEqualTo(0.5f)).toString())
        .isEqualTo("{\"key\":\"metadata.f\",\"range\":{\"gte\":0.5,\"lte\":0.5}}");
    // What byhand cannot say is left to the exact path.
    assertThat(Filters.toByhand(metadataKey("a").isGreaterThan("m"))).isNull();
    assertThat(Filters.toByhand(metadataKey("a").containsString("x"))).isNull();
    assertThat(Filters.toByhand(metadataKey("a.b").isEqualTo("x"))).isNull();
    assertThat(Filters.toByhand(metadataKey("n").isLessThan(Long.MAX_VALUE))).isNull();
    assertThat(
            Filters.toByhand(
                metadataKey("a").isEqualTo("x").or(metadataKey("a").containsString("y"))))
        .isNull();
  }

  @Test
  void sameAnswersAsLangChain4jOnRandomMetadata() {
    long seed = 20261126L;
    SplittableRandom random = new SplittableRandom(seed);
    String[] words = {"red", "green", "blue"};
    try (Database db = Database.open(dir)) {
      ByhandEmbeddingStore store =
          ByhandEmbeddingStore.builder().database(db).collection("random").build();
      List<TextSegment> segments = new ArrayList<>();
      List<Embedding> embeddings = new ArrayList<>();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        Map<String, Object> m = new HashMap<>();
        if (random.nextInt(4) > 0) {
          m.put("color", words[random.nextInt(3)]);
        }
        if (random.nextInt(4) > 0) {
          m.put("n", random.nextInt(10));
        }
        if (random.nextInt(4) > 0) {
          m.put("x", random.nextInt(20) / 4.0);
        }
        segments.add(TextSegment.from("doc " + i, Metadata.from(m)));
        embeddings.add(
            Embedding.from(
                new float[] {
                  (float) random.nextDouble(0.1, 1),
                  (float) random.nextDouble(),
                  (float) random.nextDouble()
                }));
        ids.add(String.format("id-%03d", i));
      }
      store.addAll(ids, embeddings, segments);
      for (int round = 0; round < 200; round++) {
        Filter f = randomFilter(random, words, 0);
        TreeSet<String> expected = new TreeSet<>();
        for (int i = 0; i < segments.size(); i++) {
          if (f.test(segments.get(i).metadata())) {
            expected.add(ids.get(i));
          }
        }
        List<EmbeddingMatch<TextSegment>> found =
            store
                .search(
                    EmbeddingSearchRequest.builder()
                        .queryEmbedding(Embedding.from(new float[] {1, 0, 0}))
                        .maxResults(1000)
                        .filter(f)
                        .build())
                .matches();
        TreeSet<String> got =
            found.stream()
                .map(EmbeddingMatch::embeddingId)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat((Iterable<String>) got)
            .as("seed %d, round %d, filter %s (byhand: %s)", seed, round, f, Filters.toByhand(f))
            .containsExactlyElementsOf(expected);
      }
    }
  }

  private static Filter randomFilter(SplittableRandom r, String[] words, int depth) {
    int kind = r.nextInt(depth >= 2 ? 8 : 11);
    return switch (kind) {
      case 0 -> metadataKey("color").isEqualTo(words[r.nextInt(3)]);
      case 1 -> metadataKey("color").isNotEqualTo(words[r.nextInt(3)]);
      case 2 -> metadataKey("n").isGreaterThan(r.nextInt(10));
      case 3 -> metadataKey("n").isLessThanOrEqualTo((long) r.nextInt(10));
      case 4 -> metadataKey("x").isGreaterThanOrEqualTo(r.nextInt(20) / 4.0);
      case 5 -> metadataKey("n").isIn(r.nextInt(10), r.nextInt(10));
      case 6 -> metadataKey("color").isNotIn(words[r.nextInt(3)]);
      case 7 -> metadataKey("color").isGreaterThan("green"); // only the exact path can do this
      case 8 -> randomFilter(r, words, depth + 1).and(randomFilter(r, words, depth + 1));
      case 9 -> randomFilter(r, words, depth + 1).or(randomFilter(r, words, depth + 1));
      default -> Filter.not(randomFilter(r, words, depth + 1));
    };
  }
}
