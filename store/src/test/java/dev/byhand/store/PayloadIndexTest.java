package dev.byhand.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.byhand.vector.Metric;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Payload indexes must make filters faster and never different: checked against unindexed twins.
 */
class PayloadIndexTest {

  @TempDir Path dir;

  static String payload(SplittableRandom r) {
    String[] colors = {"red", "green", "blue", "yellow"};
    StringBuilder sb = new StringBuilder("{");
    sb.append("\"color\":\"").append(colors[r.nextInt(4)]).append('"');
    sb.append(",\"n\":").append(r.nextInt(50));
    if (r.nextInt(5) == 0) {
      sb.append(",\"price\":\"n/a\""); // a value of another type under a numeric index
    } else {
      sb.append(",\"price\":").append(r.nextInt(1000) / 10.0);
    }
    // Values of another type than the key's index, −0.0 and integers beyond 2^53 too.
    sb.append(",\"ok\":").append(r.nextInt(8) == 0 ? "\"yes\"" : Boolean.toString(r.nextBoolean()));
    sb.append(",\"z\":").append(new String[] {"-0.0", "0.0", "0.5", "-0.5"}[r.nextInt(4)]);
    sb.append(",\"big\":").append((1L << 60) - 2 + r.nextInt(5));
    sb.append(",\"shop\":{\"city\":\"c").append(r.nextInt(6)).append("\"}");
    sb.append(",\"tags\":[\"t")
        .append(r.nextInt(5))
        .append("\",\"t")
        .append(r.nextInt(5))
        .append("\"]");
    return sb.append('}').toString();
  }

  static String condition(SplittableRandom r) {
    return switch (r.nextInt(11)) {
      case 0 ->
          "{\"key\":\"color\",\"match\":{\"value\":\""
              + new String[] {"red", "blue", "x"}[r.nextInt(3)]
              + "\"}}";
      case 1 -> "{\"key\":\"n\",\"match\":{\"any\":[" + r.nextInt(50) + "," + r.nextInt(50) + "]}}";
      case 2 ->
          "{\"key\":\"n\",\"range\":{\"gte\":"
              + r.nextInt(50)
              + ",\"lt\":"
              + (r.nextInt(50) + 0.5)
              + "}}";
      case 3 -> "{\"key\":\"price\",\"range\":{\"gt\":" + r.nextInt(100) + "}}";
      case 4 -> "{\"key\":\"ok\",\"match\":{\"value\":" + r.nextBoolean() + "}}";
      case 5 -> "{\"key\":\"shop.city\",\"match\":{\"value\":\"c" + r.nextInt(6) + "\"}}";
      case 6 -> "{\"key\":\"tags\",\"match\":{\"value\":\"t" + r.nextInt(5) + "\"}}";
      case 7 -> "{\"key\":\"ok\",\"match\":{\"value\":\"yes\"}}";
      case 8 -> "{\"key\":\"color\",\"match\":{\"value\":" + r.nextBoolean() + "}}";
      case 9 ->
          "{\"key\":\"z\",\"range\":{\""
              + (r.nextBoolean() ? "gte" : "lte")
              + "\":"
              + (r.nextBoolean() ? "0" : "-0.0")
              + "}}";
      default -> "{\"key\":\"big\",\"range\":{\"gte\":" + (double) (1L << 60) + "}}";
    };
  }

  static String filter(SplittableRandom r) {
    return "{\"must\":["
        + condition(r)
        + (r.nextBoolean() ? "," + condition(r) : "")
        + "]"
        + (r.nextBoolean() ? ",\"should\":[" + condition(r) + "," + condition(r) + "]" : "")
        + (r.nextInt(3) == 0 ? ",\"must_not\":[" + condition(r) + "]" : "")
        + "}";
  }

