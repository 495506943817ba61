package dev.byhand.bench.vector;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;

/**
 * JVector 4.0.0-rc.5 with its hierarchy on (HNSW-like), dot product on unit vectors. Its degree
 * parameter is the maximum degree of the base layer, so it gets {@code 2·m} to match HNSW's level
 * 0; {@code alpha} and the overflow ratio are its documented defaults (1.2). The search beam is its
 * {@code rerankK}.
 */
final class JVectorPeer implements Peer {

  private final VectorTypeSupport types =
      VectorizationProvider.getInstance().getVectorTypeSupport();
  private RandomAccessVectorValues vectors;
  private ImmutableGraphIndex graph;
  private GraphSearcher searcher;

  @Override
  public String name() {
    return "JVector 4.0.0-rc.5";
  }

  @Override
  public boolean supportsThreads(int threads) {
    return true;
  }

  @Override
  public void build(float[][] data, int m, int efConstruction, int threads) throws Exception {
    List<VectorFloat<?>> list = new ArrayList<>(data.length);
    for (float[] v : data) {
      list.add(types.createFloatVector(v));
    }
    vectors = new ListRandomAccessVectorValues(list, data[0].length);
    BuildScoreProvider scores =
        BuildScoreProvider.randomAccessScoreProvider(vectors, VectorSimilarityFunction.DOT_PRODUCT);
    ForkJoinPool pool = new ForkJoinPool(threads);
    try (GraphIndexBuilder builder =
        new GraphIndexBuilder(
            scores, data[0].length, 2 * m, efConstruction, 1.2f, 1.2f, true, true, pool, pool)) {
      graph = builder.build(vectors);
    } finally {
      pool.shutdown();
    }
    searcher = new GraphSearcher(graph);
  }

  @Override
  public int[] search(float[] query, int k, int ef) {
    VectorFloat<?> q = types.createFloatVector(query);
    SearchResult r =
        searcher.search(
            DefaultSearchScoreProvider.exact(q, VectorSimilarityFunction.DOT_PRODUCT, vectors),
            k,
            Math.max(k, ef),
            0f,
            0f,
            Bits.ALL);
    SearchResult.NodeScore[] nodes = r.getNodes();
    int[] out = new int[nodes.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = nodes[i].node;
    }
    return out;
  }

  @Override
  public long diskBytes(Path scratch) {
    return -1;
  }
}
