package dev.kirim.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.kirim.it.Outputs.assertExitCode;
import static dev.kirim.it.Outputs.assertNoStackTrace;
import static dev.kirim.it.Outputs.assertVerdict;
import static dev.kirim.testkit.Checksums.wireCrc32c;
import static dev.kirim.testkit.Ports.freePort;
import static dev.kirim.testkit.TestFiles.assertSameBytes;
import static dev.kirim.testkit.TestFiles.mkdirs;
import static dev.kirim.testkit.TestFiles.writeSmall;
import static dev.kirim.testkit.Trees.sizes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed's cases 1–4 on one machine over 127.0.0.1, with the three directories apart: the server runs in
 * A (relative storage "received"), the client in B, its config file lives in C and names its files relative
 * to C. One server serves the whole class; each test pushes into a directory of its own on it
 * ({@code remoteDir}), named after the test.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoopbackIT {

  @TempDir
  static Path root;

  /** The per-test processes (clients). */
  @RegisterExtension
  final KirimProcesses kirim = new KirimProcesses();
  /** The server, for the whole class. */
  private final KirimProcesses servers = new KirimProcesses();
  private KirimProcess server;
  private int port;
  private String area;
  private Path workDir;
  private Path confDir;
  /** Where this test's files land on the server: its area under the storage directory. */
  private Path storage;

  @BeforeAll
  void startServer() throws IOException {
    Path serverDir = mkdirs(root.resolve("A-server"));
    port = freePort();
    // A config file given relative to the server's working directory.
    Files.writeString(serverDir.resolve("server.json"), KirimProcesses.serverConfig(port).encodePrettily());
    server = servers.server(serverDir).conf("server.json").start();
    KirimProcesses.awaitListening(server, port);
  }

  @AfterAll
  void stopServer() {
    servers.close();
  }

  @BeforeEach
  void newArea(TestInfo test) {
    area = test.getTestMethod().orElseThrow().getName();
    workDir = mkdirs(root.resolve(area).resolve("B-work"));
    confDir = mkdirs(root.resolve(area).resolve("C-conf"));
    storage = root.resolve("A-server").resolve("received").resolve(area);
  }


  @Test
  void pushesFromAnotherDirectoryThenSkipsEverythingOnTheSecondRun() throws IOException {
    writeSmall(confDir.resolve("aji.txt"), 1000, 1);
    writeSmall(confDir.resolve("rita.txt"), 70_001, 2);
    writeSmall(confDir.resolve("reports/2026-11/summary.csv"), 300_007, 3);
    Path report = root.resolve(area).resolve("out/report.json");
    Path conf = writeClientConf("client.json", List.of("aji.txt", "rita.txt", "reports"), report);

    KirimProcess first = runClient(conf);

    assertExitCode(0, first);
    assertVerdict(first, "3 file(s) x 1 target(s): 3 sent, 0 skipped, 0 failed");
    assertNoStackTrace(first);
    Map<String, Long> expected = Map.of("aji.txt", 1000L, "rita.txt", 70_001L, "reports/2026-11/summary.csv", 300_007L);
    assertEquals(expected, sizes(storage), "the storage holds exactly the pushed files, no partial left");
    for (String name : expected.keySet()) {
      assertSameBytes(confDir.resolve(name), storage.resolve(name));
    }
    assertEquals(Map.of(), sizes(workDir), "the client writes nothing into its working directory");
    JsonObject json = new JsonObject(Files.readString(report));
    assertEquals(new JsonObject().put("targets", 1).put("files", 3).put("sent", 3).put("skipped", 0).put("differs", 0)
      .put("failed", 0).put("bytesSent", 371_008).put("bytesTransferred", 371_008), json.getJsonObject("totals"),
      json::encodePrettily);
    for (Object item : json.getJsonArray("files")) {
      JsonObject file = (JsonObject) item;
      assertTrue(file.getString("name").startsWith(area + "/"), file::encode);
      String name = file.getString("name").substring(area.length() + 1);
      assertEquals("sent", file.getString("status"), file::encode);
      assertEquals(confDir.resolve(name).toString(), file.getString("local"), file::encode);
      assertEquals(expected.get(name), file.getLong("bytes"), file::encode);
      assertEquals(wireCrc32c(confDir.resolve(name)), file.getString("checksum"), file::encode);
    }
    Map<String, FileTime> stamps = modificationTimes(expected.keySet());

    KirimProcess second = runClient(conf);

    assertExitCode(0, second);
    assertVerdict(second, "3 file(s) x 1 target(s): 0 sent, 3 skipped, 0 failed");
    assertEquals(expected, sizes(storage), "the second run changed nothing");
    assertEquals(stamps, modificationTimes(expected.keySet()), "skipped files are not rewritten");
    JsonObject again = new JsonObject(Files.readString(report));
    assertEquals(3, again.getJsonObject("totals").getInteger("skipped"), again::encodePrettily);
    server.awaitLine("server read '" + area + "/aji.txt': exists", KirimProcesses.START_TIMEOUT);
  }

  @Test
  void missingLocalFileFailsWithExit1AndLeavesNothingOnTheServer() throws IOException {
    writeSmall(confDir.resolve("new.txt"), 2048, 4);
    Path conf = writeClientConf("client.json", List.of("new.txt", "missing.txt"), null);

    KirimProcess client = runClient(conf);

    assertExitCode(1, client);
    assertVerdict(client, "2 file(s) x 1 target(s): 1 sent, 0 skipped, 1 failed");
    String failure = client.stdoutLines().stream().filter(line -> line.contains("FAILED")).findFirst().orElse("");
    assertTrue(failure.contains("missing.txt") && failure.contains("not_found"),
      () -> "the failed file and why\n" + client.describe());
    assertNoStackTrace(client);
    // The seed's bug: a 0-byte file under the final name. Nothing for missing.txt at all, not even a partial.
    assertEquals(Map.of("new.txt", 2048L), sizes(storage));
    assertSameBytes(confDir.resolve("new.txt"), storage.resolve("new.txt"));
  }

  @Test
  void targetWithoutServerFailsWithExit1WhileTheOtherTargetGetsTheFile() throws IOException {
    writeSmall(confDir.resolve("both.txt"), 5000, 5);
    String dead = "127.0.0.1:" + freePort();
    Path conf = Files.writeString(confDir.resolve("client.json"), new JsonObject()
      .put("targets", new JsonArray().add("127.0.0.1:" + port).add(dead))
      .put("files", new JsonArray().add("both.txt"))
      .put("remoteDir", area)
      .put("retry", new JsonObject().put("attempts", 2).put("backoffMs", 50))
      .encodePrettily());

    KirimProcess client = runClient(conf);

    assertExitCode(1, client);
    assertVerdict(client, "1 file(s) x 2 target(s): 1 sent, 0 skipped, 1 failed");
    assertTrue(client.stdout().contains("connect_failed") && client.stdout().contains(dead),
      () -> "the summary names the unreachable target\n" + client.describe());
    assertNoStackTrace(client);
    assertEquals(Map.of("both.txt", 5000L), sizes(storage));
  }

  @Test
  void fourUsersPushTheirOwnFilesAtTheSameTime() throws IOException {
    List<String> users = List.of("aji", "rita", "ilham", "nurdin");
    List<KirimProcess> clients = new ArrayList<>();
    for (int i = 0; i < users.size(); i++) {
      String user = users.get(i);
      Path home = mkdirs(root.resolve(area).resolve("home-" + user));
      writeSmall(home.resolve(user + ".txt"), 10_000 * (i + 1) + i, 10 + i);
      Path conf = Files.writeString(home.resolve("client.json"), new JsonObject()
        .put("targets", new JsonArray().add("127.0.0.1:" + port))
        .put("files", new JsonArray().add(user + ".txt"))
        .put("clientId", user)
        .put("remoteDir", area)
        .encodePrettily());
      clients.add(kirim.client(workDir).conf(conf.toString()).start());
    }
    for (KirimProcess client : clients) {
      client.awaitExit(KirimProcesses.RUN_TIMEOUT);
      assertExitCode(0, client);
      assertVerdict(client, "1 sent, 0 skipped, 0 failed");
    }
    assertEquals(users.size(), sizes(storage).size(), () -> "every file arrived: " + sizes(storage));
    for (String user : users) {
      assertSameBytes(root.resolve(area).resolve("home-" + user).resolve(user + ".txt"), storage.resolve(user + ".txt"));
      server.awaitLine("(" + user + ") closed", KirimProcesses.START_TIMEOUT);
    }
  }

  /** The push goes through; the report cannot be written (its path is a directory): exit 1, one line naming the key. */
  @Test
  void aReportThatCannotBeWrittenEndsWithExit1NamingTheKey() throws IOException {
    writeSmall(confDir.resolve("laporan.txt"), 3000, 6);
    Path directory = mkdirs(root.resolve(area).resolve("a-directory"));
    Path conf = writeClientConf("client.json", List.of("laporan.txt"), directory);

    KirimProcess client = runClient(conf);

    assertExitCode(1, client);
    assertVerdict(client, "1 file(s) x 1 target(s): 1 sent, 0 skipped, 0 failed");
    List<String> errors = client.stderrLines().stream().filter(line -> line.startsWith("kirim-client: error: ")).toList();
    assertEquals(1, errors.size(), client::describe);
    assertTrue(errors.get(0).contains(directory.toString()) && errors.get(0).contains("'report'"), client::describe);
    assertNoStackTrace(client);
    assertEquals(Map.of("laporan.txt", 3000L), sizes(storage), "the push itself went through");
  }

  private Path writeClientConf(String fileName, List<String> files, Path report) throws IOException {
    JsonObject conf = new JsonObject()
      .put("targets", new JsonArray().add("127.0.0.1:" + port))
      .put("files", new JsonArray(files))
      .put("remoteDir", area);
    if (report != null) {
      conf.put("report", report.toString());
    }
    return Files.writeString(confDir.resolve(fileName), conf.encodePrettily());
  }

  /** Runs the client in B with {@code -conf} given relative to B ({@code ../C-conf/client.json}). */
  private KirimProcess runClient(Path conf) {
    return kirim.client(workDir).conf(workDir.relativize(conf).toString()).run();
  }

  private Map<String, FileTime> modificationTimes(Iterable<String> names) throws IOException {
    Map<String, FileTime> times = new HashMap<>();
    for (String name : names) {
      times.put(name, Files.getLastModifiedTime(storage.resolve(name)));
    }
    return times;
  }
}
