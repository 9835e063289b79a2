package dev.kirim.client;

import dev.kirim.config.ConfigException;
import dev.kirim.protocol.ChecksumAlgorithm;
import dev.kirim.protocol.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client configuration contract: every key read, every bad value refused with a message naming its key. */
class ClientConfigTest {

  private static JsonObject minimal() {
    return new JsonObject()
      .put("targets", new JsonArray().add("127.0.0.1:25000"))
      .put("files", new JsonArray().add("a.txt"));
  }

  /** Asserts that {@code json} is refused and the message quotes {@code key} the way users see it. */
  private static ConfigException assertRefused(JsonObject json, String key) {
    ConfigException e = assertThrows(ConfigException.class, () -> new ClientConfig(json), json::encode);
    assertTrue(e.getMessage().contains("'" + key + "'"), () -> "message should name '" + key + "': " + e.getMessage());
    return e;
  }

  private static void assertRefused(Consumer<JsonObject> change, String key) {
    JsonObject json = minimal();
    change.accept(json);
    assertRefused(json, key);
  }

  @Test
  void everyKeyIsRead() {
    JsonObject json = new JsonObject()
      .put("targets", new JsonArray().add("10.0.0.1:4000").add("files.example.org").add("[::1]:4001"))
      .put("files", new JsonArray().add("a.txt").add("logs").add("data/*.csv"))
      .put("baseDir", "/srv/outbox/../outbox")
      .put("remoteDir", "/inbox/2026/")
      .put("parallelism", new JsonObject().put("targets", 3).put("perTarget", 5))
      .put("retry", new JsonObject().put("attempts", 7).put("backoffMs", 50).put("maxBackoffMs", 800))
      .put("report", "/var/log/kirim/report.json")
      .put("checksum", "SHA256")
      .put("clientId", "aji@komputer-1")
      .put("window", 32)
      .put("connectTimeoutMs", 1_500)
      .put("idleTimeoutMs", 60_000);

    ClientConfig config = new ClientConfig(json);
    ClientOptions options = config.options();
    PushJob job = config.job();

    assertEquals(List.of(new Target("10.0.0.1", 4000), new Target("files.example.org", Message.DEFAULT_PORT),
      new Target("::1", 4001)), job.getTargets());
    assertEquals(List.of("a.txt", "logs", "data/*.csv"), job.getFiles());
    assertEquals(Path.of("/srv/outbox"), job.getBaseDir());
    assertEquals("inbox/2026", job.getRemoteDir(), "leading and trailing slashes dropped");
    assertEquals(3, options.getParallelTargets());
    assertEquals(5, options.getConnectionsPerTarget());
    assertEquals(7, options.getRetryAttempts());
    assertEquals(50, options.getRetryBackoffMs());
    assertEquals(800, options.getRetryMaxBackoffMs());
    assertEquals(Path.of("/var/log/kirim/report.json"), config.report());
    assertEquals(ChecksumAlgorithm.SHA256, options.getChecksum());
    assertEquals("aji@komputer-1", options.getClientId());
    assertEquals(32, options.getWindow());
    assertEquals(1_500, options.getConnectTimeoutMs());
    assertEquals(60_000, options.getIdleTimeoutMs());
  }

  @Test
  void defaultsForEverythingButTargetsAndFiles() {
    ClientConfig config = new ClientConfig(minimal());
    ClientOptions options = config.options();

    assertEquals(Path.of("").toAbsolutePath(), config.job().getBaseDir(), "the working directory");
    assertEquals("", config.job().getRemoteDir());
    assertEquals(ClientOptions.DEFAULT_PARALLEL_TARGETS, options.getParallelTargets());
    assertEquals(ClientOptions.DEFAULT_CONNECTIONS_PER_TARGET, options.getConnectionsPerTarget());
    assertEquals(ClientOptions.DEFAULT_RETRY_ATTEMPTS, options.getRetryAttempts());
    assertEquals(ClientOptions.DEFAULT_RETRY_BACKOFF_MS, options.getRetryBackoffMs());
    assertNull(config.report());
    assertEquals(ChecksumAlgorithm.CRC32C, options.getChecksum());
    assertTrue(options.getClientId().contains("@"), options.getClientId());
    assertEquals(ClientOptions.DEFAULT_WINDOW, options.getWindow());
  }

  @Test
  void parallelismMayBeJustTheNumberOfTargets() {
    ClientOptions options = new ClientConfig(minimal().put("parallelism", 4)).options();

    assertEquals(4, options.getParallelTargets());
    assertEquals(ClientOptions.DEFAULT_CONNECTIONS_PER_TARGET, options.getConnectionsPerTarget());
  }

  @Test
  void toJsonReadsBackToTheSameOptions() {
    JsonObject json = minimal().put("remoteDir", "inbox").put("retry", new JsonObject().put("attempts", 9))
      .put("checksum", "sha256").put("report", "/tmp/r.json").put("clientId", "rita").put("dryRun", true)
      .put("compare", "checksum").put("preserve", new JsonObject().put("mtime", false).put("mode", true))
      .put("rateLimit", "2MiB");

    JsonObject once = new ClientConfig(json).toJson();

    assertEquals(once, new ClientConfig(once).toJson());
    assertTrue(once.getBoolean("dryRun"), once::encode);
    assertEquals("checksum", once.getString("compare"));
    assertEquals(2L * 1024 * 1024, once.getLong("rateLimit"));
    assertEquals("127.0.0.1:25000", once.getJsonArray("targets").getString(0));
  }

