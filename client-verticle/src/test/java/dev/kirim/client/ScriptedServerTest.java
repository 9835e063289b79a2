package dev.kirim.client;

import dev.kirim.protocol.Message;
import dev.kirim.testkit.Checksums;
import dev.kirim.testkit.ScriptedServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.kirim.testkit.TestFiles.writeRandom;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client against a {@link ScriptedServer}: replies the real server rarely gives (a dropped connection, an
 * error code from a newer version, a skip without checksum, silence), and what the client makes of them.
 */
class ScriptedServerTest extends PushTestBase {

  @TempDir
  Path home;

  private static ClientOptions options() {
    return quickRetries().setRetryBackoffMs(5).setRetryMaxBackoffMs(20);
  }

  private PushJob job(ScriptedServer server, String... files) {
    return job(home, List.of(files)).setTargets(List.of(target(server.port())));
  }

  /** Offers may be pipelined, but never between a body and its commit: the server reads those back to back. */
  @Test
  void pipelinedOffersNeverComeBetweenABodyAndItsCommit() {
    Map<String, byte[]> files = new HashMap<>();
    for (int i = 0; i < 200; i++) {
      files.put(i + ".dat", writeRandom(home.resolve("d/" + i + ".dat"), 1 + i * 997 % 30_000, i));
    }
    ScriptedServer server = startScripted(ScriptedServer.OBLIGING);

    PushReport report = push(options().setWindow(8).setConnectionsPerTarget(2), job(server, "d/*.dat"));

    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
    files.forEach((name, content) -> assertEquals(Checksums.crc32c(content), result(report, name).checksum(), name));
    assertEquals(List.of(), server.violations);
  }

  @Test
  void skipWithoutChecksumIsAccepted() {
    writeRandom(home.resolve("a.txt"), 10, 1);
    ScriptedServer server = startScripted((connection, message) -> {
      if (message instanceof Message.Offer offer) {
        connection.reply(new Message.Skip(offer.id(), "exists", 77, null));
      } else {
        ScriptedServer.OBLIGING.handle(connection, message);
      }
    });

    PushReport report = push(options(), job(server, "a.txt"));

    FileResult result = result(report, "a.txt");
    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
    assertEquals(FileStatus.SKIPPED, result.status());
    assertEquals(77, result.bytes(), "the size the server reported");
    assertNull(result.checksum());
    assertEquals("scripted", result.server());
  }

  @Test
  void connectionDroppedBeforeTheReplyIsRetriedOnANewConnection() {
    byte[] content = writeRandom(home.resolve("a.bin"), 3 * CHUNK + 5, 2);
    ScriptedServer server = startScripted((connection, message) -> {
      if (message instanceof Message.Commit && connection.number == 1) {
        connection.close();
      } else {
        ScriptedServer.OBLIGING.handle(connection, message);
      }
    });

    PushReport report = push(options(), job(server, "a.bin"));

    FileResult result = result(report, "a.bin");
    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
    assertEquals(FileStatus.SENT, result.status());
    assertEquals(Checksums.crc32c(content), result.checksum());
    assertEquals(2, result.attempts());
    assertEquals(2, server.connectionCount());
  }

  @Test
  void connectionDroppedOnEveryTryFailsWithConnectionLost() {
    writeRandom(home.resolve("a.bin"), 100, 3);
    ScriptedServer server = startScripted((connection, message) -> {
      if (message instanceof Message.Offer) {
        connection.close();
      } else {
        ScriptedServer.OBLIGING.handle(connection, message);
      }
    });

    PushReport report = push(options().setRetryAttempts(3), job(server, "a.bin"));

    FileResult result = result(report, "a.bin");
    assertEquals(PushReport.EXIT_FAILED, report.exitCode());
    assertEquals("connection_lost", result.errorCode(), result::toString);
    assertEquals(3, result.attempts());
    assertTrue(result.errorMessage().contains(target(server.port()).toString()), result::errorMessage);
  }

