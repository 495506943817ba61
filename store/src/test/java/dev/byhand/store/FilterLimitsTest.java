package dev.byhand.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.byhand.vector.Metric;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every filter has a bounded size, checked where it is built (parsed or constructed through the
 * Java API), and a deadline stops a scan without changing anything.
 */
class FilterLimitsTest {

  @TempDir Path dir;

  static String conditions(int n) {
    StringBuilder sb = new StringBuilder("{\"must\":[");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"exists\":{\"key\":\"a\"}}");
    }
    return sb.append("]}").toString();
  }

  static String any(int n) {
    StringBuilder sb = new StringBuilder("{\"key\":\"a\",\"match\":{\"any\":[");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",").append(i);
    }
    return sb.append("]}}").toString();
  }

  static String hasId(int n) {
    StringBuilder sb = new StringBuilder("{\"has_id\":[");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",").append("\"p").append(i).append('"');
    }
    return sb.append("]}").toString();
  }

  @Test
  void parsedFiltersAreRefusedAtTheFirstConditionPastALimit() {
    // 1 group + 1023 conditions = 1024: the limit exactly.
    assertThat(Filter.parse(conditions(Filter.MAX_CONDITIONS - 1)).conditions())
        .isEqualTo(Filter.MAX_CONDITIONS);
    assertThatThrownBy(() -> Filter.parse(conditions(Filter.MAX_CONDITIONS)))
        .isInstanceOf(LimitExceededException.class)
        .hasMessageStartingWith("filter.must[1023]: is condition number 1025; the limit is 1024")
        .extracting(e -> ((InvalidRequestException) e).field())
        .isEqualTo("filter.must[1023]");

    assertThat(Filter.parse(any(Filter.MAX_VALUES)).listValues()).isEqualTo(Filter.MAX_VALUES);
    assertThatThrownBy(() -> Filter.parse(any(Filter.MAX_VALUES + 1)))
        .isInstanceOf(LimitExceededException.class)
        .hasMessageStartingWith("filter.match.any: has 10001 values")
        .hasMessageContaining("the limit is 10000");
    assertThatThrownBy(() -> Filter.parse(hasId(Filter.MAX_VALUES + 1)))
        .isInstanceOf(LimitExceededException.class)
        .hasMessageStartingWith("filter.has_id: has 10001 values");
    // The values of all lists count together.
    String both = "{\"must\":[" + hasId(6000) + "," + any(4001) + "]}";
    assertThatThrownBy(() -> Filter.parse(both))
        .isInstanceOf(LimitExceededException.class)
        .hasMessageStartingWith("filter.must[1].match.any: has 4001 values, 10001 in all");

    // Nesting: 32 groups deep is the limit. (Written as a tree: JSON text that deep is refused
    // earlier, by the parser's own nesting limit.)
    JsonNode deep = Json.MAPPER.createObjectNode().set("must", Json.MAPPER.createArrayNode());
    for (int i = 1; i < Filter.MAX_DEPTH; i++) {
      deep = Json.MAPPER.createObjectNode().set("must", Json.MAPPER.createArrayNode().add(deep));
    }
    assertThat(Filter.parse(deep).depth()).isEqualTo(Filter.MAX_DEPTH);
    JsonNode deeper =
        Json.MAPPER.createObjectNode().set("must", Json.MAPPER.createArrayNode().add(deep));
    assertThatThrownBy(() -> Filter.parse(deeper))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageEndingWith("nests deeper than 32 levels");
  }

  @Test
  void filtersBuiltThroughTheJavaApiHaveTheSameLimits() {
    List<Filter> many = new ArrayList<>();
    for (int i = 0; i < Filter.MAX_CONDITIONS; i++) {
      many.add(new Filter.Exists("a"));
    }
    assertThatThrownBy(() -> new Filter.Bool(many, List.of(), List.of()))
        .isInstanceOf(LimitExceededException.class)
        .hasMessage("filter: has 1025 conditions; the limit is 1024 a filter");
    List<JsonNode> values = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i <= Filter.MAX_VALUES; i++) {
      values.add(TextNode.valueOf("v" + i));
      ids.add("p" + i);
    }
    assertThatThrownBy(() -> new Filter.MatchAny("a", values))
        .isInstanceOf(LimitExceededException.class)
        .hasMessageStartingWith("filter.match.any: has 10001 values");
    assertThatThrownBy(() -> new Filter.HasId(ids))
        .isInstanceOf(LimitExceededException.class)
        .hasMessageStartingWith("filter.has_id: has 10001 ids");
    Filter half = new Filter.MatchAny("a", values.subList(0, 5001));
    assertThatThrownBy(() -> Filter.must(half, half))
        .isInstanceOf(LimitExceededException.class)
        .hasMessageContaining("10002 values in its any and has_id lists");
    Filter deep = Filter.must();
    for (int i = 1; i < Filter.MAX_DEPTH; i++) {
      deep = Filter.must(deep);
    }
    Filter limit = deep;
    assertThat(limit.depth()).isEqualTo(Filter.MAX_DEPTH);
    assertThatThrownBy(() -> Filter.must(limit))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("filter: nests deeper than 32 levels");

    // Values and keys are checked on construction too, not only when parsed.
    assertThatThrownBy(() -> new Filter.Match("a", Json.MAPPER.getNodeFactory().numberNode(1.5)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("filter.match.value: must be a string, an integer or a boolean");
    assertThatThrownBy(() -> new Filter.Exists("k".repeat(257)))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> Filter.range("a", Double.NaN, null, null, null))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("filter.range.gt: must be a finite number");
    assertThatThrownBy(() -> Filter.range("a", null, Double.POSITIVE_INFINITY, null, null))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(
            () -> Filter.range("a", null, null, new BigDecimal("1" + "0".repeat(1001)), null))
        .isInstanceOf(InvalidRequestException.class);
    // Any of Java's number types, compared exactly: 2^64 as a BigInteger, a float widened.
    Filter big = Filter.range("a", BigInteger.ONE.shiftLeft(64), null, null, null);
    assertThat(big.test("p", Json.parsePayload("p", "{\"a\":18446744073709551617}"))).isTrue();
    assertThat(big.test("p", Json.parsePayload("p", "{\"a\":18446744073709551616}"))).isFalse();
    assertThat(big.test("p", Json.parsePayload("p", "{\"a\":1.8446744073709552E19}"))).isFalse();
    assertThat(Filter.range("a", null, 0.5f, null, null))
        .isEqualTo(Filter.range("a", null, 0.5, null, null));
    assertThat(Filter.range("a", 3, null, null, null))
        .isEqualTo(Filter.range("a", 3.0, null, null, null));
  }

  @Test
  void aDeadlineStopsCountsScrollsSearchesAndFilteredWritesWithoutChangingAnything() {
    try (Database db = Database.open(dir)) {
      Collection c = db.create(CollectionConfig.of("c", 2, Metric.L2));
      List<Point> points = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        points.add(
            Point.of("p" + i, new float[] {i, 1}, Json.parsePayload("p", "{\"n\":" + i + "}")));
      }
      c.upsert(points);
      Filter f = Filter.parse("{\"key\":\"n\",\"range\":{\"gte\":100}}");
      AtomicLong now = new AtomicLong(0);
      Filter bounded = Filter.withDeadline(f, 1_000, now::get);
      assertThat(c.count(bounded)).isEqualTo(400); // before the deadline: the whole answer

      now.set(1_001); // past it; a bounded filter serves one request, so each call gets its own
      assertThatThrownBy(() -> c.count(Filter.withDeadline(f, 1_000, now::get)))
          .isInstanceOf(DeadlineExceededException.class);
      assertThatThrownBy(() -> c.scroll(Filter.withDeadline(f, 1_000, now::get), null, 10, false))
          .isInstanceOf(DeadlineExceededException.class);
      assertThatThrownBy(
              () ->
                  c.search(
                      SearchRequest.vector(new float[] {1, 1}, 5)
                          .withFilter(Filter.withDeadline(f, 1_000, now::get))))
          .isInstanceOf(DeadlineExceededException.class);
      assertThatThrownBy(() -> c.delete(Filter.withDeadline(f, 1_000, now::get)))
          .isInstanceOf(DeadlineExceededException.class);
      assertThatThrownBy(
              () ->
                  c.setPayload(
                      Filter.withDeadline(f, 1_000, now::get), Json.parsePayload("p", "{\"x\":1}")))
          .isInstanceOf(DeadlineExceededException.class);
      assertThat(c.count(null)).isEqualTo(500);
      assertThat(c.count(f)).isEqualTo(400);
      assertThat(c.count(Filter.parse("{\"exists\":{\"key\":\"x\"}}"))).isZero();

      // Once every 64 tests: a deadline passed mid-scan stops the scan there.
      AtomicLong ticks = new AtomicLong();
      Filter midway = Filter.withDeadline(f, 3, ticks::incrementAndGet);
      assertThatThrownBy(() -> c.count(midway)).isInstanceOf(DeadlineExceededException.class);
      assertThat(ticks.get()).isEqualTo(4); // tests 1, 65, 129 and 193 read the clock
      // Indexes narrow a bounded filter as they do the filter itself.
      c.createPayloadIndex("n", PayloadIndexType.INTEGER);
      now.set(0);
      assertThat(c.count(Filter.withDeadline(f, 1_000, now::get))).isEqualTo(400);
      // And the writes still work after all that.
      assertThat(c.delete(Filter.withDeadline(f, 1_000, now::get))).isEqualTo(400);
      assertThat(c.count(null)).isEqualTo(100);
    }
  }
}
