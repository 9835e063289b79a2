package dev.kirim.client;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.testkit.Checksums;
import dev.kirim.testkit.ScriptedServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.kirim.testkit.TestFiles.writeRandom;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Small files go whole in one {@code put} to a server that takes puts; everything else is offered. */
class PutTest extends PushTestBase {

  @TempDir
  Path home;

  private PushJob job(ScriptedServer server, String... files) {
    return job(home, List.of(files)).setTargets(List.of(target(server.port())));
  }

  /** Welcomes with puts of up to {@code maxPutSize} bytes, then obliges, or answers as {@code script} says. */
  private ScriptedServer takingPuts(int maxPutSize, ScriptedServer.Script script) {
    return startScripted((connection, message) -> {
      if (message instanceof Message.Hello) {
        connection.welcomeWithPuts(maxPutSize);
      } else {
        script.handle(connection, message);
      }
    });
  }

  @Test
  void aSmallFileIsPutWholeAndALargeOneOffered() {
    byte[] small = writeRandom(home.resolve("small.txt"), 4000, 1);
    byte[] large = writeRandom(home.resolve("large.bin"), 100_000, 2);
    ScriptedServer server = takingPuts(Message.Put.MAX_SIZE, ScriptedServer.OBLIGING);

    PushReport report = push(quickRetries().setWindow(1), job(server, "small.txt", "large.bin"));

    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
    assertEquals(Checksums.crc32c(small), result(report, "small.txt").checksum());
    assertEquals(FileStatus.SENT, result(report, "small.txt").status());
    assertEquals(4000, result(report, "small.txt").bytesTransferred());
    assertEquals(Checksums.crc32c(large), result(report, "large.bin").checksum());
    assertEquals(1, server.received.stream().filter(line -> line.endsWith(": put")).count(), server.received::toString);
    assertEquals(1, server.received.stream().filter(line -> line.endsWith(": offer")).count(), server.received::toString);
  }

  @Test
  void aServerThatTakesNoPutsIsOfferedEveryFile() {
    writeRandom(home.resolve("small.txt"), 100, 1);
    ScriptedServer server = startScripted(ScriptedServer.OBLIGING);

    PushReport report = push(quickRetries(), job(server, "small.txt"));

    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
    assertTrue(server.received.stream().noneMatch(line -> line.endsWith(": put")), server.received::toString);
  }

  @Test
  void noPutsInADryRunNorUnderARateLimit() {
    writeRandom(home.resolve("small.txt"), 100, 1);
    ScriptedServer server = takingPuts(Message.Put.MAX_SIZE, (connection, message) -> {
      if (message instanceof Message.Offer offer && offer.previewOnly()) {
        connection.reply(new Message.Preview(offer.id(), Message.Preview.CREATE, 0));
      } else {
        ScriptedServer.OBLIGING.handle(connection, message);
      }
    });

    assertEquals(PushReport.EXIT_OK, push(quickRetries().setDryRun(true), job(server, "small.txt")).exitCode());
    assertEquals(PushReport.EXIT_OK, push(quickRetries().setRateLimit(1L << 30), job(server, "small.txt")).exitCode());
    assertTrue(server.received.stream().noneMatch(line -> line.endsWith(": put")), server.received::toString);
  }

  @Test
  void aPutRefusedBusyIsOfferedNextSoThatItWaitsForTheName() {
    writeRandom(home.resolve("small.txt"), 100, 1);
    AtomicInteger puts = new AtomicInteger();
    ScriptedServer server = takingPuts(Message.Put.MAX_SIZE, (connection, message) -> {
      if (message instanceof Message.Put put) {
        puts.incrementAndGet();
        connection.reply(new Message.Error(put.id(), ErrorCode.BUSY, "being uploaded by another connection"));
      } else {
        ScriptedServer.OBLIGING.handle(connection, message);
      }
    });

    PushReport report = push(quickRetries().setRetryBackoffMs(5), job(server, "small.txt"));

    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
    assertEquals(1, puts.get());
    assertEquals(2, result(report, "small.txt").attempts());
    assertTrue(server.received.stream().anyMatch(line -> line.endsWith(": offer")), server.received::toString);
  }
}