  /**
   * A large file that vanishes between its offer and the server's {@code send} fails on its own; the files
   * queued behind it on that connection are not charged a try for the connection it had to give up.
   */
  @Test
  void aFileThatVanishesBeforeItsBodyFailsAloneAndTheOthersStillGo() throws IOException {
    writeRandom(home.resolve("a.big"), 100_000, 5);
    byte[] b = writeRandom(home.resolve("b.txt"), 10, 6);
    byte[] c = writeRandom(home.resolve("c.txt"), 20, 7);
    ScriptedServer server = startScripted((connection, message) -> {
      if (message instanceof Message.Offer offer && offer.name().equals("a.big")) {
        try {
          Files.delete(home.resolve("a.big"));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      ScriptedServer.OBLIGING.handle(connection, message);
    });

    PushReport report = push(options().setWindow(1).setConnectionsPerTarget(1).setRetryAttempts(1),
      job(server, "a.big", "b.txt", "c.txt"));

    FileResult vanished = result(report, "a.big");
    assertEquals(FileStatus.FAILED, vanished.status(), report::summary);
    assertEquals(1, vanished.attempts());
    assertEquals(FileStatus.SENT, result(report, "b.txt").status(), report::summary);
    assertEquals(Checksums.crc32c(b), result(report, "b.txt").checksum());
    assertEquals(FileStatus.SENT, result(report, "c.txt").status(), report::summary);
    assertEquals(Checksums.crc32c(c), result(report, "c.txt").checksum());
  }

  /** A newer server may send a code this client does not know: it is taken as {@code internal}, retriable. */
  @Test
  void unknownErrorCodeCountsAsInternalAndIsRetried() {
    byte[] content = writeRandom(home.resolve("a.bin"), 1_000, 4);
    ScriptedServer server = startScripted((connection, message) -> {
      if (message instanceof Message.Offer offer && offer.id() == 0 && connection.number == 1) {
        connection.replyRaw("{\"type\":\"error\",\"id\":0,\"code\":\"quota_exceeded\",\"message\":\"later\"}");
      } else {
        ScriptedServer.OBLIGING.handle(connection, message);
      }
    });

    PushReport report = push(options(), job(server, "a.bin"));

    FileResult result = result(report, "a.bin");
    assertEquals(FileStatus.SENT, result.status(), result::toString);
    assertEquals(Checksums.crc32c(content), result.checksum());
    assertEquals(2, result.attempts());
  }

  @Test
  void connectionErrorWithoutIdSendsTheFilesInFlightToAnotherTry() {
    writeRandom(home.resolve("a.txt"), 10, 5);
    writeRandom(home.resolve("b.txt"), 20, 6);
    ScriptedServer server = startScripted((connection, message) -> {
      if (message instanceof Message.Offer && connection.number == 1) {
        connection.replyRaw("{\"type\":\"error\",\"code\":\"timeout\",\"message\":\"too slow\"}");
        connection.close();
      } else {
        ScriptedServer.OBLIGING.handle(connection, message);
      }
    });

    PushReport report = push(options().setConnectionsPerTarget(1), job(server, "a.txt", "b.txt"));

    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
    assertEquals(2, report.count(FileStatus.SENT));
    assertEquals(2, server.connectionCount());
    report.results().forEach(r -> assertEquals(2, r.attempts(), r::toString));
  }

  @Test
  void serverThatNeverWelcomesIsGivenUpOnAfterTheConnectTimeout() {
    writeRandom(home.resolve("a.txt"), 10, 7);
    ScriptedServer server = startScripted((connection, message) -> { });

    PushReport report = push(options().setConnectTimeoutMs(200).setRetryAttempts(2), job(server, "a.txt"));

    FileResult result = result(report, "a.txt");
    assertEquals(PushReport.EXIT_FAILED, report.exitCode());
    assertEquals("connect_failed", result.errorCode(), result::toString);
    assertTrue(result.errorMessage().contains("no welcome"), result::errorMessage);
    assertEquals(2, server.connectionCount(), "one connection per try");
  }
}
