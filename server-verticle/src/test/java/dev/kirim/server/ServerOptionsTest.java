package dev.kirim.server;

import dev.kirim.config.ConfigException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server keys of change detection and same-name races: defaults, parsing and one-line errors by key. */
class ServerOptionsTest {

  private static ConfigException refused(JsonObject json) {
    ConfigException failure = assertThrows(ConfigException.class, () -> new ServerOptions(json));
    assertTrue(!failure.getMessage().contains("\n"), failure.getMessage());
    return failure;
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
    assertTrue(refused(new JsonObject().put("umask", 22)).getMessage().contains("'umask'"));
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
}
