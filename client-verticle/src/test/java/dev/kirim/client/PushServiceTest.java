package dev.kirim.client;

import dev.kirim.cluster.ClusterSecret;
import dev.kirim.cluster.KirimCluster;
import dev.kirim.server.KirimServer;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static dev.kirim.testkit.Await.await;
import static dev.kirim.testkit.TestFiles.read;
import static dev.kirim.testkit.TestFiles.writeRandom;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A push service takes jobs from the event bus as requests, not commands: it reads only under its allowed roots,
 * pushes only to its allowed targets, writes no local file on a job's word, logs who asked for what, and with a
 * cluster secret takes only signed jobs, each once. Real server, real files, this Vert.x's event bus.
 */
class PushServiceTest extends PushTestBase {

  private static final String SECRET = "a cluster secret of at least thirty-two characters";
  private static final Path LOG = Path.of("target/client-tests.log");

  @TempDir
  Path dir;

  private Path source;
  private Path storage;
  private KirimServer server;

  private void startServerAndFiles() throws Exception {
    source = Files.createDirectories(dir.resolve("out"));
    storage = dir.resolve("storage");
    server = startServer(storage);
    writeRandom(source.resolve("a.bin"), 10_000, 1);
    Files.writeString(dir.resolve("private.txt"), "not for the network");
  }

  private void deployService(JsonObject config) {
    await(vertx.deployVerticle(ClientVerticle.class, new DeploymentOptions().setConfig(config.put("baseDir",
      source.toString()).put("retry", new JsonObject().put("backoffMs", 10)))));
  }

  private String serverTarget() {
    return "127.0.0.1:" + server.actualPort();
  }

  private JsonObject job(String... files) {
    return new JsonObject().put("targets", new JsonArray().add(serverTarget())).put("files", new JsonArray(List.of(files)));
  }

  private ReplyException refused(Object job) {
    Throwable failure = assertThrows(AssertionError.class,
      () -> await(vertx.eventBus().request(KirimCluster.PUSH_ADDRESS, job))).getCause();
    return assertInstanceOf(ReplyException.class, failure);
  }

  private JsonObject report(Object job) {
    return await(vertx.eventBus().<JsonObject>request(KirimCluster.PUSH_ADDRESS, job)).body();
  }

  /**
   * At most service.maxJobs jobs run at once: one more is refused busy (429) at once, without starting a push, and
   * the slot comes back when a job ends. Without the limit a sender in a loop started pushes without bound. A
   * signed job refused busy is sent again as it is: its nonce was not recorded.
   */
  @Test
  void aJobBeyondMaxJobsIsRefusedBusyUntilOneEndsAndIsThenTakenAsItIs() throws Exception {
    startServerAndFiles();
    Path secretFile = Files.writeString(dir.resolve("cluster.secret"), SECRET);
    Promise<Void> stuckConnected = Promise.promise();
    NetServer silent = await(vertx.createNetServer().connectHandler(socket -> stuckConnected.tryComplete())
      .listen(0, "127.0.0.1"));
    deployService(new JsonObject().put("service", new JsonObject().put("allowedTargets", new JsonArray().add("*"))
      .put("maxJobs", 1)).put("cluster", new JsonObject().put("secret", secretFile.toString())));
    JsonObject stuck = new JsonObject().put("targets", new JsonArray().add("127.0.0.1:" + silent.actualPort()))
      .put("files", new JsonArray().add("a.bin"));
    Future<io.vertx.core.eventbus.Message<JsonObject>> first = vertx.eventBus().request(KirimCluster.PUSH_ADDRESS,
      ClusterSecret.of(SECRET).signJob(stuck, "nightly"), new DeliveryOptions().setSendTimeout(60_000));
    // Running once it connects: only then is the second job sure to come after it.
    await(stuckConnected.future());

    JsonObject second = ClusterSecret.of(SECRET).signJob(job("a.bin"), "nightly");
    ReplyException busy = refused(second);
    assertEquals(PushService.BUSY, busy.failureCode());
    assertTrue(busy.getMessage().contains("service.maxJobs"), busy.getMessage());
    assertFalse(Files.exists(storage.resolve("a.bin")), "the refused job pushed nothing");

    await(silent.close());
    assertEquals(1, await(first).body().getInteger("exitCode"), "the stuck job ends when its server goes");
    assertEquals(0, report(second).getInteger("exitCode"), "the refused job, sent again as it was");
    assertArrayEquals(read(source.resolve("a.bin")), read(storage.resolve("a.bin")));
  }

