package dev.kirim.testkit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Waiting on a test thread (never an event loop) for a future, always with a bound: a scenario test reads as a
 * sequence ("push, then push again, then look at the disk") and never hangs.
 */
public final class Await {

  /** Upper bound for any single wait in a test. */
  public static final long TIMEOUT_SECONDS = 30;

  private Await() {
  }

  /** @return the future's result, once complete; at most {@link #TIMEOUT_SECONDS} */
  public static <T> T await(Future<T> future) {
    return await(future, TIMEOUT_SECONDS);
  }

  /**
   * Polls {@code condition} on the event loop, every 10 ms, until it holds, for at most 10 s: for a state that no
   * event announces, such as the server's clean-up of a closed connection.
   *
   * @return a future that fails with an {@link AssertionError} naming {@code what} when the time is up
   */
  public static Future<Void> until(Vertx vertx, BooleanSupplier condition, String what) {
    return until(vertx, condition, what, System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
  }

  private static Future<Void> until(Vertx vertx, BooleanSupplier condition, String what, long deadlineNanos) {
    if (condition.getAsBoolean()) {
      return Future.succeededFuture();
    }
    if (System.nanoTime() > deadlineNanos) {
      return Future.failedFuture(new AssertionError("not within 10 s: " + what));
    }
    return vertx.timer(10).compose(t -> until(vertx, condition, what, deadlineNanos));
  }

  /**
   * @return the future's result, once complete
   * @throws AssertionError when it failed (the failure is the cause) or took longer than {@code seconds}
   */
  public static <T> T await(Future<T> future, long seconds) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("the future failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("the future did not complete within " + seconds + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /**
   * Closes every Vert.x instance (cluster nodes) one after the other, the last started first, each within
   * {@code secondsEach}; one close that fails or hangs does not leave the others running. Not all at once:
   * Hazelcast members shutting down gracefully together each wait for their partitions to move to members that
   * are leaving too, which can outlast any bound (seen on CI: four nodes closed at once, not done in 60 s).
   *
   * @throws AssertionError the first close that failed or took longer, with the later ones suppressed
   */
  public static void closeAll(List<Vertx> instances, long secondsEach) {
    AssertionError first = null;
    for (int i = instances.size() - 1; i >= 0; i--) {
      try {
        await(instances.get(i).close(), secondsEach);
      } catch (AssertionError e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /**
   * @return the failure of a future that must fail
   * @throws AssertionError when it succeeded, or did not complete within {@code seconds}
   */
  public static Throwable awaitFailure(Future<?> future, long seconds) {
    try {
      Object result = future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
      throw new AssertionError("the future succeeded, with " + result + ", where it should have failed");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("the future did not complete within " + seconds + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
