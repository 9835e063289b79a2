package dev.kirim.client;

import dev.kirim.protocol.Message;
import dev.kirim.testkit.ScriptedServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.kirim.testkit.TestFiles.MIB;
import static dev.kirim.testkit.TestFiles.writePseudoRandom;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server that goes silent while it owes the client something is noticed within {@code deadPeerMs}, not after
 * the two-minute idle timeout; a server that is slow but answers pings, and one that cannot be pinged, are not
 * taken for dead. Real sockets on 127.0.0.1, scripted servers. No retries, so that the push ends at the first
 * verdict and its time says when that came.
 */
class DeadPeerTest extends PushTestBase {

  /** Long enough that a pong held up by a loaded machine's scheduling (it has two thirds of this) still counts. */
  private static final long DEAD_PEER_MS = 2_000;
  /**
   * Timer ticks, reading the file and filling the socket buffers, a loaded CI machine: still far below what the
   * other ends of a stall would take (the 120 s idle timeout).
   */
  private static final long SLACK_MS = 10_000;

  @TempDir
  Path dir;

  private ClientOptions watching() {
    return quickRetries().setRetryAttempts(1).setDeadPeerMs(DEAD_PEER_MS);
  }

  @Test
  void aServerThatStopsReadingMidBodyIsDeadWithinDeadPeerMs() {
    // Far more than loopback's socket buffers hold: the body stalls once the server stops reading.
    writePseudoRandom(dir.resolve("big.bin"), 64L * MIB + 3, 1);
    ScriptedServer server = startScripted((connection, message) -> {
      if (message instanceof Message.Hello) {
        connection.welcomeAnsweringPings();
      } else if (message instanceof Message.Offer offer) {
        connection.reply(new Message.Send(offer.id(), 0));
        connection.stopReading();
      }
    });
    assertDeadWithinDeadPeerMs(server, "big.bin", "bytes not taken");
  }

  @Test
  void aServerThatReadsButNeverAnswersNorPongsIsDeadWithinDeadPeerMs() {
    writePseudoRandom(dir.resolve("small.bin"), 100_000, 2);
    // Welcomes, then answers nothing at all: the offer waits, the ping goes unanswered.
    ScriptedServer server = startScripted((connection, message) -> {
      if (message instanceof Message.Hello) {
        connection.welcomeAnsweringPings();
      }
    });
    assertDeadWithinDeadPeerMs(server, "small.bin", "no answer to a ping");
  }

  @Test
  void aSlowServerThatAnswersPingsIsNotDead() {
    writePseudoRandom(dir.resolve("slow.bin"), 100_000, 3);
    AtomicInteger pings = new AtomicInteger();
    // Holds its answer to the offer for three times deadPeerMs (as for a name another upload holds).
    ScriptedServer server = startScripted((connection, message) -> {
      if (message instanceof Message.Hello) {
        connection.welcomeAnsweringPings();
      } else if (message instanceof Message.Ping) {
        pings.incrementAndGet();
        connection.reply(new Message.Pong());
      } else if (message instanceof Message.Offer offer) {
        vertx.setTimer(3 * DEAD_PEER_MS, id -> connection.reply(new Message.Send(offer.id(), 0)));
      } else {
        ScriptedServer.OBLIGING.handle(connection, message);
      }
    });
    PushReport report = push(watching(), job(dir, List.of("slow.bin")).setTargets(List.of(target(server.port()))));
    assertEquals(PushReport.EXIT_OK, report.exitCode(), report.summary());
    assertTrue(pings.get() >= 2, "pings: " + pings.get());
  }

  @Test
  void aSlowServerThatCannotBePingedIsNotTakenForDead() {
    writePseudoRandom(dir.resolve("old.bin"), 100_000, 4);
    ScriptedServer server = startScripted((connection, message) -> {
      if (message instanceof Message.Offer offer) {
        vertx.setTimer(3 * DEAD_PEER_MS, id -> connection.reply(new Message.Send(offer.id(), 0)));
      } else {
        ScriptedServer.OBLIGING.handle(connection, message);
      }
    });
    PushReport report = push(watching(), job(dir, List.of("old.bin")).setTargets(List.of(target(server.port()))));
    assertEquals(PushReport.EXIT_OK, report.exitCode(), report.summary());
    assertEquals(0, server.received.stream().filter(line -> line.endsWith("ping")).count(), server.received::toString);
  }

  private void assertDeadWithinDeadPeerMs(ScriptedServer server, String file, String detail) {
    long started = System.nanoTime();
    PushReport report = push(watching(), job(dir, List.of(file)).setTargets(List.of(target(server.port()))));
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    FileResult result = report.results().get(0);
    assertEquals(FileStatus.FAILED, result.status(), report.summary());
    assertEquals(ClientErrorCode.CONNECTION_LOST.wireName(), result.errorCode(), result::toString);
    assertTrue(result.errorMessage().startsWith("no progress from 127.0.0.1:" + server.port() + " for "
      + DEAD_PEER_MS + " ms ("), result.errorMessage());
    assertTrue(result.errorMessage().contains(detail), result.errorMessage());
    assertTrue(tookMs >= DEAD_PEER_MS && tookMs < DEAD_PEER_MS + SLACK_MS, "detected after " + tookMs + " ms");
  }
}
