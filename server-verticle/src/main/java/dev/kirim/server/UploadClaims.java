package dev.kirim.server;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * At most one upload per name at a time: an upload claims its target path before anything is written, and
 * releases it when it ends. The claims live in a Vert.x local map, shared by every server instance in this
 * Vert.x, so that {@code -instances N} keeps the rule.
 * <p>
 * An offer of a name another connection holds waits for it ({@link #claim}): when the holder releases the
 * name, every waiter is woken on its own event loop and one of them takes it; the others wait on. So a
 * race between clients resolves as if they had come one after the other, instead of failing with
 * {@code busy}.
 */
final class UploadClaims {

  static final String CLAIMS_MAP = "kirim.server.claims";
  private static final String WAITERS_KEY = "waiters";

  private final Vertx vertx;
  private final LocalMap<String, String> claims;
  private final Waiters waiters;

  UploadClaims(Vertx vertx) {
    this.vertx = vertx;
    this.claims = vertx.sharedData().getLocalMap(CLAIMS_MAP);
    LocalMap<String, Waiters> shared = vertx.sharedData().getLocalMap(CLAIMS_MAP + ".waiters");
    Waiters fresh = new Waiters();
    Waiters existing = shared.putIfAbsent(WAITERS_KEY, fresh);
    this.waiters = existing == null ? fresh : existing;
  }

  /** @return the claim on {@code target} for {@code owner}, or {@code null} when another upload holds it */
  Claim tryClaim(Path target, String owner) {
    return tryClaim(target.toString(), owner);
  }

  /**
   * Claims {@code target} for {@code owner}, waiting up to {@code waitMs} for another owner to release it.
   *
   * @return the claim, or {@code null} when the wait ran out or {@code owner} itself holds the name (an
   *   offer of a name its own connection is uploading cannot wait: its reply would come after the
   *   other's, which waits for it)
   */
  Future<Claim> claim(Path target, String owner, long waitMs) {
    String key = target.toString();
    Claim claim = tryClaim(key, owner);
    if (claim != null || owner.equals(claims.get(key)) || waitMs <= 0) {
      return Future.succeededFuture(claim);
    }
    Waiter waiter = new Waiter(vertx.getOrCreateContext(), key, owner);
    waiters.add(waiter);
    // Registered first, tried again second: a release in between wakes this waiter, none is lost.
    waiter.attempt();
    if (!waiter.promise.future().isComplete()) {
      waiter.timer = vertx.setTimer(waitMs, id -> waiter.giveUp());
    }
    return waiter.promise.future();
  }

  /** Ends every wait of {@code owner} with no claim: its connection is gone. On the owner's context. */
  void abandonWaits(String owner) {
    waiters.of(owner).forEach(Waiter::giveUp);
  }

  private Claim tryClaim(String key, String owner) {
    return claims.putIfAbsent(key, owner) == null ? new Claim(key, owner) : null;
  }

  /**
   * A held claim; releasing it more than once is harmless. It carries the upload's space reservation, if any,
   * so that every path that ends an upload (and releases its claim) ends the reservation too.
   */
  final class Claim {
    private final String key;
    private final String owner;
    // Run once, at the first release: what the claim's upload holds besides the name (a quota reservation).
    private Runnable onRelease;
    private volatile SpaceReservations.Reservation reservation;

    private Claim(String key, String owner) {
      this.key = key;
      this.owner = owner;
    }

    /** Adds {@code action} to what the first release runs (after any added before). */
    void onRelease(Runnable action) {
      Runnable before = onRelease;
      this.onRelease = before == null ? action : () -> {
        before.run();
        action.run();
      };
    }

    /** Ties {@code reservation} to this claim: released with it. */
    void hold(SpaceReservations.Reservation reservation) {
      this.reservation = reservation;
    }

    /** {@code bytes} of the upload were written to the storage. */
    void written(long bytes) {
      SpaceReservations.Reservation held = reservation;
      if (held != null) {
        held.written(bytes);
      }
    }

    void release() {
      Runnable action = onRelease;
      onRelease = null;
      if (action != null) {
        action.run();
      }
      SpaceReservations.Reservation held = reservation;
      if (held != null) {
        held.release();
      }
      if (claims.removeIfPresent(key, owner)) {
        waiters.wake(key);
      }
    }
  }

  /** An offer waiting for a name; its state is touched only on its own context. */
  private final class Waiter {
    private final Context context;
    private final String key;
    private final String owner;
    private final Promise<Claim> promise = Promise.promise();
    private long timer = -1;

    private Waiter(Context context, String key, String owner) {
      this.context = context;
      this.key = key;
      this.owner = owner;
    }

    void wake() {
      context.runOnContext(v -> attempt());
    }

    void attempt() {
      if (promise.future().isComplete()) {
        return;
      }
      Claim claim = tryClaim(key, owner);
      if (claim != null) {
        finish(claim);
      } else if (owner.equals(claims.get(key))) {
        // Another offer of this connection took the name meanwhile: waiting for it would deadlock.
        finish(null);
      }
    }

    void giveUp() {
      finish(null);
    }

    private void finish(Claim claim) {
      waiters.remove(this);
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
      promise.tryComplete(claim);
    }
  }

  /** The waiters of every instance, by name: one object shared through a local map. */
  private static final class Waiters implements Shareable {
    private final Map<String, Set<Waiter>> byKey = new ConcurrentHashMap<>();

    void add(Waiter waiter) {
      byKey.compute(waiter.key, (key, set) -> {
        Set<Waiter> waiting = set == null ? ConcurrentHashMap.newKeySet() : set;
        waiting.add(waiter);
        return waiting;
      });
    }

    void remove(Waiter waiter) {
      byKey.computeIfPresent(waiter.key, (k, set) -> {
        set.remove(waiter);
        return set.isEmpty() ? null : set;
      });
    }

    void wake(String key) {
      Set<Waiter> waiting = byKey.get(key);
      if (waiting != null) {
        waiting.forEach(Waiter::wake);
      }
    }

    List<Waiter> of(String owner) {
      return byKey.values().stream().flatMap(Set::stream).filter(waiter -> waiter.owner.equals(owner)).toList();
    }
  }
}
