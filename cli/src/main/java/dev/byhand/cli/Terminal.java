package dev.byhand.cli;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.byhand.store.Json;

/**
 * Text from a database (ids, payloads, server messages) made safe to print on a terminal. Stored
 * strings may hold anything: {@code "\u001b]0;x\u0007"} as an id would retitle the terminal, a C1
 * {@code CSI} recolour it, a right-to-left override reorder what follows it on the line. Tables
 * show such characters as escapes ({@code \u001b}, {@code \n}); JSON output escapes them the JSON
 * way, so it still parses to exactly what is stored.
 */
final class Terminal {

  private Terminal() {}

  /**
   * Whether {@code c} must not reach a terminal raw: C0 controls, DEL, C1 controls, the bidi
   * embeddings, overrides, isolates and marks, the line and paragraph separators, and halves of
   * surrogate pairs that have no other half.
   */
  static boolean unsafe(char c) {
    return c < 0x20
        || (c >= 0x7f && c <= 0x9f)
        || c == 0x061c
        || c == 0x200e
        || c == 0x200f
        || (c >= 0x202a && c <= 0x202e)
        || (c >= 0x2066 && c <= 0x2069)
        || c == 0x2028
        || c == 0x2029;
  }

  /** {@code s} with every {@link #unsafe} character (and lone surrogate) written as an escape. */
  static String safe(String s) {
    if (s == null) {
      return null;
    }
    StringBuilder out = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean lone =
          Character.isSurrogate(c)
              && !(Character.isHighSurrogate(c)
                  && i + 1 < s.length()
                  && Character.isLowSurrogate(s.charAt(i + 1)))
              && !(Character.isLowSurrogate(c)
                  && i > 0
                  && Character.isHighSurrogate(s.charAt(i - 1)));
      if (!unsafe(c) && !lone) {
        if (out != null) {
          out.append(c);
        }
        continue;
      }
      if (out == null) {
        out = new StringBuilder(s.length() + 16).append(s, 0, i);
      }
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> out.append(String.format("\\u%04x", (int) c));
      }
    }
    return out == null ? s : out.toString();
  }

  /** JSON escapes for what {@link #unsafe} names beyond JSON's own (which covers C0 only). */
  private static final class Escapes extends CharacterEscapes {
    private static final long serialVersionUID = 1L;
    private final int[] ascii = standardAsciiEscapesForJSON();

    Escapes() {
      ascii[0x7f] = ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      return ch <= 0xffff && unsafe((char) ch)
          ? new SerializedString(String.format("\\u%04x", ch))
          : null;
    }
  }

  /** Pretty JSON whose text is safe on a terminal, and still the same JSON. */
  static final ObjectWriter JSON = Json.MAPPER.writerWithDefaultPrettyPrinter().with(new Escapes());
}
