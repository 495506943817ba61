package dev.byhand.server;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.byhand.store.Json;
import dev.byhand.store.Point;
import dev.byhand.store.ScoredPoint;
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

  /** Hits as {@code [{"id", "score", "payload"?, "vector"?}, …]}. */
  static void hits(JsonGenerator g, List<ScoredPoint> hits) throws IOException {
    g.writeStartArray();
    for (ScoredPoint h : hits) {
      g.writeStartObject();
      g.writeStringField("id", h.id());
      g.writeNumberField("score", h.score());
      if (h.payloadView() != null) {
        g.writeFieldName("payload");
        g.writeTree(h.payloadView());
      }
      if (h.vector() != null) {
        g.writeFieldName("vector");
        floats(g, h.vector());
      }
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  /** A point as {@code {"id", "payload" (or null), "vector"?}}. */
  static void point(JsonGenerator g, Point p) throws IOException {
    g.writeStartObject();
    g.writeStringField("id", p.id());
    g.writeFieldName("payload");
    if (p.payloadView() == null) {
      g.writeNull();
    } else {
      g.writeTree(p.payloadView());
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
