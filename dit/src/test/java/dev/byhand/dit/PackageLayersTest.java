package dev.byhand.dit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The module's packages depend on each other in one direction only, read from the sources (imports
 * and fully qualified names, javadoc included): data and nn at the bottom, then diffusion, the
 * model and sampling ({@code dev.byhand.dit}), evaluation, training, and the walkthrough on top.
 * The model classes hold no training code: nothing in {@code dev.byhand.dit} refers to {@code
 * train} or {@code eval}.
 */
class PackageLayersTest {
  private static final Path SOURCES = Path.of("src/main/java/dev/byhand/dit");
  private static final Pattern REFERENCE =
      Pattern.compile("dev\\.byhand\\.dit\\.(?:([a-z]+)\\.)?[A-Z]");

  /** Who may refer to whom; a package always may refer to itself. */
  private static final Map<String, Set<String>> ALLOWED =
      Map.of(
          "data", Set.of(),
          "nn", Set.of("data"),
          "diffusion", Set.of("data"),
          "root", Set.of("data", "nn", "diffusion"),
          "eval", Set.of("root", "data", "nn", "diffusion"),
          "train", Set.of("root", "data", "nn", "diffusion", "eval"),
          "explain", Set.of("root", "data", "nn", "diffusion", "train"));

  @Test
  void packagesDependOnEachOtherInOneDirection() throws IOException {
    Map<String, Set<String>> found = dependencies();
    assertThat(found.keySet()).isSubsetOf(ALLOWED.keySet());
    List<String> wrong = new ArrayList<>();
    found.forEach(
        (from, targets) -> {
          for (String to : targets) {
            if (!to.equals(from) && !ALLOWED.get(from).contains(to)) {
              wrong.add(from + " → " + to);
            }
          }
        });
    assertThat(wrong).as("references against the layering").isEmpty();
  }

  private static Map<String, Set<String>> dependencies() throws IOException {
    Map<String, Set<String>> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
        Path dir = SOURCES.relativize(f.getParent());
        String from = dir.toString().isEmpty() ? "root" : dir.toString();
        Set<String> targets = out.computeIfAbsent(from, k -> new TreeSet<>());
        Matcher m = REFERENCE.matcher(Files.readString(f));
        while (m.find()) {
          targets.add(m.group(1) == null ? "root" : m.group(1));
        }
      }
    }
    return out;
  }
}
