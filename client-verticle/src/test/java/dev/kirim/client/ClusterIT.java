package dev.kirim.client;

import dev.kirim.client.it.KirimProcess;
import dev.kirim.client.it.KirimProcesses;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static dev.kirim.client.it.Outputs.assertExitCode;
import static dev.kirim.client.it.Outputs.assertNoStackTrace;
import static dev.kirim.client.it.Outputs.assertVerdict;
import static dev.kirim.client.it.TestFiles.assertSameBytes;
import static dev.kirim.client.it.TestFiles.freePort;
import static dev.kirim.client.it.TestFiles.mkdirs;
import static dev.kirim.client.it.TestFiles.writeSmall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The jars with {@code -cluster} and nothing but the bundled Hazelcast configuration: two servers and a client
 * find each other on loopback and {@code cluster:all} delivers to both. The cluster gets a name and ports of
 * its own (the launchers' {@code kirim.cluster.*} properties), so that other builds on the box never join it.
 * Each test starts its own cluster.
 */
@Timeout(180)
class ClusterIT {

  @TempDir
  Path dir;

  @RegisterExtension
  final KirimProcesses kirim = new KirimProcesses();

  private final String name = "kirim-it-" + UUID.randomUUID();
  private final List<Integer> hazelcastPorts = List.of(freePort(), freePort(), freePort());
  private final List<Vertx> nodes = new ArrayList<>();

  @AfterEach
  void leaveCluster() {
    nodes.forEach(node -> PushTestBase.await(node.close(), 60));
  }

  @Test
  void twoClusteredServersBothReceiveAClusterAllPush() {
    KirimProcess a = startServer("a", 0);
    KirimProcess b = startServer("b", 1);
    Path file = writeSmall(dir.resolve("out/report.csv"), 12_345, 9);

    KirimProcess client = kirim.client(dir).jvm(clusterProperties(2)).args("-cluster").conf(new JsonObject()
      .put("targets", new JsonArray().add("cluster:all"))
      .put("files", new JsonArray().add("out/report.csv"))).run(KirimProcesses.START_TIMEOUT);

    assertExitCode(0, client);
    assertVerdict(client, "1 file(s) x 2 target(s): 2 sent, 0 skipped, 0 failed");
    assertNoStackTrace(client);
    assertSameBytes(file, dir.resolve("a/received/report.csv"));
    assertSameBytes(file, dir.resolve("b/received/report.csv"));
    a.close();
    b.close();
  }

  /**
   * A service client jar takes a job sent from this JVM's node over the cluster, pushes to a server jar, and
   * replies with the report; this node sees the server's {@code kirim.received} event.
   */
  @Test
  void aServiceClientTakesAPushJobFromAnotherNode() {
    startServer("s", 0);
    Path file = writeSmall(dir.resolve("out/job.bin"), 54_321, 4);
    KirimProcess service = kirim.client(dir).jvm(clusterProperties(1)).args("-cluster")
      .conf(new JsonObject().put("service", true)).start();
    service.awaitLine("Taking push jobs on kirim.push", KirimProcesses.START_TIMEOUT);

    Vertx node = PushTestBase.await(TestClusterNode.start(name, hazelcastPorts.get(2), members()), 60);
    nodes.add(node);
    Promise<JsonObject> event = Promise.promise();
    MessageConsumer<JsonObject> events = node.eventBus().consumer("kirim.received", m -> event.tryComplete(m.body()));
    PushTestBase.await(events.completion());
    JsonObject job = new JsonObject().put("targets", new JsonArray().add("cluster:all"))
      .put("files", new JsonArray().add("out/job.bin"));
    JsonObject report = PushTestBase.await(node.eventBus().<JsonObject>request("kirim.push", job)).body();

    assertEquals(0, report.getInteger("exitCode"), report.encodePrettily());
    assertEquals("s", report.getJsonArray("targets").getJsonObject(0).getString("server"));
    assertSameBytes(file, dir.resolve("s/received/job.bin"));
    JsonObject received = PushTestBase.await(event.future());
    assertEquals("job.bin", received.getString("name"));
    assertEquals(54_321, received.getLong("bytes"));
    assertTrue(service.isAlive(), "a service client keeps running");
  }

  private KirimProcess startServer(String id, int index) {
    KirimProcess server = kirim.server(mkdirs(dir.resolve(id))).jvm(clusterProperties(index)).args("-cluster")
      .conf(KirimProcesses.serverConfig(freePort()).put("serverId", id)).start();
    server.awaitLine("Registered in kirim.servers as " + id, KirimProcesses.START_TIMEOUT);
    return server;
  }

  private List<String> members() {
    return hazelcastPorts.stream().map(port -> "127.0.0.1:" + port).toList();
  }

  private String[] clusterProperties(int index) {
    return Stream.of("-Dkirim.cluster.name=" + name, "-Dkirim.cluster.members=" + String.join(",", members()),
      "-Dkirim.cluster.port=" + hazelcastPorts.get(index)).toArray(String[]::new);
  }
}