  @Test
  void backoffDoublesUpToItsMaximum() {
    ClientOptions options = new ClientOptions().setRetryBackoffMs(100).setRetryMaxBackoffMs(1_000);

    // With jitter: somewhere in the upper half of 100, 200, 400, 800, 1000, 1000.
    List<Long> ceilings = List.of(100L, 200L, 400L, 800L, 1_000L, 1_000L);
    List<Integer> tries = List.of(1, 2, 3, 4, 5, 60);
    for (int i = 0; i < tries.size(); i++) {
      long delay = options.backoffMs(tries.get(i));
      long ceiling = ceilings.get(i);
      assertTrue(delay >= ceiling / 2 && delay <= ceiling, "try " + tries.get(i) + ": " + delay + " ms");
    }
  }

  @Test
  void targetsMissingOrEmpty() {
    assertRefused(json -> json.remove("targets"), "targets");
    assertRefused(json -> json.put("targets", new JsonArray()), "targets");
    assertRefused(json -> json.put("targets", "127.0.0.1:25000"), "targets");
    assertRefused(json -> json.put("targets", new JsonArray().add(25000)), "targets");
  }

  @Test
  void targetWithABadPortOrHost() {
    for (String bad : List.of("h:0", "h:x", "h:65536", "h:-1", "h:", ":25000", "[::1", "[::1]x")) {
      ConfigException e = assertRefused(minimal().put("targets", new JsonArray().add("ok:1").add(bad)), "targets[1]");
      assertTrue(e.getMessage().contains(bad), e::getMessage);
    }
  }

  @Test
  void filesMissingOrEmpty() {
    assertRefused(json -> json.remove("files"), "files");
    assertRefused(json -> json.put("files", new JsonArray()), "files");
    assertRefused(json -> json.put("files", new JsonArray().add("")), "files");
  }

  @Test
  void parallelismOutOfRangeOrOfTheWrongType() {
    assertRefused(json -> json.put("parallelism", 0), "parallelism");
    assertRefused(json -> json.put("parallelism", 1.5), "parallelism");
    assertRefused(json -> json.put("parallelism", "4"), "parallelism");
    assertRefused(json -> json.put("parallelism", new JsonObject().put("targets", 0)), "parallelism.targets");
    assertRefused(json -> json.put("parallelism", new JsonObject().put("perTarget", 65)), "parallelism.perTarget");
    assertRefused(json -> json.put("parallelism", new JsonObject().put("perTraget", 2)), "parallelism.perTraget");
  }

  @Test
  void retryOutOfRange() {
    assertRefused(json -> json.put("retry", new JsonObject().put("attempts", 0)), "retry.attempts");
    assertRefused(json -> json.put("retry", new JsonObject().put("backoffMs", -1)), "retry.backoffMs");
    assertRefused(json -> json.put("retry", new JsonObject().put("backoffMs", 500).put("maxBackoffMs", 100)),
      "retry.maxBackoffMs");
    assertRefused(json -> json.put("retry", 3), "retry");
  }

  @Test
  void unknownKeyIsATypoNotSilence() {
    ConfigException e = assertRefused(minimal().put("remotedir", "inbox"), "remotedir");
    assertTrue(e.getMessage().contains("remoteDir"), () -> "lists the known keys: " + e.getMessage());
  }

  @Test
  void checksumOtherThanCrc32cOrSha256() {
    ConfigException e = assertRefused(minimal().put("checksum", "md5"), "checksum");
    assertTrue(e.getMessage().contains("crc32c") && e.getMessage().contains("sha256"), e::getMessage);
  }

  @Test
  void remoteDirThatLeavesTheStorage() {
    for (String bad : List.of("../x", "a/../../x", "a//b", "a\\b", "x/.kirim-part/../y")) {
      assertRefused(minimal().put("remoteDir", bad), "remoteDir");
    }
  }

  @Test
  void otherNumbersOutOfRange() {
    assertRefused(json -> json.put("window", 0), "window");
    assertRefused(json -> json.put("connectTimeoutMs", 0), "connectTimeoutMs");
    assertRefused(json -> json.put("idleTimeoutMs", "soon"), "idleTimeoutMs");
    assertRefused(json -> json.put("clientId", ""), "clientId");
    assertRefused(json -> json.put("report", 42), "report");
  }

  /** A value of the wrong type or size names the key's own range, not the range of an int. */
  @Test
  void aMistypedWindowNamesItsRealRange() {
    ConfigException text = assertRefused(minimal().put("window", "8"), "window");
    assertEquals("config key 'window' is \"8\", expected a whole number from 1 to 1024", text.getMessage());
    ConfigException huge = assertRefused(new JsonObject(minimal().encode().replaceFirst("^\\{", "{\"window\":2147483648,")),
      "window");
    assertEquals("config key 'window' is 2147483648, expected a whole number from 1 to 1024", huge.getMessage());
  }
}
