package dev.byhand.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Where {@link ByhandEmbeddingStore} keeps its points: a collection of an embedded database, or of
 * a server over HTTP. Filters are byhand filter JSON; scores are the collection's (cosine).
 */
interface Backend extends AutoCloseable {

  /** A stored or found point. */
  record Hit(String id, double score, float[] vector, ObjectNode payload) {}

  /** A page of points in id order, and the cursor of the next page (null at the end). */
  record Page(List<Hit> points, String next) {}

  /** Whether the collection exists. */
  boolean exists();

  /** Creates the collection (cosine) if it does not exist. */
  void ensure(int dimension);

  /** Checks the collection's metric is cosine, if it exists. */
  void checkCosine();

  void upsert(List<String> ids, List<float[]> vectors, List<ObjectNode> payloads);

  List<Hit> search(float[] query, int k, JsonNode filter);

  void delete(List<String> ids);

  void delete(JsonNode filter);

  Page scroll(String cursor, int limit, boolean withVector);

  @Override
  void close();
}
