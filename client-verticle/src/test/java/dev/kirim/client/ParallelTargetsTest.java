package dev.kirim.client;

import dev.kirim.server.KirimServer;
import dev.kirim.server.ServerLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.kirim.testkit.TestFiles.MIB;
import static dev.kirim.testkit.TestFiles.writeRandom;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code parallelism.targets} targets are pushed at once: four servers, each throttled to 1 MiB/s per connection
 * ({@code limits.rateLimitPerConnection}), take a 2 MiB file in about the time one of them takes, not four (or,
 * as before the fix, two) times that. The throttle makes a target's time about 2 s whatever the machine, so the
 * bounds are wide: the wall time of the four must stay under twice one target's time, and under a third of
 * the four targets' times added up (two lanes at a time would be a half).
 */
class ParallelTargetsTest extends PushTestBase {

  private static final long RATE = MIB;

  @TempDir
  Path tmp;

  @Test
  void fourThrottledTargetsArePushedAtOnce() {
    Path home = tmp.resolve("home");
    writeRandom(home.resolve("dua.bin"), 3 * MIB, 7);
    List<KirimServer> servers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      servers.add(startServer(serverOptions(tmp.resolve("storage-" + i))
        .setLimits(new ServerLimits().setRateLimitPerConnection(RATE))));
    }

    long oneStarted = System.nanoTime();
    PushReport one = push(job(home, List.of("dua.bin"), servers.get(0)));
    long oneMs = (System.nanoTime() - oneStarted) / 1_000_000;
    assertEquals(PushReport.EXIT_OK, one.exitCode(), one::summary);

    // The first server holds the file now: a fresh name for all four.
    writeRandom(home.resolve("dua-lagi.bin"), 3 * MIB, 8);
    long allStarted = System.nanoTime();
    PushReport all = push(quickRetries().setParallelTargets(4),
      job(home, List.of("dua-lagi.bin"), servers.toArray(KirimServer[]::new)));
    long allMs = (System.nanoTime() - allStarted) / 1_000_000;

    assertEquals(PushReport.EXIT_OK, all.exitCode(), all::summary);
    assertEquals(4, all.count(FileStatus.SENT), all::summary);
    long sumMs = all.targets().stream().mapToLong(TargetReport::durationMs).sum();
    String times = "one target " + oneMs + " ms, four targets " + allMs + " ms (their own times add up to "
      + sumMs + " ms)";
    System.out.println("ParallelTargetsTest: " + times);
    assertTrue(allMs < 2 * oneMs, times);
    // Four at once take a quarter of their sum, two after two half of it; 2/5 leaves the rest for start-up.
    assertTrue(allMs < sumMs * 2 / 5, times);
  }
}
