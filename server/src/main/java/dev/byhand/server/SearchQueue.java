package dev.byhand.server;

import io.javalin.http.Context;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * Where searches run, and every other request that scans points (count, scroll, writes by filter):
 * one thread per core, first come first served, off Jetty's threads.
 *
 * <p>A search is pure CPU. Run more of them at once than there are cores and they only time-slice:
 * each takes longer and the slowest (p99) much longer. So a search waits its turn in this queue and
 * then runs at full speed on a core of its own. A search that finds a core free and nobody waiting
 * runs at once on the request's own thread (a hand-over costs a thread wake-up, which at
 * concurrency 1 was a sixth of the request); otherwise the request's Jetty thread hands it over
 * ({@link Context#future}) and does not wait. (An earlier design blocked the Jetty thread on a
 * semaphore: a blocked thread can be the one Jetty was selecting with, so requests that had arrived
 * went unnoticed while a core sat idle; with two cores 13-20 % of the CPU went unused under load.
 * BENCHMARKS.md, "Load".)
 *
 * <p>At most {@link #MAX_QUEUED} searches wait; beyond that the server answers 503 at once rather
 * than queueing work it would answer too late.
 */
final class SearchQueue implements AutoCloseable {

  /** How many searches may wait for a core before new ones are refused with 503. */
  static final int MAX_QUEUED = 1024;

  private final ThreadPoolExecutor pool;

  /** One permit per search thread; fair, so a free core goes to the search that waited longest. */
  private final Semaphore cores;

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
    this.cores = new Semaphore(threads, true);
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
    answer(ctx, null, answer);
  }

  /**
   * The same, refused with 503 instead of run if {@code deadline} (null: none) has passed by the
   * time a core is free for it.
   */
  void answer(Context ctx, Deadline deadline, Runnable answer) {
    if (pool.getQueue().isEmpty() && !pool.isShutdown() && freeCore()) {
      try {
        if (deadline != null && deadline.passed()) {
          throw deadline.waitedTooLong();
        }
        answer.run(); // errors go to Javalin's exception mapper, as from any handler
      } finally {
        cores.release();
      }
      return;
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      pool.execute(
          () -> {
            cores.acquireUninterruptibly();
            try {
              if (deadline != null && deadline.passed()) {
                throw deadline.waitedTooLong();
              }
              answer.run();
            } catch (Throwable t) {
              onError.accept(ctx, t);
            } finally {
              cores.release();
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
          pool.isShutdown()
              ? "the server is shutting down"
              : "too many searches waiting (the limit is " + capacity + "); retry later");
    }
    ctx.future(() -> done);
  }

  /** A core, if one is free and no search waits for it (a fair try: it never jumps the queue). */
  private boolean freeCore() {
    try {
      return cores.tryAcquire(0, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Searches running now. */
  int running() {
    return pool.getMaximumPoolSize() - cores.availablePermits();
  }

  /** Searches waiting for a core now. */
  int waiting() {
    return pool.getQueue().size() + cores.getQueueLength();
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
