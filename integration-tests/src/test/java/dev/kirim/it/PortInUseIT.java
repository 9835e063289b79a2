package dev.kirim.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;

import static dev.kirim.it.Outputs.assertExitCode;
import static dev.kirim.it.Outputs.assertNoStackTrace;
import static dev.kirim.it.Outputs.assertVerdict;
import static dev.kirim.testkit.Ports.freePort;
import static dev.kirim.testkit.TestFiles.assertSameBytes;
import static dev.kirim.testkit.TestFiles.mkdirs;
import static dev.kirim.testkit.TestFiles.writeSmall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed's "bind: Address already in use" case: a second server on a taken port says so in one line and
 * exits with 3, and the first one is not disturbed.
 */
@Timeout(120)
class PortInUseIT {

  @TempDir
  Path dir;

  @RegisterExtension
  final KirimProcesses kirim = new KirimProcesses();


  @Test
  void secondServerOnTheSamePortExitsWith3AndTheFirstKeepsServing() {
    int port = freePort();
    KirimProcess first = kirim.startServer(mkdirs(dir.resolve("first")), port, null);

    KirimProcess second = kirim.server(mkdirs(dir.resolve("second")))
      .conf(KirimProcesses.serverConfig(port)).run();

    assertExitCode(3, second);
    assertPortInUseLine(second, "127.0.0.1:" + port);
    assertTrue(first.isAlive(), () -> "the first server still runs\n" + first.describe());

    Path file = writeSmall(dir.resolve("files").resolve("aji.txt"), 4321, 1);
    KirimProcess client = kirim.client(dir).conf(new JsonObject()
      .put("targets", new JsonArray().add("127.0.0.1:" + port))
      .put("files", new JsonArray().add(file.toString()))).run();
    assertExitCode(0, client);
    assertVerdict(client, "1 sent, 0 skipped, 0 failed");
    assertSameBytes(file, dir.resolve("first").resolve("received").resolve("aji.txt"));
  }

  @Test
  void portHeldByAnotherProgramExitsWith3() throws IOException {
    try (ServerSocket other = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = other.getLocalPort();
      KirimProcess server = kirim.server(dir).conf(KirimProcesses.serverConfig(port)).run();
      assertExitCode(3, server);
      assertPortInUseLine(server, "127.0.0.1:" + port);
    }
  }

  private static void assertPortInUseLine(KirimProcess server, String address) {
    List<String> lines = server.stderrLines().stream().filter(line -> !line.isBlank()).toList();
    assertEquals(1, lines.size(), () -> "one line on stderr\n" + server.describe());
    assertTrue(lines.get(0).startsWith("kirim-server: error: "), server::describe);
    assertTrue(lines.get(0).contains(address + " is already in use"), server::describe);
    assertTrue(server.outputLines().stream().noneMatch(line -> line.contains("listening on")), server::describe);
    assertNoStackTrace(server);
  }
}
