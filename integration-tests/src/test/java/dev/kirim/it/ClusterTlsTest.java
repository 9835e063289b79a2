package dev.kirim.it;

import dev.kirim.client.ClientVerticle;
import dev.kirim.cluster.ClusterTls;
import dev.kirim.cluster.KirimCluster;
import dev.kirim.server.ServerOptions;
import dev.kirim.server.ServerVerticle;
import dev.kirim.testkit.Ports;
import dev.kirim.testkit.TestCerts;
import dev.kirim.testkit.TestClusterNode;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.kirim.testkit.Await.await;
import static dev.kirim.testkit.Await.closeAll;
import static dev.kirim.testkit.Await.awaitFailure;
import static dev.kirim.testkit.TestFiles.mkdirs;
import static dev.kirim.testkit.TestFiles.read;
import static dev.kirim.testkit.TestFiles.writeRandom;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Event-bus TLS ({@code cluster.tls}, {@link ClusterTls}) with real certificates and a real Hazelcast cluster in
 * this JVM: two members configured with certificates from the test CA, A with a server and B with a client
 * running as a service, exchange messages and run a push job; a third, rogue, member joins Hazelcast (which
 * event-bus TLS does not cover) but gets nothing delivered to them — without TLS, or with a certificate from
 * another CA — and reads nothing they send to its own consumer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterTlsTest {

  /** Each member answers on its own address: {@code test.echo.a}, {@code test.echo.b}. */
  private static final String ECHO = "test.echo.";
  /** Only rogues send here: a message that got through would count. */
  private static final String GUARDED = "test.guarded";
  /** Where a rogue listens. */
  private static final String SINK = "test.sink";
  /** Ample for a delivered message to be answered: the members answer within milliseconds. */
  private static final long ROGUE_SEND_TIMEOUT_MS = 5_000;
  private static final long ROGUE_WAIT_SECONDS = 30;

  @TempDir
  static Path dir;

  private final String clusterName = "kirim-tls-test-" + UUID.randomUUID();
  private final List<Vertx> nodes = new ArrayList<>();
  private final AtomicInteger guardedCalls = new AtomicInteger();
  private List<Integer> ports;
  private TestCerts certs;
  private Vertx a;
  private Vertx b;

  @BeforeAll
  void startMembers() {
    assumeTrue(TestCerts.opensslAvailable(), "openssl is not installed");
    certs = TestCerts.create(mkdirs(dir.resolve("certs")));
    ports = List.of(Ports.freePort(), Ports.freePort(), Ports.freePort());
    a = startNode(0, memberOptions(certs.issue("member-a", "kirim member a", 30), certs.ca()));
    b = startNode(1, memberOptions(certs.issue("member-b", "kirim member b", 30), certs.ca()));
    for (Vertx node : List.of(a, b)) {
      String name = node == a ? "a" : "b";
      await(node.eventBus().<String>consumer(ECHO + name, message -> message.reply(message.body() + " via " + name))
        .completion());
    }
    MessageConsumer<Object> guarded = b.eventBus().consumer(GUARDED, message -> {
      guardedCalls.incrementAndGet();
      message.reply("executed");
    });
    await(guarded.completion());
    JsonObject server = new ServerOptions().setHost("127.0.0.1").setPort(0).setStorageDir(dir.resolve("storage"))
      .setServerId("server-a").toJson();
    await(a.deployVerticle(new ServerVerticle(), new DeploymentOptions().setConfig(server)));
    JsonObject service = new JsonObject().put("service", true).put("baseDir", dir.resolve("out").toString());
    await(b.deployVerticle(ClientVerticle.class, new DeploymentOptions().setConfig(service)));
  }

  @AfterAll
  void stopMembers() {
    closeAll(nodes, 60);
  }

  @Test
  void membersWithCertificatesFromTheClusterCaExchangeMessagesBothWays() {
    assertEquals("from a via b", await(a.eventBus().<String>request(ECHO + "b", "from a")).body());
    assertEquals("from b via a", await(b.eventBus().<String>request(ECHO + "a", "from b")).body());
  }

  @Test
  void aPushJobSentToTheServiceOnAnotherMemberIsExecuted() {
    byte[] content = writeRandom(dir.resolve("out/job.bin"), 2_000, 1);
    JsonObject report = await(a.eventBus().<JsonObject>request(KirimCluster.PUSH_ADDRESS, job("job.bin", "job")))
      .body();
    assertEquals(0, report.getInteger("exitCode"), report.encodePrettily());
    assertEquals(1, report.getJsonObject("totals").getInteger("targets"), report.encodePrettily());
    assertArrayEquals(content, read(dir.resolve("storage/job/job.bin")));
  }

  @Test
  void aRogueMemberWithoutEventBusTlsJoinsHazelcastButGetsNoJobExecuted() {
    Vertx rogue = startNode(2, new VertxOptions());
    try {
      assertRefused(rogue, "plain");
    } finally {
      stopNode(rogue);
    }
  }

  @Test
  void aRogueMemberWithACertificateFromAnotherCaGetsNoJobExecuted() {
    TestCerts.Pair foreign = certs.issue(certs.otherCa(), "member-foreign", "foreign member", 30);
    Vertx rogue = startNode(2, memberOptions(foreign, certs.otherCa()));
    try {
      assertRefused(rogue, "foreign");
    } finally {
      stopNode(rogue);
    }
  }

  /**
   * A rogue that trusts any certificate and asks for none, so that it would take whatever a member sent it,
   * registers a consumer: a member's message to it fails, and the rogue has read nothing, because the member does
   * not trust the rogue's certificate and sends nothing over the connection.
   */
  @Test
  void aRogueMembersConsumerGetsNothingFromMembers() {
    TestCerts.Pair foreign = certs.issue(certs.otherCa(), "member-sink", "foreign sink", 30);
    VertxOptions options = memberOptions(foreign, certs.otherCa());
    options.getEventBusOptions().setTrustAll(true).setTrustOptions(null).setClientAuth(ClientAuth.NONE);
    Vertx rogue = startNode(2, options);
    try {
      AtomicInteger received = new AtomicInteger();
      await(rogue.eventBus().consumer(SINK, message -> {
        received.incrementAndGet();
        message.reply("read");
      }).completion());
      Future<?> sent = a.eventBus().request(SINK, "for members only",
        new DeliveryOptions().setSendTimeout(ROGUE_SEND_TIMEOUT_MS));
      assertNotDelivered(awaitFailure(sent, ROGUE_WAIT_SECONDS));
      assertEquals(0, received.get(), "messages the rogue read");
    } finally {
      stopNode(rogue);
    }
  }

  /**
   * The rogue is a Hazelcast member, sees B's consumers, and its messages to them fail without reaching them:
   * a push job (no file arrives), and a message to a consumer that counts.
   */
  private void assertRefused(Vertx rogue, String name) {
    List<String> members = clusterManager(rogue).getNodes();
    assertEquals(3, members.size(), members.toString());
    assertTrue(members.containsAll(List.of(nodeId(a), nodeId(b))), members.toString());
    writeRandom(dir.resolve("out/" + name + ".bin"), 1_000, 2);
    // A message the event bus cannot hand over is dropped, and its request times out.
    DeliveryOptions bounded = new DeliveryOptions().setSendTimeout(ROGUE_SEND_TIMEOUT_MS);
    Future<?> job = rogue.eventBus().request(KirimCluster.PUSH_ADDRESS, job(name + ".bin", name), bounded);
    Future<?> guarded = rogue.eventBus().request(GUARDED, "run", bounded);
    assertNotDelivered(awaitFailure(job, ROGUE_WAIT_SECONDS));
    assertNotDelivered(awaitFailure(guarded, ROGUE_WAIT_SECONDS));
    assertEquals(0, guardedCalls.get(), "messages from the rogue handled on B");
    assertFalse(dir.resolve("storage/" + name).toFile().exists(), "the rogue's job pushed a file");
  }

  /** The failure is the delivery's, not "nobody listens there", which would prove nothing. */
  private static void assertNotDelivered(Throwable failure) {
    ReplyException reply = assertInstanceOf(ReplyException.class, failure);
    assertNotEquals(ReplyFailure.NO_HANDLERS, reply.failureType(), reply.toString());
    assertNotEquals(ReplyFailure.RECIPIENT_FAILURE, reply.failureType(), reply.toString());
  }

  private static JsonObject job(String file, String remoteDir) {
    return new JsonObject().put("targets", new JsonArray().add(KirimCluster.TARGET_ALL))
      .put("files", new JsonArray().add(file)).put("remoteDir", remoteDir);
  }

  /** @return options with event-bus TLS, made the way the jars make them: from a {@code cluster.tls} key */
  private static VertxOptions memberOptions(TestCerts.Pair member, TestCerts.Pair ca) {
    JsonObject config = new JsonObject().put("cluster", new JsonObject().put("tls", new JsonObject()
      .put("cert", member.cert().toString()).put("key", member.key().toString()).put("ca", ca.cert().toString())));
    VertxOptions options = new VertxOptions();
    assertTrue(ClusterTls.apply(config, options));
    return options;
  }

  private Vertx startNode(int index, VertxOptions options) {
    List<String> members = ports.stream().map(port -> "127.0.0.1:" + port).toList();
    Vertx node = await(TestClusterNode.start(clusterName, ports.get(index), members, false, options), 60);
    nodes.add(node);
    return node;
  }

  private void stopNode(Vertx node) {
    await(node.close(), 60);
    nodes.remove(node);
  }

  private static io.vertx.core.spi.cluster.ClusterManager clusterManager(Vertx node) {
    return ((VertxInternal) node).clusterManager();
  }

  private static String nodeId(Vertx node) {
    return clusterManager(node).getNodeId();
  }
}
