package dev.kirim.server;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;

/**
 * A time limit a connection runs while some condition holds, ending it when it passes: the header deadline
 * (a started header line must end within the header timeout, so that a client dripping one byte at a time
 * cannot hold a connection slot; the idle timeout alone never fires for it) and the claim deadline (names a
 * connection claimed must be fed with their data, or one client could squat them). Event-loop confined.
 */
final class Deadline {

  private final Vertx vertx;
  private final long timeoutMs;
  private final Handler<String> onExpired;
  private long timer = -1;

  /** @param onExpired called with the reason when a deadline passes */
  Deadline(Vertx vertx, long timeoutMs, Handler<String> onExpired) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.onExpired = onExpired;
  }

  /** Starts a deadline, unless one is running: a running one keeps its start. */
  void start(String reason) {
    if (timer >= 0) {
      return;
    }
    timer = vertx.setTimer(timeoutMs, id -> {
      timer = -1;
      onExpired.handle(reason);
    });
  }

  /** Runs the deadline exactly while {@code running}; {@code reason} is what its expiry says. */
  void follow(boolean running, String reason) {
    if (running) {
      start(reason);
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
