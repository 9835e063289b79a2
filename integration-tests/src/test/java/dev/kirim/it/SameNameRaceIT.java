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
import java.util.ArrayList;
import java.util.List;

import static dev.kirim.it.Outputs.assertExitCode;
import static dev.kirim.it.Outputs.assertNoStackTrace;
import static dev.kirim.testkit.Ports.freePort;
import static dev.kirim.testkit.TestFiles.assertSameBytes;
import static dev.kirim.testkit.TestFiles.mkdirs;
import static dev.kirim.testkit.TestFiles.writeSmall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Eight client processes, each pushing the same 5 MB file and ten files of its own, into one server with
 * {@code -instances 4} that reads each connection at 512 KiB/s: the shared file's upload lasts about ten seconds.
 * The first client starts alone; once its upload of the shared file is under way the seven others start at once
 * (so that their JVMs' start-up on a loaded machine cannot let them miss it) and offer it while it is in
 * progress. They wait for it on the server (on whichever instance holds their connection) and are then told it
 * is the same: every client exits 0, none is ever told {@code busy}, and one intact copy is stored.
 */
@Timeout(180)
class SameNameRaceIT {

  private static final int CLIENTS = 8;
  private static final int OWN_FILES = 10;
  private static final int SHARED_BYTES = 5_000_000;

  @TempDir
  Path dir;

  @RegisterExtension
  final KirimProcesses kirim = new KirimProcesses();

  @Test
  void eightClientsPushingOneFileAllEndWithItDeliveredAndNoneIsBusy() throws IOException {
    int port = freePort();
    JsonObject serverConf = KirimProcesses.serverConfig(port)
      .put("limits", new JsonObject().put("rateLimitPerConnection", "512KiB"));
    KirimProcess server = kirim.server(mkdirs(dir.resolve("server"))).conf(serverConf).args("-instances", "4").start();
    server.awaitLines(line -> line.contains("listening on 127.0.0.1:" + port), 4, KirimProcesses.START_TIMEOUT,
      "four 'listening on' lines, one per instance");
    Path shared = dir.resolve("shared/common.bin");
    writeSmall(shared, SHARED_BYTES, 42);

    List<KirimProcess> clients = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      Path own = dir.resolve("own-" + c);
      for (int f = 0; f < OWN_FILES; f++) {
        writeSmall(own.resolve("f-" + f + ".dat"), 4_000 + 997 * f, 100 * c + f);
      }
      clients.add(kirim.client(dir).conf(new JsonObject()
        .put("targets", new JsonArray().add("127.0.0.1:" + port))
        .put("files", new JsonArray().add(shared.toString()).add(own.toString()))
        .put("clientId", "racer-" + c)
        .put("report", dir.resolve("report-" + c + ".json").toString())).start());
      if (c == 0) {
        PartialUploads.awaitWithBytes(dir.resolve("server/received"), "common.bin", clients.get(0),
          Duration.ofSeconds(60));
      }
    }
    for (KirimProcess client : clients) {
      client.awaitExit(Duration.ofSeconds(150));
    }

    int sent = 0;
    long longestSkipMs = 0;
    for (int c = 0; c < CLIENTS; c++) {
      KirimProcess client = clients.get(c);
      assertExitCode(0, client);
      assertNoStackTrace(client);
      assertFalse(client.stdout().contains("busy") || client.stderr().contains("busy"), client::describe);
      JsonObject report = new JsonObject(Files.readString(dir.resolve("report-" + c + ".json")));
      assertEquals(OWN_FILES + 1, report.getJsonObject("totals").getInteger("files"), report::encodePrettily);
      for (Object item : report.getJsonArray("files")) {
        JsonObject file = (JsonObject) item;
        assertEquals(1, file.getInteger("attempts"), file::encode);
        if (file.getString("name").equals("common.bin")) {
          if (file.getString("status").equals("sent")) {
            sent++;
          } else {
            assertEquals("skipped", file.getString("status"), file::encode);
            longestSkipMs = Math.max(longestSkipMs, file.getLong("durationMs"));
          }
        }
      }
    }
    System.out.printf("SameNameRaceIT: %d of %d clients sent the shared file, the longest wait for it took %d ms%n",
      sent, CLIENTS, longestSkipMs);
    assertEquals(1, sent, "one client uploads the shared file, the others find it there");
    assertTrue(longestSkipMs >= 1_000, "at least one client waited for the upload in progress: " + longestSkipMs + " ms");
    Path storage = dir.resolve("server/received");
    assertSameBytes(shared, storage.resolve("common.bin"));
    for (int c = 0; c < CLIENTS; c++) {
      for (int f = 0; f < OWN_FILES; f++) {
        assertSameBytes(dir.resolve("own-" + c + "/f-" + f + ".dat"), storage.resolve("own-" + c + "/f-" + f + ".dat"));
      }
    }
    try (var files = Files.walk(storage)) {
      assertEquals(1 + CLIENTS * OWN_FILES, files.filter(Files::isRegularFile).count(), "nothing else, no partial");
    }
  }
}
