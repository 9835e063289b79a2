package dev.kirim.server;

import io.vertx.core.shareddata.Shareable;

import java.util.concurrent.atomic.AtomicInteger;

/** Open connections on one listening address, shared by all server instances on it (a Vert.x local map value). */
final class ConnectionCount implements Shareable {

  private final AtomicInteger open = new AtomicInteger();

  /** @return true when a slot was taken, false when {@code max} connections are already open */
  boolean tryAcquire(int max) {
    while (true) {
      int current = open.get();
      if (current >= max) {
        return false;
      }
      if (open.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  void release() {
    open.decrementAndGet();
  }

  int open() {
    return open.get();
  }
}
