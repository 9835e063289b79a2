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
import java.util.Locale;
import java.util.Map;

import static dev.kirim.it.Outputs.assertExitCode;
import static dev.kirim.it.Outputs.assertNoStackTrace;
import static dev.kirim.it.Outputs.assertVerdict;
import static dev.kirim.testkit.Checksums.crc32c;
import static dev.kirim.testkit.Ports.freePort;
import static dev.kirim.testkit.TestFiles.deleteIfExists;
import static dev.kirim.testkit.TestFiles.mkdirs;
import static dev.kirim.testkit.TestFiles.writePseudoRandom;
import static dev.kirim.testkit.Trees.sizes;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Memory stays bounded whatever the file size: 1 GiB + 13 bytes (not a multiple of any chunk size) goes
 * through a server and a client that each have a 64 MiB heap, and arrives byte for byte.
 */
@Timeout(300)
class BigFileLowMemoryIT {

  private static final long SIZE = (1L << 30) + 13;
  private static final String[] SMALL_HEAP = {"-Xmx64m"};

  @TempDir
  Path dir;

  @RegisterExtension
  final KirimProcesses kirim = new KirimProcesses();


  @Test
  void oneGibibyteWithSixtyFourMegabyteHeaps() throws IOException {
    Path source = dir.resolve("src").resolve("big.bin");
    Path stored = dir.resolve("server").resolve("received").resolve("big.bin");
    try {
      writePseudoRandom(source, SIZE, 0x6b6972696dL);
      int port = freePort();
      // fsync stays on (the default): the real publish path, 1 GiB flushed before 'done'.
      KirimProcess server = kirim.startServer(mkdirs(dir.resolve("server")), port, null, SMALL_HEAP);
      Path report = dir.resolve("report.json");

      long started = System.nanoTime();
      KirimProcess client = kirim.client(source.getParent()).jvm(SMALL_HEAP).conf(new JsonObject()
        .put("targets", new JsonArray().add("127.0.0.1:" + port))
        .put("files", new JsonArray().add("big.bin"))
        .put("report", report.toString())).run(Duration.ofSeconds(240));
      long wallMs = (System.nanoTime() - started) / 1_000_000;

      assertExitCode(0, client);
      assertVerdict(client, "1 file(s) x 1 target(s): 1 sent, 0 skipped, 0 failed");
      assertNoStackTrace(client);
      assertEquals(Map.of("big.bin", SIZE), sizes(stored.getParent()), "only the final file, no partial left");
      long crc = crc32c(source);
      assertEquals(crc, crc32c(stored), "CRC32C of the stored copy");
      JsonObject result = new JsonObject(Files.readString(report)).getJsonArray("files").getJsonObject(0);
      assertEquals(SIZE, result.getLong("bytes"), result::encode);
      assertEquals(String.format("crc32c:%08x", crc), result.getString("checksum"), result::encode);
      assertEquals(true, server.isAlive(), server::describe);
      server.awaitLine("copied " + SIZE + " bytes into 'big.bin'", KirimProcesses.START_TIMEOUT);

      long fileMs = result.getLong("durationMs");
      System.out.printf(Locale.ROOT, "BigFileLowMemoryIT: 1 GiB + 13 B with -Xmx64m on both sides, fsync on: "
          + "%.0f MB/s for the file (%d ms), %.0f MB/s including the client JVM start-up (%d ms)%n",
        SIZE / 1e3 / Math.max(1, fileMs), fileMs, SIZE / 1e3 / Math.max(1, wallMs), wallMs);
    } finally {
      kirim.close();
      deleteIfExists(source);
      deleteIfExists(stored);
    }
  }
}
