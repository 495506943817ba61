package dev.byhand.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.byhand.store.CollectionConfig;
import dev.byhand.store.CollectionInfo;
import dev.byhand.store.Database;
import dev.byhand.store.Filter;
import dev.byhand.store.InvalidRequestException;
import dev.byhand.store.Point;
import dev.byhand.store.ScoredPoint;
import dev.byhand.store.SearchRequest;
import dev.byhand.store.Snapshots;
import dev.byhand.vector.Metric;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** {@link DbBackend} on a database folder opened in this process. */
final class EmbeddedBackend implements DbBackend {

  private final Database db;

  EmbeddedBackend(Path folder) {
    this.db = Database.open(folder);
  }

  private static Info info(CollectionInfo i) {
    CollectionConfig c = i.config();
    return new Info(
        c.name(),
        c.dimension(),
        c.metric().name().toLowerCase(Locale.ROOT),
        c.encoder(),
        i.points());
  }

  static Metric metric(String name) {
    for (Metric m : Metric.values()) {
      if (m.name().equalsIgnoreCase(name)) {
        return m;
      }
    }
    throw new InvalidRequestException("metric", "must be dot, cosine or l2, got '" + name + "'");
  }

  @Override
  public Info create(String name, String encoder, int dimension, String metric) {
    CollectionConfig c;
    if (encoder != null) {
      c = CollectionConfig.withEncoder(name, encoder);
      if (dimension != 0 && dimension != c.dimension()) {
        throw new InvalidRequestException(
            "dimension",
            "encoder '" + encoder + "' makes " + c.dimension() + " numbers, got " + dimension);
      }
      if (metric != null) {
        c =
            new CollectionConfig(
                name,
                c.dimension(),
                metric(metric),
                encoder,
                c.m(),
                c.efConstruction(),
                c.durability(),
                c.syncIntervalMillis());
      }
    } else {
      if (dimension == 0) {
        throw new InvalidRequestException("dimension", "is required when no encoder is given");
      }
      c = CollectionConfig.of(name, dimension, metric == null ? Metric.COSINE : metric(metric));
    }
    return info(db.create(c).info());
  }

  @Override
  public Info info(String name) {
    return info(db.collection(name).info());
  }

  @Override
  public List<String> list() {
    return db.list();
  }

  @Override
  public List<Failed> failed() {
    return db.failed().stream().map(f -> new Failed(f.name(), f.reason())).toList();
  }

  @Override
  public void upsert(String collection, List<Point> points) {
    db.collection(collection).upsert(points);
  }

  @Override
  public List<ScoredPoint> search(
      String collection, String text, float[] vector, int k, JsonNode filter) {
    SearchRequest r = text != null ? SearchRequest.text(text, k) : SearchRequest.vector(vector, k);
    if (filter != null) {
      r = r.withFilter(Filter.parse(filter));
    }
    return db.collection(collection).search(r);
  }

  @Override
  public List<Point> get(String collection, List<String> ids, boolean withVector) {
    return db.collection(collection).get(ids, withVector);
  }

  @Override
  public int delete(String collection, List<String> ids) {
    return db.collection(collection).delete(ids);
  }

  @Override
  public int delete(String collection, JsonNode filter) {
    return db.collection(collection).delete(Filter.parse(filter));
  }

  @Override
  public void drop(String collection) {
    db.drop(collection);
  }

  @Override
  public long count(String collection, JsonNode filter) {
    return db.collection(collection).count(filter == null ? null : Filter.parse(filter));
  }

  @Override
  public String snapshot(String collection) {
    return Snapshots.create(db, collection);
  }

  @Override
  public List<String> snapshots(String collection) {
    return Snapshots.list(db, collection); // not found if it does not exist
  }

  @Override
  public Info restore(String collection, String snapshot, String target) {
    return info(Snapshots.restore(db, collection, snapshot, target).info());
  }

  @Override
  public void close() {
    db.close();
  }
}
