package dev.kirim.server;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;

/**
 * The time a peer has for a header line: a started line must end within the header timeout, so that a
 * client dripping one byte at a time cannot hold a connection slot (the idle timeout alone never fires for
 * it). Event-loop confined.
 */
final class HeaderDeadline {

  private final Vertx vertx;
  private final long timeoutMs;
  private final Handler<String> onExpired;
  private long timer = -1;

  /** @param onExpired called with the reason when a deadline passes */
  HeaderDeadline(Vertx vertx, long timeoutMs, Handler<String> onExpired) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.onExpired = onExpired;
  }

  /** Starts a deadline, unless one is running. */
  void start(String reason) {
    if (timer >= 0) {
      return;
    }
    timer = vertx.setTimer(timeoutMs, id -> {
      timer = -1;
      onExpired.handle(reason);
    });
  }

  /** Runs the deadline exactly while a header line is under way. */
  void follow(boolean midHeader) {
    if (midHeader) {
      start("header line not completed within " + timeoutMs + " ms");
    } else {
      cancel();
    }
  }

  void cancel() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
