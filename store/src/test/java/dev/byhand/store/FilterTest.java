package dev.byhand.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class FilterTest {

  static final ObjectNode DOC =
      Json.parsePayload(
          "p",
          "{\"color\":\"red\",\"size\":7,\"price\":2.5,\"ok\":true,\"owner\":null,"
              + "\"city\":{\"name\":\"Oslo\",\"zip\":150},\"tags\":[\"a\",\"b\"],"
              + "\"items\":[{\"sku\":\"x1\",\"qty\":2},{\"sku\":\"y2\",\"qty\":9}]}");

  static boolean test(String json) {
    return Filter.parse(json).test("id-1", DOC);
  }

  @Test
  void matchesKeywordsIntegersAndBooleans() {
    assertThat(test("{\"key\":\"color\",\"match\":{\"value\":\"red\"}}")).isTrue();
    assertThat(test("{\"key\":\"color\",\"match\":{\"value\":\"Red\"}}")).isFalse();
    assertThat(test("{\"key\":\"size\",\"match\":{\"value\":7}}")).isTrue();
    assertThat(test("{\"key\":\"ok\",\"match\":{\"value\":true}}")).isTrue();
    assertThat(test("{\"key\":\"size\",\"match\":{\"any\":[1,2,7]}}")).isTrue();
    assertThat(test("{\"key\":\"color\",\"match\":{\"any\":[\"blue\"]}}")).isFalse();
  }

  @Test
  void rangesDottedPathsAndArrays() {
    assertThat(test("{\"key\":\"price\",\"range\":{\"gt\":2,\"lte\":2.5}}")).isTrue();
    assertThat(test("{\"key\":\"price\",\"range\":{\"lt\":2.5}}")).isFalse();
    assertThat(test("{\"key\":\"city.zip\",\"range\":{\"gte\":150}}")).isTrue();
    assertThat(test("{\"key\":\"city.name\",\"match\":{\"value\":\"Oslo\"}}")).isTrue();
    assertThat(test("{\"key\":\"tags\",\"match\":{\"value\":\"b\"}}")).isTrue();
    assertThat(test("{\"key\":\"items.sku\",\"match\":{\"value\":\"y2\"}}")).isTrue();
    assertThat(test("{\"key\":\"items.qty\",\"range\":{\"gt\":8}}")).isTrue();
    assertThat(test("{\"key\":\"items.qty\",\"range\":{\"gt\":9}}")).isFalse();
  }

  @Test
  void existsIsNullAndIds() {
    assertThat(test("{\"exists\":{\"key\":\"city.name\"}}")).isTrue();
    assertThat(test("{\"exists\":{\"key\":\"owner\"}}")).isFalse();
    assertThat(test("{\"exists\":{\"key\":\"nothing\"}}")).isFalse();
    assertThat(test("{\"is_null\":{\"key\":\"owner\"}}")).isTrue();
    assertThat(test("{\"is_null\":{\"key\":\"nothing\"}}")).isFalse();
    assertThat(test("{\"has_id\":[\"id-1\",\"id-9\"]}")).isTrue();
  }

  @Test
  void booleanCombinationsNest() {
    assertThat(
            test(
                "{\"must\":[{\"key\":\"color\",\"match\":{\"value\":\"red\"}}],"
                    + "\"should\":[{\"key\":\"size\",\"match\":{\"value\":1}},{\"key\":\"ok\",\"match\":{\"value\":true}}],"
                    + "\"must_not\":[{\"must\":[{\"key\":\"tags\",\"match\":{\"value\":\"zzz\"}}]}]}"))
        .isTrue();
    assertThat(test("{\"should\":[{\"key\":\"size\",\"match\":{\"value\":1}}]}")).isFalse();
    assertThat(test("{\"must_not\":[{\"key\":\"color\",\"match\":{\"value\":\"red\"}}]}"))
        .isFalse();
    assertThat(test("{\"must\":[]}")).isTrue();
  }

  @Test
  void malformedFiltersNameThePath() {
    assertThatThrownBy(() -> Filter.parse("{\"must\":[{\"key\":\"a\",\"match\":{\"value\":[1]}}]}"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("filter.must[0].match.value: must be a string, an integer or a boolean");
    assertThatThrownBy(() -> Filter.parse("{\"key\":\"a\",\"range\":{\"gt\":\"x\"}}"))
        .hasMessage("filter.range.gt: must be a finite number");
    assertThatThrownBy(() -> Filter.parse("{\"key\":\"a\",\"range\":{\"between\":1}}"))
        .hasMessageStartingWith("filter.range.between: is not allowed here");
    assertThatThrownBy(() -> Filter.parse("{\"wat\":1}"))
        .hasMessageStartingWith("filter: expected must/should/must_not");
    assertThatThrownBy(() -> Filter.parse("{\"must\":5}"))
        .hasMessage("filter.must: must be an array of conditions");
    assertThatThrownBy(() -> Filter.parse("{\"key\":\"\",\"match\":{\"value\":1}}"))
        .hasMessageStartingWith("filter.key: must be a non-empty string");
    assertThatThrownBy(() -> Filter.parse("{not json"))
        .hasMessageStartingWith("filter: is not valid JSON");
    String deep = "{\"must\":[".repeat(40) + "{\"has_id\":[]}" + "]}".repeat(40);
    assertThatThrownBy(() -> Filter.parse(deep)).isInstanceOf(InvalidRequestException.class);
  }
}
