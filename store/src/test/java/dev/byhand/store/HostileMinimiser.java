package dev.byhand.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;

/**
 * Shrinks a failing sequence to a small reproduction: drops operations (halves, quarters, … one at
 * a time), then points of batches and searches of batch searches, then payload keys, replaying each
 * candidate on a fresh folder and keeping it if it fails the same way ({@link
 * HostileRunner.Failure#signature()}). jqwik's own shrinking treats a sequence as any list; this
 * one knows that reads change nothing and that a batch is a list too, and so goes further in the
 * same time.
 */
final class HostileMinimiser {

  private final Path scratch;
  private final long deadline;
  private int runs;

  HostileMinimiser(Path scratch, long budgetMillis) {
    this.scratch = scratch;
    this.deadline = System.currentTimeMillis() + budgetMillis;
  }

  /** Runs a sequence on a fresh folder; returns its failure, or null if it passes. */
  static HostileRunner.Failure failure(Path scratch, HostileOp.Sequence s) {
    Path dir;
    try {
      dir = Files.createTempDirectory(scratch, "min");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      new HostileRunner(dir, s.setup(), new HostileRunner.Strict(), false).run(s.ops());
      return null;
    } catch (HostileRunner.Failure f) {
      return f;
    } finally {
      try {
        HostileRunner.deleteRecursively(dir);
      } catch (IOException ignored) {
        // temp folder: left for the OS
      }
    }
  }

  private boolean failsSame(HostileOp.Sequence s, String signature) {
    runs++;
    HostileRunner.Failure f = failure(scratch, s);
    return f != null && f.signature().equals(signature);
  }

  private boolean timeLeft() {
    return System.currentTimeMillis() < deadline;
  }

  int runs() {
    return runs;
  }

  /** The smallest sequence found in the time given that fails with {@code signature}. */
  HostileOp.Sequence minimise(HostileOp.Sequence s, String signature) {
    boolean changed = true;
    while (changed && timeLeft()) {
      changed = false;
      // 1. Operations, in chunks from half the list down to one.
      for (int chunk = Math.max(1, s.ops().size() / 2); chunk >= 1 && timeLeft(); chunk /= 2) {
        for (int at = 0; at < s.ops().size() && timeLeft(); ) {
          List<HostileOp> ops = new ArrayList<>(s.ops());
          ops.subList(at, Math.min(ops.size(), at + chunk)).clear();
          HostileOp.Sequence t = new HostileOp.Sequence(s.setup(), ops);
          if (!ops.isEmpty() && failsSame(t, signature)) {
            s = t;
            changed = true;
          } else {
            at += chunk;
          }
        }
        if (chunk == 1) {
          break;
        }
      }
      // 2. Inside operations: points of a batch, searches of a batch, payload keys.
      for (int i = 0; i < s.ops().size() && timeLeft(); i++) {
        for (HostileOp smaller : smaller(s.ops().get(i))) {
          if (!timeLeft()) {
            break;
          }
          List<HostileOp> ops = new ArrayList<>(s.ops());
          ops.set(i, smaller);
          HostileOp.Sequence t = new HostileOp.Sequence(s.setup(), ops);
          if (failsSame(t, signature)) {
            s = t;
            changed = true;
            i--; // try this operation again, smaller still
            break;
          }
        }
      }
    }
    return s;
  }

  /** Simpler versions of one operation, simplest first. */
  private static List<HostileOp> smaller(HostileOp op) {
    List<HostileOp> out = new ArrayList<>();
    if (op instanceof HostileOp.Upsert u) {
      for (List<HostileOp.PointSpec> l : without(u.points())) {
        out.add(new HostileOp.Upsert(l));
      }
      for (int i = 0; i < u.points().size(); i++) {
        HostileOp.PointSpec p = u.points().get(i);
        for (ObjectNode q : smallerPayloads(p.payload())) {
          List<HostileOp.PointSpec> l = new ArrayList<>(u.points());
          l.set(i, new HostileOp.PointSpec(p.id(), p.vector(), q, p.text(), p.nullPoint()));
          out.add(new HostileOp.Upsert(l));
        }
      }
    } else if (op instanceof HostileOp.Search s) {
      for (List<HostileOp.SearchSpec> l : without(s.searches())) {
        out.add(new HostileOp.Search(l));
      }
    } else if (op instanceof HostileOp.SetPayload s) {
      for (ObjectNode q : smallerPayloads(s.values())) {
        if (q != null) {
          out.add(new HostileOp.SetPayload(s.ids(), s.filter(), q));
        }
      }
      if (s.ids() != null) {
        for (List<String> l : without(s.ids())) {
          out.add(new HostileOp.SetPayload(l, null, s.values()));
        }
      }
    } else if (op instanceof HostileOp.OverwritePayload o) {
      for (ObjectNode q : smallerPayloads(o.payload())) {
        if (q != null) {
          out.add(new HostileOp.OverwritePayload(o.ids(), q));
        }
      }
    } else if (op instanceof HostileOp.DeleteIds d && d.ids() != null) {
      for (List<String> l : without(d.ids())) {
        out.add(new HostileOp.DeleteIds(l));
      }
    } else if (op instanceof HostileOp.Get g && g.ids() != null) {
      for (List<String> l : without(g.ids())) {
        out.add(new HostileOp.Get(l, g.withVector()));
      }
    }
    return out;
  }

  private static <T> List<List<T>> without(List<T> list) {
    List<List<T>> out = new ArrayList<>();
    if (list.size() <= 1) {
      return out;
    }
    if (list.size() >= 4) { // halves first: a long batch shrinks in a few steps
      out.add(new ArrayList<>(list.subList(0, list.size() / 2)));
      out.add(new ArrayList<>(list.subList(list.size() / 2, list.size())));
    }
    for (int i = 0; i < list.size(); i++) {
      List<T> l = new ArrayList<>(list);
      l.remove(i);
      out.add(l);
    }
    return out;
  }

  private static List<ObjectNode> smallerPayloads(ObjectNode p) {
    List<ObjectNode> out = new ArrayList<>();
    if (p == null) {
      return out;
    }
    out.add(null);
    if (p.size() > 1 && p.size() <= 64) {
      for (Iterator<String> it = p.fieldNames(); it.hasNext(); ) {
        ObjectNode q = p.deepCopy();
        q.remove(it.next());
        out.add(q);
      }
    } else if (p.size() > 64) {
      ObjectNode q = Json.MAPPER.createObjectNode();
      Iterator<String> it = p.fieldNames();
      for (int i = 0; i < p.size() / 2; i++) {
        String k = it.next();
        q.set(k, p.get(k));
      }
      out.add(q);
    }
    return out;
  }

  /** Minimises and renders a failure for a report. */
  static String report(
      Path scratch, HostileOp.Sequence s, HostileRunner.Failure f, long budgetMillis) {
    HostileMinimiser m = new HostileMinimiser(scratch, budgetMillis);
    HostileOp.Sequence small = m.minimise(s, f.signature());
    HostileRunner.Failure again = failure(scratch, small);
    Function<HostileRunner.Failure, String> head =
        x -> x == null ? "(passes now)" : x.kind + " " + x.where + ": " + x.detail;
    return "signature: "
        + f.signature()
        + "\nminimised in "
        + m.runs()
        + " replays from "
        + s.ops().size()
        + " to "
        + small.ops().size()
        + " operations:\n"
        + small
        + "fails with: "
        + head.apply(again)
        + "\n";
  }
}
