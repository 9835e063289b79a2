package dev.kirim.server;

import dev.kirim.net.TokenBucket;
import io.vertx.core.Vertx;

import java.util.concurrent.TimeUnit;

/**
 * Holds one connection's body reads to {@code limits.rateLimitPerConnection}. Each body chunk is drawn from
 * a {@link TokenBucket} as it arrives; once the bucket is in debt the pacer {@link #holding() holds} reading
 * (the connection pauses its socket, as it does for a full disk queue, so the peer's TCP window closes and
 * its writes back up) and a Vert.x timer lets it go once the bucket is half full again. Header lines are
 * not counted. Without a limit it never holds.
 * <p>
 * It exists apart from {@link ServerConnection} so that the connection keeps only a few lines of hook: one
 * more reason to pause. Event-loop confined.
 */
final class ReadPacer {

  private final Vertx vertx;
  // null: unlimited.
  private final TokenBucket bucket;
  private final Runnable onChange;
  // Reading resumes once the bucket holds this much again: a chunk or two at a time would mean a pause and a
  // timer every millisecond or so. The long-run rate is the bucket's either way.
  private final long resumeLevel;
  private long timer = -1;

  private ReadPacer(Vertx vertx, TokenBucket bucket, Runnable onChange) {
    this.vertx = vertx;
    this.bucket = bucket;
    this.onChange = onChange;
    this.resumeLevel = bucket == null ? 0 : bucket.burstBytes() / 2;
  }

  /**
   * @param bytesPerSecond the limit; {@code null}: unlimited
   * @param onChange called when {@link #holding()} changes, to pause or resume reading
   */
  static ReadPacer create(Vertx vertx, Long bytesPerSecond, Runnable onChange) {
    TokenBucket bucket = bytesPerSecond == null ? null : TokenBucket.perSecond(bytesPerSecond, System::nanoTime);
    return new ReadPacer(vertx, bucket, onChange);
  }

  /** Counts body bytes just read; when they put the bucket in debt, reading is held until it is repaid. */
  void consumed(long bytes) {
    if (bucket == null) {
      return;
    }
    bucket.take(bytes);
    // Held only once in debt, then until half a burst is back: a pause per burst, not one per chunk.
    if (timer < 0 && bucket.nanosUntil(0) > 0 && waitUntilRepaid()) {
      onChange.run();
    }
  }

  /** @return whether reading must wait for the rate limit */
  boolean holding() {
    return timer >= 0;
  }

  /** Stops the timer: nothing is called after a close. */
  void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /** @return whether a timer now runs until the debt is repaid */
  private boolean waitUntilRepaid() {
    long nanos = bucket.nanosUntil(resumeLevel);
    if (nanos == 0) {
      return false;
    }
    long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999));
    timer = vertx.setTimer(millis, id -> {
      timer = -1;
      if (!waitUntilRepaid()) {
        onChange.run();
      }
    });
    return true;
  }
}
