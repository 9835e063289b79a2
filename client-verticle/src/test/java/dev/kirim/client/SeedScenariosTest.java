package dev.kirim.client;

import dev.kirim.server.KirimServer;
import dev.kirim.testkit.Checksums;
import dev.kirim.testkit.Trees;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.kirim.testkit.Await.await;
import static dev.kirim.testkit.TestFiles.read;
import static dev.kirim.testkit.TestFiles.writeRandom;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed paper's test cases (an old C socket pair: server, client, four users), done the kirim way: over
 * loopback, with the bytes on the server compared to the bytes pushed, and the paper's failure (an empty file
 * left behind for a file the client could not open) checked to be gone.
 */
class SeedScenariosTest extends PushTestBase {

  private static final List<String> USERS = List.of("aji", "rita", "ilham", "nurdin");

  @TempDir
  Path tmp;

  /** Seed case 2: client and server on one computer, over 127.0.0.1; then the same push again. */
  @Test
  void loopbackPushDeliversEveryFileAndASecondPushSkipsThemAll() throws IOException {
    Path home = tmp.resolve("home");
    Path storage = tmp.resolve("received");
    Map<String, byte[]> files = Map.of(
      "laporan.txt", writeRandom(home.resolve("laporan.txt"), 10_007, 1),
      "data.bin", writeRandom(home.resolve("data.bin"), 300_001, 2),
      "foto.jpg", writeRandom(home.resolve("foto.jpg"), 3 * 256 * 1024 + 5, 3));
    KirimServer server = startServer(storage);

    PushReport first = push(job(home, List.of("laporan.txt", "data.bin", "foto.jpg"), server));

    assertEquals(PushReport.EXIT_OK, first.exitCode(), first::summary);
    assertEquals(List.of("data.bin", "foto.jpg", "laporan.txt"), names(first.results()), "results, by remote name");
    for (FileResult result : first.results()) {
      assertSent(result, files.get(result.name()), storage);
      assertEquals(1, result.attempts(), () -> "tries for " + result);
      assertEquals(server.serverId(), result.server(), "the server id from its welcome");
      assertEquals(home.resolve(result.name()).toString(), result.local());
    }
    assertEquals(List.of("data.bin", "foto.jpg", "laporan.txt"), Trees.list(storage), "nothing but the three files");
    Map<String, FileTime> mtimes = new HashMap<>();
    for (String name : files.keySet()) {
      mtimes.put(name, Files.getLastModifiedTime(storage.resolve(name)));
    }

    PushReport second = push(job(home, List.of("laporan.txt", "data.bin", "foto.jpg"), server));

    assertEquals(PushReport.EXIT_OK, second.exitCode(), second::summary);
    assertEquals(3, second.count(FileStatus.SKIPPED), second::summary);
    assertEquals(0, second.bytesSent(), "a skip moves no bytes");
    for (FileResult result : second.results()) {
      byte[] content = files.get(result.name());
      assertEquals(FileStatus.SKIPPED, result.status());
      assertEquals(content.length, result.bytes(), "the size the server has");
      assertEquals(Checksums.crc32c(content), result.checksum(), "the checksum the server computed of its copy");
      assertArrayEquals(content, read(storage.resolve(result.name())));
      assertEquals(mtimes.get(result.name()), Files.getLastModifiedTime(storage.resolve(result.name())),
        "a skipped file is not touched");
    }
    assertEquals(List.of("data.bin", "foto.jpg", "laporan.txt"), Trees.list(storage));
  }

  /**
   * Seed case 1: four computers (aji, rita, ilham, nurdin) push their files into one server at once. Aji and
   * rita both push a {@code bersama.bin} of their own: one of them stores it, the other is told that the
   * server's copy differs from its own, and its push fails (exit 1) since its file was not delivered.
   */
  @Test
  void fourComputersPushIntoOneServerAtOnce() {
    Path storage = tmp.resolve("server");
    KirimServer server = startServer(storage);
    Map<String, Map<String, byte[]>> contents = new HashMap<>();
    List<Future<PushReport>> pushes = new ArrayList<>();
    for (int i = 0; i < USERS.size(); i++) {
      String user = USERS.get(i);
      Path computer = tmp.resolve("computer-" + user);
      Map<String, byte[]> own = new HashMap<>();
      own.put(user + ".txt", writeRandom(computer.resolve(user + ".txt"), 5_000 + 1_111 * i, 10 + i));
      own.put(user + "/catatan.md", writeRandom(computer.resolve(user + "/catatan.md"), 777 + i, 20 + i));
      own.put(user + "/foto/raw.bin", writeRandom(computer.resolve(user + "/foto/raw.bin"), 700_001 + 13 * i, 30 + i));
      // A file, and a directory named after the user (it keeps its name and sub-directories on the server).
      List<String> files = new ArrayList<>(List.of(user + ".txt", user));
      if (i < 2) {
        own.put("bersama.bin", writeRandom(computer.resolve("bersama.bin"), 1024 * 1024 + 7 - 4 * i, 40 + i));
        files.add("bersama.bin");
      }
      contents.put(user, own);
      pushes.add(pushAsync(quickRetries()
        .setClientId(user + "@komputer-" + (i + 1))
        .setRetryAttempts(50)
        .setRetryBackoffMs(5)
        .setRetryMaxBackoffMs(50), job(computer, files, server)));
    }

    List<PushReport> reports = await(Future.all(pushes)).list();

    Map<String, FileResult> shared = new HashMap<>();
    for (int i = 0; i < USERS.size(); i++) {
      String user = USERS.get(i);
      PushReport report = reports.get(i);
      for (Map.Entry<String, byte[]> file : contents.get(user).entrySet()) {
        FileResult result = result(report, file.getKey());
        if (file.getKey().equals("bersama.bin")) {
          shared.put(user, result);
        } else {
          assertSent(result, file.getValue(), storage);
        }
      }
    }
    FileResult aji = shared.get("aji");
    FileResult rita = shared.get("rita");
    assertEquals(List.of(FileStatus.SENT, FileStatus.DIFFERS),
      List.of(aji.status(), rita.status()).stream().sorted().toList(),
      () -> "one upload of bersama.bin wins, the other finds another file there: " + aji + ", " + rita);
    String winner = aji.status().equals(FileStatus.SENT) ? "aji" : "rita";
    FileResult loser = winner.equals("aji") ? rita : aji;
    byte[] stored = read(storage.resolve("bersama.bin"));
    assertArrayEquals(contents.get(winner).get("bersama.bin"), stored, "the winner's bytes, never a mix");
    assertEquals(stored.length, loser.bytes(), "the loser is told the stored size");
    assertTrue(loser.note().contains("onExisting"), loser::note);
    // Only the loser's push failed: its bersama.bin is not on the server.
    for (int i = 0; i < USERS.size(); i++) {
      String user = USERS.get(i);
      PushReport report = reports.get(i);
      int expected = user.equals(winner.equals("aji") ? "rita" : "aji") ? PushReport.EXIT_FAILED : PushReport.EXIT_OK;
      assertEquals(expected, report.exitCode(), () -> user + ": " + report.summary());
    }

    List<String> expected = new ArrayList<>(List.of("bersama.bin"));
    for (String user : USERS) {
      expected.addAll(List.of(user + "/", user + "/catatan.md", user + "/foto/", user + "/foto/raw.bin", user + ".txt"));
    }
    assertEquals(expected.stream().sorted().toList(), Trees.list(storage), "every file arrived, nothing else");
  }

