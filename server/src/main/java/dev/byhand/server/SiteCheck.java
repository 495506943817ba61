package dev.byhand.server;

import io.javalin.http.Context;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Refuses requests a web page on another site makes a browser send. A page anywhere can make the
 * browser of someone running a keyless server on loopback send requests to it; three rules keep
 * those out, checked on every API route before the key:
 *
 * <ol>
 *   <li><b>Host</b> (without an API key only): the request must be addressed to a loopback name,
 *       {@code localhost}, {@code 127.0.0.1}, {@code [::1]} or the address the server listens on,
 *       with any port, else 403. A page that rebinds its own name to 127.0.0.1 (DNS rebinding) is
 *       same-origin with itself, so only the name it used, in {@code Host}, gives it away. With a
 *       key the server may sit behind any name; the key is what a foreign page lacks.
 *   <li><b>Origin</b>: when a browser says where the request comes from, it must be this server's
 *       own page (the origin whose host and port are the request's {@code Host}), else 403. The web
 *       page at {@code /} calls the API from exactly that origin.
 *   <li><b>Content-Type</b>: a POST, PUT, PATCH or DELETE that carries a body (or declares a type)
 *       must declare {@code application/json}, with no charset or UTF-8, else 415. A browser sends
 *       a cross-site form or a {@code text/plain} fetch without asking the server first; {@code
 *       application/json} it may only send after a CORS preflight, which this server never grants.
 * </ol>
 *
 * Clients other than browsers (the CLI, LangChain4j's client, curl) send no {@code Origin}, name
 * the host they connect to and declare JSON, so they pass.
 */
final class SiteCheck {

  private final boolean keyless;
  private final Set<String> loopbackNames = new TreeSet<>();

  SiteCheck(ServerConfig config) {
    this.keyless = !config.keys().enabled();
    loopbackNames.add("localhost");
    loopbackNames.add("127.0.0.1");
    loopbackNames.add("[::1]");
    String own = config.host().toLowerCase(Locale.ROOT);
    // The address it listens on is loopback whenever it has no key (ByhandServer checks that).
    loopbackNames.add(own.contains(":") && !own.startsWith("[") ? "[" + own + "]" : own);
  }

  /** A host and port, as in {@code Host} or an origin; port -1 when not given. */
  record Authority(String name, int port) {

    /** Parses {@code name}, {@code name:port} or {@code [v6]:port}; null when malformed. */
    static Authority parse(String s) {
      if (s == null) {
        return null;
      }
      s = s.strip().toLowerCase(Locale.ROOT);
      String name;
      String rest;
      if (s.startsWith("[")) {
        int end = s.indexOf(']');
        if (end < 0) {
          return null;
        }
        name = s.substring(0, end + 1);
        rest = s.substring(end + 1);
      } else {
        int colon = s.indexOf(':');
        if (colon >= 0 && s.indexOf(':', colon + 1) >= 0) {
          return null; // an IPv6 address must be bracketed
        }
        name = colon < 0 ? s : s.substring(0, colon);
        rest = colon < 0 ? "" : s.substring(colon);
      }
      if (name.isEmpty()) {
        return null;
      }
      if (rest.isEmpty()) {
        return new Authority(name, -1);
      }
      if (!rest.startsWith(":") || rest.length() < 2 || rest.length() > 6) {
        return null;
      }
      for (int i = 1; i < rest.length(); i++) {
        if (rest.charAt(i) < '0' || rest.charAt(i) > '9') {
          return null;
        }
      }
      int port = Integer.parseInt(rest.substring(1));
      return port <= 65535 ? new Authority(name, port) : null;
    }

    int portOr(int defaultPort) {
      return port < 0 ? defaultPort : port;
    }
  }

  /**
   * Checks a request against the three rules.
   *
   * @throws ApiError 403 (field {@code Host} or {@code Origin}) or 415 (field {@code Content-Type})
   */
  void check(Context ctx) {
    String hostHeader = ctx.header("Host");
    Authority host = Authority.parse(hostHeader);
    if (keyless && (host == null || !loopbackNames.contains(host.name()))) {
      throw new ApiError(
          403,
          "forbidden",
          "Host",
          "this server has no API key, so it answers only requests addressed to localhost,"
              + " 127.0.0.1 or [::1] (a defence against DNS rebinding); got Host '"
              + brief(hostHeader)
              + "'. Use one of those names, or start the server with an API key");
    }
    String origin = ctx.header("Origin");
    if (origin != null && !sameOrigin(origin, host)) {
      throw new ApiError(
          403,
          "forbidden",
          "Origin",
          "cross-site request refused: a page at '"
              + brief(origin)
              + "' may not call this server; only its own page (at the address in Host) may");
    }
    String method = ctx.method().name();
    boolean writes =
        method.equals("POST")
            || method.equals("PUT")
            || method.equals("PATCH")
            || method.equals("DELETE");
    String type = ctx.header("Content-Type");
    boolean body =
        type != null
            || ctx.req().getContentLengthLong() > 0
            || ctx.header("Transfer-Encoding") != null;
    if (writes && body && !json(type)) {
      throw new ApiError(
          415,
          "unsupported_media_type",
          "Content-Type",
          "a request body must be JSON sent with Content-Type: application/json (UTF-8); got "
              + (type == null ? "none" : "'" + brief(type) + "'"));
    }
  }

  /** Whether an origin ({@code scheme://host[:port]}) is the one the request was addressed to. */
  private static boolean sameOrigin(String origin, Authority host) {
    if (host == null) {
      return false;
    }
    String o = origin.strip().toLowerCase(Locale.ROOT);
    int defaultPort;
    if (o.startsWith("http://")) {
      defaultPort = 80;
      o = o.substring(7);
    } else if (o.startsWith("https://")) {
      defaultPort = 443;
      o = o.substring(8);
    } else {
      return false; // "null" (a sandboxed frame, a file) or another scheme
    }
    Authority from = Authority.parse(o);
    return from != null
        && from.name().equals(host.name())
        && from.portOr(defaultPort) == host.portOr(defaultPort);
  }

  /** {@code application/json}, with no charset or a UTF-8 one (other parameters are ignored). */
  static boolean json(String type) {
    if (type == null) {
      return false;
    }
    String[] parts = type.split(";");
    if (!parts[0].strip().equalsIgnoreCase("application/json")) {
      return false;
    }
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].strip();
      int eq = p.indexOf('=');
      if (eq > 0 && p.substring(0, eq).strip().equalsIgnoreCase("charset")) {
        String v = p.substring(eq + 1).strip().replace("\"", "");
        if (!v.equalsIgnoreCase("utf-8") && !v.equalsIgnoreCase("utf8")) {
          return false;
        }
      }
    }
    return true;
  }

  private static String brief(String s) {
    if (s == null) {
      return "";
    }
    return s.length() > 100 ? s.substring(0, 100) + "…" : s;
  }
}
