package dev.kirim.it;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import static dev.kirim.it.Outputs.assertExitCode;
import static dev.kirim.it.Outputs.assertUsageError;
import static dev.kirim.testkit.Ports.freePort;
import static dev.kirim.testkit.TestFiles.mkdirs;
import static dev.kirim.testkit.TestFiles.writeRandom;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The server jar's log as an operator greps or ships it: ISO 8601 timestamps with their offset, every per-file
 * line with the peer and the client id (control characters escaped), no registry line for a standalone server,
 * and with {@code KIRIM_LOG_FORMAT=json} or {@code "logFormat": "json"} one JSON object per line with the same
 * message and the line's fields.
 */
@Timeout(120)
class LogFormatIT {

  private static final Pattern ISO_WITH_OFFSET =
    Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d)");
  // A client id with a BEL and a newline: what reaches the log must be one line, escaped.
  private static final String CLIENT_ID = "ops\u0007team\nFORGED";
  private static final String CLIENT_ID_ESCAPED = "ops\\x07team\\x0aFORGED";

  @TempDir
  Path dir;

  @RegisterExtension
  final KirimProcesses kirim = new KirimProcesses();

  @Test
  void jsonFromTheEnvironmentIsOneObjectPerLineWithTheFields() throws Exception {
    int port = freePort();
    KirimProcess server = kirim.server(mkdirs(dir.resolve("server"))).env("KIRIM_LOG_FORMAT", "json")
      .conf(KirimProcesses.serverConfig(port)).start();
    server.awaitLine("listening on 127.0.0.1:" + port, KirimProcesses.START_TIMEOUT);
    push(port, 70_001);
    String copied = server.awaitLine("copied 70001 bytes into 'data.bin'", KirimProcesses.RUN_TIMEOUT);
    stop(server);

    List<JsonObject> lines = json(server);
    JsonObject line = new JsonObject(copied);
    assertEquals("INFO", line.getString("level"));
    assertEquals("ServerConnection", line.getString("logger"));
    assertTrue(line.getString("peer").startsWith("127.0.0.1:"), copied);
    assertEquals(CLIENT_ID_ESCAPED, line.getString("client"), copied);
    assertEquals("data.bin", line.getString("file"));
    assertEquals("stored", line.getString("result"));
    assertEquals(70_001, line.getLong("bytes"));
    assertTrue(line.getString("checksum").startsWith("crc32c:"), copied);
    assertTrue(line.getLong("durationMs") >= 0, copied);
    assertEquals(0, line.getLong("resumedFrom"));
    assertTrue(line.getString("message").startsWith(line.getString("peer") + " (" + CLIENT_ID_ESCAPED
      + "): copied 70001 bytes"), copied);
    assertTrue(lines.stream().anyMatch(l -> l.getString("message").contains("kirim server shutting down")),
      server::describe);
  }

  @Test
  void jsonFromTheConfigurationKey() {
    int port = freePort();
    KirimProcess server = kirim.server(mkdirs(dir.resolve("server")))
      .conf(KirimProcesses.serverConfig(port).put("logFormat", "json")).start();
    String listening = server.awaitLine("listening on 127.0.0.1:" + port, KirimProcesses.START_TIMEOUT);
    assertEquals("KirimServer", new JsonObject(listening).getString("logger"), listening);
    server.awaitLine("Succeeded in deploying verticle", KirimProcesses.START_TIMEOUT);
    stop(server);
    json(server);
  }

  /** A log shipper set up for JSON must not get text without a word: a format it does not know stops the jar. */
  @Test
  void anUnknownFormatInTheEnvironmentIsAUsageError() {
    KirimProcess server = kirim.server(mkdirs(dir.resolve("server"))).env("KIRIM_LOG_FORMAT", "xml")
      .conf(KirimProcesses.serverConfig(freePort())).run();
    assertUsageError(server, "kirim-server: error: environment variable KIRIM_LOG_FORMAT is \"xml\"",
      "expected one of [text, json]");
  }

  @Test
  void textLinesCarryTheOffsetThePeerAndTheClient() throws Exception {
    int port = freePort();
    KirimProcess server = kirim.server(mkdirs(dir.resolve("server"))).jvm("-Duser.timezone=Asia/Jakarta")
      .conf(KirimProcesses.serverConfig(port)).start();
    server.awaitLine("listening on 127.0.0.1:" + port, KirimProcesses.START_TIMEOUT);
    push(port, 1_234);
    String copied = server.awaitLine("copied 1234 bytes into 'data.bin'", KirimProcesses.RUN_TIMEOUT);
    stop(server);

    assertTrue(copied.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\+07:00 INFO ServerConnection - "
      + "127\\.0\\.0\\.1:\\d+ \\(" + Pattern.quote(CLIENT_ID_ESCAPED) + "\\): copied 1234 bytes into 'data\\.bin' "
      + "\\(crc32c:[0-9a-f]{8}\\) in \\d+ ms"), copied);
    for (String line : server.outputLines()) {
      assertTrue(line.isBlank() || ISO_WITH_OFFSET.matcher(line).lookingAt(), () -> "no ISO timestamp: " + line);
    }
    assertTrue(server.outputLines().stream().noneMatch(line -> line.contains("Registered in")),
      () -> "a standalone server has no cluster registration to log\n" + server.describe());
  }

  private void push(int port, int size) throws Exception {
    Path client = mkdirs(dir.resolve("client"));
    writeRandom(client.resolve("data.bin"), size, size);
    KirimProcess push = kirim.client(client).conf(new JsonObject()
      .put("targets", List.of("127.0.0.1:" + port)).put("files", List.of("data.bin"))
      .put("clientId", CLIENT_ID)).run();
    assertExitCode(0, push);
  }

  private static void stop(KirimProcess server) {
    server.signal("TERM");
    assertEquals(143, server.awaitExit(Duration.ofSeconds(30)), server::describe);
  }

  /** @return every line the server printed, each parsed as a JSON object with an ISO 8601 time with offset */
  private static List<JsonObject> json(KirimProcess server) {
    return server.outputLines().stream().filter(line -> !line.isBlank()).map(line -> {
      try {
        JsonObject json = new JsonObject(line);
        assertTrue(ISO_WITH_OFFSET.matcher(json.getString("time", "")).matches(), () -> "time of " + line);
        return json;
      } catch (DecodeException e) {
        return fail("not a JSON line: \"" + line + "\"\n" + server.describe());
      }
    }).toList();
  }
}
