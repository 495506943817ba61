package dev.byhand.bench.vector;

import dev.byhand.vector.Compression;
import dev.byhand.vector.HnswIndex;
import dev.byhand.vector.HnswSearcher;
import dev.byhand.vector.Metric;
import dev.byhand.vector.SearchResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * byhand's own HNSW ({@code dev.byhand.vector.HnswIndex}), dot product on unit vectors; optionally
 * navigating on int8 or binary codes (trained on the first 10,000 rows) with an exact re-rank of
 * the ef best.
 */
final class ByhandPeer implements Peer {

  private final String compression;
  private HnswIndex index;
  private HnswSearcher searcher;

  /**
   * @param compression none, int8 or binary
   */
  ByhandPeer(String compression) {
    this.compression = compression;
  }

  @Override
  public String name() {
    return compression.equals("none") ? "byhand HNSW" : "byhand HNSW " + compression + " + re-rank";
  }

  @Override
  public boolean supportsThreads(int threads) {
    return true;
  }

  @Override
  public void build(float[][] data, int m, int efConstruction, int threads) {
    float[][] sample = java.util.Arrays.copyOf(data, Math.min(data.length, 10_000));
    Compression c =
        switch (compression) {
          case "int8" -> Compression.int8(sample);
          case "binary" -> Compression.binary(sample);
          default -> Compression.none();
        };
    index =
        HnswIndex.builder(data[0].length, Metric.DOT)
            .m(m)
            .efConstruction(efConstruction)
            .seed(42)
            .compression(c)
            .build();
    int[] ordinals = index.addAll(data, threads);
    if (threads == 1) {
      for (int i = 0; i < ordinals.length; i++) {
        if (ordinals[i] != i) {
          throw new IllegalStateException("ordinal " + ordinals[i] + " for row " + i);
        }
      }
    }
    searcher = index.searcher();
  }

  /** Ordinals follow rows only for a single-threaded build; the harness rebuilds that way last. */
  @Override
  public int[] search(float[] query, int k, int ef) {
    List<SearchResult> r = searcher.search(query, k, ef, null);
    int[] out = new int[r.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = r.get(i).ordinal();
    }
    return out;
  }

  @Override
  public long diskBytes(Path scratch) throws Exception {
    Path file = scratch.resolve("byhand.hnsw");
    index.save(file);
    long size = Files.size(file);
    HnswIndex.load(file); // the file must load back
    Files.delete(file);
    return size;
  }
}
