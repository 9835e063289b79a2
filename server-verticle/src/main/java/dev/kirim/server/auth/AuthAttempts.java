package dev.kirim.server.auth;

import io.vertx.core.shareddata.Shareable;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Failed authentications per peer address, shared by every instance of a server (a Vert.x local map value):
 * each failure blocks the address for a delay that doubles with each failure in a row, from {@link #BASE_MS}
 * up to {@link #MAX_MS}. While an address is blocked its attempts are not checked at all (even a right token is
 * refused, so guessing in parallel gains nothing) and their answer waits until the block ends: a brute-forcer
 * gets at most one checked guess per delay, and its connections are held meanwhile (at most
 * {@code maxConnectionsPerPeer} of them). A success, or {@link #FORGET_MS} without failure, clears the address.
 */
public final class AuthAttempts implements Shareable {

  static final long BASE_MS = 100;
  static final long MAX_MS = 30_000;
  static final long FORGET_MS = 10 * 60_000;
  // Bounds the map against a scan from many addresses: beyond it, addresses quiet for FORGET_MS are pruned.
  private static final int PRUNE_AT = 10_000;

  private final ConcurrentHashMap<String, Peer> peers = new ConcurrentHashMap<>();
  private final LongSupplier clockMs;

  public AuthAttempts() {
    this(() -> System.nanoTime() / 1_000_000);
  }

  AuthAttempts(LongSupplier clockMs) {
    this.clockMs = clockMs;
  }

  /** @return how many ms {@code peer} is still blocked for: 0 when its attempt may be checked now */
  public long blockedFor(String peer) {
    Peer state = peers.get(peer);
    return state == null ? 0 : Math.max(0, state.blockedUntil - clockMs.getAsLong());
  }

  /**
   * Counts a failed check.
   *
   * @return how many ms to wait before answering it (the block it starts)
   */
  public long failed(String peer) {
    long now = clockMs.getAsLong();
    if (peers.size() > PRUNE_AT) {
      peers.values().removeIf(p -> now - p.lastFailure > FORGET_MS);
    }
    Peer state = peers.compute(peer, (k, old) -> {
      int failures = old == null || now - old.lastFailure > FORGET_MS ? 1 : old.failures + 1;
      long delay = Math.min(MAX_MS, BASE_MS << Math.min(failures - 1, 20));
      return new Peer(failures, now, now + delay);
    });
    return state.blockedUntil - now;
  }

  /** @return failures in a row of {@code peer} */
  public int failures(String peer) {
    Peer state = peers.get(peer);
    return state == null ? 0 : state.failures;
  }

  public void succeeded(String peer) {
    peers.remove(peer);
  }

  private record Peer(int failures, long lastFailure, long blockedUntil) {
  }
}
