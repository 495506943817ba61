package dev.byhand.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Exact arithmetic on JSON numbers, shared by filters and payload indexes so that both compare the
 * same way. A JSON integer is read exactly (as a long, or a BigInteger beyond it); any other number
 * is the double Jackson parsed. Comparisons never round either side to a double: {@code
 * 9007199254740993 > 9007199254740992.0} holds, as does {@code 2^63 > Long.MAX_VALUE}.
 *
 * <p>A number's <em>canonical</em> form is the one object that stands for its value: a {@link Long}
 * for an integral value within long (so {@code 3}, {@code 3.0} and {@code -0.0} → {@code 3L},
 * {@code 3L}, {@code 0L}), a {@link Double} for any other value that a double holds exactly, and a
 * {@link BigDecimal} without trailing zeros for the rest. Equal values have equal canonical forms,
 * so they can key a hash map and a sorted map ordered by {@link #compare(Number, Number)} alike.
 */
final class Numbers {

  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

  /** Most digits a bound given through the Java API may have: JSON's own parser limit. */
  static final int MAX_DIGITS = 1000;

  /** The bits of a {@link #MAX_DIGITS}-digit integer: 10^1000 < 2^3322. */
  private static final int MAX_BITS = 3322;

  private Numbers() {}

  /** The canonical form of a JSON number; null for anything else, NaN and infinities included. */
  static Number canonical(JsonNode n) {
    if (n == null || !n.isNumber()) {
      return null;
    }
    if (n.isIntegralNumber()) {
      return n.canConvertToLong() ? (Number) n.longValue() : canonical(n.bigIntegerValue());
    }
    if (n.isBigDecimal()) {
      return canonical(n.decimalValue());
    }
    return canonical(n.doubleValue());
  }

  /** The canonical form of a double; null for NaN and infinities. */
  static Number canonical(double d) {
    if (!Double.isFinite(d)) {
      return null;
    }
    if (d == Math.rint(d)) {
      if (d >= -0x1p63 && d < 0x1p63) {
        return (long) d; // −0.0 becomes 0
      }
      return new BigDecimal(d).stripTrailingZeros();
    }
    return d;
  }

  static Number canonical(BigInteger b) {
    return b.bitLength() < 64 ? (Number) b.longValue() : new BigDecimal(b).stripTrailingZeros();
  }

  static Number canonical(BigDecimal b) {
    BigDecimal s = b.stripTrailingZeros();
    if (s.scale() <= 0) {
      if (s.compareTo(LONG_MIN) >= 0 && s.compareTo(LONG_MAX) <= 0) {
        return s.longValueExact();
      }
      return s;
    }
    double d = s.doubleValue();
    if (Double.isFinite(d) && new BigDecimal(d).compareTo(s) == 0) {
      return d;
    }
    return s;
  }

  /**
   * The canonical form of a number given through the Java API (any of Java's own {@link Number}
   * types); null for NaN, infinities, other types and numbers of more than {@link #MAX_DIGITS}
   * digits.
   */
  static Number canonical(Number n) {
    if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
      return n.longValue();
    }
    if (n instanceof Double || n instanceof Float) {
      return canonical(n.doubleValue()); // a float widens to a double exactly
    }
    if (n instanceof BigInteger b) {
      return b.bitLength() > MAX_BITS ? null : canonical(b);
    }
    if (n instanceof BigDecimal b) {
      return b.precision() > MAX_DIGITS ? null : canonical(b);
    }
    return null;
  }

  /** Compares two canonical numbers exactly. */
  static int compare(Number a, Number b) {
    if (a instanceof Long x) {
      return compare(x.longValue(), b);
    }
    if (a instanceof Double x) {
      return compare(x.doubleValue(), b);
    }
    return ((BigDecimal) a).compareTo(big(b));
  }

  /** Compares a long with a canonical number exactly. */
  static int compare(long x, Number b) {
    if (b instanceof Long y) {
      return Long.compare(x, y);
    }
    if (b instanceof Double y) {
      return compare(x, y.doubleValue());
    }
    return BigDecimal.valueOf(x).compareTo((BigDecimal) b);
  }

  /** Compares a finite double with a canonical number exactly. */
  static int compare(double x, Number b) {
    if (b instanceof Double y) {
      double d = y;
      return x < d ? -1 : x > d ? 1 : 0; // −0.0 equals 0.0, as between numbers
    }
    if (b instanceof Long y) {
      return -compare(y.longValue(), x);
    }
    return new BigDecimal(x).compareTo((BigDecimal) b);
  }

  /**
   * Compares a long with a finite double exactly, without rounding the long to a double: the
   * double's integral part is a long (or beyond every long), so compare that first, then its
   * fraction.
   */
  static int compare(long x, double d) {
    if (d >= 0x1p63) {
      return -1; // above every long
    }
    if (d < -0x1p63) {
      return 1; // below every long
    }
    long t = (long) d; // the integral part, exact: |d| < 2^63
    if (x != t) {
      return Long.compare(x, t);
    }
    // x is d's integral part; d's fraction decides. (double) t is exact, being a double's
    // integral part.
    return d > (double) t ? -1 : d < (double) t ? 1 : 0;
  }

  /**
   * Compares a JSON number with a canonical number exactly, without allocating for the usual kinds
   * (ints, longs, doubles). {@code v} must be a finite number.
   */
  static int compare(JsonNode v, Number b) {
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return compare(v.longValue(), b);
    }
    if (v.isDouble() || v.isFloat()) {
      return compare(v.doubleValue(), b);
    }
    return compare(canonical(v), b);
  }

  /** Whether a JSON number is finite (integers always are). */
  static boolean finite(JsonNode v) {
    return v.isIntegralNumber() || v.isBigDecimal() || Double.isFinite(v.doubleValue());
  }

  private static BigDecimal big(Number n) {
    if (n instanceof Long x) {
      return BigDecimal.valueOf(x);
    }
    if (n instanceof Double x) {
      return new BigDecimal(x);
    }
    return (BigDecimal) n;
  }

  /** Whether two JSON integers are equal, exactly. */
  static boolean sameInteger(JsonNode a, JsonNode b) {
    if (a.canConvertToLong() && b.canConvertToLong()) {
      return a.longValue() == b.longValue();
    }
    return a.bigIntegerValue().equals(b.bigIntegerValue());
  }
}
