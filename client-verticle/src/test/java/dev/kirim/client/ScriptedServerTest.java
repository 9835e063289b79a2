package dev.kirim.client;

import dev.kirim.protocol.Message;
import dev.kirim.testkit.Checksums;
import dev.kirim.testkit.ScriptedServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

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

  /**
   * A client keeps no more requests in flight than the server lets wait: what its welcome says, or 64 when it
   * says nothing (what servers allowed before they said so), though the window is 256 by default. The server
   * answers the offers it holds only once the limit's worth arrived, and on a later turn, so that any offer
   * sent beyond the limit would be counted first.
   */
  @ParameterizedTest(name = "the server lets {0} wait (0: it does not say)")
  @ValueSource(ints = {3, 0})
  void noMoreRequestsAreInFlightThanTheServerLetsWait(int announced) {
    int limit = announced == 0 ? Message.Welcome.DEFAULT_MAX_PENDING : announced;
    for (int i = 0; i < 3 * limit; i++) {
      writeRandom(home.resolve("w/" + i + ".dat"), 100 + i, i);
    }
    List<Message.Offer> unanswered = new ArrayList<>();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger mostInFlight = new AtomicInteger();
    ScriptedServer server = startScripted((connection, message) -> {
      if (message instanceof Message.Hello) {
        connection.reply(new Message.Welcome(Message.VERSION, "scripted", 1L << 40, null, null, null,
          announced == 0 ? null : announced));
      } else if (message instanceof Message.Offer offer) {
        mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        unanswered.add(offer);
        if (unanswered.size() == limit) {
          List<Message.Offer> answering = List.copyOf(unanswered);
          unanswered.clear();
          vertx.runOnContext(v -> answering.forEach(held -> connection.reply(new Message.Send(held.id(), 0))));
        }
      } else {
        if (message instanceof Message.Commit) {
          inFlight.decrementAndGet();
        }
        ScriptedServer.OBLIGING.handle(connection, message);
      }
    });

    PushReport report = push(options().setConnectionsPerTarget(1), job(server, "w/*.dat"));

    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
    assertEquals(limit, mostInFlight.get(), "the most offers in flight at once");
  }

  /** A scripted server that answers every offer with {@code skip}, made by {@code reply} from the offer. */
  private ScriptedServer skipping(java.util.function.Function<Message.Offer, Message.Skip> reply) {
    return startScripted((connection, message) -> {
      if (message instanceof Message.Offer offer) {
        connection.reply(reply.apply(offer));
      } else {
        ScriptedServer.OBLIGING.handle(connection, message);
      }
    });
  }

  @Test
  void skipSameWithTheOfferedSizeAndMtimeIsAcceptedWithoutChecksum() throws Exception {
    // Larger than a small file, whose offer would carry its checksum and ask for a content compare.
    int size = LocalFacts.SMALL_FILE_BYTES + CHUNK;
    Path file = home.resolve("big.bin");
    writeRandom(file, size, 1);
    ScriptedServer server = skipping(offer -> new Message.Skip(offer.id(), Message.Skip.SAME, offer.size(), offer.mtime(), null));

    PushReport report = push(options(), job(server, "big.bin"));

    FileResult result = result(report, "big.bin");
    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
    assertEquals(FileStatus.SKIPPED, result.status());
    assertEquals(size, result.bytes());
    assertNull(result.checksum());
    assertEquals("scripted", result.server());
  }

  @Test
  void skipSameThatContradictsTheOfferIsNotTrusted() {
    writeRandom(home.resolve("a.txt"), 10, 1);
    writeRandom(home.resolve("b.bin"), LocalFacts.SMALL_FILE_BYTES + CHUNK, 2);
    ScriptedServer server = skipping(offer -> offer.name().equals("a.txt")
      ? new Message.Skip(offer.id(), Message.Skip.SAME, 77, offer.mtime(), null)
      : new Message.Skip(offer.id(), Message.Skip.SAME, offer.size(), offer.mtime() + 1000, null));

    PushReport report = push(options(), job(server, "a.txt", "b.bin"));

    assertEquals(PushReport.EXIT_FAILED, report.exitCode(), report::summary);
    for (String name : List.of("a.txt", "b.bin")) {
      FileResult result = result(report, name);
      assertEquals(FileStatus.DIFFERS, result.status(), name);
      assertTrue(result.note().contains("calls its copy the same"), result.note());
    }
    assertTrue(report.summary().contains("2 differ"), report.summary());
  }

  @Test
  void skipSameWithAnotherChecksumForASmallFileIsNotTrusted() {
    writeRandom(home.resolve("a.txt"), 10, 1);
    ScriptedServer server = skipping(offer -> new Message.Skip(offer.id(), Message.Skip.SAME, offer.size(), offer.mtime(),
      "crc32c:00000000"));

    PushReport report = push(options(), job(server, "a.txt"));

    assertEquals(FileStatus.DIFFERS, result(report, "a.txt").status(), report::summary);
    assertEquals(PushReport.EXIT_FAILED, report.exitCode());
  }

  @Test
  void skipDiffersIsReportedWithBothVersionsAndTheFix() {
    writeRandom(home.resolve("a.txt"), 10, 1);
    ScriptedServer server = skipping(offer -> new Message.Skip(offer.id(), Message.Skip.DIFFERS, 12, 5_000L, null));

    PushReport report = push(options(), job(server, "a.txt"));

    FileResult result = result(report, "a.txt");
    assertEquals(FileStatus.DIFFERS, result.status());
    assertEquals(PushReport.EXIT_FAILED, report.exitCode());
    assertTrue(result.note().contains("12 bytes, modified 1970-01-01T00:00:05Z"), result.note());
    assertTrue(result.note().contains("10 bytes"), result.note());
    assertTrue(result.note().contains("onExisting"), result.note());
    assertTrue(report.summary().contains("DIFFERS"), report.summary());
  }

  @Test
  void aServerOfAnotherVersionIsRefusedNamingWhatToUpgrade() {
    writeRandom(home.resolve("a.txt"), 10, 1);
    ScriptedServer server = startScripted((connection, message) -> {
      if (message instanceof Message.Hello) {
        connection.reply(new Message.Welcome(1, "old-server", 1L << 40));
      } else {
        ScriptedServer.OBLIGING.handle(connection, message);
      }
    });

    PushReport report = push(options(), job(server, "a.txt"));

    FileResult result = result(report, "a.txt");
    assertEquals(FileStatus.FAILED, result.status());
    assertEquals("unsupported_version", result.errorCode(), result::toString);
    assertTrue(result.errorMessage().contains("version 1") && result.errorMessage().contains("upgrade the server"),
      result::errorMessage);
    assertEquals(List.of("1: hello"), server.received, "no offer is made to a server of another version");
  }

  @Test
  void aSendInADryRunIsABadReplyAndNothingIsSent() {
    writeRandom(home.resolve("a.bin"), 100_000, 6);
    ScriptedServer server = startScripted(ScriptedServer.OBLIGING);

    PushReport report = push(options().setDryRun(true), job(server, "a.bin"));

    FileResult result = result(report, "a.bin");
    assertEquals(FileStatus.FAILED, result.status());
    assertEquals("bad_reply", result.errorCode(), result::toString);
    assertTrue(server.received.stream().noneMatch(line -> line.endsWith("data")), server.received::toString);
  }

  @Test
  void aSendOffsetBeyondTheFileIsABadReplyAtOnce() {
    writeRandom(home.resolve("a.bin"), 100_000, 3);
    ScriptedServer server = startScripted((connection, message) -> {
      if (message instanceof Message.Offer offer) {
        connection.reply(new Message.Send(offer.id(), offer.size() + 1));
      } else {
        ScriptedServer.OBLIGING.handle(connection, message);
      }
    });

    long start = System.nanoTime();
    // The idle timeout is far longer than the await: the failure must not wait for it.
    PushReport report = push(options().setIdleTimeoutMs(120_000), job(server, "a.bin"));

    FileResult result = result(report, "a.bin");
    assertEquals(FileStatus.FAILED, result.status());
    assertEquals("bad_reply", result.errorCode(), result::toString);
    assertTrue(result.errorMessage().contains("100001"), result::errorMessage);
    assertTrue(System.nanoTime() - start < 15_000_000_000L, "failed without waiting for a timeout");
  }

  @Test
  void aDoneThatDisagreesWithWhatWasSentIsABadReply() {
    writeRandom(home.resolve("a.bin"), 100_000, 4);
    ScriptedServer server = startScripted((connection, message) -> {
      if (message instanceof Message.Commit commit) {
        connection.reply(new Message.Done(commit.id(), "a.bin", 100_000, "crc32c:00000000"));
      } else {
        ScriptedServer.OBLIGING.handle(connection, message);
      }
    });

    PushReport report = push(options(), job(server, "a.bin"));

    FileResult result = result(report, "a.bin");
    assertEquals(FileStatus.FAILED, result.status());
    assertEquals("bad_reply", result.errorCode(), result::toString);
    assertEquals(PushReport.EXIT_FAILED, report.exitCode());
  }

  @Test
  void aSkipWithAMalformedChecksumIsABadReply() {
    writeRandom(home.resolve("a.txt"), 10, 5);
    ScriptedServer server = skipping(offer -> new Message.Skip(offer.id(), Message.Skip.SAME, offer.size(), offer.mtime(),
      "crc32c:not-hex"));

    PushReport report = push(options(), job(server, "a.txt"));

    FileResult result = result(report, "a.txt");
    assertEquals(FileStatus.FAILED, result.status());
    assertEquals("bad_reply", result.errorCode(), result::toString);
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
        connection.replyRaw("{\"type\":\"error\",\"id\":0,\"code\":\"some_future_code\",\"message\":\"later\"}");
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
