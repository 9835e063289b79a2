package dev.kirim.client;

import dev.kirim.config.ConfigException;
import dev.kirim.server.KirimServer;
import dev.kirim.server.ServerLimits;
import dev.kirim.server.ServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.kirim.testkit.TestFiles.MIB;
import static dev.kirim.testkit.TestFiles.writeRandom;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rate limits end to end: the client's {@code rateLimit} and the server's
 * {@code limits.rateLimitPerConnection}, each pushing 8 MiB at 4 MiB/s over real sockets.
 * <p>
 * A token bucket starts with a quarter second's bytes and may be drawn one region (or chunk) ahead, so 8 MiB
 * at 4 MiB/s cannot take less than about 1.6 s: the lower bound, 1.5 s, holds on any machine. The upper
 * bound, 10 s against the ideal 2 s, only catches a push that stalls, on a busy 2-core box too.
 */
class RateLimitTest extends PushTestBase {

  private static final long RATE = 4L * MIB;
  private static final long MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(1_500);
  private static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(10);

  @TempDir
  Path tmp;

  @Test
  void clientRateLimitPacesOneLargeFile() {
    Path home = tmp.resolve("home");
    Path storage = tmp.resolve("storage");
    byte[] content = writeRandom(home.resolve("besar.bin"), 8 * MIB + 12_345, 1);
    KirimServer server = startServer(storage);

    long started = System.nanoTime();
    PushReport report = push(quickRetries().setRateLimit(RATE), job(home, List.of("besar.bin"), server));
    long elapsed = System.nanoTime() - started;

    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
    assertSent(result(report, "besar.bin"), content, storage);
    assertPaced(elapsed);
  }

  /** Two connections to one target share its limit; small files sent from memory count too. */
  @Test
  void clientRateLimitIsPerTargetOverAllItsConnectionsAndSmallFiles() {
    Path home = tmp.resolve("home");
    Path storage = tmp.resolve("storage");
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("besar.bin", writeRandom(home.resolve("besar.bin"), 4 * MIB, 2));
    int small = LocalFacts.SMALL_FILE_BYTES;
    for (int i = 0; i < 4 * MIB / small; i++) {
      String name = "kecil-" + i + ".dat";
      files.put(name, writeRandom(home.resolve(name), small - i % 7, 100 + i));
    }
    KirimServer server = startServer(storage);
    ClientOptions options = quickRetries().setRateLimit(RATE).setConnectionsPerTarget(2);

    long started = System.nanoTime();
    PushReport report = push(options, job(home, List.copyOf(files.keySet()), server));
    long elapsed = System.nanoTime() - started;

    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
    files.forEach((name, content) -> assertSent(result(report, name), content, storage));
    assertPaced(elapsed);
  }

  @Test
  void serverRateLimitPerConnectionPacesAPush() {
    Path home = tmp.resolve("home");
    Path storage = tmp.resolve("storage");
    byte[] content = writeRandom(home.resolve("besar.bin"), 8 * MIB + 4_321, 3);
    ServerOptions serverOptions = serverOptions(storage).setLimits(new ServerLimits().setRateLimitPerConnection(RATE));
    KirimServer server = startServer(serverOptions);

    long started = System.nanoTime();
    PushReport report = push(job(home, List.of("besar.bin"), server));
    long elapsed = System.nanoTime() - started;

    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
    assertSent(result(report, "besar.bin"), content, storage);
    assertPaced(elapsed);
  }

  private static void assertPaced(long elapsedNanos) {
    String seconds = String.format("%.2f s", elapsedNanos / 1e9);
    assertTrue(elapsedNanos >= MIN_NANOS, () -> "8 MiB at 4 MiB/s took only " + seconds);
    assertTrue(elapsedNanos < MAX_NANOS, () -> "8 MiB at 4 MiB/s took " + seconds);
  }

  // --- configuration ----------------------------------------------------------------------------------------

  private static JsonObject config(Object rateLimit) {
    return new JsonObject()
      .put("targets", new JsonArray().add("127.0.0.1:25000"))
      .put("files", new JsonArray().add("a.txt"))
      .put("rateLimit", rateLimit);
  }

  @Test
  void rateLimitReadsSizesWithUnitsAndBytes() {
    assertEquals(50L * MIB, new ClientConfig(config("50MiB")).options().getRateLimit());
    assertEquals(20_000_000L, new ClientConfig(config("20MB")).options().getRateLimit());
    assertEquals(1_048_576L, new ClientConfig(config(1_048_576)).options().getRateLimit());
    assertNull(new ClientConfig(config(null)).options().getRateLimit(), "absent: unlimited");
    JsonObject once = new ClientConfig(config("512KiB")).toJson();
    assertEquals(512L * 1024, once.getLong("rateLimit"));
    assertEquals(once, new ClientConfig(once).toJson());
  }

  @Test
  void badRateLimitIsOneClearLine() {
    List<String> messages = new ArrayList<>();
    for (Object bad : new Object[] {"50 MBs", "fast", true, "0", 0, "1KiB", -5, "2TiB"}) {
      ConfigException e = assertThrows(ConfigException.class, () -> new ClientConfig(config(bad)), String.valueOf(bad));
      messages.add(e.getMessage());
      assertTrue(e.getMessage().startsWith("config key 'rateLimit' is "), e.getMessage());
      assertTrue(e.getMessage().contains("\"50MiB\""), () -> "an example in: " + e.getMessage());
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
    assertEquals("config key 'rateLimit' is \"50 MBs\", expected a size in bytes such as \"50MiB\", \"20MB\", "
      + "\"512KiB\" or 1048576 (unknown unit 'MBs')", messages.get(0));
    assertTrue(messages.get(5).contains("expected a size from 64KiB to 1TiB"), messages.get(5));
    ConfigException set = assertThrows(ConfigException.class, () -> new ClientOptions().setRateLimit(1L).validate());
    assertTrue(set.getMessage().startsWith("config key 'rateLimit' is 1, expected a size from 64KiB"),
      set.getMessage());
  }

  @Test
  void serverRateLimitPerConnectionIsValidatedLikewise() {
    JsonObject json = new JsonObject().put("storageDir", tmp.toString());
    ServerOptions ok = new ServerOptions(json.copy()
      .put("limits", new JsonObject().put("rateLimitPerConnection", "20MiB")));
    assertEquals(20L * MIB, ok.getLimits().getRateLimitPerConnection());
    assertNull(new ServerOptions(json.copy()).getLimits().getRateLimitPerConnection(), "absent: unlimited");
    ConfigException e = assertThrows(ConfigException.class, () -> new ServerOptions(json.copy()
      .put("limits", new JsonObject().put("rateLimitPerConnection", "20 mbit"))));
    assertEquals("config key 'limits.rateLimitPerConnection' is \"20 mbit\", expected a size in bytes such as "
      + "\"50MiB\", \"20MB\", \"512KiB\" or 1048576 (unknown unit 'mbit')", e.getMessage());
    ConfigException small = assertThrows(ConfigException.class, () -> new ServerOptions(json.copy()
      .put("limits", new JsonObject().put("rateLimitPerConnection", 1000))));
    assertTrue(small.getMessage().startsWith("config key 'limits.rateLimitPerConnection' is 1000, expected a size "
      + "from 64KiB to 1TiB"), small.getMessage());
  }
}
