package dev.byhand.bench.vector;

import com.github.jelmerk.hnswlib.core.DistanceFunctions;
import com.github.jelmerk.hnswlib.core.Item;
import com.github.jelmerk.hnswlib.core.SearchResult;
import com.github.jelmerk.hnswlib.core.hnsw.HnswIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code com.github.jelmerk:hnswlib-core:1.2.1}, the pure-Java port of hnswlib, inner product. */
final class JelmerkPeer implements Peer {

  /** An indexed row: the library stores items, not bare vectors. */
  record Row(Integer id, float[] vector) implements Item<Integer, float[]> {
    private static final long serialVersionUID = 1L;

    @Override
    public int dimensions() {
      return vector.length;
    }
  }

  private HnswIndex<Integer, float[], Row, Float> index;

  @Override
  public String name() {
    return "hnswlib-core 1.2.1 (Java)";
  }

  @Override
  public boolean supportsThreads(int threads) {
    return true;
  }

  @Override
  public void build(float[][] data, int m, int efConstruction, int threads) throws Exception {
    index =
        HnswIndex.newBuilder(data[0].length, DistanceFunctions.FLOAT_INNER_PRODUCT, data.length)
            .withM(m)
            .withEfConstruction(efConstruction)
            .build();
    List<Row> rows = new ArrayList<>(data.length);
    for (int i = 0; i < data.length; i++) {
      rows.add(new Row(i, data[i]));
    }
    index.addAll(rows, threads, (done, max) -> {}, Integer.MAX_VALUE);
  }

  @Override
  public int[] search(float[] query, int k, int ef) {
    index.setEf(Math.max(k, ef));
    List<SearchResult<Row, Float>> r = index.findNearest(query, k);
    int[] out = new int[r.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = r.get(i).item().id();
    }
    return out;
  }

  @Override
  public long diskBytes(Path scratch) throws Exception {
    Path file = scratch.resolve("jelmerk.bin");
    index.save(file);
    long size = Files.size(file);
    Files.delete(file);
    return size;
  }
}
