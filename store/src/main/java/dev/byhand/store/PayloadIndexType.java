package dev.byhand.store;

import java.util.Locale;

/** What a payload index holds for its key; see {@link Collection#createPayloadIndex}. */
public enum PayloadIndexType {
  /** Strings, for {@code match} by value or {@code any}. */
  KEYWORD,
  /** Integers, for {@code match} and {@code range}. */
  INTEGER,
  /** Any number, for {@code range}. */
  FLOAT,
  /** Booleans, for {@code match}. */
  BOOL;

  /** Parses {@code keyword}, {@code integer}, {@code float} or {@code bool}. */
  public static PayloadIndexType parse(String name) {
    for (PayloadIndexType t : values()) {
      if (t.name().equalsIgnoreCase(name)) {
        return t;
      }
    }
    throw new InvalidRequestException(
        "type", "unknown '" + name + "'; expected keyword, integer, float or bool");
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
