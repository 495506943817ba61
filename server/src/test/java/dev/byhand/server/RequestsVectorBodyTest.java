package dev.byhand.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The one-pass reading of a search body ({@link Requests#bodyWithVector}) gives exactly the floats,
 * fields and errors of the tree reading ({@link Requests#body} then {@link Requests#vector}).
 */
class RequestsVectorBodyTest {

  private static final long MAX = 1 << 20;

  private static Requests.VectorBody fast(String json, int dim) {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    return Requests.bodyWithVector(new ByteArrayInputStream(b), b.length, MAX, dim);
  }

  private static ObjectNode tree(String json) {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    return Requests.body(new ByteArrayInputStream(b), b.length, MAX);
  }

  @Test
  void floatsEqualTheTreeReadingsForManyWaysOfWritingNumbers() {
    SplittableRandom r = new SplittableRandom(7);
    for (int round = 0; round < 300; round++) {
      int dim = 1 + r.nextInt(64);
      StringBuilder sb = new StringBuilder("{\"k\": 5, \"vector\": [");
      for (int i = 0; i < dim; i++) {
        if (i > 0) {
          sb.append(", ");
        }
        double x = r.nextGaussian() * Math.pow(10, r.nextInt(-45, 38));
        sb.append(
            switch (r.nextInt(8)) {
              case 0 -> Double.toString(x);
              case 1 -> Float.toString((float) x);
              case 2 -> String.format(Locale.ROOT, "%.17g", x);
              case 3 -> String.format(Locale.ROOT, "%.3e", x);
              case 4 -> Long.toString(r.nextLong());
              case 5 -> Integer.toString(r.nextInt());
              case 6 -> "3.4028235e38"; // above Float.MAX_VALUE, still rounds down to it
              default ->
                  "1.00000005960464477539062500001"; // a hair above a float halfway: the double
                // loses the hair
            });
      }
      sb.append("], \"with_payload\": false}");
      String json = sb.toString();
      Requests.VectorBody f = fast(json, r.nextBoolean() ? dim : 4);
      assertThat(f.vector()).as(json).isNotNull();
      ObjectNode t = tree(json);
      assertThat(f.vector()).as(json).containsExactly(Requests.vector(t.get("vector"), "vector"));
      t.remove("vector");
      assertThat(f.node()).isEqualTo(t);
    }
  }

  @Test
  void anythingUnusualIsLeftToTheTreeReading() {
    for (String json :
        new String[] {
          "{\"vector\": [1, \"x\"]}", // not a number: the tree names vector[1]
          "{\"vector\": [1, 1e39]}", // not finite as a float
          "{\"vector\": [1, [2]]}",
          "{\"vector\": \"1,2\"}",
          "{\"vector\": null, \"text\": \"a\"}",
          "{\"text\": \"a\"}",
        }) {
      Requests.VectorBody f = fast(json, 2);
      assertThat(f.vector()).as(json).isNull();
      assertThat(f.node()).as(json).isEqualTo(tree(json));
    }
  }

  @Test
  void brokenBodiesFailWithTheTreeReadingsError() {
    for (String json :
        new String[] {
          "{\"vector\": [1, 2], \"vector\": [3]}",
          "{\"vector\": [1, 2]} x",
          "{\"vector\": [1, 2]",
          "[1, 2]",
          "{\"vector\": [1, NaN]}",
        }) {
      ApiError slow = catchThrowableOfType(ApiError.class, () -> tree(json));
      ApiError quick = catchThrowableOfType(ApiError.class, () -> fast(json, 2));
      assertThat(slow).as(json).isNotNull();
      assertThat(quick).as(json).isNotNull();
      assertThat(quick.getMessage()).isEqualTo(slow.getMessage());
      assertThat(quick.field()).isEqualTo(slow.field());
      assertThat(quick.status()).isEqualTo(slow.status());
    }
  }
}
