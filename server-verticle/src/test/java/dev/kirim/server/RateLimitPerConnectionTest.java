package dev.kirim.server;

import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code limits.rateLimitPerConnection} over a raw client: two uploads of 4 MiB on one connection at 4 MiB/s.
 * The bucket starts with a quarter second's bytes, so 8 MiB cannot take less than about 1.7 s; the upper
 * bound only catches a stall, on a busy 2-core box too. The small test chunk size makes the server pause
 * and resume the socket every few kilobytes.
 */
class RateLimitPerConnectionTest extends ServerTestBase {

  private static final int MIB = 1024 * 1024;

  @Test
  void bodiesOfOneConnectionAreReadAtTheLimit(VertxTestContext testContext) {
    ServerOptions options = options();
    options.getLimits().setRateLimitPerConnection(4L * MIB);
    byte[] one = content(4 * MIB + 17, 1);
    byte[] two = content(4 * MIB - 5, 2);
    long[] started = new long[1];
    startServer(options)
      .compose(this::connectReady)
      .compose(client -> {
        started[0] = System.nanoTime();
        return client.upload(1, "satu.bin", one).compose(done -> client.upload(2, "dua.bin", two));
      })
      .map(done -> {
        long elapsed = System.nanoTime() - started[0];
        String seconds = String.format("%.2f s", elapsed / 1e9);
        assertTrue(elapsed >= TimeUnit.MILLISECONDS.toNanos(1_500), "8 MiB at 4 MiB/s took only " + seconds);
        assertTrue(elapsed < TimeUnit.SECONDS.toNanos(10), "8 MiB at 4 MiB/s took " + seconds);
        assertStored("satu.bin", one);
        assertStored("dua.bin", two);
        assertNoPartials();
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }
}
