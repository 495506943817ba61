package dev.byhand.server;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.store.Json;
import dev.byhand.store.Point;
import dev.byhand.store.ScoredPoint;
import dev.byhand.vector.Metric;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Answers that carry points (searches, scrolls, gets) written straight from the store's objects to
 * JSON bytes, within a budget ({@link ServerConfig#maxResponseBytes}): an answer that would be
 * larger is refused with 413, naming the field to ask less of, before a byte of it is sent; the
 * bytes written so far are dropped, so building it never holds more than the budget.
 */
final class JsonAnswer {

  private JsonAnswer() {}

  /** What writes the {@code result} of an answer. */
  interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  /** The budget ran out: thrown by {@link Budgeted} through the generator. */
  private static final class OverBudget extends RuntimeException {
    private static final long serialVersionUID = 1L;

    OverBudget() {
      super(null, null, false, false);
    }
  }

  /**
   * A byte buffer that refuses to grow past its budget. It remembers having refused: Jackson may
   * wrap the exception on its way out of a serializer.
   */
  private static final class Budgeted extends ByteArrayOutputStream {
    private final long max;
    private boolean over;

    Budgeted(long max) {
      super(4096);
      this.max = max;
    }

    @Override
    public synchronized void write(int b) {
      if (count + 1L > max) {
        over = true;
        throw new OverBudget();
      }
      super.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      if (count + (long) len > max) {
        over = true;
        throw new OverBudget();
      }
      super.write(b, off, len);
    }
  }

  /**
   * Writes {@code {"result": …}} with status 200.
   *
   * @param field the request field to ask less of, named by the 413
   * @param hint how to ask less, ending the 413's message
   * @throws ApiError 413 if the answer is larger than {@code maxBytes}
   */
  static void ok(Context ctx, long maxBytes, String field, String hint, Body body) {
    Budgeted out = new Budgeted(maxBytes);
    try {
      JsonGenerator g = Json.MAPPER.createGenerator(out);
      g.writeStartObject();
      g.writeFieldName("result");
      body.write(g);
      g.writeStringField("status", "ok");
      g.writeNumberField("time", ByhandServer.elapsed(ctx));
      g.writeEndObject();
      g.flush();
    } catch (IOException | RuntimeException e) {
      if (out.over) {
        throw ApiError.tooLarge(
            field, "the answer would be larger than the limit of " + maxBytes + " bytes; " + hint);
      }
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
    ctx.status(200).contentType("application/json").result(out.toByteArray());
  }

  /**
   * A point id in the type it was given: canonical unsigned decimal digits (how {@link Requests#id}
   * keeps an integer) as a JSON number, anything else (a UUID) as a string.
   */
  static void id(JsonGenerator g, String id) throws IOException {
    if (isInteger(id)) {
      if (id.length() < 19) {
        g.writeNumber(Long.parseLong(id));
      } else {
        g.writeNumber(new java.math.BigInteger(id));
      }
    } else {
      g.writeString(id);
    }
  }

  /** Whether an id is an integer: canonical digits (no leading zero) within 2^64 − 1. */
  static boolean isInteger(String id) {
    int n = id.length();
    if (n == 0 || n > 20 || (n > 1 && id.charAt(0) == '0')) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = id.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return n < 20 || new java.math.BigInteger(id).compareTo(Requests.MAX_ID) <= 0;
  }

  /** Qdrant's ScoredPoint: {@code {"id", "version", "score", "payload"?, "vector"?}}. */
  static void scored(JsonGenerator g, ScoredPoint h, Metric metric, PayloadSelector sel)
      throws IOException {
    g.writeStartObject();
    g.writeFieldName("id");
    id(g, h.id());
    g.writeNumberField("version", 0);
    g.writeNumberField("score", Qdrant.score(metric, h.score()));
    if (h.payloadView() != null) {
      g.writeFieldName("payload");
      g.writeTree(sel == null ? h.payloadView() : sel.apply(h.payloadView()));
    }
    if (h.vector() != null) {
      g.writeFieldName("vector");
      floats(g, h.vector());
    }
    g.writeEndObject();
  }

  /** Hits as an array of ScoredPoints. */
  static void hits(JsonGenerator g, List<ScoredPoint> hits, Metric metric, PayloadSelector sel)
      throws IOException {
    g.writeStartArray();
    for (ScoredPoint h : hits) {
      scored(g, h, metric, sel);
    }
    g.writeEndArray();
  }

  /** Qdrant's Record: {@code {"id", "payload" (or null), "vector"?}}. */
  static void point(JsonGenerator g, Point p, PayloadSelector sel) throws IOException {
    g.writeStartObject();
    g.writeFieldName("id");
    id(g, p.id());
    g.writeFieldName("payload");
    ObjectNode payload =
        p.payloadView() == null || (sel != null && !sel.any())
            ? null
            : sel == null ? p.payloadView() : sel.apply(p.payloadView());
    if (payload == null) {
      g.writeNull();
    } else {
      g.writeTree(payload);
    }
    if (p.vector() != null) {
      g.writeFieldName("vector");
      floats(g, p.vector());
    }
    g.writeEndObject();
  }

  static void floats(JsonGenerator g, float[] v) throws IOException {
    g.writeStartArray();
    for (float x : v) {
      g.writeNumber(x);
    }
    g.writeEndArray();
  }
}