  /** With -instances N (here: two services in one Vert.x) maxJobs counts the process's jobs, not each instance's. */
  @Test
  void maxJobsCountsTheJobsOfEveryInstance() throws Exception {
    startServerAndFiles();
    Promise<Void> stuckConnected = Promise.promise();
    NetServer silent = await(vertx.createNetServer().connectHandler(socket -> stuckConnected.tryComplete())
      .listen(0, "127.0.0.1"));
    for (int i = 0; i < 2; i++) {
      deployService(new JsonObject().put("service", new JsonObject().put("allowedTargets", new JsonArray().add("*"))
        .put("maxJobs", 1)));
    }
    JsonObject stuck = new JsonObject().put("targets", new JsonArray().add("127.0.0.1:" + silent.actualPort()))
      .put("files", new JsonArray().add("a.bin"));
    Future<io.vertx.core.eventbus.Message<JsonObject>> first = vertx.eventBus().request(KirimCluster.PUSH_ADDRESS,
      stuck, new DeliveryOptions().setSendTimeout(60_000));
    // The two instances run on two event loops: until the stuck job connects, the next could overtake it.
    await(stuckConnected.future());

    // The event bus hands this one to the other instance, which runs nothing itself.
    assertEquals(PushService.BUSY, refused(job("a.bin")).failureCode());

    await(silent.close());
    await(first);
  }

  @Test
  void aTargetTheServiceDoesNotAllowIsRefused() throws Exception {
    startServerAndFiles();
    deployService(new JsonObject().put("service", true));
    ReplyException e = refused(job("a.bin"));
    assertEquals(PushService.BAD_JOB, e.failureCode());
    assertTrue(e.getMessage().contains(serverTarget()) && e.getMessage().contains("service.allowedTargets"),
      e.getMessage());
    assertFalse(Files.exists(storage.resolve("a.bin")));
  }

  @Test
  void theServicesOwnTargetsAndAllowedTargetsArePushedTo() throws Exception {
    startServerAndFiles();
    // Its own targets are allowed by default: here the server, as the default of every job.
    deployService(new JsonObject().put("service", true).put("targets", new JsonArray().add(serverTarget())));
    assertEquals(0, report(job("a.bin")).getInteger("exitCode"));
    assertArrayEquals(read(source.resolve("a.bin")), read(storage.resolve("a.bin")));
  }

  @Test
  void filesOutsideTheAllowedRootsAreNotRead() throws Exception {
    startServerAndFiles();
    deployService(new JsonObject().put("service", new JsonObject()
      .put("allowedTargets", new JsonArray().add(serverTarget()))));
    for (JsonObject outside : List.of(job(dir.resolve("private.txt").toString()), job("../private.txt"),
      job("../*.txt"), job("a.bin").put("baseDir", dir.toString()))) {
      ReplyException e = refused(outside);
      assertEquals(PushService.BAD_JOB, e.failureCode(), outside.encode());
      assertTrue(e.getMessage().contains("outside the service's allowed roots"), e.getMessage());
    }
    // A link inside the root to a file outside: found by the selection, refused by its real path.
    Files.createSymbolicLink(source.resolve("link.txt"), dir.resolve("private.txt"));
    JsonObject report = report(job("link.txt").put("followSymlinks", true));
    assertEquals(PushReport.EXIT_FAILED, report.getInteger("exitCode"), report.encodePrettily());
    JsonObject file = report.getJsonArray("files").getJsonObject(0);
    assertEquals("not_allowed", file.getJsonObject("error").getString("code"), file.encode());
    assertFalse(Files.exists(storage.resolve("link.txt")));
  }

  @Test
  void aJobWithAPathNoFileSystemTakesIsRefusedWithAReply() throws Exception {
    startServerAndFiles();
    deployService(new JsonObject().put("service", new JsonObject()
      .put("allowedTargets", new JsonArray().add(serverTarget()))));
    for (JsonObject job : List.of(job("a\u0000.bin"), job("a.bin").put("baseDir", source + "/\u0000"))) {
      ReplyException e = refused(job);
      assertEquals(PushService.BAD_JOB, e.failureCode(), job.encode());
      assertTrue(e.getMessage().contains("expected a path") && e.getMessage().contains("\\x00"), e.getMessage());
    }
  }

