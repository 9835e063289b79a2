package dev.kirim.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.kirim.it.Outputs.assertExitCode;
import static dev.kirim.it.Outputs.assertNoStackTrace;
import static dev.kirim.it.Outputs.assertUsageError;
import static dev.kirim.testkit.Ports.freePort;
import static dev.kirim.testkit.TestFiles.mkdirs;
import static dev.kirim.testkit.TestFiles.writeRandom;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Authentication with the jars as a user runs them: {@code --hash-token} makes the tokens file's hash from a token
 * on stdin, the server takes that file, the client gets the token from {@code KIRIM_TOKEN}.
 */
@Timeout(120)
class AuthIT {

  @TempDir
  Path dir;

  @RegisterExtension
  final KirimProcesses kirim = new KirimProcesses();

  @Test
  void hashTokenPrintsTheSha256OfTheTokenOnStdin() {
    KirimProcess hash = kirim.server(dir).args("--hash-token").stdin("s3cret token\n").run();
    assertExitCode(0, hash);
    assertEquals(List.of(ItTokens.sha256("s3cret token")), hash.stdoutLines());
    assertFalse(hash.stdout().contains("s3cret"), "the token is not echoed");
  }

  @Test
  void hashTokenWithNothingOnStdinIsAUsageError() {
    assertUsageError(kirim.server(dir).args("--hash-token").run(), "kirim-server: error: ", "--hash-token",
      "got nothing");
  }

  /** The five commands of the README's setup, less the certificates: hash, tokens file, server, push. */
  @Test
  void tokenFromEnvironmentPushesIntoTheClientsDirectory() throws IOException {
    KirimProcess hash = kirim.server(dir).args("--hash-token").stdin(ItTokens.TOKEN + "\n").run();
    assertExitCode(0, hash);
    Path serverDir = mkdirs(dir.resolve("server"));
    Files.writeString(serverDir.resolve("tokens.json"), new JsonObject().put("clients", new JsonArray()
      .add(new JsonObject().put("name", "aji").put("tokenSha256", hash.lastStdoutLine()).put("dir", "aji")))
      .encode());
    int port = freePort();
    KirimProcess server = kirim.startServer(serverDir, port,
      new JsonObject().put("auth", new JsonObject().put("tokensFile", "tokens.json")));
    Path local = mkdirs(dir.resolve("local"));
    byte[] content = writeRandom(local.resolve("notes.txt"), 70_001, 3);
    Path report = dir.resolve("report.json");
    JsonObject conf = new JsonObject().put("targets", new JsonArray().add("127.0.0.1:" + port))
      .put("files", new JsonArray().add("notes.txt")).put("report", report.toString());

    KirimProcess refused = kirim.client(local).conf(conf).run();
    assertExitCode(1, refused);
    assertNoStackTrace(refused);
    assertTrue(refused.stdout().contains("unauthorised") && refused.stdout().contains("KIRIM_TOKEN"),
      refused::describe);

    KirimProcess pushed = kirim.client(local).env("KIRIM_TOKEN", ItTokens.TOKEN).conf(conf).run();
    assertExitCode(0, pushed);
    assertArrayEquals(content, Files.readAllBytes(serverDir.resolve("received/aji/notes.txt")));
    JsonObject target = new JsonObject(Files.readString(report)).getJsonArray("targets").getJsonObject(0);
    assertEquals("aji", target.getString("client"), target::encode);
    server.awaitLine("authenticated as client 'aji'", java.time.Duration.ofSeconds(10));
    assertFalse(server.stdout().contains(ItTokens.TOKEN), "the server never logs a token");
    assertFalse(pushed.stdout().contains(ItTokens.TOKEN), "the client never prints its token");
  }
}