  @Test
  void indexedFiltersGiveTheSameAnswersAsUnindexedOnes() {
    long seed = 4242;
    SplittableRandom r = new SplittableRandom(seed);
    try (Database db = Database.open(dir)) {
      Collection plain = db.create(CollectionConfig.of("plain", 4, Metric.L2));
      Collection indexed = db.create(CollectionConfig.of("indexed", 4, Metric.L2));
      indexed.createPayloadIndex("color", PayloadIndexType.KEYWORD);
      indexed.createPayloadIndex("n", PayloadIndexType.INTEGER);
      List<Point> batch = new ArrayList<>();
      for (int i = 0; i < 1500; i++) {
        float[] v = {
          (float) r.nextDouble(),
          (float) r.nextDouble(),
          (float) r.nextDouble(),
          (float) r.nextDouble()
        };
        batch.add(Point.of("p" + i, v, Json.parsePayload("p", payload(r))));
      }
      plain.upsert(batch);
      indexed.upsert(batch);
      // Indexes created after the data, and changes after the index, must both be covered.
      indexed.createPayloadIndex("price", PayloadIndexType.FLOAT);
      indexed.createPayloadIndex("ok", PayloadIndexType.BOOL);
      indexed.createPayloadIndex("shop.city", PayloadIndexType.KEYWORD);
      indexed.createPayloadIndex("tags", PayloadIndexType.KEYWORD);
      indexed.createPayloadIndex("z", PayloadIndexType.FLOAT);
      indexed.createPayloadIndex("big", PayloadIndexType.INTEGER);
      for (Collection c : List.of(plain, indexed)) {
        c.setPayload(
            Filter.parse("{\"key\":\"n\",\"range\":{\"lt\":5}}"),
            Json.parsePayload("p", "{\"color\":\"blue\"}"));
        c.delete(Filter.parse("{\"key\":\"n\",\"match\":{\"value\":7}}"));
        c.overwritePayload(List.of("p3"), Json.parsePayload("p", "{\"n\":49,\"ok\":false}"));
      }
      for (int t = 0; t < 150; t++) {
        Filter f = Filter.parse(filter(r));
        long count = plain.count(f);
        assertThat(indexed.count(f)).as("seed %d filter %s", seed, f).isEqualTo(count);
        if (count == 0 || count > 1000) {
          continue;
        }
        float[] q = {0.5f, 0.5f, 0.5f, 0.5f};
        Set<String> a = ids(plain.search(SearchRequest.vector(q, (int) count).withFilter(f)));
        Set<String> b = ids(indexed.search(SearchRequest.vector(q, (int) count).withFilter(f)));
        assertThat(b).as("seed %d filter %s", seed, f).hasSize((int) count).isEqualTo(a);
      }
    }
    try (Database db = Database.open(dir)) {
      assertThat(db.collection("indexed").payloadIndexes())
          .containsEntry("color", PayloadIndexType.KEYWORD)
          .containsEntry("price", PayloadIndexType.FLOAT)
          .hasSize(8);
      Filter f = Filter.parse("{\"must\":[{\"key\":\"color\",\"match\":{\"value\":\"red\"}}]}");
      assertThat(db.collection("indexed").count(f)).isEqualTo(db.collection("plain").count(f));
    }
  }

  @Test
  void indexDefinitionsAreCheckedAndDroppable() {
    try (Database db = Database.open(dir)) {
      Collection c = db.create(CollectionConfig.of("c", 2, Metric.DOT));
      c.createPayloadIndex("a", PayloadIndexType.KEYWORD);
      c.createPayloadIndex("a", PayloadIndexType.KEYWORD);
      assertThatThrownBy(() -> c.createPayloadIndex("a", PayloadIndexType.INTEGER))
          .isInstanceOf(ConflictException.class)
          .hasMessageContaining("already indexed as keyword");
      assertThatThrownBy(() -> PayloadIndexType.parse("text"))
          .hasMessageStartingWith("type: unknown 'text'");
      c.dropPayloadIndex("a");
      assertThat(c.payloadIndexes()).isEmpty();
      assertThatThrownBy(() -> c.dropPayloadIndex("a")).isInstanceOf(NotFoundException.class);
    }
  }

  private static Set<String> ids(List<ScoredPoint> hits) {
    Set<String> out = new HashSet<>();
    hits.forEach(h -> out.add(h.id()));
    return out;
  }
}
