package dev.kirim.client;

import dev.kirim.cluster.KirimCluster;
import dev.kirim.cluster.ServerRecord;
import dev.kirim.config.ConfigException;
import dev.kirim.server.ServerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static dev.kirim.testkit.Await.await;
import static dev.kirim.testkit.TestFiles.read;
import static dev.kirim.testkit.TestFiles.writeRandom;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code cluster:all} / {@code cluster:any} and the {@code kirim.push} service without a cluster: they use this
 * Vert.x's own registry and event bus, which is what a client deployed next to its servers sees.
 */
class ClusterTargetsTest extends PushTestBase {

  @TempDir
  Path dir;

  @Test
  void clusterAnyPicksTheMostFreeSpaceAndListedTargetsComeFirst() {
    List<ServerRecord> servers = List.of(record("a", 5000, 10), record("b", 5001, 30), record("c", 5002, 20));
    PushJob job = new PushJob().setTargets(List.of(new Target("127.0.0.1", 5002)))
      .setClusterTargets(List.of(KirimCluster.TARGET_ANY));
    assertEquals(List.of(new Target("127.0.0.1", 5002), new Target("127.0.0.1", 5001, "cluster:any")),
      ClusterTargets.resolve(job, servers).targets());
    job.setClusterTargets(List.of(KirimCluster.TARGET_ALL));
    assertEquals(List.of(new Target("127.0.0.1", 5002), new Target("127.0.0.1", 5000, "cluster:all"),
      new Target("127.0.0.1", 5001, "cluster:all")), ClusterTargets.resolve(job, servers).targets());
    assertEquals(List.of("cluster:all"), ClusterTargets.resolve(job, List.of()).unresolved());
    // Listed twice, cluster:any is still one server, with the others as its fallbacks.
    PushJob twice = new PushJob().setClusterTargets(List.of(KirimCluster.TARGET_ANY, KirimCluster.TARGET_ANY));
    ClusterTargets.Resolution resolution = ClusterTargets.resolve(twice, servers);
    assertEquals(List.of(new Target("127.0.0.1", 5001, "cluster:any")), resolution.targets());
    assertEquals(2, resolution.fallbacksOf(resolution.targets().get(0)).size());
  }

  @Test
  void optionsTellClusterTargetsAndServiceApart() {
    PushJob job = new ClientConfig(new JsonObject()
      .put("targets", new JsonArray().add("cluster:all").add("h:1")).put("files", new JsonArray().add("x"))).job();
    assertEquals(List.of("cluster:all"), job.getClusterTargets());
    assertEquals(List.of(new Target("h", 1)), job.getTargets());
    ConfigException bad = assertThrows(ConfigException.class, () -> new ClientConfig(new JsonObject()
      .put("targets", new JsonArray().add("cluster:some")).put("files", new JsonArray().add("x"))));
    assertTrue(bad.getMessage().contains("'targets[0]'"), bad.getMessage());
    assertTrue(new ClientConfig(new JsonObject().put("service", true)).isService());
  }

  @Test
  void clusterAllPushesToTheServersDeployedInThisVertx() {
    Path first = dir.resolve("s1");
    Path second = dir.resolve("s2");
    deployServer("s1", first);
    deployServer("s2", second);
    byte[] content = writeRandom(dir.resolve("out/a.bin"), 3 * CHUNK + 5, 11);
    PushReport report = push(job(dir.resolve("out"), List.of("a.bin"))
      .setClusterTargets(List.of(KirimCluster.TARGET_ALL)));
    assertEquals(PushReport.EXIT_OK, report.exitCode(), report.summary());
    assertEquals(2, report.targets().size());
    report.targets().forEach(target -> assertEquals("cluster:all", target.via()));
    assertTrue(report.toJson().getJsonArray("targets").getJsonObject(0).getString("target").startsWith("127.0.0.1:"));
    assertArrayEquals(content, read(first.resolve("a.bin")));
    assertArrayEquals(content, read(second.resolve("a.bin")));
  }

  @Test
  void aClusterTargetWithNoServerFailsEveryFile() {
    writeRandom(dir.resolve("out/a.bin"), 10, 1);
    writeRandom(dir.resolve("out/b.bin"), 10, 2);
    PushReport report = push(job(dir.resolve("out"), List.of("a.bin", "b.bin"))
      .setClusterTargets(List.of(KirimCluster.TARGET_ANY)));
    assertEquals(PushReport.EXIT_FAILED, report.exitCode());
    assertEquals(2, report.results().size());
    report.results().forEach(result -> {
      assertEquals(ClientErrorCode.NO_SERVER.wireName(), result.errorCode());
      assertEquals("cluster:any", result.target());
      assertTrue(result.errorMessage().contains("no kirim server is registered"), result.errorMessage());
    });
  }

