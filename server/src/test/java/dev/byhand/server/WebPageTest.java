package dev.byhand.server;

import static dev.byhand.server.ServerApiTest.j;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.store.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web page end to end in headless Chromium, driven through chromedriver's W3C WebDriver HTTP
 * API: pick a collection, type the seed's query, see the seed's answer first and the by-hand panel.
 * Skips, saying why, only when Debian's {@code chromium} or {@code chromium-driver} is missing.
 */
class WebPageTest {

  private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

  @TempDir Path dir;

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private static Path find(String... candidates) {
    for (String c : candidates) {
      if (Files.isExecutable(Path.of(c))) {
        return Path.of(c);
      }
    }
    return null;
  }

  private JsonNode call(String method, String url, Object body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json");
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)));
    HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json = Json.MAPPER.readTree(r.body());
    if (r.statusCode() != 200) {
      throw new AssertionError(
          "WebDriver " + method + " " + url + " answered " + r.statusCode() + ": " + r.body());
    }
    return json.get("value");
  }

  @Test
  void searchAndByHandPanelInHeadlessChromium() throws Exception {
    Path chromium = find("/usr/bin/chromium", "/usr/bin/chromium-browser");
    Path driver = find("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");
    Assumptions.assumeTrue(
        chromium != null && driver != null,
        "SKIPPED: headless browser test needs Debian packages chromium and chromium-driver"
            + " (apt-get install -y chromium chromium-driver; .ci/run installs them)");

    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Process chromedriver =
        new ProcessBuilder(driver.toString(), "--port=" + port)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("chromedriver.log").toFile())
            .start();
    String wd = "http://127.0.0.1:" + port;
    try (ByhandServer server =
        ByhandServer.start(ServerConfig.of(dir.resolve("data")).withAddress("127.0.0.1", 0))) {
      Http http = new Http(server.url(), null);
      http.put("/collections/plain", j("{'vectors': {'size': 2, 'distance': 'Cosine'}}")).result();
      http.put("/collections/seed", j("{'encoder': 'seed'}")).result();
      http.put(
              "/collections/seed/points",
              j(
                  "{'points': [{'id': 'how', 'text': 'how are you'}, {'id': 'who', 'text': 'who are you'}, {'id': 'am', 'text': 'who am I'}]}"))
          .result();

      // 1. chromedriver up
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (true) {
        try {
          if (call("GET", wd + "/status", null).get("ready").asBoolean()) {
            break;
          }
        } catch (IOException notYet) {
          // still starting
        }
        assertThat(System.nanoTime())
            .as("chromedriver did not start; see " + dir.resolve("chromedriver.log"))
            .isLessThan(deadline);
        Thread.sleep(100);
      }
      // 2. a headless session
      ObjectNode caps = Json.MAPPER.createObjectNode();
      ObjectNode always = caps.putObject("capabilities").putObject("alwaysMatch");
      always.put("browserName", "chrome");
      ObjectNode chrome = always.putObject("goog:chromeOptions");
      chrome.put("binary", chromium.toString());
      List.of(
              "--headless=new",
              "--no-sandbox",
              "--disable-gpu",
              "--disable-dev-shm-usage",
              "--user-data-dir=" + dir.resolve("profile"))
          .forEach(chrome.putArray("args")::add);
      String session =
          wd + "/session/" + call("POST", wd + "/session", caps).get("sessionId").asText();
      try {
        call(
            "POST",
            session + "/url",
            Json.MAPPER.createObjectNode().put("url", server.url() + "/dashboard/"));
        // 3. wait for the collection list, pick "seed", type the seed's query, search
        waitFor(session, "return document.querySelectorAll('#collection option').length === 2");
        script(session, "document.getElementById('collection').value = 'seed'; return true;");
        String query = element(session, "#query");
        call(
            "POST",
            session + "/element/" + query + "/value",
            Json.MAPPER.createObjectNode().put("text", "am I you"));
        call(
            "POST",
            session + "/element/" + element(session, "#go") + "/click",
            Json.MAPPER.createObjectNode());
        waitFor(session, "return document.querySelectorAll('#results tbody tr').length === 3");
        // 4. the seed's answer first, with its score and payload; the by-hand panel filled
        JsonNode first =
            script(
                session,
                "const td = document.querySelectorAll('#results tbody tr')[0].cells; return [td[1].textContent, td[2].textContent, td[3].textContent];");
        assertThat(first.get(0).asText()).isEqualTo("am");
        assertThat(first.get(2).asText()).contains("who am I");
        double score = Double.parseDouble(first.get(1).asText());
        String steps =
            script(session, "return document.getElementById('steps').innerText").asText();
        assertThat(steps)
            .contains("[2] tokens")
            .contains("[4] pooled")
            .contains("[5] index vector")
            .contains("[9] dot products");
        assertThat(steps).contains(String.format(java.util.Locale.ROOT, "%.4f", score));
        assertThat(script(session, "return document.getElementById('status').className").asText())
            .isEmpty();
      } finally {
        call("DELETE", session, null);
      }
    } finally {
      chromedriver.destroy();
      chromedriver.waitFor();
    }
  }

  private String element(String session, String css) throws IOException, InterruptedException {
    JsonNode found =
        call(
            "POST",
            session + "/element",
            Json.MAPPER.createObjectNode().put("using", "css selector").put("value", css));
    assertThat(found.has(ELEMENT)).as("element " + css + ": " + found).isTrue();
    return found.get(ELEMENT).asText();
  }

  private JsonNode script(String session, String js) throws IOException, InterruptedException {
    ObjectNode b = Json.MAPPER.createObjectNode().put("script", js);
    b.putArray("args");
    return call("POST", session + "/execute/sync", b);
  }

  private void waitFor(String session, String condition) throws Exception {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!script(session, condition).asBoolean()) {
      assertThat(System.nanoTime())
          .as(
              "page never reached: "
                  + condition
                  + "; status line: "
                  + script(session, "return document.getElementById('status').textContent")
                      .asText())
          .isLessThan(deadline);
      Thread.sleep(100);
    }
  }
}
