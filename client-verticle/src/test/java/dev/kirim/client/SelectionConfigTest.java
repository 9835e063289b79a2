package dev.kirim.client;

import dev.kirim.config.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The configuration keys {@code exclude}, {@code followSymlinks} and {@code deleteAfterSend}. */
class SelectionConfigTest {

  private static JsonObject minimal() {
    return new JsonObject()
      .put("targets", new JsonArray().add("127.0.0.1:25000"))
      .put("files", new JsonArray().add("a.txt"));
  }

  private static String refused(JsonObject json) {
    return assertThrows(ConfigException.class, () -> new ClientConfig(json), json::encode).getMessage();
  }

  @Test
  void defaultsAreNoExclusionsNoLinksFollowedNothingDeleted() {
    PushJob job = new ClientConfig(minimal()).job();

    assertEquals(List.of(), job.getExclude());
    assertFalse(job.isFollowSymlinks());
    assertFalse(job.isDeleteAfterSend());
  }

  @Test
  void theKeysAreReadAndReadBack() {
    JsonObject json = minimal().put("exclude", new JsonArray().add("*.tmp").add("logs/old/**"))
      .put("followSymlinks", true).put("deleteAfterSend", true);

    ClientConfig config = new ClientConfig(json);

    assertEquals(List.of("*.tmp", "logs/old/**"), config.job().getExclude());
    assertTrue(config.job().isFollowSymlinks());
    assertTrue(config.job().isDeleteAfterSend());
    JsonObject once = config.toJson();
    assertEquals(once, new ClientConfig(once).toJson());
  }

  @Test
  void aBadPatternIsOneLineNamingTheEntryAndThePattern() {
    String message = refused(minimal().put("exclude", new JsonArray().add("*.tmp").add("logs/[old")));

    assertTrue(message.startsWith("config key 'exclude[1]' is \"logs/[old\", not a valid pattern"), message);
    assertFalse(message.contains("\n"), message);
  }

  @Test
  void wrongTypesNameTheirKey() {
    assertTrue(refused(minimal().put("exclude", "*.tmp")).contains("'exclude'"));
    assertTrue(refused(minimal().put("exclude", new JsonArray().add(""))).contains("'exclude'"));
    assertTrue(refused(minimal().put("followSymlinks", "no")).contains("'followSymlinks'"));
    assertTrue(refused(minimal().put("deleteAfterSend", 1)).contains("'deleteAfterSend'"));
  }

  @Test
  void aJobMadeInCodeIsCheckedToo() {
    PushJob job = new PushJob().setTargets(List.of(new Target("127.0.0.1", 1))).setFiles(List.of("a"))
      .setExclude(List.of("{a,b"));

    String message = assertThrows(ConfigException.class, job::validate).getMessage();
    assertTrue(message.contains("'exclude[0]'") && message.contains("{a,b"), message);
  }

  @Test
  void aServiceJobMayAskForDeletionOnlyWhenTheServiceAllowsIt() {
    JsonObject job = new JsonObject().put("files", new JsonArray().add("x")).put("deleteAfterSend", true);

    String message = assertThrows(ConfigException.class,
      () -> new PushService(null, null, minimal(), null, null).jobConfig(job)).getMessage();
    assertTrue(message.contains("'deleteAfterSend'"), message);

    JsonObject allowed = new PushService(null, null, minimal().put("deleteAfterSend", true), null, null).jobConfig(job);
    assertTrue(allowed.getBoolean("deleteAfterSend"));
    assertFalse(new PushService(null, null, minimal().put("deleteAfterSend", true), null, null)
      .jobConfig(job.copy().put("deleteAfterSend", false)).getBoolean("deleteAfterSend"), "a job may decline");
    JsonObject excluding = job.copy().put("deleteAfterSend", false).put("exclude", new JsonArray().add("*.tmp"));
    assertTrue(new PushService(null, null, minimal(), null, null).jobConfig(excluding).containsKey("exclude"),
      "exclude is a job's key");
  }
}
