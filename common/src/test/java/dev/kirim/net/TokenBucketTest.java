package dev.kirim.net;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every case on a fake clock: no sleeping. */
class TokenBucketTest {

  private static final long MIB = 1024 * 1024;

  private long now = 123_456_789L;

  private TokenBucket bucket(long rate, long burst) {
    return new TokenBucket(rate, burst, () -> now);
  }

  private void advanceMillis(long millis) {
    now += TimeUnit.MILLISECONDS.toNanos(millis);
  }

  @Test
  void startsFullAndNeverHoldsMoreThanTheBurst() {
    TokenBucket bucket = bucket(4 * MIB, MIB);
    assertEquals(MIB, bucket.available());
    advanceMillis(10_000);
    assertEquals(MIB, bucket.available());
  }

  @Test
  void refillsAtTheRate() {
    TokenBucket bucket = bucket(4 * MIB, MIB);
    bucket.take(MIB);
    assertEquals(0, bucket.available());
    advanceMillis(125);
    assertEquals(MIB / 2, bucket.available());
    advanceMillis(125);
    assertEquals(MIB, bucket.available());
  }

  @Test
  void debtIsRepaidBeforeTheBucketIsReadyAgain() {
    TokenBucket bucket = bucket(MIB, 256 * 1024);
    bucket.take(256 * 1024 + MIB);
    assertEquals(-MIB, bucket.available());
    assertEquals(TimeUnit.SECONDS.toNanos(1), bucket.nanosUntil(0));
    advanceMillis(999);
    assertEquals(TimeUnit.MILLISECONDS.toNanos(1), bucket.nanosUntil(0));
    advanceMillis(1);
    assertEquals(0, bucket.nanosUntil(0));
  }

  @Test
  void nanosUntilIsExactEnoughToWaitOnce() {
    TokenBucket bucket = bucket(3_000_001, 1_000_003);
    for (int i = 0; i < 1000; i++) {
      bucket.take(777_777);
      long wait = bucket.nanosUntil(0);
      now += wait;
      assertEquals(0, bucket.nanosUntil(0), "after waiting what it said, round " + i);
    }
  }

  @Test
  void nanosUntilCapsAtTheBurst() {
    TokenBucket bucket = bucket(MIB, 64 * 1024);
    bucket.take(64 * 1024);
    assertEquals(bucket.nanosUntil(64 * 1024), bucket.nanosUntil(10 * MIB));
    assertEquals(TimeUnit.MILLISECONDS.toNanos(62_500) / 1000, bucket.nanosUntil(64 * 1024));
  }

  @Test
  void longRunRateIsTheLimitWhateverTheDrawSizes() {
    long rate = 20 * MIB;
    TokenBucket bucket = TokenBucket.perSecond(rate, () -> now);
    long start = now;
    long sent = 0;
    long[] sizes = {1, 16 * 1024, MIB, 3 * MIB, 100_003};
    for (int i = 0; sent < 200 * MIB; i++) {
      now += bucket.nanosUntil(0);
      long size = Math.min(sizes[i % sizes.length], 200 * MIB - sent);
      bucket.take(size);
      sent += size;
    }
    now += bucket.nanosUntil(0);
    double seconds = (now - start) / 1e9;
    // 200 MiB at 20 MiB/s, less the burst the bucket starts with: 10 s - 0.25 s.
    assertEquals(9.75, seconds, 0.01);
  }

  @Test
  void defaultBurstIsAQuarterSecondAndAtLeast64KiB() {
    assertEquals(5 * MIB, TokenBucket.perSecond(20 * MIB, () -> now).burstBytes());
    assertEquals(64 * 1024, TokenBucket.perSecond(1000, () -> now).burstBytes());
  }

  @Test
  void aClockGoingBackIsIgnored() {
    TokenBucket bucket = bucket(MIB, MIB);
    bucket.take(MIB);
    now -= TimeUnit.SECONDS.toNanos(5);
    assertEquals(0, bucket.available());
    now += TimeUnit.SECONDS.toNanos(5) + TimeUnit.MILLISECONDS.toNanos(500);
    assertEquals(MIB / 2, bucket.available());
  }

  @Test
  void refusesNonsense() {
    assertThrows(IllegalArgumentException.class, () -> bucket(0, 1));
    assertThrows(IllegalArgumentException.class, () -> bucket(1, 0));
    assertThrows(IllegalArgumentException.class, () -> bucket(1, 1).take(-1));
  }
}
