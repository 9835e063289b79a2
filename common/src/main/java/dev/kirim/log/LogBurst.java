package dev.kirim.log;

/**
 * Rate limit for one kind of repetitive log line: the first event logs, the ones that follow within
 * {@code everyMs} are only counted, and the next line logged says how many were left out. A client in a loop
 * (refused connections, pipelined offers of bad names) then costs a line per interval, not one per event.
 * Not thread-safe: one per event loop (or guarded by its owner).
 */
public final class LogBurst {

  public static final long DEFAULT_EVERY_MS = 10_000;

  private final long everyNanos;
  private long lastLogged;
  private boolean logged;
  private long suppressed;

  public LogBurst(long everyMs) {
    this.everyNanos = everyMs * 1_000_000;
  }

  public LogBurst() {
    this(DEFAULT_EVERY_MS);
  }

  /**
   * Counts one event.
   *
   * @return -1 when the line is to be left out, else how many were left out since the last line logged
   */
  public long next() {
    long now = System.nanoTime();
    if (logged && now - lastLogged < everyNanos) {
      suppressed++;
      return -1;
    }
    logged = true;
    lastLogged = now;
    long left = suppressed;
    suppressed = 0;
    return left;
  }

  /** @return events left out since the last line logged */
  public long pending() {
    return suppressed;
  }

  /** @return a suffix for the logged line: empty, or how many like it were left out */
  public static String suffix(long suppressed) {
    return suppressed > 0 ? " (" + suppressed + " more like it since the last such line)" : "";
  }
}
