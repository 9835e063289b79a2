package dev.kirim.server;

import io.vertx.core.shareddata.Shareable;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Open connections per remote IP on one listening address, shared by all server instances on it (a Vert.x
 * local map value), so that one peer cannot take every slot of {@code maxConnections}. An address with no
 * connection left open has no entry: the map is bounded by the connections open.
 */
final class PeerConnections implements Shareable {

  private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();

  /** @return true when a slot was taken for {@code peer}, false when it already has {@code max} open */
  boolean tryAcquire(String peer, int max) {
    boolean[] taken = new boolean[1];
    open.compute(peer, (k, count) -> {
      int current = count == null ? 0 : count;
      taken[0] = current < max;
      return taken[0] ? current + 1 : count;
    });
    return taken[0];
  }

  void release(String peer) {
    open.computeIfPresent(peer, (k, count) -> count <= 1 ? null : count - 1);
  }

  int open(String peer) {
    return open.getOrDefault(peer, 0);
  }
}
