package dev.kirim.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static dev.kirim.it.Outputs.assertExitCode;
import static dev.kirim.testkit.Checksums.crc32c;
import static dev.kirim.testkit.Ports.freePort;
import static dev.kirim.testkit.TestFiles.MIB;
import static dev.kirim.testkit.TestFiles.mkdirs;
import static dev.kirim.testkit.TestFiles.size;
import static dev.kirim.testkit.TestFiles.writePseudoRandom;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ctrl-C (SIGINT) or SIGTERM sent to the client in the middle of a body: the client stops, prints what it did
 * and what it interrupted, writes the report with status {@code interrupted}, exits 130 / 143 without a stack
 * trace; the server keeps the partial file (nothing under the final name) and the next run resumes it.
 */
@Timeout(180)
class InterruptedClientIT {

  private static final long SIZE = 64L * MIB + 7;
  private static final String NAME = "big.bin";
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  @RegisterExtension
  final KirimProcesses kirim = new KirimProcesses();

  @Test
  void ctrlCExits130() throws IOException {
    interruptAndResume("INT", 130);
  }

  @Test
  void sigtermExits143() throws IOException {
    interruptAndResume("TERM", 143);
  }

  private void interruptAndResume(String signal, int exitCode) throws IOException {
    Path source = writePseudoRandom(dir.resolve("src").resolve(NAME), SIZE, 7);
    int port = freePort();
    Path report = dir.resolve("report.json");
    Path conf = Files.writeString(source.resolveSibling("client.json"), new JsonObject()
      .put("targets", new JsonArray().add("127.0.0.1:" + port))
      .put("files", new JsonArray().add(NAME))
      .put("report", report.toString())
      .put("token", ItTokens.TOKEN)
      .encodePrettily());
    // An authenticated client's partials are keyed by the client: the next run resumes them.
    Path storage = dir.resolve("server").resolve("received").resolve(ItTokens.CLIENT);
    Path serverDir = mkdirs(dir.resolve("server"));
    // Slow enough that the signal lands mid-body, fast enough for the resume.
    KirimProcess server = kirim.startServer(serverDir, port, ItTokens.serverAuth(serverDir)
      .put("limits", new JsonObject().put("rateLimitPerConnection", "16MiB")));

    KirimProcess first = kirim.client(source.getParent()).conf(conf.toString()).start();
    PartialUploads.awaitWithBytes(storage, NAME, first, WAIT);
    first.signal(signal);

    assertEquals(exitCode, first.awaitExit(WAIT), first::describe);
    assertFalse(first.outputLines().stream().anyMatch(line -> line.contains("Exception") || line.startsWith("\tat ")),
      () -> "no stack trace\n" + first.describe());
    assertTrue(first.stdout().contains("INTERRUPTED " + NAME), first::describe);
    assertTrue(first.lastStdoutLine().contains("1 interrupted")
      && first.lastStdoutLine().contains("INTERRUPTED: run it again to resume"), first::describe);
    JsonObject firstReport = new JsonObject(Files.readString(report));
    JsonObject interrupted = firstReport.getJsonArray("files").getJsonObject(0);
    assertEquals("interrupted", interrupted.getString("status"), interrupted::encode);
    assertEquals(1, firstReport.getJsonObject("totals").getInteger("interrupted"), firstReport::encode);
    assertEquals(exitCode, firstReport.getInteger("exitCode"), () -> "the report says what the process exits with: "
      + firstReport.encode());
    assertFalse(Files.exists(storage.resolve(NAME)), "nothing under the final name after the interruption");
    server.awaitLines(line -> line.contains("partial kept for resume"), 1, WAIT, "the partial kept for resume");
    assertTrue(server.isAlive(), server::describe);

    KirimProcess second = kirim.client(source.getParent()).conf(conf.toString()).run(Duration.ofSeconds(120));

    assertExitCode(0, second);
    assertEquals(0, new JsonObject(Files.readString(report)).getInteger("exitCode"));
    JsonObject result = new JsonObject(Files.readString(report)).getJsonArray("files").getJsonObject(0);
    assertEquals("sent", result.getString("status"), result::encode);
    long resumedFrom = result.getLong("resumedFrom");
    assertTrue(resumedFrom > 0 && resumedFrom < SIZE, () -> "the next run resumes: " + result.encode());
    assertEquals(crc32c(source), crc32c(storage.resolve(NAME)), "CRC32C of the resumed file");
    // The server says so at INFO, with the offset.
    server.awaitLine("resuming '" + NAME + "' at offset " + resumedFrom + " of " + SIZE + " bytes", WAIT);
    System.out.printf("InterruptedClientIT: SIG%s exited %d; the next run resumed from %d of %d bytes%n", signal,
      exitCode, resumedFrom, SIZE);
  }
}
