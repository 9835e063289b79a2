package dev.kirim.client;

import dev.kirim.server.KirimServer;
import dev.kirim.server.ServerLimits;
import dev.kirim.testkit.PartialWait;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static dev.kirim.testkit.Await.await;
import static dev.kirim.testkit.Checksums.crc32c;
import static dev.kirim.testkit.Ports.freePort;
import static dev.kirim.testkit.TestFiles.MIB;
import static dev.kirim.testkit.TestFiles.writePseudoRandom;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retries bounded by time as well as by count ({@code retry.maxElapsedMs}): with the default settings a push
 * rides out a server restart of a second or two and resumes; a target that stays down fails once the time is
 * up, however many tries the count would still allow; a file that lost its connection keeps that as its cause.
 */
class RetryBudgetTest extends PushTestBase {

  @TempDir
  Path dir;

  @Test
  void defaultRetriesRideOutAServerRestartAndResume() {
    Path source = writePseudoRandom(dir.resolve("src").resolve("big.bin"), 6L * MIB + 5, 3);
    Path storage = dir.resolve("storage");
    ServerLimits slow = new ServerLimits().setRateLimitPerConnection(2L * MIB);
    // Below the ephemeral range: the client's own reconnects cannot take the port while the server is down.
    int port = freePort();
    KirimServer first = startServer(serverOptions(storage).setLimits(slow).setPort(port));
    Future<PushReport> push = pushAsync(new ClientOptions(), new PushJob().setTargets(List.of(target(port)))
      .setBaseDir(source.getParent()).setFiles(List.of("big.bin")));

    awaitPartialWithBytes(storage);
    await(first.close());
    // Down for 1.5 s, then back on the same port.
    Promise<KirimServer> restarted = Promise.promise();
    vertx.setTimer(1500, id -> KirimServer.create(vertx, serverOptions(storage).setPort(port)).listen()
      .onComplete(restarted));
    KirimServer second = await(restarted.future());
    closeAfterTest(second::close);

    FileResult result = await(push, 60).results().get(0);
    assertEquals(FileStatus.SENT, result.status(), result::toString);
    assertTrue(result.attempts() >= 2, result::toString);
    assertTrue(result.resumedFrom() > 0, () -> "resumed: " + result);
    assertEquals(crc32c(source), crc32c(storage.resolve("big.bin")));
  }

  @Test
  void aServerThatDoesNotComeBackFailsTheFileForTheLostConnection() {
    Path source = writePseudoRandom(dir.resolve("src").resolve("big.bin"), 6L * MIB + 5, 5);
    Path storage = dir.resolve("storage");
    KirimServer server = startServer(serverOptions(storage)
      .setLimits(new ServerLimits().setRateLimitPerConnection(2L * MIB)));
    Future<PushReport> push = pushAsync(quickRetries().setRetryAttempts(100).setRetryMaxElapsedMs(600),
      new PushJob().setTargets(List.of(target(server))).setBaseDir(source.getParent()).setFiles(List.of("big.bin")));

    awaitPartialWithBytes(storage);
    await(server.close());

    FileResult result = await(push, 30).results().get(0);
    assertEquals(FileStatus.FAILED, result.status(), result::toString);
    assertEquals(ClientErrorCode.CONNECTION_LOST.wireName(), result.errorCode(), result::toString);
    assertTrue(result.errorMessage().contains("lost") && result.errorMessage().contains("then cannot connect"),
      result::errorMessage);
  }

  @Test
  void aTargetThatStaysDownFailsWhenMaxElapsedIsUpWhateverTheCount() {
    for (int i = 0; i < 30; i++) {
      writePseudoRandom(dir.resolve("src").resolve("f" + i + ".bin"), 1000 + i, i);
    }
    ClientOptions options = quickRetries().setRetryAttempts(100).setRetryMaxBackoffMs(50).setRetryMaxElapsedMs(500);
    int port = freePort();
    long started = System.nanoTime();

    PushReport report = push(options, new PushJob().setTargets(List.of(target(port)))
      .setBaseDir(dir.resolve("src")).setFiles(List.of("*.bin")));

    long millis = (System.nanoTime() - started) / 1_000_000;
    assertEquals(30, report.results().size(), "the report keeps every file");
    for (FileResult result : report.results()) {
      assertEquals(FileStatus.FAILED, result.status(), result::toString);
      assertEquals(ClientErrorCode.CONNECT_FAILED.wireName(), result.errorCode(), result::toString);
      // The connection attempts were its tries (the report said 0).
      assertTrue(result.attempts() > 1, result::toString);
    }
    assertTrue(millis >= 400 && millis < 10_000, () -> "failed after " + millis + " ms");
    String summary = report.summary();
    assertTrue(summary.contains("127.0.0.1:" + port + ": 30 files failed: cannot connect (connection refused) — is "
      + "the server running?"), summary);
    assertEquals(3, summary.lines().count(), () -> "one line for the target, one for its failures, the verdict\n"
      + summary);
  }

  @Test
  void backoffGrowsWithJitterAndStaysUnderTheCap() {
    ClientOptions options = new ClientOptions().setRetryBackoffMs(100).setRetryMaxBackoffMs(1000);
    for (int i = 0; i < 200; i++) {
      long first = options.backoffMs(1);
      long third = options.backoffMs(3);
      long tenth = options.backoffMs(10);
      assertTrue(first >= 50 && first <= 100, "first " + first);
      assertTrue(third >= 200 && third <= 400, "third " + third);
      assertTrue(tenth >= 500 && tenth <= 1000, "tenth " + tenth);
    }
    assertEquals(30_000, new ClientOptions().getRetryMaxElapsedMs());
  }

  /** Waits (inotify, {@link PartialWait}) until the server's partial upload holds bytes; bounded. */
  private void awaitPartialWithBytes(Path storage) {
    await(PartialWait.atLeast(vertx, storage, 1));
  }
}
