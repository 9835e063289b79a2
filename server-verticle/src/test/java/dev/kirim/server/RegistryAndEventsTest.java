package dev.kirim.server;

import dev.kirim.cluster.ClusterSecret;
import dev.kirim.cluster.KirimCluster;
import dev.kirim.cluster.ReceivedEvent;
import dev.kirim.cluster.ServerRecord;
import dev.kirim.config.ConfigException;
import dev.kirim.testkit.Checksums;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Standalone (one Vert.x, not clustered): the server registers itself and announces every published file. */
class RegistryAndEventsTest extends ServerTestBase {

  @Test
  void aServerIsRegisteredWhileDeployedAndRemovedOnUndeploy(VertxTestContext testContext) {
    JsonObject config = options().setServerId("reg-1").toJson();
    Promise<String> deployment = Promise.promise();
    vertx.deployVerticle(ServerVerticle.class, new DeploymentOptions().setConfig(config).setInstances(2))
      .onComplete(deployment)
      .compose(id -> registry())
      .compose(map -> map.get("reg-1"))
      .map(json -> {
        ServerRecord record = ServerRecord.fromJson(json);
        assertEquals("127.0.0.1", record.host());
        assertTrue(record.port() > 0, "port " + record.port());
        assertEquals(2, record.instances());
        assertTrue(record.freeBytes() > 0, "free " + record.freeBytes());
        assertNull(record.nodeId(), "standalone has no node id");
        assertEquals("dev", record.version());
        return record;
      })
      .compose(record -> vertx.undeploy(deployment.future().result()))
      .compose(v -> registry())
      .compose(map -> map.get("reg-1"))
      .onComplete(testContext.succeeding(json -> testContext.verify(() -> {
        assertNull(json, "still registered after undeploy: " + json);
        testContext.completeNow();
      })));
  }

  @Test
  void theRecordExpiresWhenNoLongerRefreshed(VertxTestContext testContext) {
    // A record not refreshed in time (as when its node vanished) drops out after its TTL. The registration is
    // given settings the server's validation refuses, so that it refreshes far too late on purpose. The TTL leaves
    // a loaded machine time to read the record before it expires.
    ServerOptions options = options().setServerId("reg-ttl");
    KirimServer server = KirimServer.create(vertx, options);
    ServerRegistration registration = new ServerRegistration(vertx, server,
      new ServerOptions(options).setRegistryTtlMs(2_000).setRegistryRefreshMs(600_000), 1);
    server.listen()
      .compose(s -> registration.start())
      .compose(v -> registry())
      .compose(map -> map.get("reg-ttl").map(json -> {
        assertEquals(server.actualPort(), ServerRecord.fromJson(json).port());
        return map;
      }))
      .compose(map -> awaitAbsent(map, "reg-ttl", Instant.now().plus(Duration.ofSeconds(10))))
      .eventually(() -> registration.close().eventually(server::close))
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void aPublishedFileIsAnnouncedOnKirimReceived(VertxTestContext testContext) {
    byte[] bytes = content(CHUNK_BYTES + 17, 7);
    Promise<JsonObject> event = Promise.promise();
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(KirimCluster.RECEIVED_ADDRESS,
      message -> event.tryComplete(message.body()));
    ServerVerticle verticle = new ServerVerticle();
    consumer.completion()
      .compose(v -> vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(options().setServerId("ev-1").toJson())))
      .compose(id -> connectReady(verticle.server()))
      .compose(client -> client.upload(1, "in/a.bin", bytes))
      .compose(done -> event.future())
      .onComplete(testContext.succeeding(json -> testContext.verify(() -> {
        ReceivedEvent received = ReceivedEvent.fromJson(json);
        assertEquals("in/a.bin", received.name());
        assertEquals("in/a.bin", received.storedAs());
        assertEquals(bytes.length, received.bytes());
        assertEquals(Checksums.crc32c(bytes), received.checksum());
        assertEquals("ev-1", received.server());
        assertTrue(received.client().startsWith("127.0.0.1:"), received.client());
        assertEquals("test-client", received.clientId());
        assertStored("in/a.bin", bytes);
        testContext.completeNow();
      })));
  }