  /**
   * A registry record is written by whoever joins the cluster (without a secret, anyone): a host with control
   * characters would reach the summary's target label raw, an escape sequence for the terminal or a forged line.
   * Such a record names no host anyone can reach, and is ignored like any other record that is not one.
   */
  @Test
  void aRecordWhoseHostIsNoHostNameIsIgnored() {
    writeRandom(dir.resolve("out/a.bin"), 10, 1);
    String host = "\u001b]0;owned\u0007\u001b[2Jevil\nkirim: 1 file(s) x 1 target(s): 1 sent";
    await(vertx.sharedData().getAsyncMap(KirimCluster.SERVERS_MAP).compose(map -> map.put("rogue",
      new ServerRecord("rogue", host, 25563, 1L << 40, "dev", 1, null, Instant.now()).toJson())));
    PushReport report = push(job(dir.resolve("out"), List.of("a.bin"))
      .setClusterTargets(List.of(KirimCluster.TARGET_ALL)));
    assertEquals(PushReport.EXIT_FAILED, report.exitCode(), report.summary());
    assertEquals(ClientErrorCode.NO_SERVER.wireName(), report.results().get(0).errorCode(), report.summary());
    assertTrue(report.summary().chars().noneMatch(c -> c < 0x20 && c != '\n'), report.summary());
    assertTrue(report.summary().lines().noneMatch(line -> line.startsWith("kirim: 1 file(s) x 1 target(s): 1 sent")),
      report.summary());
  }

  @Test
  void aServiceAnswersPushJobsWithTheReport() {
    Path storage = dir.resolve("s1");
    deployServer("svc-server", storage);
    byte[] content = writeRandom(dir.resolve("out/job.bin"), CHUNK + 1, 5);
    JsonObject config = new JsonObject().put("service", true).put("baseDir", dir.resolve("out").toString())
      .put("retry", new JsonObject().put("backoffMs", 10));
    await(vertx.deployVerticle(ClientVerticle.class, new DeploymentOptions().setConfig(config)));

    JsonObject job = new JsonObject().put("targets", new JsonArray().add("cluster:any"))
      .put("files", new JsonArray().add("job.bin")).put("remoteDir", "jobs");
    JsonObject report = await(vertx.eventBus().<JsonObject>request(KirimCluster.PUSH_ADDRESS, job)).body();
    assertEquals(0, report.getInteger("exitCode"), report.encodePrettily());
    assertEquals("cluster:any", report.getJsonArray("targets").getJsonObject(0).getString("via"));
    assertArrayEquals(content, read(storage.resolve("jobs/job.bin")));

    Throwable bad = assertThrows(AssertionError.class, () -> await(vertx.eventBus()
      .request(KirimCluster.PUSH_ADDRESS, new JsonObject().put("files", new JsonArray().add("job.bin"))))).getCause();
    ReplyException failure = assertInstanceOf(ReplyException.class, bad);
    assertEquals(400, failure.failureCode());
    assertTrue(failure.getMessage().contains("'targets'"), failure.getMessage());

    // The service's one client carries the connection settings: a job cannot change them.
    Throwable setting = assertThrows(AssertionError.class, () -> await(vertx.eventBus().request(
      KirimCluster.PUSH_ADDRESS, job.copy().put("window", 4)))).getCause();
    ReplyException refused = assertInstanceOf(ReplyException.class, setting);
    assertEquals(400, refused.failureCode());
    assertTrue(refused.getMessage().contains("'window'") && refused.getMessage().contains("setting of the service"),
      refused.getMessage());
    Throwable badReport = assertThrows(AssertionError.class, () -> await(vertx.eventBus().request(
      KirimCluster.PUSH_ADDRESS, job.copy().put("report", 42)))).getCause();
    assertEquals(400, assertInstanceOf(ReplyException.class, badReport).failureCode());
    assertTrue(badReport.getMessage().contains("'report'"), badReport.getMessage());
  }

  private void deployServer(String id, Path storage) {
    JsonObject config = serverOptions(storage).setServerId(id).toJson();
    await(vertx.deployVerticle(ServerVerticle.class, new DeploymentOptions().setConfig(config)));
  }

  private static ServerRecord record(String id, int port, long free) {
    return new ServerRecord(id, "127.0.0.1", port, free, "dev", 1, null, Instant.now());
  }
}
