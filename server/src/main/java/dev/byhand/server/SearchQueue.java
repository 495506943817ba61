package dev.byhand.server;

import io.javalin.http.Context;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * Where searches run: one thread per core, first come first served, off Jetty's threads.
 *
 * <p>A search is pure CPU. Run more of them at once than there are cores and they only
 * time-slice: each takes longer and the slowest (p99) much longer. So a search waits its turn in
 * this queue and then runs at full speed on a core of its own. The request's Jetty thread only
 * reads and checks the body and hands the search over ({@link Context#future}); it does not wait.
 * (An earlier design blocked the Jetty thread on a semaphore: a blocked thread can be the one
 * Jetty was selecting with, so requests that had arrived went unnoticed while a core sat idle;
 * with two cores 13-20 % of the CPU went unused under load. BENCHMARKS.md, "Load".)
 *
 * <p>At most {@link #MAX_QUEUED} searches wait; beyond that the server answers 503 at once
 * rather than queueing work it would answer too late.
 */
final class SearchQueue implements AutoCloseable {

  /** How many searches may wait for a core before new ones are refused with 503. */
  static final int MAX_QUEUED = 1024;

  private final ThreadPoolExecutor pool;
  private final int capacity;
  private final BiConsumer<Context, Throwable> onError;

  /** A queue of {@link #MAX_QUEUED} places. */
  SearchQueue(int threads, BiConsumer<Context, Throwable> onError) {
    this(threads, MAX_QUEUED, onError);
  }

  /**
   * @param threads how many searches run at once (the cores)
   * @param capacity how many may wait
   * @param onError writes the error answer of a search that failed
   */
  SearchQueue(int threads, int capacity, BiConsumer<Context, Throwable> onError) {
    this.capacity = capacity;
    this.onError = onError;
    AtomicInteger n = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(capacity),
            r -> {
              Thread t = new Thread(r, "byhand-search-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Queues {@code answer}, which writes the request's response (or throws; the error is then
   * written by {@code onError}); the request completes when it has run.
   *
   * @throws ApiError 503 when {@link #MAX_QUEUED} searches are already waiting, or after close
   */
  void answer(Context ctx, Runnable answer) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      pool.execute(
          () -> {
            try {
              answer.run();
            } catch (Throwable t) {
              onError.accept(ctx, t);
            } finally {
              // Never completed exceptionally: Javalin would then skip the after-handlers (metrics,
              // the in-flight count that a graceful stop waits on).
              done.complete(null);
            }
          });
    } catch (RejectedExecutionException e) {
      throw new ApiError(
          503,
          "unavailable",
          null,
          pool.isShutdown() ? "the server is shutting down" : capacity + " searches are already waiting; retry later");
    }
    ctx.future(() -> done);
  }

  /** Searches running now. */
  int running() {
    return pool.getActiveCount();
  }

  /** Searches waiting for a core now. */
  int waiting() {
    return pool.getQueue().size();
  }

  /** Lets queued searches finish (up to {@code millis}), then stops the threads. */
  void close(long millis) {
    pool.shutdown();
    try {
      pool.awaitTermination(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pool.shutdownNow();
  }

  @Override
  public void close() {
    close(0);
  }
}