  /** With a cluster secret the event is signed: the body is unchanged, the signature rides in a header. */
  @Test
  void withAClusterSecretTheEventIsSigned(VertxTestContext testContext) throws Exception {
    String secretText = "a cluster secret of at least thirty-two characters";
    Path secretFile = Files.writeString(tempDir.resolve("cluster.secret"), secretText);
    Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
    ClusterSecret secret = ClusterSecret.of(secretText);
    byte[] bytes = content(100, 3);
    Promise<Message<JsonObject>> event = Promise.promise();
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(KirimCluster.RECEIVED_ADDRESS, event::tryComplete);
    ServerVerticle verticle = new ServerVerticle();
    JsonObject config = options().setServerId("signed-1").toJson()
      .put("cluster", new JsonObject().put("secret", secretFile.toString()));
    consumer.completion()
      .compose(v -> vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config)))
      .compose(id -> connectReady(verticle.server()))
      .compose(client -> client.upload(1, "s.bin", bytes))
      .compose(done -> event.future())
      .onComplete(testContext.succeeding(message -> testContext.verify(() -> {
        assertEquals("s.bin", ReceivedEvent.fromJson(message.body()).name(), "the body is the event, signed or not");
        ReceivedEvent verified = ReceivedEvent.verified(message, secret);
        assertEquals("s.bin", verified.name());
        assertEquals("signed-1", verified.server());
        ClusterSecret.SignatureException stranger = assertThrows(ClusterSecret.SignatureException.class,
          () -> ReceivedEvent.verified(message, ClusterSecret.of("another secret of thirty-two characters!")));
        assertTrue(stranger.getMessage().startsWith("bad signature"), stranger.getMessage());
        testContext.completeNow();
      })));
  }

  /** What a consumer refuses: an event without a signature, a signed one whose body was changed, a job's signature. */
  @Test
  void anUnsignedOrAlteredEventIsNotVerified(VertxTestContext testContext) {
    ClusterSecret secret = ClusterSecret.of("a cluster secret of at least thirty-two characters");
    ReceivedEvent original = new ReceivedEvent("a.bin", "a.bin", 1, "crc32c:00000000", "s", "127.0.0.1:1", "c",
      Instant.parse("2026-12-03T00:00:00Z"));
    List<Message<JsonObject>> seen = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer("test.events", message -> {
      seen.add(message);
      if (seen.size() == 3) {
        testContext.verify(() -> {
          ClusterSecret.SignatureException unsigned = assertThrows(ClusterSecret.SignatureException.class,
            () -> ReceivedEvent.verified(seen.get(0), secret));
          assertTrue(unsigned.getMessage().startsWith("not signed with the cluster secret"), unsigned.getMessage());
          ClusterSecret.SignatureException altered = assertThrows(ClusterSecret.SignatureException.class,
            () -> ReceivedEvent.verified(seen.get(1), secret));
          assertEquals("its body is not what was signed", altered.getMessage());
          ClusterSecret.SignatureException asJob = assertThrows(ClusterSecret.SignatureException.class,
            () -> ReceivedEvent.verified(seen.get(2), secret));
          assertTrue(asJob.getMessage().startsWith("bad signature"), asJob.getMessage());
          testContext.completeNow();
        });
      }
    });
    consumer.completion().onComplete(testContext.succeeding(v -> {
      vertx.eventBus().send("test.events", original.toJson());
      JsonObject signature = secret.sign(original.toJson(), ClusterSecret.Purpose.EVENT, "s", 60_000);
      vertx.eventBus().send("test.events", original.toJson().put("storedAs", "elsewhere.bin"),
        new DeliveryOptions().addHeader(ReceivedEvent.SIGNATURE_HEADER, signature.encode()));
      // A signature made for another purpose (a job's) does not pass for an event's.
      JsonObject jobSignature = secret.sign(original.toJson(), ClusterSecret.Purpose.JOB, "s", 60_000);
      vertx.eventBus().send("test.events", original.toJson(),
        new DeliveryOptions().addHeader(ReceivedEvent.SIGNATURE_HEADER, jobSignature.encode()));
    }));
  }

  @Test
  void anEmbeddedServerTellsItsUploadHandlerOfEveryPublishedFile(VertxTestContext testContext) {
    byte[] bytes = content(CHUNK_BYTES + 5, 8);
    byte[] other = content(CHUNK_BYTES + 6, 9);
    List<ReceivedEvent> stored = new CopyOnWriteArrayList<>();
    KirimServer server = KirimServer.create(vertx, options().setServerId("embedded").setOnExisting(OnExisting.RENAME))
      .uploadHandler(stored::add);
    servers.add(server);
    server.listen()
      .compose(this::connectReady)
      .compose(client -> client.upload(1, "x/y.bin", bytes).compose(done -> client.upload(2, "x/y.bin", other)))
      .onComplete(testContext.succeeding(done -> testContext.verify(() -> {
        assertEquals(2, stored.size(), stored::toString);
        ReceivedEvent second = stored.get(1);
        assertEquals("x/y.bin", second.name());
        assertEquals("x/y-1.bin", second.storedAs());
        assertEquals(other.length, second.bytes());
        assertEquals(Checksums.crc32c(other), second.checksum());
        assertEquals("embedded", second.server());
        assertEquals("test-client", second.clientId());
        assertTrue(second.client().startsWith("127.0.0.1:"), second.client());
        testContext.completeNow();
      })));
  }

  @Test
  void anUploadHandlerThatThrowsDoesNotKeepTheClientWaiting(VertxTestContext testContext) {
    byte[] bytes = content(100, 9);
    List<String> told = new CopyOnWriteArrayList<>();
    KirimServer server = KirimServer.create(vertx, options()).uploadHandler(file -> {
      told.add(file.name());
      throw new IllegalStateException("the embedding application's bug");
    });
    servers.add(server);
    server.listen()
      .compose(this::connectReady)
      .compose(client -> client.upload(1, "a.bin", bytes).compose(done -> client.upload(2, "b.bin", bytes)))
      .onComplete(testContext.succeeding(done -> testContext.verify(() -> {
        assertEquals("b.bin", done.name());
        // The handler did run (and throw) for the first file before the second was answered: else this test
        // would pass without a handler ever being called.
        assertTrue(told.contains("a.bin"), told::toString);
        assertStored("a.bin", bytes);
        assertStored("b.bin", bytes);
        testContext.completeNow();
      })));
  }

  @Test
  void theAdvertisedHostIsConfiguredOrAReachableAddress() {
    ServerOptions wildcardOptions = options().setHost("0.0.0.0");
    KirimServer wildcard = KirimServer.create(vertx, wildcardOptions);
    String derived = new ServerRegistration(vertx, wildcard, wildcardOptions, 1).advertisedHost();
    assertFalse(derived.equals("0.0.0.0") || derived.isBlank(), derived);
    ServerOptions configuredOptions = options().setHost("::").setAdvertisedHost("files.example.org");
    KirimServer configured = KirimServer.create(vertx, configuredOptions);
    assertEquals("files.example.org",
      new ServerRegistration(vertx, configured, configuredOptions, 1).advertisedHost());
  }

  @Test
  void registryOptionsAreValidatedByKey() {
    ServerOptions defaults = new ServerOptions(new JsonObject());
    assertEquals(15_000, defaults.getRegistryTtlMs());
    assertEquals(5_000, defaults.getRegistryRefreshMs());
    assertEquals(1_000, new ServerOptions(new JsonObject().put("registry", new JsonObject().put("ttlMs", 3_000)))
      .getRegistryRefreshMs());
    ConfigException late = assertThrows(ConfigException.class, () -> new ServerOptions(new JsonObject()
      .put("registry", new JsonObject().put("ttlMs", 1_000).put("refreshMs", 1_000))));
    assertTrue(late.getMessage().contains("'registry.refreshMs'"), late.getMessage());
    ConfigException unknown = assertThrows(ConfigException.class, () -> new ServerOptions(new JsonObject()
      .put("registry", new JsonObject().put("ttl", 1_000))));
    assertTrue(unknown.getMessage().contains("'registry.ttl'"), unknown.getMessage());
  }

  private Future<AsyncMap<String, JsonObject>> registry() {
    return vertx.sharedData().getAsyncMap(KirimCluster.SERVERS_MAP);
  }

  /** Looks again every 50 ms until the key is gone (no event tells of an expiry); bounded by {@code deadline}. */
  private Future<Void> awaitAbsent(AsyncMap<String, JsonObject> map, String key, Instant deadline) {
    return map.get(key).compose(json -> {
      if (json == null) {
        return Future.succeededFuture();
      }
      if (Instant.now().isAfter(deadline)) {
        return Future.failedFuture("'" + key + "' still registered after its TTL: " + json);
      }
      Promise<Void> tick = Promise.promise();
      vertx.setTimer(50, id -> tick.complete());
      return tick.future().compose(v -> awaitAbsent(map, key, deadline));
    });
  }
}
