package dev.byhand.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.store.HostileModel.PayloadChange;
import dev.byhand.store.HostileModel.Stored;
import dev.byhand.store.HostileModel.V;
import dev.byhand.store.HostileOp.Show;
import dev.byhand.store.HostileRunner.Want;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Writes, once for the runner in this JVM and the crash worker in another: what the model expects
 * of each ({@link #expect}), the store call that makes it ({@link #call}), and the comparison of a
 * whole collection with the model ({@link #difference}).
 */
final class HostileWrites {

  private HostileWrites() {}

  /**
   * What the model says a write does.
   *
   * @param validity whether the request is valid
   * @param want what a valid request does: succeed, or fail with NotFound / Conflict
   * @param result the count the call returns, or null if it returns none
   * @param apply the change to the model when the call succeeds
   */
  record Expect(V validity, Want want, Integer result, Consumer<HostileModel> apply) {}

  private static final Consumer<HostileModel> NOTHING = m -> {};

  static Expect expect(HostileModel model, HostileOp op) {
    if (op instanceof HostileOp.Upsert u) {
      return upsert(model, u.points());
    }
    if (op instanceof HostileOp.BigBatch b) {
      return upsert(model, b.points(model.setup.dimension()));
    }
    if (op instanceof HostileOp.DeleteIds d) {
      V v = HostileModel.ids(d.ids());
      if (v == V.BAD) {
        return new Expect(v, Want.SUCCESS, null, NOTHING);
      }
      int n = 0;
      for (String id : new LinkedHashSet<>(d.ids())) {
        n += model.points.containsKey(id) ? 1 : 0;
      }
      return new Expect(v, Want.SUCCESS, n, m -> m.delete(d.ids()));
    }
    if (op instanceof HostileOp.DeleteFilter d) {
      V v = d.filter() == null ? V.BAD : HostileModel.filter(d.filter());
      if (v == V.BAD) {
        return new Expect(v, Want.SUCCESS, null, NOTHING);
      }
      List<String> targets = model.matching(d.filter());
      return new Expect(v, Want.SUCCESS, targets.size(), m -> m.delete(targets));
    }
    if (op instanceof HostileOp.SetPayload s) {
      return payload(model, s.ids(), s.filter(), PayloadChange.SET, s.values(), null);
    }
    if (op instanceof HostileOp.OverwritePayload o) {
      return payload(model, o.ids(), null, PayloadChange.OVERWRITE, o.payload(), null);
    }
    if (op instanceof HostileOp.DeletePayloadKeys d) {
      return payload(model, d.ids(), d.filter(), PayloadChange.DELETE_KEYS, null, d.keys());
    }
    if (op instanceof HostileOp.CreateIndex x) {
      V v = HostileModel.key(x.key()).and(x.type() == null ? V.BAD : V.OK);
      PayloadIndexType existing = x.key() == null ? null : model.indexes.get(x.key());
      Want want = existing == null || existing == x.type() ? Want.SUCCESS : Want.CONFLICT;
      return new Expect(v, want, null, m -> m.indexes.put(x.key(), x.type()));
    }
    if (op instanceof HostileOp.DropIndex x) {
      // Dropping what cannot be a key: NotFound, or refused as invalid.
      V v = HostileModel.key(x.key()) == V.OK ? V.OK : V.MAYBE;
      Want want = model.indexes.containsKey(x.key()) ? Want.SUCCESS : Want.NOT_FOUND;
      return new Expect(v, want, null, m -> m.indexes.remove(x.key()));
    }
    if (op instanceof HostileOp.Checkpoint || op instanceof HostileOp.Compact) {
      return new Expect(V.OK, Want.SUCCESS, null, NOTHING);
    }
    throw new IllegalArgumentException("not a write: " + op);
  }

  private static Expect upsert(HostileModel model, List<HostileOp.PointSpec> batch) {
    V v = batch.isEmpty() || batch.size() > Collection.MAX_BATCH ? V.BAD : V.OK;
    for (HostileOp.PointSpec p : batch) {
      if (p.nullPoint() || p.text() != null) {
        v = V.BAD; // a null point; text, with no encoder
        continue;
      }
      v =
          v.and(HostileModel.id(p.id()))
              .and(model.vector(p.vector()))
              .and(HostileModel.payload(p.payload()));
    }
    return new Expect(v, Want.SUCCESS, null, m -> m.upsert(batch));
  }

  private static Expect payload(
      HostileModel model,
      List<String> ids,
      JsonNode filter,
      PayloadChange how,
      ObjectNode values,
      List<String> keys) {
    V v =
        how == PayloadChange.DELETE_KEYS
            ? HostileModel.keys(keys)
            : values == null ? V.BAD : HostileModel.payload(values);
    List<String> targets;
    Want want = Want.SUCCESS;
    if (ids != null) {
      v = v.and(HostileModel.ids(ids));
      targets = new ArrayList<>(new LinkedHashSet<>(ids));
      for (String id : ids) {
        if (id != null && !model.points.containsKey(id)) {
          want = Want.NOT_FOUND; // all or nothing
        }
      }
    } else if (filter == null) {
      v = V.BAD;
      targets = List.of();
    } else {
      v = v.and(HostileModel.filter(filter));
      targets = v == V.BAD ? List.of() : model.matching(filter);
    }
    if (how == PayloadChange.SET && values != null && v != V.BAD) {
      // a merge past 1 MiB is refused; near it, either way
      for (String id : targets) {
        Stored s = model.points.get(id);
        if (s != null && s.payload() != null) {
          ObjectNode merged = s.payload().deepCopy();
          merged.setAll(values.deepCopy());
          v = v.and(HostileModel.payload(merged));
        }
      }
    }
    List<String> t = targets;
    return new Expect(
        v, want, ids == null ? targets.size() : null, m -> m.changePayload(t, how, values, keys));
  }

  private static Filter parse(JsonNode f) {
    return f == null ? null : Filter.parse(f);
  }

  /** The store call of a write; returns the count it returns, or null. */
  static HostileRunner.Call call(Collection c, int dimension, HostileOp op) {
    if (op instanceof HostileOp.Upsert u) {
      return () -> {
        c.upsert(points(u.points()));
        return null;
      };
    }
    if (op instanceof HostileOp.BigBatch b) {
      return () -> {
        c.upsert(points(b.points(dimension)));
        return null;
      };
    }
    if (op instanceof HostileOp.DeleteIds d) {
      return () -> c.delete(d.ids());
    }
    if (op instanceof HostileOp.DeleteFilter d) {
      return () -> c.delete(parse(d.filter()));
    }
    if (op instanceof HostileOp.SetPayload s) {
      return s.ids() != null
          ? () -> {
            c.setPayload(s.ids(), s.values());
            return null;
          }
          : () -> c.setPayload(parse(s.filter()), s.values());
    }
    if (op instanceof HostileOp.OverwritePayload o) {
      return () -> {
        c.overwritePayload(o.ids(), o.payload());
        return null;
      };
    }
    if (op instanceof HostileOp.DeletePayloadKeys d) {
      return d.ids() != null
          ? () -> {
            c.deletePayloadKeys(d.ids(), d.keys());
            return null;
          }
          : () -> c.deletePayloadKeys(parse(d.filter()), d.keys());
    }
    if (op instanceof HostileOp.CreateIndex x) {
      return () -> {
        c.createPayloadIndex(x.key(), x.type());
        return null;
      };
    }
    if (op instanceof HostileOp.DropIndex x) {
      return () -> {
        c.dropPayloadIndex(x.key());
        return null;
      };
    }
    if (op instanceof HostileOp.Checkpoint) {
      return () -> {
        c.checkpoint();
        return null;
      };
    }
    if (op instanceof HostileOp.Compact) {
      return () -> {
        c.compact();
        return null;
      };
    }
    throw new IllegalArgumentException("not a write: " + op);
  }

  private static List<Point> points(List<HostileOp.PointSpec> specs) {
    List<Point> out = new ArrayList<>(specs.size());
    for (HostileOp.PointSpec p : specs) {
      out.add(p.toPoint());
    }
    return out;
  }

  // ---- comparing ----------------------------------------------------------------------------

  /** How a point the store returned differs from the model's, or null if it does not. */
  static String difference(HostileModel model, Point p, boolean withVector, String what) {
    Stored s = model.points.get(p.id());
    if (s == null) {
      return what + " returned " + Show.str(p.id()) + ", which the model does not hold";
    }
    if (!HostileModel.samePayload(p.payload(), s.payload())) {
      return what
          + ": point "
          + Show.str(p.id())
          + " has payload "
          + Show.json(p.payload())
          + ", expected "
          + Show.json(s.payload());
    }
    if (withVector ? !model.vectorMatches(p.vector(), s.vector()) : p.vector() != null) {
      return what
          + ": point "
          + Show.str(p.id())
          + " has vector "
          + Show.vec(p.vector())
          + ", expected "
          + (withVector ? Show.vec(model.expectedStored(s.vector())) : "none");
    }
    return null;
  }

  /**
   * How a whole collection (count, a full scroll, info, index definitions) differs from the model,
   * or null if it does not.
   */
  static String difference(HostileModel model, Collection col, String what) {
    long n = col.count(null);
    if (n != model.points.size()) {
      return what + " counts " + n + " points, the model holds " + model.points.size();
    }
    List<Point> all = scrollAll(col);
    List<String> ids = all.stream().map(Point::id).toList();
    if (!ids.equals(new ArrayList<>(model.points.keySet()))) {
      return what
          + " holds "
          + Show.strs(ids)
          + ", the model "
          + Show.strs(new ArrayList<>(model.points.keySet()));
    }
    for (Point p : all) {
      String d = difference(model, p, true, what);
      if (d != null) {
        return d;
      }
    }
    if (!new TreeMap<>(col.payloadIndexes()).equals(model.indexes)) {
      return what + " has payload indexes " + col.payloadIndexes() + ", the model " + model.indexes;
    }
    if (col.info().points() != model.points.size()) {
      return what + ": info says " + col.info().points() + " points";
    }
    return null;
  }

  static List<Point> scrollAll(Collection col) {
    List<Point> all = new ArrayList<>();
    String cursor = null;
    for (int pages = 0; pages < 10_000; pages++) {
      Page p = col.scroll(null, cursor, 1000, true);
      all.addAll(p.points());
      cursor = p.nextCursor();
      if (cursor == null) {
        return all;
      }
    }
    throw new IllegalStateException("scroll does not end");
  }
}
