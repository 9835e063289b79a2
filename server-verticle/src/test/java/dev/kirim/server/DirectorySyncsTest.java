package dev.kirim.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Directory syncs are shared, never skipped: each caller returns only after a sync that began after it asked,
 * and callers that ask while a sync runs share the next one.
 */
class DirectorySyncsTest {

  private static final int CALLERS = 32;

  @TempDir
  Path dir;

  @Test
  void everyCallerGetsASyncThatBeganAfterItAskedAndCallersShareThem() throws Exception {
    AtomicLong clock = new AtomicLong();
    // Read by the test thread while a later sync may still be adding to it.
    List<long[]> syncs = new CopyOnWriteArrayList<>();
    CountDownLatch firstSyncRunning = new CountDownLatch(1);
    CountDownLatch othersAsked = new CountDownLatch(1);
    DirectorySyncs directorySyncs = new DirectorySyncs(directory -> {
      long began = clock.incrementAndGet();
      firstSyncRunning.countDown();
      // The first sync lasts until every other caller has asked: they must share the next one.
      await(othersAsked);
      DirectorySyncs.fsync(directory);
      syncs.add(new long[] {began, clock.incrementAndGet()});
    });
    ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
    try {
      List<Future<long[]>> calls = new ArrayList<>();
      calls.add(pool.submit(() -> call(directorySyncs, clock)));
      await(firstSyncRunning);
      AtomicInteger asked = new AtomicInteger();
      for (int i = 1; i < CALLERS; i++) {
        calls.add(pool.submit(() -> {
          asked.incrementAndGet();
          return call(directorySyncs, clock);
        }));
      }
      while (asked.get() < CALLERS - 1) {
        Thread.onSpinWait();
      }
      othersAsked.countDown();
      for (Future<long[]> call : calls) {
        long[] askedAndReturned = call.get(10, TimeUnit.SECONDS);
        assertTrue(syncs.stream().anyMatch(sync -> sync[0] > askedAndReturned[0] && sync[1] < askedAndReturned[1]),
          "a sync began after the call asked and ended before it returned");
      }
      assertTrue(syncs.size() < CALLERS, syncs.size() + " syncs for " + CALLERS + " callers");
      assertEquals(0, directorySyncs.tracked(), "nothing kept once every caller is done");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFailedSyncFailsItsCallerAndTheNextCallerSyncsAgain() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    DirectorySyncs directorySyncs = new DirectorySyncs(directory -> {
      if (attempts.incrementAndGet() == 1) {
        throw new IOException("disk gone");
      }
    });
    assertThrows(IOException.class, () -> directorySyncs.sync(dir));
    assertEquals(0, directorySyncs.tracked(), "a failed sync keeps nothing either");
    directorySyncs.sync(dir);
    assertEquals(2, attempts.get());
  }

  private long[] call(DirectorySyncs directorySyncs, AtomicLong clock) throws IOException {
    long asked = clock.incrementAndGet();
    directorySyncs.sync(dir);
    return new long[] {asked, clock.incrementAndGet()};
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new AssertionError("timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
