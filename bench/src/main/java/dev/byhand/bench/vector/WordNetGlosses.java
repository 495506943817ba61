package dev.byhand.bench.vector;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The glosses of WordNet 3.0 as Debian's {@code wordnet-base} installs them: one synset per line of
 * {@code data.noun}, {@code data.verb}, {@code data.adj} and {@code data.adv}, the gloss after the
 * first {@code " | "}; the license header lines start with two spaces and are skipped. Identical
 * glosses (about 600 of 117,659) are kept once, in file order.
 */
final class WordNetGlosses {

  /** Where {@code wordnet-base} puts the database. */
  static final Path DEBIAN_DIR = Path.of("/usr/share/wordnet");

  /** The four data files, in the order their glosses are read. */
  static final List<String> FILES = List.of("data.noun", "data.verb", "data.adj", "data.adv");

  private WordNetGlosses() {}

  /**
   * The gloss of one line of a {@code data.*} file, or {@code null} for a header line (two leading
   * spaces), a blank line or a line without a gloss. Trailing spaces are dropped.
   */
  static String gloss(String line) {
    if (line.isBlank() || line.startsWith("  ")) {
      return null;
    }
    int bar = line.indexOf(" | ");
    if (bar < 0) {
      return null;
    }
    String g = line.substring(bar + 3).strip();
    return g.isEmpty() ? null : g;
  }

  /** The distinct glosses of the four files under {@code dir}, in file and line order. */
  static List<String> read(Path dir) throws IOException {
    Set<String> distinct = new LinkedHashSet<>();
    for (String name : FILES) {
      // WordNet 3.0's data files are ASCII; Latin-1 reads any byte without failing.
      try (BufferedReader r =
          Files.newBufferedReader(dir.resolve(name), StandardCharsets.ISO_8859_1)) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          String g = gloss(line);
          if (g != null) {
            distinct.add(g);
          }
        }
      }
    }
    return new ArrayList<>(distinct);
  }

  /** SHA-256 of the four files' bytes: the cache is stale when the package's data changes. */
  static String fingerprint(Path dir) throws IOException {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String name : FILES) {
        sha.update(Files.readAllBytes(dir.resolve(name)));
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
