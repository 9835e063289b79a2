package dev.kirim.it;

import dev.kirim.cluster.ClusterSecret;
import dev.kirim.testkit.TestClusterNode;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
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
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.kirim.it.Outputs.assertExitCode;
import static dev.kirim.it.Outputs.assertNoStackTrace;
import static dev.kirim.it.Outputs.assertVerdict;
import static dev.kirim.testkit.Await.await;
import static dev.kirim.testkit.Await.closeAll;
import static dev.kirim.testkit.Ports.freePort;
import static dev.kirim.testkit.TestFiles.assertSameBytes;
import static dev.kirim.testkit.TestFiles.mkdirs;
import static dev.kirim.testkit.TestFiles.writeSmall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The jars with {@code -cluster} and nothing but the bundled Hazelcast configuration: two servers and a client
 * find each other on loopback and {@code cluster:all} delivers to both; a service client takes a job from another
 * node. The cluster gets a name and ports of its own (the launchers' {@code kirim.cluster.*} properties), so that
 * other builds on the box never join it. Forming it is the slow part, so the two servers live for the class.
 * Every member shares a cluster secret — server A and the service from a {@code cluster.secret} file, server B and
 * the one-shot client from {@code KIRIM_CLUSTER_SECRET} —, so the records are signed and the jobs must be.
 */
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterIT {

  private static final int SERVER_A = 0;
  private static final int SERVER_B = 1;
  private static final int CLIENT = 2;
  private static final int SERVICE = 3;
  private static final int NODE = 4;

  @TempDir
  static Path dir;

  /** The per-test processes (clients). */
  @RegisterExtension
  final KirimProcesses kirim = new KirimProcesses();
  /** The servers, for the whole class. */
  private final KirimProcesses servers = new KirimProcesses();

  private static final String SECRET = "a secret shared by every member of this cluster";

  private final String name = "kirim-it-" + UUID.randomUUID();
  private final List<Integer> hazelcastPorts = List.of(freePort(), freePort(), freePort(), freePort(), freePort());
  private final List<Vertx> nodes = new ArrayList<>();

  @BeforeAll
  void startServers() {
    startServer("a", SERVER_A, freePort(), true);
    startServer("b", SERVER_B, freePort(), false);
  }

  @AfterAll
  void stopCluster() {
    closeAll(nodes, 60);
    servers.close();
  }

  @Test
  void twoClusteredServersBothReceiveAClusterAllPush() {
    Path file = writeSmall(dir.resolve("out/report.csv"), 12_345, 9);

    KirimProcess client = kirim.client(dir).jvm(clusterProperties(CLIENT)).env(ClusterSecret.ENV, SECRET)
      .args("-cluster").conf(new JsonObject()
      .put("targets", new JsonArray().add("cluster:all"))
      .put("files", new JsonArray().add("out/report.csv"))).run(KirimProcesses.START_TIMEOUT);

    assertExitCode(0, client);
    assertVerdict(client, "1 file(s) x 2 target(s): 2 sent, 0 skipped, 0 failed");
    assertNoStackTrace(client);
    assertSameBytes(file, dir.resolve("a/received/report.csv"));
    assertSameBytes(file, dir.resolve("b/received/report.csv"));
  }

  /**
   * A service client jar takes a job sent from this JVM's node over the cluster, pushes to every server jar of
   * the cluster ({@code cluster:all}, resolved by the service), and replies with the report; this node sees the
   * servers' {@code kirim.received} events.
   */
  @Test
  void aServiceClientTakesAPushJobFromAnotherNode() {
    Path file = writeSmall(dir.resolve("out/job.bin"), 54_321, 4);
    KirimProcess service = kirim.client(dir).jvm(clusterProperties(SERVICE)).args("-cluster")
      .conf(new JsonObject().put("service", true).put("cluster", secretFile())).start();
    service.awaitLine("Taking push jobs on kirim.push", KirimProcesses.START_TIMEOUT);

    Vertx node = await(TestClusterNode.start(name, hazelcastPorts.get(NODE), members()), 60);
    nodes.add(node);
    List<JsonObject> received = new CopyOnWriteArrayList<>();
    Promise<Void> twoEvents = Promise.promise();
    MessageConsumer<JsonObject> events = node.eventBus().consumer("kirim.received", m -> {
      if (m.body().getString("name").equals("job.bin")) {
        received.add(m.body());
        if (received.size() == 2) {
          twoEvents.tryComplete();
        }
      }
    });
    await(events.completion());
    JsonObject job = new JsonObject().put("targets", new JsonArray().add("cluster:all"))
      .put("files", new JsonArray().add("out/job.bin"));
    Throwable unsigned = assertThrows(AssertionError.class,
      () -> await(node.eventBus().request("kirim.push", job))).getCause();
    assertEquals(401, assertInstanceOf(ReplyException.class, unsigned).failureCode(), unsigned::toString);
    JsonObject report = await(node.eventBus().<JsonObject>request("kirim.push",
      ClusterSecret.of(SECRET).signJob(job, "ClusterIT"))).body();

    assertEquals(0, report.getInteger("exitCode"), report.encodePrettily());
    service.awaitLine("Push job from ClusterIT: files [out/job.bin] to [cluster:all]", KirimProcesses.RUN_TIMEOUT);
    assertEquals(Set.of("a", "b"), report.getJsonArray("targets").stream()
      .map(target -> ((JsonObject) target).getString("server")).collect(Collectors.toSet()), report::encodePrettily);
    assertSameBytes(file, dir.resolve("a/received/job.bin"));
    assertSameBytes(file, dir.resolve("b/received/job.bin"));
    await(twoEvents.future());
    assertEquals(Set.of("a", "b"), received.stream().map(event -> event.getString("server")).collect(Collectors.toSet()));
    assertEquals(54_321, received.get(0).getLong("bytes"));
    assertTrue(service.isAlive(), "a service client keeps running");
  }

  /** @param fromFile whether the secret comes from a file ({@code cluster.secret}), else from the environment */
  private void startServer(String id, int index, int port, boolean fromFile) {
    KirimProcesses.Launch launch = servers.server(mkdirs(dir.resolve(id))).jvm(clusterProperties(index))
      .args("-cluster");
    JsonObject config = KirimProcesses.serverConfig(port).put("serverId", id);
    if (fromFile) {
      config.put("cluster", secretFile());
    } else {
      launch.env(ClusterSecret.ENV, SECRET);
    }
    KirimProcess server = launch.conf(config).start();
    server.awaitLine("Registered in kirim.servers as " + id, KirimProcesses.START_TIMEOUT);
  }

  /** @return the {@code cluster} key naming the secret's file (written, owner-only, the first time) */
  private static JsonObject secretFile() {
    Path file = dir.resolve("cluster.secret");
    try {
      if (!Files.exists(file)) {
        Files.writeString(file, SECRET);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new JsonObject().put("secret", file.toString());
  }

  private List<String> members() {
    return hazelcastPorts.stream().map(port -> "127.0.0.1:" + port).toList();
  }

  private String[] clusterProperties(int index) {
    return Stream.of("-Dkirim.cluster.name=" + name, "-Dkirim.cluster.members=" + String.join(",", members()),
      "-Dkirim.cluster.port=" + hazelcastPorts.get(index)).toArray(String[]::new);
  }
}
