package dev.kirim.cluster;

import java.time.Clock;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Remembers the nonces of the signed jobs already taken until they expire, so that a job copied off the
 * network and sent again is refused: a signature proves who made a job, not that it is new. Memory is
 * bounded: past {@link #MAX_REMEMBERED} unexpired nonces, new jobs are refused (as "too many") rather than old
 * nonces forgotten, which would let their jobs be replayed. Not thread-safe: one per consumer, on its context.
 */
public final class ReplayGuard {

  /** With jobs valid at most {@link ClusterSecret#MAX_VALIDITY_MS}, about 160 jobs a second sustained. */
  static final int MAX_REMEMBERED = 100_000;
  /** Expired nonces are dropped every so many jobs, so that a quiet service holds few. */
  private static final int SWEEP_EVERY = 1024;

  private final Map<String, Long> expiries = new HashMap<>();
  private final Clock clock;
  private final int maxRemembered;
  private int sinceSweep;

  public ReplayGuard() {
    this(Clock.systemUTC(), MAX_REMEMBERED);
  }

  ReplayGuard(Clock clock, int maxRemembered) {
    this.clock = clock;
    this.maxRemembered = maxRemembered;
  }

  /**
   * @return {@code null} when the envelope is new (it is remembered from now on), else why it is refused
   */
  public String firstUse(ClusterSecret.Verified job) {
    long now = clock.millis();
    if (++sinceSweep >= SWEEP_EVERY || expiries.size() >= maxRemembered) {
      sinceSweep = 0;
      forgetExpired(now);
    }
    if (expiries.containsKey(job.nonce())) {
      return "replayed: a job with this nonce was already taken";
    }
    if (expiries.size() >= maxRemembered) {
      return "too many signed jobs in the last " + ClusterSecret.MAX_VALIDITY_MS / 1000 + " s to remember them all";
    }
    expiries.put(job.nonce(), job.expiresAt());
    return null;
  }

  private void forgetExpired(long now) {
    for (Iterator<Long> it = expiries.values().iterator(); it.hasNext(); ) {
      if (it.next() < now) {
        it.remove();
      }
    }
  }
}
