package dev.kirim.server;

import dev.kirim.config.ConfigException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server keys of change detection and same-name races, and the {@code cluster} object (its secret, and the
 * event-bus TLS the launcher reads): defaults, parsing and one-line errors by key.
 */
class ServerOptionsTest {

  private static ConfigException refused(JsonObject json) {
    ConfigException failure = assertThrows(ConfigException.class, () -> new ServerOptions(json));
    assertTrue(!failure.getMessage().contains("\n"), failure.getMessage());
    return failure;
  }

  /** {@code cluster.tls} is the launcher's ({@code ClusterTls}, checked there), {@code cluster.secret} too. */
  @Test
  void theClusterObjectHoldsTlsForTheLauncherAndTheSecret(@TempDir Path dir) throws Exception {
    JsonObject tls = new JsonObject().put("cert", "member.pem").put("key", "member.key").put("ca", "ca.pem");
    Path secret = Files.writeString(dir.resolve("cluster.secret"), "0123456789abcdef0123456789abcdef");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    ServerOptions options = new ServerOptions(new JsonObject().put("cluster", new JsonObject().put("tls", tls)
      .put("secret", secret.toString())));
    assertNotNull(options.getClusterSecret());
    assertEquals(secret.toString(), options.toJson().getJsonObject("cluster").getString("secret"), "read back");
    new ServerOptions(new JsonObject().put("cluster", new JsonObject()));
    assertEquals("unknown config key 'cluster.tsl' (known keys: secret, tls)",
      refused(new JsonObject().put("cluster", new JsonObject().put("tsl", tls))).getMessage());
    assertEquals("config key 'cluster' is true, expected a JSON object",
      refused(new JsonObject().put("cluster", true)).getMessage());
  }

  /** A signed record is valid for at most 10 minutes, so a registry TTL beyond 9 would expire between refreshes. */
  @Test
  void withASecretTheRegistryTtlIsAtMostNineMinutes(@TempDir Path dir) throws Exception {
    Path secret = Files.writeString(dir.resolve("cluster.secret"), "0123456789abcdef0123456789abcdef");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    JsonObject cluster = new JsonObject().put("secret", secret.toString());
    new ServerOptions(new JsonObject().put("cluster", cluster).put("registry", new JsonObject().put("ttlMs", 540_000)));
    new ServerOptions(new JsonObject().put("registry", new JsonObject().put("ttlMs", 3_600_000)));
    assertEquals("config key 'registry.ttlMs' is 540001, expected at most 540000 with a cluster secret: signed "
        + "records are valid at most 10 minutes",
      refused(new JsonObject().put("cluster", cluster).put("registry", new JsonObject().put("ttlMs", 540_001)))
        .getMessage());
  }

  /** A path the file system cannot take is a bad key, in every key that names a file or directory. */
  @Test
  void aPathWithANulIsABadKeyNotAnException() {
    assertEquals("config key 'storageDir' is \"in\\x00box\", expected a path (Nul character not allowed)",
      refused(new JsonObject().put("storageDir", "in\u0000box")).getMessage());
    assertTrue(refused(new JsonObject().put("auth", new JsonObject().put("tokensFile", "t\u0000.json")))
      .getMessage().startsWith("config key 'auth.tokensFile' is \"t\\x00.json\", expected a path"));
  }

  @Test
  void umaskIsOctalInAStringAndDefaultsTo022() {
    assertEquals(022, new ServerOptions(new JsonObject()).getUmask());
    assertEquals(077, new ServerOptions(new JsonObject().put("umask", "077")).getUmask());
    assertEquals(0, new ServerOptions(new JsonObject().put("umask", "0")).getUmask());
    for (Object bad : new Object[] {"abc", "999", "07777", ""}) {
      ConfigException failure = refused(new JsonObject().put("umask", bad));
      assertTrue(failure.getMessage().contains("'umask'"), failure.getMessage());
    }
    String number = refused(new JsonObject().put("umask", 18)).getMessage();
    assertTrue(number.contains("'umask'") && number.contains("as a string, e.g. \"022\""), number);
  }

  @Test
  void updateIsAPolicy() {
    assertEquals(OnExisting.UPDATE, new ServerOptions(new JsonObject().put("onExisting", "update")).getOnExisting());
    assertTrue(refused(new JsonObject().put("onExisting", "replace")).getMessage().contains("update"));
  }

  @Test
  void sameNameWaitMsDefaultsToHalfTheIdleTimeoutAndStaysBelowIt() {
    assertEquals(60_000, new ServerOptions(new JsonObject()).getLimits().getSameNameWaitMs());
    JsonObject shortIdle = new JsonObject().put("limits", new JsonObject().put("idleTimeoutMs", 10_000));
    assertEquals(5_000, new ServerOptions(shortIdle).getLimits().getSameNameWaitMs());
    JsonObject set = new JsonObject().put("limits", new JsonObject().put("sameNameWaitMs", 0));
    assertEquals(0, new ServerOptions(set).getLimits().getSameNameWaitMs(), "0: busy at once, as before");
    ConfigException tooLong = refused(new JsonObject().put("limits", new JsonObject()
      .put("idleTimeoutMs", 10_000).put("sameNameWaitMs", 10_000)));
    assertTrue(tooLong.getMessage().contains("'limits.sameNameWaitMs'"), tooLong.getMessage());
  }

