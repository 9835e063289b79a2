package dev.kirim.server;

import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Partial files nobody resumes go {@code partialTtlHours} after their last write: at start-up, and while running. */
class PartialSweepTest extends ServerTestBase {

  private Path file(String name, Duration age) throws IOException {
    Path file = Files.write(storage.resolve(name), new byte[10]);
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(age)));
    return file;
  }

  @Test
  void startUpRemovesOnlyPartialsOlderThanTheTtl(VertxTestContext testContext) throws IOException {
    Path stale = file(".old.bin.kirim-part", Duration.ofHours(25));
    Path fresh = file(".new.bin.kirim-part", Duration.ofHours(23));
    Path stored = file("old.bin", Duration.ofDays(30));
    startServer(options().setPartialTtlHours(24))
      .map(server -> {
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(fresh));
        assertTrue(Files.exists(stored), "only partial files are swept");
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void aRunningServerSweepsAgain(VertxTestContext testContext) {
    KirimServer server = KirimServer.create(vertx, options().setPartialTtlHours(1)).sweepPartialsEvery(50);
    servers.add(server);
    server.listen()
      .compose(listening -> vertx.executeBlocking(() -> {
        try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
          storage.register(watcher, StandardWatchEventKinds.ENTRY_DELETE);
          // Left behind by an upload nobody resumed, after the start-up sweep.
          Path stale = file(".gone.bin.kirim-part", Duration.ofMinutes(61));
          Path fresh = file(".kept.bin.kirim-part", Duration.ofMinutes(59));
          awaitDeletion(watcher, stale);
          assertTrue(Files.exists(fresh));
        }
        return null;
      }))
      .onComplete(testContext.succeedingThenComplete());
  }

  /** Waits for the event of {@code file}'s deletion; fails after 15 s. */
  private static void awaitDeletion(WatchService watcher, Path file) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (Files.exists(file)) {
      WatchKey key = watcher.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      assertTrue(key != null || !Files.exists(file), file + " was not swept within 15 s");
      if (key != null) {
        key.pollEvents();
        key.reset();
      }
    }
  }

  @Test
  void aRunningServerSweepsEveryHalfTtlAndNeverWithATtlOfZero() {
    assertEquals(TimeUnit.HOURS.toMillis(12), KirimServer.partialSweepIntervalMs(24));
    assertEquals(TimeUnit.MINUTES.toMillis(30), KirimServer.partialSweepIntervalMs(1));
    assertEquals(0, KirimServer.partialSweepIntervalMs(0));
  }
}
