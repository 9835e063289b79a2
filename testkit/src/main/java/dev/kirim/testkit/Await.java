package dev.kirim.testkit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.Collection;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
   * Closes every Vert.x instance (cluster nodes) at once and waits for all of them, so that one close that fails
   * or hangs does not leave the others running.
   *
   * @throws AssertionError when a close failed or they took longer than {@code seconds}
   */
  public static void closeAll(Collection<Vertx> instances, long seconds) {
    await(Future.join(instances.stream().map(Vertx::close).toList()), seconds);
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