  /**
   * Seed case 3: the client runs from another directory than the server. Relative entries resolve against the
   * client's {@code baseDir}, whatever the server's directory is; absolute entries are taken as they are.
   */
  @Test
  void clientInAnotherDirectoryResolvesItsFilesAgainstBaseDir() {
    Path storage = tmp.resolve("srv/received");
    Path docs = tmp.resolve("home/aji/docs");
    byte[] laporan = writeRandom(docs.resolve("laporan.txt"), 4_321, 50);
    byte[] catatan = writeRandom(tmp.resolve("home/aji/notes/catatan.txt"), 1_234, 51);
    Path elsewhere = tmp.resolve("mnt/usb/foto.bin");
    byte[] foto = writeRandom(elsewhere, 65_537, 52);
    KirimServer server = startServer(storage);
    JsonObject config = new JsonObject()
      .put("targets", new JsonArray().add("127.0.0.1:" + server.actualPort()))
      .put("files", new JsonArray().add("laporan.txt").add("../notes/catatan.txt").add(elsewhere.toString()))
      .put("baseDir", docs.toString());

    ClientConfig parsed = new ClientConfig(config);
    PushReport report = push(parsed.options(), parsed.job());

    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
    assertSent(result(report, "laporan.txt"), laporan, storage);
    assertSent(result(report, "catatan.txt"), catatan, storage);
    assertSent(result(report, "foto.bin"), foto, storage);
    assertEquals(tmp.resolve("home/aji/notes/catatan.txt").toString(), result(report, "catatan.txt").local());
    assertEquals(List.of("catatan.txt", "foto.bin", "laporan.txt"), Trees.list(storage));
  }

  /**
   * Seed case 4, the paper's failure: the client's file does not exist. kirim reports it per target, still
   * delivers the other files, and creates nothing on any server for it: no empty file, no partial.
   */
  @Test
  void missingFileFailsPerTargetAndLeavesNothingOnTheServers() {
    Path home = tmp.resolve("home");
    byte[] ada = writeRandom(home.resolve("ada.txt"), 2_049, 60);
    byte[] jugaAda = writeRandom(home.resolve("juga-ada.bin"), 123_457, 61);
    Path storage1 = tmp.resolve("server-1");
    Path storage2 = tmp.resolve("server-2");
    KirimServer server1 = startServer(storage1);
    KirimServer server2 = startServer(storage2);

    PushReport report = push(job(home, List.of("ada.txt", "tidak-ada.txt", "juga-ada.bin"),
      server1, server2));

    assertEquals(PushReport.EXIT_FAILED, report.exitCode(), report::summary);
    assertEquals(2, report.targets().size());
    for (int i = 0; i < 2; i++) {
      TargetReport target = report.targets().get(i);
      Path storage = i == 0 ? storage1 : storage2;
      Map<String, FileResult> results = byName(target.results());
      FileResult missing = results.get("tidak-ada.txt");
      assertNotNull(missing, () -> "a result for the missing file on " + target.target());
      assertEquals(FileStatus.FAILED, missing.status());
      assertEquals("not_found", missing.errorCode(), missing::toString);
      assertTrue(missing.errorMessage().contains(home.resolve("tidak-ada.txt").toString()),
        () -> "the message names the local path: " + missing.errorMessage());
      assertEquals(0, missing.bytes());
      assertSent(results.get("ada.txt"), ada, storage);
      assertSent(results.get("juga-ada.bin"), jugaAda, storage);
      assertEquals(List.of("ada.txt", "juga-ada.bin"), Trees.list(storage), "nothing at all for the missing file");
    }
    assertTrue(report.summary().contains("FAILED tidak-ada.txt"), report::summary);
  }
}