  @Test
  void aJobCannotWriteALocalFileNorChangeTheServicesSettings() throws Exception {
    startServerAndFiles();
    deployService(new JsonObject().put("service", new JsonObject()
      .put("allowedTargets", new JsonArray().add(serverTarget()))));
    Path report = dir.resolve("overwritten.txt");
    Files.writeString(report, "keep");
    ReplyException e = refused(job("a.bin").put("report", report.toString()));
    assertEquals(PushService.BAD_JOB, e.failureCode());
    assertTrue(e.getMessage().contains("cannot make the service write a local file"), e.getMessage());
    assertEquals("keep", Files.readString(report));
    ReplyException secret = refused(job("a.bin").put("cluster", new JsonObject().put("secret", report.toString())));
    assertTrue(secret.getMessage().contains("'cluster.secret' is not allowed in a push job"), secret.getMessage());
  }

  @Test
  void everyJobIsLoggedWithItsSenderFilesAndTargets() throws Exception {
    startServerAndFiles();
    Path secretFile = Files.writeString(dir.resolve("cluster.secret"), SECRET);
    deployService(new JsonObject().put("service", new JsonObject().put("allowedTargets",
      new JsonArray().add(serverTarget()))).put("cluster", new JsonObject().put("secret", secretFile.toString())));
    String sender = "exporter-" + UUID.randomUUID();
    assertEquals(0, report(ClusterSecret.of(SECRET).signJob(job("a.bin"), sender + "\n forged")).getInteger("exitCode"));
    List<String> lines = Files.readAllLines(LOG).stream().filter(line -> line.contains(sender)).toList();
    assertEquals(1, lines.size(), lines.toString());
    assertTrue(lines.get(0).contains("Push job from " + sender + "\\x0a forged: files [a.bin] to [" + serverTarget()
      + "]"), lines.get(0));
  }

  @Test
  void withASecretOnlySignedJobsAreTakenAndEachOnce() throws Exception {
    startServerAndFiles();
    Path secretFile = Files.writeString(dir.resolve("cluster.secret"), SECRET);
    deployService(new JsonObject().put("service", new JsonObject().put("allowedTargets",
      new JsonArray().add(serverTarget()))).put("cluster", new JsonObject().put("secret", secretFile.toString())));

    ReplyException unsigned = refused(job("a.bin"));
    assertEquals(PushService.UNSIGNED_JOB, unsigned.failureCode());
    assertTrue(unsigned.getMessage().contains("not signed with the cluster secret"), unsigned.getMessage());
    ReplyException stranger = refused(ClusterSecret.of("another secret, thirty-two characters long")
      .signJob(job("a.bin"), "stranger"));
    assertEquals(PushService.UNSIGNED_JOB, stranger.failureCode());
    assertTrue(stranger.getMessage().contains("bad signature"), stranger.getMessage());
    assertFalse(Files.exists(storage.resolve("a.bin")), "nothing pushed for a job without a valid signature");

    JsonObject signed = ClusterSecret.of(SECRET).signJob(job("a.bin"), "nightly");
    assertEquals(0, report(signed).getInteger("exitCode"));
    assertArrayEquals(read(source.resolve("a.bin")), read(storage.resolve("a.bin")));
    ReplyException replayed = refused(signed);
    assertEquals(PushService.UNSIGNED_JOB, replayed.failureCode());
    assertTrue(replayed.getMessage().contains("replayed"), replayed.getMessage());
  }

  @Test
  void aSignedJobIsTakenOnceWhicheverServiceItReaches() throws Exception {
    startServerAndFiles();
    Path secretFile = Files.writeString(dir.resolve("cluster.secret"), SECRET);
    // Two services on one event bus: kirim.push hands the jobs to them in turn.
    for (int i = 0; i < 2; i++) {
      deployService(new JsonObject().put("service", new JsonObject().put("allowedTargets",
        new JsonArray().add(serverTarget()))).put("cluster", new JsonObject().put("secret", secretFile.toString())));
    }

    JsonObject signed = ClusterSecret.of(SECRET).signJob(job("a.bin"), "nightly");
    assertEquals(0, report(signed).getInteger("exitCode"));
    Files.delete(storage.resolve("a.bin"));
    for (int i = 0; i < 2; i++) {
      ReplyException replayed = refused(signed);
      assertEquals(PushService.UNSIGNED_JOB, replayed.failureCode());
      assertTrue(replayed.getMessage().contains("replayed"), replayed.getMessage());
    }
    assertFalse(Files.exists(storage.resolve("a.bin")), "a replayed job pushed nothing");
  }
}
