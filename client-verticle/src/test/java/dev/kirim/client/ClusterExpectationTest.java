package dev.kirim.client;

import dev.kirim.cluster.KirimCluster;
import dev.kirim.config.ConfigException;
import dev.kirim.server.ServerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static dev.kirim.testkit.Await.await;
import static dev.kirim.testkit.TestFiles.writeRandom;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The job's {@code cluster} key and a registry holding entries that are not server records, without a cluster
 * (this Vert.x's own registry). The same with a real cluster: ClusterReachTest in integration-tests.
 */
class ClusterExpectationTest extends PushTestBase {

  @TempDir
  Path dir;

  private static JsonObject config(Object cluster) {
    return new JsonObject().put("targets", new JsonArray().add("cluster:all")).put("files", new JsonArray().add("x"))
      .put("cluster", cluster);
  }

  @Test
  void expectAndMinServersAreReadWithADefaultWait() {
    assertEquals(new ClusterExpectation(3, ClusterExpectation.DEFAULT_WAIT_MS),
      new ClientConfig(config(new JsonObject().put("expect", 3))).job().getCluster());
    assertEquals(new ClusterExpectation(2, 500),
      new ClientConfig(config(new JsonObject().put("minServers", 2).put("waitMs", 500))).job().getCluster());
    assertEquals(ClusterExpectation.NONE, new ClientConfig(config(null)).job().getCluster());
    JsonObject once = new ClientConfig(config(new JsonObject().put("expect", 3))).toJson();
    assertEquals(once, new ClientConfig(once).toJson());
  }

  /** The launcher reads {@code cluster.tls}; {@code secret} is read elsewhere: alone they expect nothing. */
  @Test
  void tlsAndSecretAreLeftToOthersAndExpectNothing(@TempDir Path dir) throws Exception {
    JsonObject tls = new JsonObject().put("cert", "member.pem").put("key", "member.key").put("ca", "ca.pem");
    String secret = Files.writeString(dir.resolve("cluster.secret"), "0123456789abcdef0123456789abcdef").toString();
    Files.setPosixFilePermissions(dir.resolve("cluster.secret"), PosixFilePermissions.fromString("rw-------"));
    assertEquals(ClusterExpectation.NONE, new ClientConfig(config(new JsonObject().put("tls", tls))).job().getCluster());
    ClientConfig withSecret = new ClientConfig(config(new JsonObject().put("secret", secret)));
    assertEquals(ClusterExpectation.NONE, withSecret.job().getCluster());
    assertTrue(withSecret.options().getClusterSecret() != null, "the secret is the client's connection setting");
    assertEquals(secret, withSecret.toJson().getJsonObject("cluster").getString("secret"), "read back");
    ClientConfig both = new ClientConfig(config(new JsonObject().put("tls", tls).put("secret", secret)
      .put("expect", 2).put("waitMs", 500)));
    assertEquals(new ClusterExpectation(2, 500), both.job().getCluster());
    assertEquals(both.toJson(), new ClientConfig(both.toJson()).toJson(), "the expectation and the secret read back");
    ConfigException noCount = assertThrows(ConfigException.class, () -> new ClientConfig(config(
      new JsonObject().put("tls", tls).put("waitMs", 500))));
    assertTrue(noCount.getMessage().startsWith("config key 'cluster' needs one of 'expect' or 'minServers'"),
      noCount.getMessage());
  }

  @Test
  void aBadClusterKeyIsOneLineNamingIt() {
    for (JsonObject bad : List.of(new JsonObject(), new JsonObject().put("expect", 2).put("minServers", 2),
      new JsonObject().put("expect", 0), new JsonObject().put("expect", "3"), new JsonObject().put("minServer", 3),
      new JsonObject().put("expect", 3).put("waitMs", -1))) {
      ConfigException e = assertThrows(ConfigException.class, () -> new ClientConfig(config(bad)), bad.encode());
      assertTrue(e.getMessage().contains("'cluster"), e.getMessage());
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
    ConfigException noAll = assertThrows(ConfigException.class, () -> new ClientConfig(config(
      new JsonObject().put("expect", 2)).put("targets", new JsonArray().add("cluster:any"))));
    assertEquals("config key 'cluster' says how many servers cluster:all must reach, but 'targets' does not list "
      + "cluster:all", noAll.getMessage());
  }

  @Test
  void fewerServersThanExpectedFailsAfterTheWaitButStillPushesToThoseFound() {
    Path storage = dir.resolve("s1");
    deployServer("s1", storage);
    writeRandom(dir.resolve("out/a.bin"), 1_000, 1);
    PushReport report = push(job(dir.resolve("out"), List.of("a.bin"))
      .setClusterTargets(List.of(KirimCluster.TARGET_ALL)).setCluster(new ClusterExpectation(2, 0)));
    assertEquals(PushReport.EXIT_FAILED, report.exitCode(), report.summary());
    assertTrue(storage.resolve("a.bin").toFile().isFile());
    // waitMs 0, but the wait is measured: a stall of 50 ms prints 0.1 s.
    assertTrue(java.util.regex.Pattern.compile("no_server: cluster:all expected 2 live server\\(s\\), found 1 after "
      + "waiting \\d+\\.\\d s \\(s1\\); 1 not registered at all").matcher(report.summary()).find(), report.summary());
    JsonObject cluster = report.toJson().getJsonArray("cluster").getJsonObject(0);
    assertEquals(new JsonArray().add("s1"), cluster.getJsonArray("reached"));
    assertEquals("not registered", cluster.getJsonArray("missing").getJsonObject(0).getString("reason"));
  }

  @Test
  void registryEntriesThatAreNotServerRecordsAreIgnored() {
    Path storage = dir.resolve("s1");
    deployServer("s1", storage);
    await(vertx.sharedData().getAsyncMap(KirimCluster.SERVERS_MAP)
      .compose(map -> map.put("junk", "not json").compose(v -> map.put("foreign", new JsonObject().put("a", 1)))));
    // Any member may write any key: one that is not a string is ignored too.
    await(vertx.sharedData().<Object, Object>getAsyncMap(KirimCluster.SERVERS_MAP)
      .compose(map -> map.put(42, new JsonObject().put("serverId", "s1"))));
    writeRandom(dir.resolve("out/a.bin"), 1_000, 2);
    PushReport report = push(job(dir.resolve("out"), List.of("a.bin"))
      .setClusterTargets(List.of(KirimCluster.TARGET_ALL)).setCluster(new ClusterExpectation(1, 0)));
    assertEquals(PushReport.EXIT_OK, report.exitCode(), report.summary());
    assertEquals(1, report.targets().size());
  }

  private void deployServer(String id, Path storage) {
    JsonObject config = serverOptions(storage).setServerId(id).toJson();
    await(vertx.deployVerticle(ServerVerticle.class, new DeploymentOptions().setConfig(config)));
  }
}
