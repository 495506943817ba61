package dev.byhand.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.store.Collection;
import dev.byhand.store.CollectionConfig;
import dev.byhand.store.Database;
import dev.byhand.store.Filter;
import dev.byhand.store.Point;
import dev.byhand.store.ScoredPoint;
import dev.byhand.store.SearchRequest;
import dev.byhand.vector.Metric;
import java.util.ArrayList;
import java.util.List;

/** {@link Backend} on a collection of a database open in this process. */
final class EmbeddedBackend implements Backend {

  private final Database db;
  private final boolean owns;
  private final String name;

  EmbeddedBackend(Database db, boolean owns, String name) {
    this.db = db;
    this.owns = owns;
    this.name = name;
  }

  @Override
  public boolean exists() {
    return db.find(name).isPresent();
  }

  @Override
  public void ensure(int dimension) {
    synchronized (db) {
      if (db.find(name).isEmpty()) {
        db.create(CollectionConfig.of(name, dimension, Metric.COSINE));
      }
    }
  }

  @Override
  public void checkCosine() {
    db.find(name)
        .ifPresent(
            c -> {
              if (c.config().metric() != Metric.COSINE) {
                throw new IllegalArgumentException(
                    "collection: '"
                        + name
                        + "' uses metric "
                        + c.config().metric()
                        + "; LangChain4j scores need cosine");
              }
            });
  }

  @Override
  public void upsert(List<String> ids, List<float[]> vectors, List<ObjectNode> payloads) {
    Collection c = db.collection(name);
    List<Point> batch = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      batch.add(Point.of(ids.get(i), vectors.get(i), payloads.get(i)));
    }
    c.upsert(batch);
  }

  @Override
  public List<Hit> search(float[] query, int k, JsonNode filter) {
    SearchRequest r = SearchRequest.vector(query, k).withVector(true);
    if (filter != null) {
      r = r.withFilter(Filter.parse(filter));
    }
    List<Hit> out = new ArrayList<>();
    for (ScoredPoint h : db.collection(name).search(r)) {
      out.add(new Hit(h.id(), h.score(), h.vector(), h.payload()));
    }
    return out;
  }

  @Override
  public void delete(List<String> ids) {
    db.find(name).ifPresent(c -> c.delete(ids));
  }

  @Override
  public void delete(JsonNode filter) {
    db.find(name).ifPresent(c -> c.delete(Filter.parse(filter)));
  }

  @Override
  public Page scroll(String cursor, int limit, boolean withVector) {
    dev.byhand.store.Page p = db.collection(name).scroll(null, cursor, limit, withVector);
    List<Hit> out = new ArrayList<>(p.points().size());
    for (Point pt : p.points()) {
      out.add(new Hit(pt.id(), 0, pt.vector(), pt.payload()));
    }
    return new Page(out, p.nextCursor());
  }

  @Override
  public void close() {
    if (owns) {
      db.close();
    }
  }
}
