package dev.kirim.server;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;

/**
 * The time a connection has to feed the names it claimed: once an offer is answered {@code send}, its name
 * is held for this connection, and a client that never sends the data (or never commits it) would hold it
 * for as long as it keeps the connection alive. The deadline runs while the connection holds a claim, is not
 * in the middle of a body, and is being read; it restarts at each body, so a pipelining client sending one
 * large file after another is never cut off. Event-loop confined.
 */
final class ClaimDeadline {

  private final Vertx vertx;
  private final long timeoutMs;
  private final Handler<String> onExpired;
  private long timer = -1;

  /** @param onExpired called with the reason when the deadline passes */
  ClaimDeadline(Vertx vertx, long timeoutMs, Handler<String> onExpired) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.onExpired = onExpired;
  }

  /** Runs the deadline exactly while {@code owing}; a running one keeps its start. */
  void follow(boolean owing) {
    if (!owing) {
      cancel();
    } else if (timer < 0) {
      timer = vertx.setTimer(timeoutMs, id -> {
        timer = -1;
        onExpired.handle("an offer answered 'send' got no 'data' or 'commit' within " + timeoutMs
          + " ms: its name is released");
      });
    }
  }

  void cancel() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
