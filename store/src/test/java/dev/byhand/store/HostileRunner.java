package dev.byhand.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.store.HostileModel.Stored;
import dev.byhand.store.HostileModel.V;
import dev.byhand.store.HostileOp.Show;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Plays a {@link HostileOp.Sequence} against a real {@link Database} in a folder and against a
 * {@link HostileModel}, and reports every answer that differs, every refusal of a valid request,
 * every acceptance of an invalid one, every exception that is not {@link InvalidRequestException},
 * {@link NotFoundException} or {@link ConflictException} (a 5xx, over HTTP), and every time the
 * database does not open again. After each write (and each refused write: a refusal must change
 * nothing) the whole collection is compared with the model; the sequence ends by reopening.
 */
final class HostileRunner {

  /** Where findings go: {@link Strict} stops at the first, {@link Counts} counts them. */
  interface Findings {
    void openFailure(String where, Throwable t);

    void differs(String where, String what);

    void unexpected(String where, Throwable t);
  }

  /** A finding, as thrown by {@link Strict}: what kind, at which operation, and why. */
  static final class Failure extends AssertionError {
    private static final long serialVersionUID = 1L;

    final String kind;
    final String where;
    final String detail;

    Failure(String kind, String where, String detail, Throwable cause) {
      super(kind + " " + where + ": " + detail + (cause == null ? "" : trace(cause)), cause);
      this.kind = kind;
      this.where = where;
      this.detail = detail;
    }

    /**
     * What stays the same while a sequence is minimised: the kind, the operation's name, and the
     * exception class or the first words of the difference (quoted text and numbers left out).
     */
    String signature() {
      String op = where.replaceFirst("^at operation [0-9]+ ", "");
      op =
          op.startsWith("/* ")
              ? op.substring(3).replaceFirst("[;(].*", "") // db.close, snapshot, db.drop
              : op.replaceFirst("[(/].*", "");
      String why;
      if (getCause() != null) {
        why = getCause().getClass().getName();
      } else {
        why =
            detail
                .replaceAll("new float\\[\\] \\{[^}]*\\}", "V")
                .replaceAll("\"(\\\\.|[^\"\\\\])*\"", "S")
                .replaceAll("-?[0-9][0-9.E+-]*", "N")
                .replaceAll("List\\.of\\(.*", "…");
        why = why.length() > 70 ? why.substring(0, 70) : why;
      }
      return kind + " | " + op + " | " + why;
    }
  }

  /** Stops at the first finding with a {@link Failure}. */
  static final class Strict implements Findings {
    @Override
    public void openFailure(String where, Throwable t) {
      throw new Failure("DATABASE DOES NOT OPEN", where, String.valueOf(t), t);
    }

    @Override
    public void differs(String where, String what) {
      throw new Failure("ANSWER DIFFERS FROM THE MODEL", where, what, null);
    }

    @Override
    public void unexpected(String where, Throwable t) {
      throw new Failure("UNEXPECTED EXCEPTION (a 5xx)", where, String.valueOf(t), t);
    }
  }

  /** Counts findings by kind and keeps the first few of each. */
  static final class Counts implements Findings {
    long openFailures;
    long differences;
    long unexpected;
    final List<String> examples = new ArrayList<>();

    private void keep(String s) {
      if (examples.size() < 30) {
        examples.add(s);
      }
    }

    @Override
    public void openFailure(String where, Throwable t) {
      openFailures++;
      keep("open failure " + where + ": " + t);
    }

    @Override
    public void differs(String where, String what) {
      differences++;
      keep("differs " + where + ": " + what);
    }

    @Override
    public void unexpected(String where, Throwable t) {
      unexpected++;
      keep("unexpected " + where + ": " + t);
    }
  }

