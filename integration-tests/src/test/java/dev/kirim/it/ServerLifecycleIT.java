package dev.kirim.it;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static dev.kirim.it.Outputs.assertExitCode;
import static dev.kirim.it.Outputs.assertNoStackTrace;
import static dev.kirim.testkit.Ports.freePort;
import static dev.kirim.testkit.TestFiles.mkdirs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The server's start and end as an operator sees them: a storage directory it cannot write to stops the start
 * (one line, exit 3) instead of failing every upload later; SIGTERM ends it with one log line and exit 143.
 */
@Timeout(120)
class ServerLifecycleIT {

  @TempDir
  Path dir;

  @RegisterExtension
  final KirimProcesses kirim = new KirimProcesses();

  @Test
  void storageWhereNoFileCanBeCreatedExitsWith3InOneLine() {
    // sysfs refuses new files to everyone, root included (a chmod would not stop root).
    Path unwritable = Path.of("/sys/kernel");
    assumeTrue(Files.isDirectory(unwritable), "needs Linux sysfs");
    int port = freePort();

    KirimProcess server = kirim.server(dir).conf(KirimProcesses.serverConfig(port)
      .put("storageDir", unwritable.toString())).run();

    assertExitCode(3, server);
    List<String> lines = server.stderrLines().stream().filter(line -> !line.isBlank()).toList();
    assertEquals(1, lines.size(), () -> "one line on stderr\n" + server.describe());
    assertTrue(lines.get(0).startsWith("kirim-server: error: cannot use storage directory " + unwritable), server::describe);
    assertTrue(lines.get(0).contains("permission denied"), server::describe);
    assertTrue(server.outputLines().stream().noneMatch(line -> line.contains("listening on")), server::describe);
    assertNoStackTrace(server);
  }

  @Test
  void sigtermLogsOneLineAndExits143() {
    int port = freePort();
    KirimProcess server = kirim.startServer(mkdirs(dir.resolve("server")), port, new JsonObject());
    // Started: listening is not enough, the deployment (registration included) must be over (the next test
    // covers a signal during the start).
    server.awaitLine("Succeeded in deploying verticle", Duration.ofSeconds(30));

    server.signal("TERM");

    assertEquals(143, server.awaitExit(Duration.ofSeconds(30)), server::describe);
    assertEquals(1, server.outputLines().stream().filter(line -> line.contains("kirim server shutting down")).count(),
      server::describe);
    assertNoStackTrace(server);
    assertTrue(server.outputLines().stream().noneMatch(line -> line.contains("RejectedExecutionException")),
      server::describe);
  }

  /**
   * SIGTERM at any moment of the start: exit 143, at most one line about it, never a stack trace. Before, a signal
   * during the deployment made the launcher undeploy a verticle half deployed, and Vert.x and Netty logged a stack
   * trace for each step cut short. No event marks "in the middle of the start" from outside the process, so the
   * signals are sent at a sweep of delays after the launch, most of them landing inside the ~1.5 s start.
   */
  @Test
  void sigtermWhileStartingIsOneLineAndExits143() throws InterruptedException {
    for (long delayMs : new long[] {150, 400, 650, 900, 1150, 1400}) {
      int port = freePort();
      KirimProcess server = kirim.server(mkdirs(dir.resolve("s" + delayMs)))
        .conf(KirimProcesses.serverConfig(port)).start();
      Thread.sleep(delayMs);
      server.signal("TERM");

      assertEquals(143, server.awaitExit(Duration.ofSeconds(30)), server::describe);
      assertNoStackTrace(server);
      List<String> stopped = server.outputLines().stream()
        .filter(line -> line.contains("while starting") || line.contains("kirim server shutting down")).toList();
      assertTrue(stopped.size() <= 1, () -> "at most one line about the stop\n" + server.describe());
      assertTrue(server.outputLines().stream().noneMatch(line -> line.contains("Exception")
        || line.contains("ERROR")), server::describe);
    }
  }
}
