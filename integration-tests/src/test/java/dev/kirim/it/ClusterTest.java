package dev.kirim.it;

import dev.kirim.client.ClientOptions;
import dev.kirim.client.ClientVerticle;
import dev.kirim.client.KirimClient;
import dev.kirim.client.PushJob;
import dev.kirim.client.PushReport;
import dev.kirim.client.TargetReport;
import dev.kirim.cluster.KirimCluster;
import dev.kirim.cluster.ReceivedEvent;
import dev.kirim.cluster.ServerRecord;
import dev.kirim.server.ServerOptions;
import dev.kirim.server.ServerVerticle;
import dev.kirim.http.HttpOptions;
import dev.kirim.testkit.HttpGet;
import dev.kirim.testkit.Checksums;
import dev.kirim.testkit.Ports;
import dev.kirim.testkit.TestClusterNode;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static dev.kirim.testkit.Await.await;
import static dev.kirim.testkit.Await.closeAll;
import static dev.kirim.testkit.TestFiles.read;
import static dev.kirim.testkit.TestFiles.writeRandom;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three clustered Vert.x nodes in this JVM (the embedded server and client, not the jars), each with its own Hazelcast configuration ({@link TestClusterNode}:
 * TCP-IP on 127.0.0.1, ports chosen free, a cluster name of its own so that concurrent builds never meet): servers on
 * nodes A and B, clients on node C. Joining is the slow part (seconds), so the nodes live for the whole class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterTest {

  @TempDir
  static Path dir;

  private final String clusterName = "kirim-test-" + UUID.randomUUID();
  private final List<Vertx> nodes = new ArrayList<>();
  private List<String> members;
  private Vertx a;
  private Vertx b;
  private Vertx c;
  private ServerVerticle serverB;

  @BeforeAll
  void startCluster() throws IOException {
    members = List.of(Ports.freePort(), Ports.freePort(), Ports.freePort(), Ports.freePort()).stream()
      .map(port -> "127.0.0.1:" + port).toList();
    long started = System.nanoTime();
    a = startNode(0);
    b = startNode(1);
    c = startNode(2);
    System.out.printf("ClusterTest: 3 nodes joined in %d ms%n", (System.nanoTime() - started) / 1_000_000);
    // B keeps no reserve and A half the free space, so B reports far more free space whatever else writes to
    // this shared disk meanwhile: cluster:any must pick B.
    long bigReserve = java.nio.file.Files.getFileStore(dir).getUsableSpace() / 2;
    deployServer(a, "server-a", dir.resolve("a"), bigReserve);
    serverB = deployServer(b, "server-b", dir.resolve("b"), 0);
  }

  @AfterAll
  void stopCluster() {
    closeAll(nodes, 60);
  }

  @Test
  void everyServerIsRegisteredWithItsNodeId() {
    Map<String, ServerRecord> servers = registry(c);
    assertEquals(List.of("server-a", "server-b"), servers.keySet().stream().sorted().toList());
    assertEquals(nodeId(a), servers.get("server-a").nodeId());
    assertEquals(nodeId(b), servers.get("server-b").nodeId());
    assertEquals("127.0.0.1", servers.get("server-a").host());
    assertTrue(servers.get("server-b").freeBytes() > servers.get("server-a").freeBytes(), servers.toString());
  }

  /** A clustered server's /health has a fourth check: its record is in the cluster's server registry. */
  @Test
  void healthOfAClusteredServerIncludesItsRegistryRecord() {
    HttpGet http = new HttpGet(b, serverB.http().actualPort());
    try {
      HttpGet.Response health = await(http.get("/health"));
      assertEquals(200, health.status(), health.body());
      JsonObject cluster = new JsonObject(health.body()).getJsonArray("checks").stream().map(JsonObject.class::cast)
        .filter(check -> "cluster".equals(check.getString("id"))).findFirst()
        .orElseThrow(() -> new AssertionError("no cluster check: " + health.body()));
      assertEquals("UP", cluster.getString("status"), health.body());
      assertEquals(4, new JsonObject(health.body()).getJsonArray("checks").size(), health.body());
    } finally {
      await(http.close());
    }
  }

  @Test
  void clusterAllDeliversToBothServersAndEachAnnouncesIt() {
    byte[] content = writeRandom(dir.resolve("out/all.bin"), 40_000, 3);
    List<JsonObject> events = new ArrayList<>();
    Promise<Void> twoEvents = Promise.promise();
    // Observed on the client's node: the events come from A and B.
    MessageConsumer<JsonObject> consumer = c.eventBus().consumer(KirimCluster.RECEIVED_ADDRESS, message -> {
      if (message.body().getString("name").equals("all/all.bin")) {
        events.add(message.body());
        if (events.size() == 2) {
          twoEvents.tryComplete();
        }
      }
    });
    await(consumer.completion());
    PushReport report = push(c, List.of(KirimCluster.TARGET_ALL), "all.bin", "all");
    assertEquals(PushReport.EXIT_OK, report.exitCode(), report.summary());
    assertEquals(2, report.targets().size(), report.summary());
    await(twoEvents.future());
    await(consumer.unregister());
    assertArrayEquals(content, read(dir.resolve("a/all/all.bin")));
    assertArrayEquals(content, read(dir.resolve("b/all/all.bin")));
    assertEquals(List.of("server-a", "server-b"), events.stream()
      .map(json -> ReceivedEvent.fromJson(json).server()).sorted().toList());
    ReceivedEvent event = ReceivedEvent.fromJson(events.get(0));
    assertEquals(content.length, event.bytes());
    assertEquals(Checksums.crc32c(content), event.checksum());
    assertTrue(event.client().startsWith("127.0.0.1:"), event.client());
  }

  @Test
  void clusterAnyPicksTheServerWithTheMostFreeSpace() {
    byte[] content = writeRandom(dir.resolve("out/any.bin"), 5_000, 4);
    PushReport report = push(c, List.of(KirimCluster.TARGET_ANY), "any.bin", "any");
    assertEquals(PushReport.EXIT_OK, report.exitCode(), report.summary());
    assertEquals(1, report.targets().size());
    TargetReport target = report.targets().get(0);
    assertEquals("server-b", target.server());
    assertEquals("cluster:any", target.via());
    assertEquals(registry(c).get("server-b").address(), target.target());
    assertArrayEquals(content, read(dir.resolve("b/any/any.bin")));
    assertFalse(dir.resolve("a/any/any.bin").toFile().exists());
  }

  @Test
  void aPushJobSentFromAnotherNodeIsAnsweredWithItsReport() {
    writeRandom(dir.resolve("out/job.bin"), 1_000, 5);
    JsonObject config = new JsonObject().put("service", true).put("baseDir", dir.resolve("out").toString());
    String deployment = await(c.deployVerticle(ClientVerticle.class, new DeploymentOptions().setConfig(config)));
    try {
      JsonObject job = new JsonObject().put("targets", new JsonArray().add(KirimCluster.TARGET_ALL))
        .put("files", new JsonArray().add("job.bin")).put("remoteDir", "job");
      JsonObject report = await(a.eventBus().<JsonObject>request(KirimCluster.PUSH_ADDRESS, job)).body();
      assertEquals(0, report.getInteger("exitCode"), report.encodePrettily());
      assertEquals(2, report.getJsonObject("totals").getInteger("targets"));
      assertTrue(dir.resolve("a/job/job.bin").toFile().isFile());
      assertTrue(dir.resolve("b/job/job.bin").toFile().isFile());
    } finally {
      await(c.undeploy(deployment));
    }
  }

  @Test
  void aNodeThatLeavesDisappearsFromTheRegistry() {
    long started = System.nanoTime();
    Vertx d = startNode(3);
    System.out.printf("ClusterTest: a 4th node joined in %d ms%n", (System.nanoTime() - started) / 1_000_000);
    deployServer(d, "server-d", dir.resolve("d"), 0);
    assertTrue(registry(c).containsKey("server-d"));
    await(d.close(), 60);
    nodes.remove(d);
    assertFalse(registry(c).containsKey("server-d"), "server-d is still registered after its node left");
    assertTrue(registry(c).containsKey("server-a"));
  }

  private PushReport push(Vertx node, List<String> targets, String file, String remoteDir) {
    PushJob job = new PushJob()
      .setClusterTargets(targets)
      .setBaseDir(dir.resolve("out"))
      .setFiles(List.of(file))
      .setRemoteDir(remoteDir);
    KirimClient client = KirimClient.create(node, new ClientOptions().setRetryBackoffMs(10));
    try {
      return await(client.push(job));
    } finally {
      await(client.close());
    }
  }

  private Map<String, ServerRecord> registry(Vertx node) {
    Future<List<JsonObject>> values = node.sharedData().<String, JsonObject>getAsyncMap(KirimCluster.SERVERS_MAP)
      .compose(AsyncMap::values);
    return await(values).stream().map(ServerRecord::fromJson)
      .collect(Collectors.toMap(ServerRecord::serverId, r -> r));
  }

  /** @return the deployed verticle; its HTTP port ({@code http}) is on, on a free port */
  private static ServerVerticle deployServer(Vertx node, String id, Path storage, long reserve) {
    JsonObject config = new ServerOptions().setHost("127.0.0.1").setPort(0).setStorageDir(storage).setServerId(id)
      .setHttp(new HttpOptions().setPort(0)).toJson();
    config.getJsonObject("limits").put("minFreeBytes", reserve);
    ServerVerticle verticle = new ServerVerticle();
    await(node.deployVerticle(verticle, new DeploymentOptions().setConfig(config)));
    return verticle;
  }

  private static String nodeId(Vertx node) {
    return ((VertxInternal) node).clusterManager().getNodeId();
  }

  private Vertx startNode(int index) {
    long started = System.nanoTime();
    // The first three know each other; the fourth (joining later) knows them all.
    Vertx node = await(TestClusterNode.start(clusterName,
      Integer.parseInt(members.get(index).substring("127.0.0.1:".length())),
      index < 3 ? members.subList(0, 3) : members), 60);
    System.out.printf("ClusterTest: node %d up in %d ms%n", index, (System.nanoTime() - started) / 1_000_000);
    nodes.add(node);
    return node;
  }
}
