package dev.byhand.bench.vector;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;

/**
 * Lucene 9.12.3 HNSW through its public API, {@code Lucene99HnswVectorsFormat(maxConn = m,
 * beamWidth = efConstruction)}, dot product on unit vectors. A single-threaded build adds every
 * document from one thread into one segment (no merges, a RAM buffer that holds everything): the
 * graph is built while documents are added. Lucene builds one graph with several threads only when
 * merging, so an n-thread build is what its users run for that: n indexing threads, each adding its
 * share into its own segment (each builds its own graph), then {@code forceMerge(1)} with n merge
 * workers, which joins the graphs into one ({@code HnswConcurrentMergeBuilder}). Document order
 * then differs from the rows', so only a single-threaded build is searched (the bench builds it
 * last). A search with beam ef is a {@link KnnFloatVectorQuery} for ef hits, of which the best k
 * are kept (as ann-benchmarks does).
 */
final class LucenePeer implements Peer {

  private final Path dir;
  private FSDirectory directory;
  private DirectoryReader reader;
  private IndexSearcher searcher;

  LucenePeer(Path scratch) throws IOException {
    this.dir = Files.createTempDirectory(scratch, "lucene");
  }

  @Override
  public String name() {
    return "Lucene 9.12.3";
  }

  /** Documents are numbered as the rows only after a single-threaded build. */
  private boolean rowOrder;

  @Override
  public boolean supportsThreads(int threads) {
    return threads >= 1;
  }

  @Override
  public void build(float[][] data, int m, int efConstruction, int threads) throws IOException {
    closeReader();
    clear();
    directory = FSDirectory.open(dir);
    ExecutorService mergeWorkers = threads > 1 ? Executors.newFixedThreadPool(threads) : null;
    IndexWriterConfig config = new IndexWriterConfig();
    config.setCodec(
        new Lucene912Codec() {
          @Override
          public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
            return threads > 1
                ? new Lucene99HnswVectorsFormat(m, efConstruction, threads, mergeWorkers)
                : new Lucene99HnswVectorsFormat(m, efConstruction);
          }
        });
    config.setRAMBufferSizeMB(2048);
    if (threads == 1) {
      config.setMergePolicy(NoMergePolicy.INSTANCE);
    }
    try (IndexWriter writer = new IndexWriter(directory, config)) {
      if (threads == 1) {
        for (float[] v : data) {
          writer.addDocument(document(v));
        }
      } else {
        // the merge workers' pool indexes first: each thread its share, into its own segment
        List<Future<?>> shares = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int from = (int) ((long) data.length * t / threads);
          int to = (int) ((long) data.length * (t + 1) / threads);
          shares.add(
              mergeWorkers.submit(
                  () -> {
                    for (int i = from; i < to; i++) {
                      writer.addDocument(document(data[i]));
                    }
                    return null;
                  }));
        }
        for (Future<?> share : shares) {
          try {
            share.get();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while indexing", e);
          } catch (ExecutionException e) {
            throw new IOException("indexing failed", e.getCause());
          }
        }
        writer.forceMerge(1);
      }
      writer.commit();
    } finally {
      if (mergeWorkers != null) {
        mergeWorkers.shutdown();
      }
    }
    rowOrder = threads == 1;
    reader = DirectoryReader.open(directory);
    if (reader.leaves().size() != 1) {
      throw new IllegalStateException("expected one segment, got " + reader.leaves().size());
    }
    searcher = new IndexSearcher(reader);
  }

  private static Document document(float[] v) {
    Document doc = new Document();
    doc.add(new KnnFloatVectorField("v", v, VectorSimilarityFunction.DOT_PRODUCT));
    return doc;
  }

  @Override
  public int[] search(float[] query, int k, int ef) throws IOException {
    if (!rowOrder) {
      throw new IllegalStateException(
          "documents follow the rows only after a single-threaded build");
    }
    TopDocs top = searcher.search(new KnnFloatVectorQuery("v", query, Math.max(k, ef)), k);
    int[] out = new int[top.scoreDocs.length];
    int i = 0;
    for (ScoreDoc d : top.scoreDocs) {
      out[i++] = d.doc;
    }
    return out;
  }

  @Override
  public long diskBytes(Path scratch) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.mapToLong(p -> p.toFile().length()).sum();
    }
  }

  private void closeReader() throws IOException {
    if (reader != null) {
      reader.close();
      reader = null;
    }
    if (directory != null) {
      directory.close();
      directory = null;
    }
  }

  private void clear() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Files.delete(p);
      }
    }
  }

  @Override
  public void close() throws IOException {
    closeReader();
    clear();
    Files.deleteIfExists(dir);
  }
}
