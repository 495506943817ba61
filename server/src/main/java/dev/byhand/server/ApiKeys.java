package dev.byhand.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The server's API keys: admin keys may do everything, read-only keys may only read and search.
 * With no key at all the server is open, which it allows only on a loopback address.
 *
 * <p>A key file holds one key a line as {@code admin=KEY} or {@code read=KEY}; blank lines and
 * lines starting with {@code #} are skipped. The environment variables {@code BYHAND_ADMIN_KEY} and
 * {@code BYHAND_READ_KEY} each hold one key or several separated by commas.
 */
public final class ApiKeys {

  /** Shortest key accepted: 16 characters keep guessing out of reach for an online attacker. */
  public static final int MIN_KEY_LENGTH = 16;

  /** What a request may do. */
  public enum Access {
    /** No valid key (only allowed when the server has no keys). */
    NONE,
    /** Read and search. */
    READ,
    /** Everything. */
    ADMIN
  }

  private final List<byte[]> admin;
  private final List<byte[]> read;

  private ApiKeys(List<String> admin, List<String> read) {
    this.admin = admin.stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
    this.read = read.stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
  }

  /** No keys: an open server (loopback only). */
  public static ApiKeys none() {
    return new ApiKeys(List.of(), List.of());
  }

  /**
   * Keys given directly.
   *
   * @throws IllegalArgumentException if a key is shorter than {@value #MIN_KEY_LENGTH} characters
   */
  public static ApiKeys of(List<String> adminKeys, List<String> readKeys) {
    for (String k : adminKeys) {
      check("admin key", k);
    }
    for (String k : readKeys) {
      check("read key", k);
    }
    return new ApiKeys(List.copyOf(adminKeys), List.copyOf(readKeys));
  }

  /**
   * Keys from a key file (if not null) and from the environment.
   *
   * @throws IllegalArgumentException naming the line of the file that is not {@code admin=} or
   *     {@code read=}, or a key that is too short
   */
  public static ApiKeys load(Path file, Map<String, String> environment) {
    List<String> admin = new ArrayList<>();
    List<String> read = new ArrayList<>();
    if (file != null) {
      List<String> lines;
      try {
        lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot read API key file " + file + ": " + e.getMessage(), e);
      }
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i).strip();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        if (line.startsWith("admin=")) {
          admin.add(line.substring(6).strip());
        } else if (line.startsWith("read=")) {
          read.add(line.substring(5).strip());
        } else {
          throw new IllegalArgumentException(
              "api-key-file: line " + (i + 1) + " of " + file + " must be admin=KEY or read=KEY");
        }
      }
    }
    split(environment.get("BYHAND_ADMIN_KEY"), admin);
    split(environment.get("BYHAND_READ_KEY"), read);
    return of(admin, read);
  }

  private static void split(String value, List<String> into) {
    if (value == null) {
      return;
    }
    for (String k : value.split(",")) {
      if (!k.isBlank()) {
        into.add(k.strip());
      }
    }
  }

  private static void check(String what, String key) {
    if (key == null || key.length() < MIN_KEY_LENGTH) {
      throw new IllegalArgumentException(
          what + ": must be at least " + MIN_KEY_LENGTH + " characters");
    }
  }

  /** Whether any key is configured (if not, every request has admin access). */
  public boolean enabled() {
    return !admin.isEmpty() || !read.isEmpty();
  }

  /** What a request presenting {@code key} (null: none) may do. */
  public Access access(String key) {
    if (!enabled()) {
      return Access.ADMIN;
    }
    if (key == null) {
      return Access.NONE;
    }
    byte[] given = key.getBytes(StandardCharsets.UTF_8);
    // Every key is compared, in constant time each, so timing does not tell which list matched.
    boolean isAdmin = false;
    boolean isRead = false;
    for (byte[] k : admin) {
      isAdmin |= MessageDigest.isEqual(k, given);
    }
    for (byte[] k : read) {
      isRead |= MessageDigest.isEqual(k, given);
    }
    return isAdmin ? Access.ADMIN : isRead ? Access.READ : Access.NONE;
  }
}
