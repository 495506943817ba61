package dev.byhand.bench.vector;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Lucene 9.12.3 HNSW through its public API: one segment (no merges, a RAM buffer that holds
 * everything), {@code Lucene99HnswVectorsFormat(maxConn = m, beamWidth = efConstruction)}, dot
 * product on unit vectors. The graph is built while documents are added, on the one indexing
 * thread, so only single-threaded builds are measured. A search with beam ef is a {@link
 * KnnFloatVectorQuery} for ef hits, of which the best k are kept (as ann-benchmarks does).
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

  @Override
  public boolean supportsThreads(int threads) {
    return threads == 1;
  }

  @Override
  public void build(float[][] data, int m, int efConstruction, int threads) throws IOException {
    closeReader();
    clear();
    directory = FSDirectory.open(dir);
    IndexWriterConfig config = new IndexWriterConfig();
    config.setCodec(
        new Lucene912Codec() {
          @Override
          public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
            return new Lucene99HnswVectorsFormat(m, efConstruction);
          }
        });
    config.setRAMBufferSizeMB(2048);
    config.setMergePolicy(NoMergePolicy.INSTANCE);
    try (IndexWriter writer = new IndexWriter(directory, config)) {
      for (float[] v : data) {
        Document doc = new Document();
        doc.add(new KnnFloatVectorField("v", v, VectorSimilarityFunction.DOT_PRODUCT));
        writer.addDocument(doc);
      }
      writer.commit();
    }
    reader = DirectoryReader.open(directory);
    if (reader.leaves().size() != 1) {
      throw new IllegalStateException("expected one segment, got " + reader.leaves().size());
    }
    searcher = new IndexSearcher(reader);
  }

  @Override
  public int[] search(float[] query, int k, int ef) throws IOException {
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