  @Test
  void claimTimeoutMsDefaultsTo60sOrTheIdleTimeoutAndStaysWithinIt() {
    assertEquals(60_000, new ServerOptions(new JsonObject()).getLimits().getClaimTimeoutMs());
    JsonObject shortIdle = new JsonObject().put("limits", new JsonObject().put("idleTimeoutMs", 10_000));
    assertEquals(10_000, new ServerOptions(shortIdle).getLimits().getClaimTimeoutMs());
    JsonObject set = new JsonObject().put("limits", new JsonObject().put("claimTimeoutMs", 5_000));
    assertEquals(5_000, new ServerOptions(set).getLimits().getClaimTimeoutMs());
    ConfigException tooLong = refused(new JsonObject().put("limits", new JsonObject()
      .put("idleTimeoutMs", 10_000).put("claimTimeoutMs", 10_001)));
    assertTrue(tooLong.getMessage().contains("'limits.claimTimeoutMs'"), tooLong.getMessage());
  }

  @Test
  void maxConnectionsPerPeerDefaultsTo32() {
    assertEquals(32, new ServerOptions(new JsonObject()).getLimits().getMaxConnectionsPerPeer());
    ConfigException zero = refused(new JsonObject().put("limits", new JsonObject().put("maxConnectionsPerPeer", 0)));
    assertTrue(zero.getMessage().contains("'limits.maxConnectionsPerPeer'"), zero.getMessage());
  }

  @Test
  void requestsMayWait256AtOnceAndHold4MiBOfBodies() {
    ServerLimits defaults = new ServerOptions(new JsonObject()).getLimits();
    assertEquals(256, defaults.getMaxPendingOffers());
    assertEquals(4 * 1024 * 1024, defaults.getMaxPendingBytes());
    assertEquals(1_000_000, new ServerOptions(new JsonObject().put("limits", new JsonObject()
      .put("maxPendingBytes", 1_000_000))).getLimits().getMaxPendingBytes());
    // Less than one put's body could never be read.
    ConfigException tooSmall = refused(new JsonObject().put("limits", new JsonObject().put("maxPendingBytes", 65_535)));
    assertTrue(tooSmall.getMessage().contains("'limits.maxPendingBytes'"), tooSmall.getMessage());
  }

  @Test
  void httpIsOffUnlessSetAndDefaultsToLoopback25564() {
    assertEquals(null, new ServerOptions(new JsonObject()).getHttp());
    ServerOptions defaults = new ServerOptions(new JsonObject().put("http", new JsonObject()));
    assertEquals("127.0.0.1", defaults.getHttp().getHost());
    assertEquals(25564, defaults.getHttp().getPort());
    ServerOptions set = new ServerOptions(new JsonObject().put("http", new JsonObject().put("host", "0.0.0.0")
      .put("port", 9100)));
    assertEquals("0.0.0.0", set.getHttp().getHost());
    assertEquals(9100, new ServerOptions(set).getHttp().getPort(), "the copy keeps it");
    assertTrue(refused(new JsonObject().put("http", new JsonObject().put("port", 70_000))).getMessage()
      .contains("'http.port'"));
    assertTrue(refused(new JsonObject().put("http", new JsonObject().put("prot", 1))).getMessage()
      .contains("'http.prot'"));
    assertTrue(refused(new JsonObject().put("http", 25564)).getMessage().contains("'http'"));
  }

  @Test
  void logFormatIsTextOrJson() {
    assertEquals(dev.kirim.log.LogFormat.JSON,
      new ServerOptions(new JsonObject().put("logFormat", "json")).getLogFormat());
    assertEquals(dev.kirim.log.LogFormat.TEXT,
      new ServerOptions(new JsonObject().put("logFormat", "text")).getLogFormat());
    ConfigException bad = refused(new JsonObject().put("logFormat", "xml"));
    assertTrue(bad.getMessage().contains("'logFormat'") && bad.getMessage().contains("json"), bad.getMessage());
  }

  /** A value of the wrong type or size names the key's own range, not the range of an int. */
  @Test
  void aMistypedNumberNamesTheKeysRealRange() {
    assertEquals("config key 'port' is \"0\", expected a whole number from 0 to 65535",
      refused(new JsonObject().put("port", "0")).getMessage());
    assertEquals("config key 'port' is 1.5, expected a whole number from 0 to 65535",
      refused(new JsonObject().put("port", 1.5)).getMessage());
    assertEquals("config key 'partialTtlHours' is 1.0E10, expected a whole number from 0 to 8760",
      refused(new JsonObject("{\"partialTtlHours\":1e10}")).getMessage());
    assertEquals("config key 'http.port' is \"x\", expected a whole number from 0 to 65535",
      refused(new JsonObject().put("http", new JsonObject().put("port", "x"))).getMessage());
    // Keys read without a range: the type error says only what type is expected; validate() states the range.
    assertEquals("config key 'limits.maxConnections' is \"9\", expected a whole number",
      refused(new JsonObject().put("limits", new JsonObject().put("maxConnections", "9"))).getMessage());
  }
}
