package dev.byhand.vector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Lists side by side in one slab (as level 0 keeps them) stay apart and read back as written. */
class NeighborArrayTest {

  private static int[] read(NeighborArray na) {
    int[] dst = new int[na.capacity()];
    return Arrays.copyOf(dst, na.copyNodes(dst));
  }

  @Test
  void neighbouringListsInOneSlabDoNotTouchEachOther() {
    int maxDegree = 4;
    int stride = NeighborArray.stride(maxDegree);
    int[] slab = new int[3 * stride];
    float[] scores = new float[3 * (maxDegree + 1)];
    NeighborArray[] lists = new NeighborArray[3];
    for (int i = 0; i < 3; i++) {
      lists[i] = new NeighborArray(slab, scores, i * stride, i * (maxDegree + 1), maxDegree);
    }
    synchronized (lists[0]) {
      lists[0].set(new int[] {7, 8}, new float[] {0.9f, 0.8f}, 2);
    }
    synchronized (lists[2]) {
      lists[2].set(new int[] {5}, new float[] {0.5f}, 1);
    }
    // fill the middle list to capacity (one over the degree, as insert-then-prune does), out of
    // order
    float[] s = {0.3f, 0.7f, 0.1f, 0.9f, 0.5f};
    synchronized (lists[1]) {
      for (int i = 0; i < s.length; i++) {
        lists[1].insertSorted(100 + i, s[i]);
      }
    }
    assertThat(read(lists[1])).containsExactly(103, 101, 104, 100, 102);
    assertThat(lists[1].score(0)).isEqualTo(0.9f);
    assertThat(lists[1].score(4)).isEqualTo(0.1f);
    synchronized (lists[1]) {
      lists[1].removeAt(0);
      lists[1].removeAt(3);
    }
    assertThat(read(lists[1])).containsExactly(101, 104, 100);
    assertThat(lists[1].contains(104)).isTrue();
    assertThat(lists[1].contains(103)).isFalse();
    assertThat(read(lists[0])).containsExactly(7, 8);
    assertThat(read(lists[2])).containsExactly(5);
    assertThat(lists[2].score(0)).isEqualTo(0.5f);
    // the optimistic read of the slab sees what the object sees, and the count is even again
    int[] dst = new int[maxDegree + 1];
    assertThat(NeighborArray.tryCopy(slab, stride, dst)).isEqualTo(3);
    assertThat(Arrays.copyOf(dst, 3)).containsExactly(101, 104, 100);
    assertThat(slab[stride] % 2).as("sequence count after the writes").isZero();
  }
}
