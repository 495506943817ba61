package dev.byhand.dit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.byhand.dit.data.Captions;
import dev.byhand.dit.data.Rng;
import dev.byhand.dit.data.ShapesDataset;
import dev.byhand.dit.data.ShapesDataset.Combination;
import dev.byhand.dit.eval.Paraphrases;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The paraphrase set is what issue 17 is judged by, so it must stay apart from training: none of
 * its content words, nor any word of the same stem, may appear in a caption the trainer can
 * produce.
 */
class ParaphraseSetTest {

  @Test
  void theSetHoldsAtLeast120PromptsCoveringEveryCombination() {
    assertThat(Paraphrases.all()).hasSizeGreaterThanOrEqualTo(120);
    Map<Combination, Integer> counts = new HashMap<>();
    for (Paraphrases.Prompt p : Paraphrases.all()) {
      counts.merge(p.combination(), 1, Integer::sum);
    }
    assertThat(counts.keySet())
        .containsExactlyInAnyOrderElementsOf(ShapesDataset.allCombinations());
    assertThat(counts.values()).allMatch(n -> n >= 2);
  }

  @Test
  void noContentWordOfTheSetAppearsInAnyTrainingCaption() {
    Set<String> trainingStems = new TreeSet<>();
    for (String w : Captions.vocabulary()) {
      trainingStems.add(Paraphrases.stem(w));
    }
    Set<String> shared = new TreeSet<>();
    for (Paraphrases.Prompt p : Paraphrases.all()) {
      for (String stem : Paraphrases.contentStems(p.text())) {
        if (trainingStems.contains(stem)) {
          shared.add(stem + " (\"" + p.text() + "\")");
        }
      }
    }
    assertThat(shared).as("paraphrase words also in training captions").isEmpty();
  }

  @Test
  void theCaptionsOfRealTrainingClipsUseOnlyTheGrammarsVocabulary() {
    Set<String> vocabulary = Captions.vocabulary();
    ShapesDataset data = ShapesDataset.defaults(1);
    for (int i = 0; i < 256; i++) {
      assertThat(vocabulary).containsAll(Paraphrases.words(data.trainingClip(i).caption()));
    }
    Rng rng = new Rng(3);
    for (int i = 0; i < 20000; i++) {
      Combination c = ShapesDataset.allCombinations().get(rng.nextInt(48));
      String caption = Captions.caption(c.colour(), c.shape(), c.direction(), rng);
      assertThat(vocabulary).as(caption).containsAll(Paraphrases.words(caption));
    }
  }

  @Test
  void stemsJoinInflectionsButKeepShortWords() {
    assertThat(Paraphrases.stem("leftwards")).isEqualTo("left");
    assertThat(Paraphrases.stem("sliding")).isEqualTo(Paraphrases.stem("slides"));
    assertThat(Paraphrases.stem("is")).isEqualTo("is");
    assertThat(Paraphrases.contentStems("The crimson orb, drifting west"))
        .containsExactly("crimson", "orb", "drift", "west");
  }
}
