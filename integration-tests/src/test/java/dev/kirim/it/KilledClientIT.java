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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.kirim.it.Outputs.assertExitCode;
import static dev.kirim.it.Outputs.assertVerdict;
import static dev.kirim.testkit.Checksums.crc32c;
import static dev.kirim.testkit.Ports.freePort;
import static dev.kirim.testkit.TestFiles.MIB;
import static dev.kirim.testkit.TestFiles.mkdirs;
import static dev.kirim.testkit.TestFiles.size;
import static dev.kirim.testkit.TestFiles.writePseudoRandom;
import static dev.kirim.testkit.Trees.sizes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client killed (SIGKILL) in the middle of a body: nothing appears under the final name, the server keeps
 * the partial file and keeps serving, and the next run of the client resumes from where the bytes stopped. The
 * server authenticates the client: its partials are keyed by the client, so a new run resumes them (an anonymous
 * client would need the resume id its previous run was given, and start from 0). Nor does the killed client
 * leave a Vert.x file cache behind: it makes none.
 */
@Timeout(180)
class KilledClientIT {

  private static final long SIZE = 300L * MIB + 7;
  private static final String NAME = "data.bin";
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Pattern INTERRUPTED = Pattern.compile("'" + Pattern.quote(NAME)
    + "' interrupted after (\\d+) of (\\d+) bytes");

  @TempDir
  Path dir;

  @RegisterExtension
  final KirimProcesses kirim = new KirimProcesses();


  @Test
  void killedClientLeavesAPartialThatTheNextRunResumes() throws IOException {
    Path source = writePseudoRandom(dir.resolve("src").resolve(NAME), SIZE, 42);
    int port = freePort();
    Path report = dir.resolve("report.json");
    Path conf = Files.writeString(source.resolveSibling("client.json"), new JsonObject()
      .put("targets", new JsonArray().add("127.0.0.1:" + port))
      .put("files", new JsonArray().add(NAME))
      .put("report", report.toString())
      .put("token", ItTokens.TOKEN)
      .encodePrettily());
    Path storage = dir.resolve("server").resolve("received").resolve(ItTokens.CLIENT);
    Path serverDir = mkdirs(dir.resolve("server"));
    KirimProcess server = kirim.startServer(serverDir, port, ItTokens.serverAuth(serverDir));

    // Where Vert.x would make its file cache: a killed client must leave nothing there.
    Path vertxCache = dir.resolve("vertx").resolve("cache");
    KirimProcess first = kirim.client(source.getParent()).jvm("-Dvertx.cacheDirBase=" + vertxCache)
      .conf(conf.toString()).start();
    Path partial = PartialUploads.awaitWithBytes(storage, NAME, first, WAIT);
    first.kill();
    assertFalse(Files.exists(vertxCache.getParent()), "the killed client left a Vert.x file cache behind");

    String interrupted = server.awaitLines(line -> INTERRUPTED.matcher(line).find(), 1, WAIT,
      "the interruption of '" + NAME + "'");
    assertTrue(interrupted.contains("partial kept for resume"), server::describe);
    Matcher matcher = INTERRUPTED.matcher(interrupted);
    assertTrue(matcher.find());
    long kept = Long.parseLong(matcher.group(1));
    assertEquals(SIZE, Long.parseLong(matcher.group(2)), interrupted);
    assertTrue(kept > 0 && kept < SIZE, interrupted);
    awaitSize(partial, kept);
    assertFalse(Files.exists(storage.resolve(NAME)), "nothing under the final name after the kill");
    assertEquals(Map.of(storage.relativize(partial).toString(), kept), sizes(storage), "only the partial file");
    assertTrue(server.isAlive(), server::describe);

    KirimProcess second = kirim.client(source.getParent()).conf(conf.toString()).run(Duration.ofSeconds(120));

    assertExitCode(0, second);
    assertVerdict(second, "1 file(s) x 1 target(s): 1 sent, 0 skipped, 0 failed");
    JsonObject secondReport = new JsonObject(Files.readString(report));
    JsonObject result = secondReport.getJsonArray("files").getJsonObject(0);
    assertEquals(kept, result.getLong("resumedFrom"), () -> "the resume offset in the report: " + result.encode());
    assertEquals(SIZE - kept, result.getLong("bytesTransferred"), result::encode);
    assertEquals(SIZE, result.getLong("bytes"), result::encode);
    JsonObject totals = secondReport.getJsonObject("totals");
    assertEquals(SIZE, totals.getLong("bytesSent"), totals::encode);
    assertEquals(SIZE - kept, totals.getLong("bytesTransferred"), totals::encode);
    assertEquals(Map.of(NAME, SIZE), sizes(storage), "the final file, the partial gone");
    assertEquals(crc32c(source), crc32c(storage.resolve(NAME)), "CRC32C of the resumed file");
    assertTrue(server.isAlive(), server::describe);
    System.out.printf("KilledClientIT: client killed after %d of %d bytes on the server; the next run resumed "
      + "from offset %d%n", kept, SIZE, kept);
  }


  /** The server logs the interruption before its last queued writes reach the file: wait for them. */
  private static void awaitSize(Path file, long expected) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (size(file) != expected && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    assertEquals(expected, size(file), "size of the kept partial " + file);
  }
}
