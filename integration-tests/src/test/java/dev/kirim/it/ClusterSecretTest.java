package dev.kirim.it;

import dev.kirim.client.ClientOptions;
import dev.kirim.client.ClientVerticle;
import dev.kirim.client.ClusterExpectation;
import dev.kirim.client.KirimClient;
import dev.kirim.client.PushJob;
import dev.kirim.client.PushReport;
import dev.kirim.client.TargetReport;
import dev.kirim.cluster.ClusterSecret;
import dev.kirim.cluster.KirimCluster;
import dev.kirim.cluster.ServerRecord;
import dev.kirim.server.ServerOptions;
import dev.kirim.server.ServerVerticle;
import dev.kirim.testkit.Ports;
import dev.kirim.testkit.TestClusterNode;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.kirim.testkit.Await.await;
import static dev.kirim.testkit.Await.closeAll;
import static dev.kirim.testkit.TestFiles.read;
import static dev.kirim.testkit.TestFiles.writeRandom;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cluster whose members share {@code cluster.secret}, and a rogue member that joined Hazelcast without it (the
 * open-source edition lets any process that reaches a member join). Three clustered Vert.x in this JVM: node A runs
 * a server, node C a push service and clients, both with the secret; node R, the rogue, runs a kirim server of
 * its own (its record unsigned) and writes what it likes into {@code kirim.servers} and onto {@code kirim.push}.
 * The rogue can neither have a job run nor divert a {@code cluster:all} push to its server; a legitimate signed
 * job still runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterSecretTest {

  private static final String SECRET = "the secret every member of this test cluster shares";

  @TempDir
  static Path dir;

  private final String clusterName = "kirim-secret-test-" + UUID.randomUUID();
  private final List<Vertx> nodes = new ArrayList<>();
  private Vertx a;
  private Vertx c;
  private Vertx rogue;
  private Path secretFile;
  private Path rogueStorage;
  private ServerVerticle rogueServer;

  @BeforeAll
  void startCluster() throws IOException {
    List<String> members = List.of(Ports.freePort(), Ports.freePort(), Ports.freePort()).stream()
      .map(port -> "127.0.0.1:" + port).toList();
    a = startNode(members, 0);
    c = startNode(members, 1);
    rogue = startNode(members, 2);
    assertEquals(3, ((VertxInternal) a).clusterManager().getNodes().size(), "the rogue joined as a member");
    secretFile = Files.writeString(dir.resolve("cluster.secret"), SECRET);
    deployServer(a, "server-a", dir.resolve("a"), secretFile);
    rogueStorage = dir.resolve("rogue");
    rogueServer = deployServer(rogue, "rogue-server", rogueStorage, null);
    JsonObject service = new JsonObject().put("service", true).put("baseDir", dir.resolve("out").toString())
      .put("cluster", new JsonObject().put("secret", secretFile.toString()));
    await(c.deployVerticle(ClientVerticle.class, new DeploymentOptions().setConfig(service)));
  }

  @AfterAll
  void stopCluster() {
    closeAll(nodes, 60);
  }

  @Test
  void aRogueCannotDivertClusterAllToItsServer() throws IOException {
    byte[] content = writeRandom(dir.resolve("out/diverted.bin"), 20_000, 1);
    AsyncMap<String, Object> registry = await(rogue.sharedData().getAsyncMap(KirimCluster.SERVERS_MAP));
    // Its own server registered itself (unsigned); it also takes over A's key, and forges a signature.
    ServerRecord toRogue = new ServerRecord("server-a", "127.0.0.1", rogueServer.server().actualPort(), Long.MAX_VALUE / 2,
      "dev", 1, ((VertxInternal) rogue).clusterManager().getNodeId(), Instant.now());
    await(registry.put("server-a", toRogue.toJson()));
    await(registry.put("forged", ClusterSecret.of("not the cluster's secret, but as long as one")
      .sign(new ServerRecord("forged", "127.0.0.1", rogueServer.server().actualPort(), 1L << 40, "dev", 1,
        ((VertxInternal) rogue).clusterManager().getNodeId(), Instant.now()).toJson(), ClusterSecret.Purpose.RECORD,
        "forged", 60_000)));
    assertTrue(await(registry.get("rogue-server")) instanceof JsonObject, "the rogue's own record is there");

    // A rewrites its record within its refresh interval; until then "all" has no server, and the push waits.
    PushReport report = push(List.of(KirimCluster.TARGET_ALL), "diverted.bin", new ClusterExpectation(1, 30_000));
    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
    assertEquals(List.of("server-a"), report.targets().stream().map(TargetReport::server).toList());
    assertArrayEquals(content, read(dir.resolve("a/diverted.bin")));
    assertFalse(Files.exists(rogueStorage.resolve("diverted.bin")), "the rogue's server received the file");
  }

  @Test
  void aRogueCannotHaveAJobRun() {
    writeRandom(dir.resolve("out/stolen.bin"), 1_000, 2);
    JsonObject job = new JsonObject().put("targets", new JsonArray().add(KirimCluster.TARGET_ALL))
      .put("files", new JsonArray().add("stolen.bin"));
    ReplyException unsigned = refused(rogue, job);
    assertEquals(401, unsigned.failureCode());
    assertTrue(unsigned.getMessage().contains("not signed with the cluster secret"), unsigned.getMessage());
    ReplyException forged = refused(rogue, ClusterSecret.of("a guess at the secret, thirty-two chars or more")
      .signJob(job, "server-a"));
    assertEquals(401, forged.failureCode());
    assertTrue(forged.getMessage().contains("bad signature"), forged.getMessage());
    assertFalse(Files.exists(dir.resolve("a/stolen.bin")));
    assertFalse(Files.exists(rogueStorage.resolve("stolen.bin")));
  }

  @Test
  void aSignedJobFromAMemberWithTheSecretRuns() {
    byte[] content = writeRandom(dir.resolve("out/job.bin"), 3_000, 3);
    JsonObject job = new JsonObject().put("targets", new JsonArray().add(KirimCluster.TARGET_ALL))
      .put("files", new JsonArray().add("job.bin")).put("remoteDir", "jobs")
      .put("cluster", new JsonObject().put("expect", 1).put("waitMs", 30_000));
    JsonObject report = await(a.eventBus().<JsonObject>request(KirimCluster.PUSH_ADDRESS,
      ClusterSecret.of(SECRET).signJob(job, "nightly-export"))).body();
    assertEquals(0, report.getInteger("exitCode"), report.encodePrettily());
    assertArrayEquals(content, read(dir.resolve("a/jobs/job.bin")));
    assertFalse(Files.exists(rogueStorage.resolve("jobs/job.bin")));
  }

  private ReplyException refused(Vertx node, Object job) {
    Throwable failure = assertThrows(AssertionError.class,
      () -> await(node.eventBus().request(KirimCluster.PUSH_ADDRESS, job))).getCause();
    return assertInstanceOf(ReplyException.class, failure);
  }

  private PushReport push(List<String> targets, String file, ClusterExpectation expectation) {
    PushJob job = new PushJob().setClusterTargets(targets).setBaseDir(dir.resolve("out")).setFiles(List.of(file))
      .setCluster(expectation);
    KirimClient client = KirimClient.create(c, new ClientOptions().setRetryBackoffMs(10)
      .setClusterSecret(ClusterSecret.of(SECRET)));
    try {
      return await(client.push(job), 60);
    } finally {
      await(client.close());
    }
  }

  /** @param secret the secret file, {@code null} for a server without one (the rogue's) */
  private static ServerVerticle deployServer(Vertx node, String id, Path storage, Path secret) {
    JsonObject config = new ServerOptions().setHost("127.0.0.1").setPort(0).setStorageDir(storage).setServerId(id)
      .toJson();
    // Rewritten often, so that a record the rogue overwrote comes back soon.
    config.put("registry", new JsonObject().put("ttlMs", 15_000).put("refreshMs", 300));
    if (secret != null) {
      config.put("cluster", new JsonObject().put("secret", secret.toString()));
    }
    ServerVerticle verticle = new ServerVerticle();
    await(node.deployVerticle(verticle, new DeploymentOptions().setConfig(config)));
    return verticle;
  }

  private Vertx startNode(List<String> members, int index) {
    Vertx node = await(TestClusterNode.start(clusterName,
      Integer.parseInt(members.get(index).substring("127.0.0.1:".length())), members), 60);
    nodes.add(node);
    return node;
  }
}
