package dev.kirim.it;

import dev.kirim.protocol.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import static dev.kirim.it.Outputs.assertExitCode;
import static dev.kirim.it.Outputs.assertNoStackTrace;
import static dev.kirim.it.Outputs.assertUsageError;
import static dev.kirim.it.Outputs.assertVerdict;
import static dev.kirim.testkit.Ports.freePort;
import static dev.kirim.testkit.TestFiles.assertSameBytes;
import static dev.kirim.testkit.TestFiles.mkdirs;
import static dev.kirim.testkit.TestFiles.writePseudoRandom;
import static dev.kirim.testkit.TestFiles.writeSmall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The jars' command lines as a user meets them: help and version, a bad flag, a server started with flags
 * only, one-off pushes with flags (alone and over a -conf file), and what the client prints in a pipe: no
 * progress unless --progress, nothing at all with --quiet when everything was delivered.
 */
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CommandLineIT {

  private static final String CLIENT = "kirim-client: error: ";
  private static final String SERVER = "kirim-server: error: ";

  @TempDir
  static Path root;

  @RegisterExtension
  final KirimProcesses kirim = new KirimProcesses();
  private final KirimProcesses servers = new KirimProcesses();
  private Path serverDir;
  private Path workDir;
  private int port;

  /** A server configured by flags alone: no -conf. */
  @BeforeAll
  void startServer() {
    serverDir = mkdirs(root.resolve("server"));
    workDir = mkdirs(root.resolve("work"));
    port = freePort();
    KirimProcess server = servers.server(serverDir)
      .args("--dir", "inbox", "--port", String.valueOf(port), "--host", "127.0.0.1").start();
    KirimProcesses.awaitListening(server, port);
  }

  @AfterAll
  void stopServer() {
    servers.close();
  }

  private String to() {
    return "127.0.0.1:" + port;
  }

  @Test
  void helpOfBothJarsIsKirimsUsageThenTheLaunchersOptionsOnce() {
    for (KirimProcess process : List.of(kirim.client(workDir).args("--help").run(),
      kirim.server(workDir).args("-h").run())) {
      assertExitCode(0, process);
      String help = process.stdout();
      assertTrue(help.startsWith("Usage: java -jar kirim-"), process::describe);
      for (String part : List.of("Options:", "Exit codes:", "Examples:", "README.md", "Vert.x launcher options",
        "-conf", "-instances", "-cluster", "-options", "--version")) {
        assertTrue(help.contains(part), () -> "help mentions " + part + "\n" + process.describe());
      }
      assertEquals(1, help.split("Usage:", -1).length - 1, () -> "usage printed once\n" + process.describe());
      assertFalse(help.contains("\u001b"), () -> "no ANSI codes in a pipe\n" + process.describe());
      assertEquals(List.of(), process.stderrLines(), process::describe);
    }
    assertTrue(kirim.client(workDir).args("-h").run().stdout().contains("--to=HOST[:PORT]"));
  }

  @Test
  void versionOfBothJarsIsTheBuildsAndTheProtocols() {
    String expected = System.getProperty("kirim.version", "0.1.0-SNAPSHOT") + " (protocol version " + Message.VERSION
      + ")";
    for (String jar : List.of("client", "server")) {
      KirimProcess process = (jar.equals("client") ? kirim.client(workDir) : kirim.server(workDir))
        .args("--version").run();
      assertExitCode(0, process);
      assertEquals("kirim-" + jar + " " + expected, process.stdoutLines().get(0), process::describe);
      assertTrue(process.stdoutLines().get(1).startsWith("Vert.x 5."), process::describe);
    }
  }

  @Test
  void aBadFlagIsOneLineAndExitCodeTwo() {
    assertUsageError(kirim.client(workDir).args("--bogus", "a.txt", "--to", to()).run(), CLIENT, "'--bogus'",
      "--help");
    assertUsageError(kirim.client(workDir).args("a.txt").run(), CLIENT, "--to");
    assertUsageError(kirim.client(workDir).args("a.txt", "--to", to(), "--parallel", "many").run(), CLIENT,
      "--parallel", "many");
    assertUsageError(kirim.client(workDir).args("a.txt", "--to", "127.0.0.1:99999").run(), CLIENT, "99999",
      "--to");
    assertUsageError(kirim.server(workDir).args("--port", "abc").run(), SERVER, "--port", "abc");
    assertUsageError(kirim.server(workDir).args("--port", "70000").run(), SERVER, "'port'", "--port");
    assertUsageError(kirim.server(workDir).args("stray").run(), SERVER, "stray");
  }

  @Test
  void aOneOffPushNeedsOnlyFilesAndATarget() throws IOException {
    Path dir = mkdirs(workDir.resolve("oneoff"));
    writeSmall(dir.resolve("a.txt"), 1000, 1);
    writeSmall(mkdirs(dir.resolve("logs")).resolve("b.log"), 3000, 2);
    KirimProcess client = kirim.client(workDir).args("oneoff/a.txt", "oneoff/logs", "--to", to(),
      "--remote-dir", "oneoff", "--report", "oneoff.json").run();
    assertExitCode(0, client);
    assertVerdict(client, "2 sent");
    Path inbox = serverDir.resolve("inbox/oneoff");
    assertSameBytes(dir.resolve("a.txt"), inbox.resolve("a.txt"));
    assertSameBytes(dir.resolve("logs/b.log"), inbox.resolve("logs/b.log"));
    assertEquals(2, new JsonObject(Files.readString(workDir.resolve("oneoff.json"))).getJsonArray("files").size());
    assertNoStackTrace(client);
  }

  @Test
  void flagsOverrideTheKeysOfTheConfigFile() throws IOException {
    Path confDir = mkdirs(workDir.resolve("conf"));
    writeSmall(confDir.resolve("c.txt"), 500, 3);
    Files.writeString(confDir.resolve("client.json"), new JsonObject()
      .put("targets", new JsonArray().add("127.0.0.1:" + freePort()))
      .put("files", new JsonArray().add("c.txt"))
      .put("remoteDir", "from-file")
      .encodePrettily());
    KirimProcess client = kirim.client(workDir).conf("conf/client.json").args("--to", to(), "--remote-dir", "from-flag")
      .run();
    assertExitCode(0, client);
    assertSameBytes(confDir.resolve("c.txt"), serverDir.resolve("inbox/from-flag/c.txt"));
    assertFalse(Files.exists(serverDir.resolve("inbox/from-file")));
  }

  @Test
  void inAPipeTheClientPrintsNoProgressUnlessAsked() {
    Path file = writePseudoRandom(workDir.resolve("paced.bin"), 3L * 1024 * 1024, 4);
    KirimProcess quietPipe = kirim.client(workDir).args(file.toString(), "--to", to(), "--remote-dir", "pipe")
      .run();
    assertExitCode(0, quietPipe);
    assertTrue(quietPipe.stdoutLines().stream().noneMatch(line -> line.contains(" files ")), quietPipe::describe);

    // About three seconds at 1 MiB/s: a plain line at once, another after 2 s.
    KirimProcess progress = kirim.client(workDir).args(file.toString(), "--to", to(), "--remote-dir", "progress",
      "--rate-limit", "1MiB", "--progress").run();
    assertExitCode(0, progress);
    List<String> lines = progress.stdoutLines().stream().filter(line -> line.contains("/1 files  ")).toList();
    assertTrue(lines.size() >= 2, progress::describe);
    assertTrue(lines.stream().allMatch(line -> line.matches(Pattern.quote(to()) + "  [01]/1 files  .*/3\\.0 MiB.*")),
      progress::describe);
    assertTrue(progress.outputLines().stream().noneMatch(line -> line.contains("\r") || line.contains("\u001b")),
      progress::describe);
    assertVerdict(progress, "1 sent");
  }

  @Test
  void quietPrintsNothingWhenEverythingWasDeliveredAndTheSummaryWhenNot() {
    writeSmall(workDir.resolve("q.txt"), 100, 5);
    KirimProcess delivered = kirim.client(workDir).args("q.txt", "--to", to(), "--remote-dir", "quiet", "--quiet")
      .run();
    assertExitCode(0, delivered);
    assertEquals(List.of(), delivered.stdoutLines(), delivered::describe);

    KirimProcess failed = kirim.client(workDir).args("missing.txt", "--to", to(), "-q").run();
    assertExitCode(1, failed);
    assertVerdict(failed, "1 failed");
  }
}
