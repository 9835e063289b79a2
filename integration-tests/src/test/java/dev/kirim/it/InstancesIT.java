package dev.kirim.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static dev.kirim.it.Outputs.assertExitCode;
import static dev.kirim.it.Outputs.assertNoStackTrace;
import static dev.kirim.it.Outputs.assertVerdict;
import static dev.kirim.testkit.Ports.freePort;
import static dev.kirim.testkit.TestFiles.assertSameBytes;
import static dev.kirim.testkit.TestFiles.mkdirs;
import static dev.kirim.testkit.TestFiles.writeSmall;
import static dev.kirim.testkit.Trees.sizes;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code -instances 2}: two server verticles share one port, and a client pushing over 4 connections gets everything in. */
@Timeout(120)
class InstancesIT {

  private static final int FILES = 20;

  @TempDir
  Path dir;

  @RegisterExtension
  final KirimProcesses kirim = new KirimProcesses();


  @Test
  void twoInstancesOnOnePortReceiveTwentyFilesOverFourConnections() {
    int port = freePort();
    KirimProcess server = kirim.server(mkdirs(dir.resolve("server")))
      .conf(KirimProcesses.serverConfig(port)).args("-instances", "2").start();
    server.awaitLines(line -> line.contains("listening on 127.0.0.1:" + port), 2, KirimProcesses.START_TIMEOUT,
      "two 'listening on' lines, one per instance");

    Path batch = dir.resolve("batch");
    Map<String, Long> expected = new TreeMap<>();
    for (int i = 0; i < FILES; i++) {
      // Sizes from 0 bytes (an empty file is a legitimate file) to ~190 KiB, none a multiple of a chunk.
      int size = i * 9_973;
      String name = "batch/part-" + i + ".dat";
      writeSmall(dir.resolve(name), size, i);
      expected.put(name, (long) size);
    }

    KirimProcess client = kirim.client(dir).conf(new JsonObject()
      .put("targets", new JsonArray().add("127.0.0.1:" + port))
      .put("files", new JsonArray().add("batch"))
      .put("parallelism", new JsonObject().put("targets", 1).put("perTarget", 4))).run();

    assertExitCode(0, client);
    assertVerdict(client, FILES + " file(s) x 1 target(s): " + FILES + " sent, 0 skipped, 0 failed");
    assertNoStackTrace(client);
    Path storage = dir.resolve("server").resolve("received");
    assertEquals(expected, sizes(storage), "every file, nothing else");
    for (String name : expected.keySet()) {
      assertSameBytes(batch.resolveSibling(name), storage.resolve(name));
    }
  }
}