  static String trace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    String s = w.toString();
    return "\n" + (s.length() > 4000 ? s.substring(0, 4000) + "…" : s);
  }

  /** What the model expects a call to do if the request passes validation. */
  enum Want {
    SUCCESS,
    NOT_FOUND,
    CONFLICT
  }

  /** A call's result: whether it returned (and so applied), and what. */
  private record Outcome(boolean returned, Object value) {}

  @FunctionalInterface
  interface Call {
    Object run() throws Exception;
  }

  private final Path root;
  private final HostileOp.Setup setup;
  private final Findings findings;
  private final boolean resync;
  private Database db;
  private Collection c;
  private String name = "c";
  private HostileModel model;
  private String where = "at open";
  private boolean flagged;
  private int copies;
  long operations;

  /**
   * @param root an empty folder for the database and its snapshots
   * @param resync after a finding, take the store's state as the model's and go on (long runs);
   *     with {@link Strict} findings the run stops anyway
   */
  HostileRunner(Path root, HostileOp.Setup setup, Findings findings, boolean resync) {
    this.root = root;
    this.setup = setup;
    this.findings = findings;
    this.resync = resync;
    this.model = new HostileModel(setup);
  }

  // ---- findings (at most one per operation, so counts count operations) -------------------

  private void differs(String what) {
    if (!flagged) {
      flagged = true;
      findings.differs(where, what);
    }
  }

  private void unexpected(Throwable t) {
    if (!flagged) {
      flagged = true;
      findings.unexpected(where, t);
    }
  }

  // ---- the run ----------------------------------------------------------------------------

  /** Runs the operations; returns false if the database stopped opening (the run ends there). */
  boolean run(List<HostileOp> ops) {
    try {
      db = Database.open(root.resolve("db"));
      c = db.create(setup.config(name));
      c.checkpointBytes(setup.checkpointBytes());
    } catch (RuntimeException e) {
      findings.openFailure("creating the collection", e);
      return false;
    }
    try {
      for (int i = 0; i < ops.size(); i++) {
        HostileOp op = ops.get(i);
        where = "at operation " + i + " " + op;
        flagged = false;
        operations++;
        if (!step(op)) {
          return false;
        }
        if (flagged && resync) {
          resync();
        }
      }
      where = "at the final reopen";
      flagged = false;
      operations++;
      return reopen();
    } finally {
      closeQuietly();
    }
  }

  private void closeQuietly() {
    if (db != null) {
      try {
        db.close();
      } catch (RuntimeException ignored) {
        // reported where it mattered
      }
      db = null;
    }
  }

  /** One operation; false if the database no longer opens. */
  private boolean step(HostileOp op) {
    if (op.isWrite()) {
      write(op);
    } else if (op instanceof HostileOp.Get g) {
      get(g);
    } else if (op instanceof HostileOp.Count n) {
      count(n.filter());
    } else if (op instanceof HostileOp.Scroll s) {
      scroll(s);
    } else if (op instanceof HostileOp.Search s) {
      search(s.searches());
    } else if (op instanceof HostileOp.Reopen) {
      return reopen();
    } else if (op instanceof HostileOp.SnapshotRestore s) {
      snapshotRestore(s.continueOnCopy());
    } else if (op instanceof HostileOp.Recreate) {
      recreate();
    } else {
      throw new IllegalArgumentException("unknown operation " + op);
    }
    return true;
  }

  /**
   * Runs a call the model has judged: {@code v} says whether the request is valid, {@code want}
   * what a valid one does. Returns whether the call returned (then the store applied it).
   */
  private Outcome attempt(V v, Want want, Call call) {
    Object value;
    try {
      value = call.run();
    } catch (InvalidRequestException e) {
      if (v == V.OK) {
        differs("refused as invalid, but the request is valid: " + e.getMessage());
      }
      return new Outcome(false, null);
    } catch (NotFoundException e) {
      if (v == V.BAD) {
        differs(
            "an invalid request answered NotFound instead of InvalidRequest: " + e.getMessage());
      } else if (want != Want.NOT_FOUND) {
        differs("answered NotFound, expected " + want + ": " + e.getMessage());
      }
      return new Outcome(false, null);
    } catch (ConflictException e) {
      if (v == V.BAD) {
        differs(
            "an invalid request answered Conflict instead of InvalidRequest: " + e.getMessage());
      } else if (want != Want.CONFLICT) {
        differs("answered Conflict, expected " + want + ": " + e.getMessage());
      }
      return new Outcome(false, null);
    } catch (Exception | Error e) {
      unexpected(e);
      return new Outcome(false, null);
    }
    if (v == V.BAD) {
      differs("accepted a request that must be refused as invalid (returned " + brief(value) + ")");
    } else if (want != Want.SUCCESS) {
      differs("returned " + brief(value) + ", expected " + want);
    }
    return new Outcome(v != V.BAD && want == Want.SUCCESS, value);
  }

  private static String brief(Object o) {
    String s = String.valueOf(o);
    return s.length() > 200 ? s.substring(0, 200) + "…" : s;
  }

  private static Filter parse(JsonNode f) {
    return f == null ? null : Filter.parse(f);
  }

  // ---- writes -----------------------------------------------------------------------------

  /** A write, judged by the model first; then the whole collection is compared. */
  private void write(HostileOp op) {
    HostileWrites.Expect e = HostileWrites.expect(model, op);
    Outcome o = attempt(e.validity(), e.want(), HostileWrites.call(c, setup.dimension(), op));
    if (o.returned()) {
      if (e.result() != null && o.value() != null && (int) o.value() != e.result()) {
        differs("returned " + o.value() + " points changed, the model changes " + e.result());
      }
      e.apply().accept(model);
    }
    verifyAll();
  }

  // ---- reads ------------------------------------------------------------------------------

  private void get(HostileOp.Get g) {
    Outcome o =
        attempt(HostileModel.ids(g.ids()), Want.SUCCESS, () -> c.get(g.ids(), g.withVector()));
    if (!o.returned()) {
      return;
    }
    @SuppressWarnings("unchecked")
    List<Point> got = (List<Point>) o.value();
    List<String> want = new ArrayList<>();
    for (String id : g.ids()) {
      if (model.points.containsKey(id)) {
        want.add(id);
      }
    }
    List<String> ids = got.stream().map(Point::id).toList();
    if (!ids.equals(want)) {
      differs("get returned ids " + Show.strs(ids) + ", expected " + Show.strs(want));
      return;
    }
    for (Point p : got) {
      checkPoint(p, g.withVector(), "get");
    }
  }

  private void checkPoint(Point p, boolean withVector, String what) {
    String d = HostileWrites.difference(model, p, withVector, what);
    if (d != null) {
      differs(d);
    }
  }

  private void count(JsonNode filter) {
    V v = filter == null ? V.OK : HostileModel.filter(filter);
    Outcome o = attempt(v, Want.SUCCESS, () -> c.count(parse(filter)));
    if (o.returned() && (long) o.value() != model.matching(filter).size()) {
      differs("count is " + o.value() + ", the model counts " + model.matching(filter).size());
    }
  }

  private void scroll(HostileOp.Scroll s) {
    V v = s.filter() == null ? V.OK : HostileModel.filter(s.filter());
    if (s.limit() < 1 || s.limit() > 10_000) {
      v = V.BAD;
    }
    if (s.cursor() != null && HostileModel.hasLoneSurrogate(s.cursor())) {
      v = v.and(V.MAYBE);
    }
    int maxPages = model.points.size() / Math.max(1, s.limit()) + 3;
    Outcome o =
        attempt(
            v,
            Want.SUCCESS,
            () -> {
              List<Point> all = new ArrayList<>();
              Filter f = parse(s.filter());
              String cursor = s.cursor();
              for (int page = 0; page < maxPages; page++) {
                Page p = c.scroll(f, cursor, s.limit(), s.withVector());
                if (p.points().size() > s.limit()) {
                  return "a page of " + p.points().size() + " points, over the limit " + s.limit();
                }
                all.addAll(p.points());
                cursor = p.nextCursor();
                if (cursor == null) {
                  return all;
                }
              }
              return "the scroll does not end after " + maxPages + " pages";
            });
    if (!o.returned()) {
      return;
    }
    if (o.value() instanceof String problem) {
      differs(problem);
      return;
    }
    @SuppressWarnings("unchecked")
    List<Point> all = (List<Point>) o.value();
    List<String> want = new ArrayList<>();
    for (String id : model.matching(s.filter())) {
      if (s.cursor() == null || id.compareTo(s.cursor()) >= 0) {
        want.add(id);
      }
    }
    List<String> ids = all.stream().map(Point::id).toList();
    if (!ids.equals(want)) {
      differs("scroll returned " + Show.strs(ids) + ", expected " + Show.strs(want));
      return;
    }
    for (Point p : all) {
      checkPoint(p, s.withVector(), "scroll");
    }
  }

  private V searchValidity(HostileOp.SearchSpec s) {
    if (s.text() != null || s.k() < 1 || s.k() > SearchRequest.MAX_K) {
      return V.BAD; // text: no encoder
    }
    if (s.ef() != 0 && (s.ef() < s.k() || s.ef() > SearchRequest.MAX_EF)) {
      return V.BAD;
    }
    if (s.scoreThreshold() != null && !Float.isFinite(s.scoreThreshold())) {
      return V.BAD;
    }
    V v = model.vector(s.vector());
    return s.filter() == null ? v : v.and(HostileModel.filter(s.filter()));
  }

  private void search(List<HostileOp.SearchSpec> specs) {
    V v = V.OK;
    for (HostileOp.SearchSpec s : specs) {
      v = v.and(searchValidity(s));
    }
    Outcome o =
        attempt(
            v,
            Want.SUCCESS,
            () -> {
              List<SearchRequest> requests = new ArrayList<>();
              for (HostileOp.SearchSpec s : specs) {
                requests.add(s.toRequest());
              }
              return c.search(requests);
            });
    if (!o.returned()) {
      return;
    }
    @SuppressWarnings("unchecked")
    List<List<ScoredPoint>> results = (List<List<ScoredPoint>>) o.value();
    if (results.size() != specs.size()) {
      differs(specs.size() + " searches answered with " + results.size() + " result lists");
      return;
    }
    for (int i = 0; i < specs.size() && !flagged; i++) {
      checkHits(i, specs.get(i), results.get(i));
    }
  }

  private record Scored(String id, double score, double tolerance) {}

  private void checkHits(int index, HostileOp.SearchSpec s, List<ScoredPoint> hits) {
    String what = "search " + index;
    float[] q = s.vector();
    Map<String, Scored> matching = new TreeMap<>();
    for (String id : model.matching(s.filter())) {
      float[] v = model.points.get(id).vector();
      matching.put(id, new Scored(id, model.score(v, q), model.tolerance(v, q)));
    }
    Set<String> seen = new HashSet<>();
    for (int h = 0; h < hits.size(); h++) {
      ScoredPoint hit = hits.get(h);
      Scored m = matching.get(hit.id());
      if (m == null) {
        differs(
            what + ": hit " + Show.str(hit.id()) + " does not pass the filter or does not exist");
        return;
      }
      if (!seen.add(hit.id())) {
        differs(what + ": hit " + Show.str(hit.id()) + " appears twice");
        return;
      }
      if (!HostileModel.scoreMatches(hit.score(), m.score(), m.tolerance())) {
        differs(
            what
                + ": hit "
                + Show.str(hit.id())
                + " scores "
                + hit.score()
                + ", its exact "
                + setup.metric()
                + " score is "
                + m.score()
                + " (± "
                + m.tolerance()
                + ")");
        return;
      }
      if (h > 0 && !(hits.get(h - 1).score() >= hit.score())) {
        differs(
            what + ": hits out of order: " + hits.get(h - 1).score() + " before " + hit.score());
        return;
      }
      if (s.scoreThreshold() != null && hit.score() < s.scoreThreshold()) {
        differs(
            what + ": hit scores " + hit.score() + ", below the threshold " + s.scoreThreshold());
        return;
      }
      Stored st = model.points.get(hit.id());
      ObjectNode wantPayload =
          s.withPayload() ? HostileModel.select(st.payload(), s.payloadFields()) : null;
      if (!HostileModel.samePayload(hit.payload(), wantPayload)) {
        differs(
            what
                + ": hit "
                + Show.str(hit.id())
                + " carries payload "
                + Show.json(hit.payload())
                + ", expected "
                + Show.json(wantPayload));
        return;
      }
      if (s.withVector() ? !model.vectorMatches(hit.vector(), st.vector()) : hit.vector() != null) {
        differs(what + ": hit " + Show.str(hit.id()) + " carries vector " + Show.vec(hit.vector()));
        return;
      }
    }
    // Completeness. With at most k points passing the filter the answer is exact: all of them
    // (above the threshold). With more, the top k up to ties, loosely (HNSW approximates).
    List<Scored> ranked = new ArrayList<>(matching.values());
    ranked.sort(Comparator.comparingDouble(Scored::score).reversed());
    Float thr = s.scoreThreshold();
    if (ranked.size() <= s.k()) {
      for (Scored m : ranked) {
        if ((thr == null || m.score() > thr + m.tolerance()) && !seen.contains(m.id())) {
          differs(
              what
                  + ": "
                  + ranked.size()
                  + " points pass the filter (k = "
                  + s.k()
                  + "), but "
                  + Show.str(m.id())
                  + " (exact score "
                  + m.score()
                  + ") is not among the "
                  + hits.size()
                  + " hits");
          return;
        }
      }
      return;
    }
    if (thr == null && hits.size() != s.k()) {
      differs(what + ": " + hits.size() + " hits, expected k = " + s.k() + " of " + ranked.size());
      return;
    }
    Scored kth = ranked.get(s.k() - 1);
    int good = 0;
    for (ScoredPoint hit : hits) {
      Scored m = matching.get(hit.id());
      if (m.score() >= kth.score() - m.tolerance() - kth.tolerance()) {
        good++;
      }
    }
    if (thr == null && good * 2 < s.k()) {
      differs(what + ": only " + good + " of the " + s.k() + " hits are among the exact top k");
    }
  }

  // ---- whole-state checks -----------------------------------------------------------------

  /** The whole collection, by scroll, count, info and index definitions, against the model. */
  private void verifyAll() {
    verify(c, "the collection");
  }

  private void verify(Collection col, String what) {
    if (flagged) {
      return;
    }
    try {
      String d = HostileWrites.difference(model, col, what);
      if (d != null) {
        differs(d);
      }
    } catch (Failure f) {
      throw f;
    } catch (RuntimeException | Error e) {
      unexpected(e);
    }
  }

  /** Long runs: after a finding, the store's state becomes the model's. */
  private void resync() {
    try {
      HostileModel m = new HostileModel(setup);
      for (Point p : HostileWrites.scrollAll(c)) {
        m.points.put(p.id(), new Stored(p.vector(), p.payload()));
      }
      m.indexes.putAll(c.payloadIndexes());
      model = m;
    } catch (RuntimeException e) {
      // a collection that cannot be read: the next operations will say so
    }
  }

  // ---- lifecycle --------------------------------------------------------------------------

  private boolean reopen() {
    try {
      db.close();
    } catch (RuntimeException | Error e) {
      unexpected(e);
    }
    db = null;
    try {
      db = Database.open(root.resolve("db"));
    } catch (RuntimeException | Error e) {
      findings.openFailure(where, e);
      flagged = true;
      return false;
    }
    try {
      c = db.collection(name);
    } catch (NotFoundException e) {
      differs("collection '" + name + "' is gone after reopening");
      return false;
    }
    c.checkpointBytes(setup.checkpointBytes());
    verifyAll();
    return true;
  }

  private void snapshotRestore(boolean continueOnCopy) {
    String copy = "copy" + (++copies);
    Path target = root.resolve("snap-" + copies);
    try {
      c.snapshot(target);
      Collection restored = db.restore(target, copy);
      verify(restored, "the restored copy");
      if (continueOnCopy) {
        db.drop(name);
        name = copy;
        c = restored;
        c.checkpointBytes(setup.checkpointBytes());
      } else {
        db.drop(copy);
      }
      deleteRecursively(target);
    } catch (Failure f) {
      throw f;
    } catch (RuntimeException | Error | IOException e) {
      unexpected(e);
    }
    verifyAll();
  }

  private void recreate() {
    try {
      db.drop(name);
      c = db.create(setup.config(name));
      c.checkpointBytes(setup.checkpointBytes());
      model = new HostileModel(setup);
    } catch (RuntimeException | Error e) {
      unexpected(e);
    }
    verifyAll();
  }

  static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (var s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
