package dev.byhand.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The queue searches wait in: one at a time per thread, in order, 503 when full, errors answered.
 */
class SearchQueueTest {

  private final CountDownLatch release = new CountDownLatch(1);
  private final HttpClient client = HttpClient.newHttpClient();
  private SearchQueue queue;
  private Javalin app;

  @BeforeEach
  void start() {
    // one search thread, one waiting place; a failed search is answered 418 with its message
    queue = new SearchQueue(1, 1, (ctx, t) -> ctx.status(418).result(t.getMessage()));
    app =
        Javalin.create()
            .post(
                "/block",
                ctx ->
                    queue.answer(
                        ctx,
                        () -> {
                          await();
                          ctx.result("done " + Thread.currentThread().getName());
                        }))
            .post(
                "/fail",
                ctx ->
                    queue.answer(
                        ctx,
                        () -> {
                          throw new IllegalStateException("boom");
                        }))
            .exception(ApiError.class, (e, ctx) -> ctx.status(e.status()).result(e.getMessage()))
            .start("127.0.0.1", 0);
  }

  private void await() {
    try {
      release.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @AfterEach
  void stop() {
    release.countDown();
    app.stop();
    queue.close();
  }

  private CompletableFuture<HttpResponse<String>> post(String path) {
    HttpRequest r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
            .POST(HttpRequest.BodyPublishers.noBody())
            .build();
    return client.sendAsync(r, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aFullQueueAnswers503AtOnceAndTheQueuedSearchesStillFinish() throws Exception {
    // the core is free: the first search runs at once, on the request's own thread
    CompletableFuture<HttpResponse<String>> running = post("/block");
    waitFor(() -> queue.running() == 1);
    // the second is taken by the search thread, which waits for the core
    CompletableFuture<HttpResponse<String>> second = post("/block");
    waitFor(() -> queue.waiting() == 1);
    // the third takes the one place in the queue
    CompletableFuture<HttpResponse<String>> third = post("/block");
    waitFor(() -> queue.waiting() == 2);

    HttpResponse<String> refused = post("/block").get(10, TimeUnit.SECONDS);
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.body()).isEqualTo("too many searches waiting (the limit is 1); retry later");
    assertThat(running).isNotDone();

    release.countDown();
    assertThat(running.get(10, TimeUnit.SECONDS).body()).doesNotContain("byhand-search");
    assertThat(second.get(10, TimeUnit.SECONDS).body()).isEqualTo("done byhand-search-1");
    assertThat(third.get(10, TimeUnit.SECONDS).body()).isEqualTo("done byhand-search-1");
    assertThat(queue.waiting()).isZero();
    assertThat(queue.running()).isZero();
  }

  @Test
  void aFailedSearchIsAnsweredThroughTheErrorWriter() throws Exception {
    CompletableFuture<HttpResponse<String>> running = post("/block"); // holds the core
    waitFor(() -> queue.running() == 1);
    CompletableFuture<HttpResponse<String>> failed = post("/fail"); // so this one is queued
    waitFor(() -> queue.waiting() == 1);
    release.countDown();
    HttpResponse<String> r = failed.get(10, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(418);
    assertThat(r.body()).isEqualTo("boom");
    assertThat(running.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(post("/block").get(10, TimeUnit.SECONDS).statusCode())
        .isEqualTo(200); // the core was given back
    assertThat(queue.running()).isZero();
  }

  @Test
  void aSearchThatFailsInlineGoesToTheExceptionMapper() throws Exception {
    // with the core free, /fail runs on the request thread; Javalin's mapper has no rule for it:
    // 500
    assertThat(post("/fail").get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(500);
    assertThat(queue.running()).isZero(); // the core was given back
  }

  @Test
  void afterCloseSearchesAreRefused() throws Exception {
    queue.close();
    HttpResponse<String> r = post("/block").get(10, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).isEqualTo("the server is shutting down");
  }

  private static void waitFor(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached in 10 s");
      }
      Thread.sleep(5);
    }
  }
}
