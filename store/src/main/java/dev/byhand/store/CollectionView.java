package dev.byhand.store;

import java.util.List;
import java.util.Map;

/**
 * The reads of a collection: what a server answers its read routes with. A {@link Collection} is
 * one; so is a {@link ShardedCollection}, which answers them by scatter-gather over its shards
 * exactly as one collection holding the same points would.
 */
public interface CollectionView {

  /** Its configuration. */
  CollectionConfig config();

  /** Live points, sequence numbers. */
  CollectionInfo info();

  /** Its payload indexes, key → type. */
  Map<String, PayloadIndexType> payloadIndexes();

  /** The points of these ids that exist, in the order asked. */
  List<Point> get(List<String> ids, boolean withVector);

  /** Points passing {@code filter} (null: all). */
  long count(Filter filter);

  /** One page of the points passing {@code filter}, in id order from {@code cursor}. */
  Page scroll(Filter filter, String cursor, int limit, boolean withVector);

  /** The nearest points to the request's query. */
  List<ScoredPoint> search(SearchRequest request);

  /** Several searches. */
  List<List<ScoredPoint>> search(List<SearchRequest> requests);
}
