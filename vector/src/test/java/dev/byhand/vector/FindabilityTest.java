package dev.byhand.vector;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every live point must be found by a search for its own vector. The resource is a graph the
 * store's crash test produced (343 points of dimension 8, L2, after many updates, deletes,
 * compactions and reloads) in which point 77 was reachable but linked only from far away, so a
 * search with ef = 200 missed it.
 */
class FindabilityTest {

  @Test
  void repairMakesAWeaklyLinkedPointFindable(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("weak.hnsw");
    try (InputStream in = FindabilityTest.class.getResourceAsStream("weak-node-77.hnsw")) {
      Files.copy(in, file);
    }
    HnswIndex index = HnswIndex.load(file);
    assertThat(unfound(index)).as("the recorded defect is in the file").containsExactly(77);
    index.repair();
    assertThat(unfound(index)).isEmpty();
  }

  private static List<Integer> unfound(HnswIndex index) {
    List<Integer> out = new ArrayList<>();
    for (int o = 0; o < index.size(); o++) {
      if (index.isDeleted(o)) {
        continue;
      }
      int ordinal = o;
      if (index.search(index.vector(o), 10, 200).stream().noneMatch(h -> h.ordinal() == ordinal)) {
        out.add(o);
      }
    }
    return out;
  }
}
