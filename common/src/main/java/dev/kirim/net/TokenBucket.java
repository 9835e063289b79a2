package dev.kirim.net;

import java.util.function.LongSupplier;

/**
 * A token bucket for a rate limit in bytes per second: it fills at the rate up to a burst and may be drawn
 * below zero. Drawing what a whole write or read holds and then waiting until the bucket is out of debt
 * ({@code nanosUntil(0)}) keeps the long-run rate exact, whatever the sizes drawn, and never splits a chunk.
 * <p>
 * Pure logic with an injectable clock, so that it is tested without sleeping. Not thread-safe: one event
 * loop uses it.
 */
public final class TokenBucket {

  /** The least burst: below it, pacing would come down to tiny writes and many timers. */
  public static final long MIN_BURST_BYTES = 64 * 1024;

  private static final double NANOS_PER_SECOND = 1e9;
  // Less than this is missing only by the rounding of doubles: a clock advanced by nanosUntil(n) must find n.
  private static final double ROUNDING = 1e-6;

  private final long bytesPerSecond;
  private final long burstBytes;
  private final LongSupplier nanoTime;
  // May be negative: bytes drawn ahead of the rate.
  private double tokens;
  private long lastRefill;

  /**
   * @param bytesPerSecond the rate, at least 1
   * @param burstBytes how many bytes may go at once after a pause; the bucket starts that full
   * @param nanoTime the clock, {@code System::nanoTime} outside tests
   */
  public TokenBucket(long bytesPerSecond, long burstBytes, LongSupplier nanoTime) {
    if (bytesPerSecond < 1 || burstBytes < 1) {
      throw new IllegalArgumentException("rate and burst must be positive: " + bytesPerSecond + ", " + burstBytes);
    }
    this.bytesPerSecond = bytesPerSecond;
    this.burstBytes = burstBytes;
    this.nanoTime = java.util.Objects.requireNonNull(nanoTime, "nanoTime");
    this.tokens = burstBytes;
    this.lastRefill = nanoTime.getAsLong();
  }

  /** A bucket whose burst is a quarter of a second's bytes, at least {@link #MIN_BURST_BYTES}. */
  public static TokenBucket perSecond(long bytesPerSecond, LongSupplier nanoTime) {
    return new TokenBucket(bytesPerSecond, defaultBurst(bytesPerSecond), nanoTime);
  }

  public static long defaultBurst(long bytesPerSecond) {
    return Math.max(bytesPerSecond / 4, MIN_BURST_BYTES);
  }

  public long bytesPerSecond() {
    return bytesPerSecond;
  }

  public long burstBytes() {
    return burstBytes;
  }

  /** @return the whole tokens in the bucket now; negative while in debt */
  public long available() {
    refill();
    return (long) Math.floor(tokens);
  }

  /** Draws {@code bytes}, going into debt if the bucket holds fewer. */
  public void take(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes: " + bytes);
    }
    refill();
    tokens -= bytes;
  }

  /**
   * @param bytes at most the burst (more is never available: it is treated as the burst)
   * @return how long until the bucket holds {@code bytes}, rounded up; 0 when it holds them now
   */
  public long nanosUntil(long bytes) {
    refill();
    double missing = Math.min(bytes, burstBytes) - tokens;
    return missing <= ROUNDING ? 0 : (long) Math.ceil(missing * NANOS_PER_SECOND / bytesPerSecond);
  }

  private void refill() {
    long now = nanoTime.getAsLong();
    long elapsed = now - lastRefill;
    if (elapsed > 0) {
      tokens = Math.min(burstBytes, tokens + elapsed * (bytesPerSecond / NANOS_PER_SECOND));
      lastRefill = now;
    }
  }
}
