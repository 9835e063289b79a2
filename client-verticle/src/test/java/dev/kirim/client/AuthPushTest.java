package dev.kirim.client;

import dev.kirim.server.AuthOptions;
import dev.kirim.server.KirimServer;
import dev.kirim.server.ServerOptions;
import dev.kirim.server.auth.TokenHash;
import dev.kirim.testkit.TestCerts;
import dev.kirim.tls.TlsConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.kirim.testkit.TestFiles.read;
import static dev.kirim.testkit.TestFiles.writeRandom;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Pushes to a server that authenticates its clients: the client's token (or certificate) decides where its files
 * land, a refusal is one line and no retry, a quota stops a batch midway.
 */
class AuthPushTest extends PushTestBase {

  private static final String TOKEN = "tok-aji-7f3a9c";

  @TempDir
  Path dir;

  private Path storage;
  private Path local;

  /** A server whose tokens file lists aji (token, directory "aji", optional quota fields) and robot (certificate). */
  private KirimServer authServer(JsonObject ajiExtra, TlsConfig.Server tls) throws IOException {
    storage = dir.resolve("storage");
    JsonObject aji = new JsonObject().put("name", "aji").put("tokenSha256", TokenHash.hex(TOKEN)).put("dir", "aji")
      .mergeIn(ajiExtra);
    JsonObject robot = new JsonObject().put("name", "robot").put("certSubject", "CN=kirim test client")
      .put("dir", "machines/robot");
    Path tokens = Files.writeString(dir.resolve("tokens.json"),
      new JsonObject().put("clients", new JsonArray().add(aji).add(robot)).encode());
    ServerOptions options = serverOptions(storage).setAuth(AuthOptions.tokens(tokens)).setTls(tls);
    return startServer(options);
  }

  private PushReport pushFiles(KirimServer server, ClientOptions options, int count, String remoteDir) {
    local = dir.resolve("local");
    List<String> names = new java.util.ArrayList<>();
    for (int i = 0; i < count; i++) {
      writeRandom(local.resolve("f" + i + ".bin"), 100_000 + i, i);
      names.add("f" + i + ".bin");
    }
    PushJob job = job(local, names, server);
    return push(options, remoteDir == null ? job : job.setRemoteDir(remoteDir));
  }

  @Test
  void withoutTokenEveryFileFailsUnauthorisedOnceAndExitIs1() throws IOException {
    KirimServer server = authServer(new JsonObject(), null);
    PushReport report = pushFiles(server, quickRetries().setConnectionsPerTarget(1), 2, null);
    assertEquals(PushReport.EXIT_FAILED, report.exitCode());
    assertEquals(1, server.acceptedConnections(), "not retried: one connection, refused");
    for (FileResult result : report.results()) {
      assertEquals("unauthorised", result.errorCode(), result::toString);
      assertTrue(result.errorMessage().contains("KIRIM_TOKEN") && !result.errorMessage().contains("\n"),
        result::errorMessage);
    }
  }

  @Test
  void withWrongTokenEveryFileFailsUnauthorised() throws IOException {
    KirimServer server = authServer(new JsonObject(), null);
    PushReport report = pushFiles(server, quickRetries().setToken("not-" + TOKEN), 1, null);
    assertEquals(PushReport.EXIT_FAILED, report.exitCode());
    FileResult result = report.results().get(0);
    assertEquals("unauthorised", result.errorCode());
    assertTrue(result.errorMessage().contains("token is not accepted"), result::errorMessage);
  }

  @Test
  void rightTokenPushesIntoTheClientsDirectoryAndTheReportNamesIt() throws IOException {
    KirimServer server = authServer(new JsonObject(), null);
    PushReport report = pushFiles(server, quickRetries().setToken(TOKEN), 1, "drops/today");
    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
    assertEquals("aji", report.targets().get(0).client());
    assertEquals("aji", report.targets().get(0).toJson().getString("client"));
    FileResult result = report.results().get(0);
    assertEquals("drops/today/f0.bin", result.storedAs(), "remoteDir is relative to the client's directory");
    assertArrayEquals(read(local.resolve("f0.bin")), read(storage.resolve("aji/drops/today/f0.bin")));
    assertFalse(Files.exists(storage.resolve("drops")), "nothing outside the client's directory");
  }

  /** Two files fit in maxFiles 3 (one was there before the server started), the rest fail with the quota's code. */
  @Test
  void quotaExceededMidBatchStoresTheFirstFilesAndFailsTheRest() throws IOException {
    Path held = storage().resolve("aji/old.txt");
    Files.createDirectories(held.getParent());
    Files.writeString(held, "kept from before");
    KirimServer server = authServer(new JsonObject().put("maxFiles", 3), null);
    PushReport report = pushFiles(server, quickRetries().setToken(TOKEN).setWindow(1), 5, null);
    assertEquals(PushReport.EXIT_FAILED, report.exitCode());
    List<FileResult> sent = report.results().stream().filter(r -> r.status() == FileStatus.SENT).toList();
    List<FileResult> failed = report.results().stream().filter(FileResult::failed).toList();
    assertEquals(2, sent.size(), report.results()::toString);
    assertEquals(3, failed.size(), report.results()::toString);
    for (FileResult result : sent) {
      assertTrue(Files.exists(storage.resolve("aji").resolve(result.storedAs())), result::toString);
    }
    for (FileResult result : failed) {
      assertEquals("quota_exceeded", result.errorCode(), result::toString);
      assertEquals(1, result.attempts(), () -> "not retried: " + result);
      assertTrue(result.errorMessage().contains("maxFiles"), result::errorMessage);
      assertFalse(Files.exists(storage.resolve("aji").resolve(result.name())), result::toString);
    }
  }

  @Test
  void quotaOfBytesCountsWhatIsStored() throws IOException {
    KirimServer server = authServer(new JsonObject().put("maxBytes", 250_000), null);
    PushReport report = pushFiles(server, quickRetries().setToken(TOKEN).setWindow(1), 3, null);
    assertEquals(2, report.count(FileStatus.SENT), report.results()::toString);
    FileResult over = report.results().stream().filter(FileResult::failed).findFirst().orElseThrow();
    assertEquals("quota_exceeded", over.errorCode());
    assertTrue(over.errorMessage().contains("maxBytes"), over::errorMessage);
  }

  @Test
  void certificateSubjectMapsToItsClientUnderMutualTls() throws IOException {
    assumeTrue(TestCerts.opensslAvailable(), "openssl is not installed");
    TestCerts certs = TestCerts.create(Files.createDirectories(dir.resolve("certs")));
    KirimServer server = authServer(new JsonObject(),
      new TlsConfig.Server(certs.server().cert(), certs.server().key(), certs.ca().cert()));
    ClientOptions options = quickRetries().setTls(new TlsConfig.Client(certs.ca().cert(), certs.client().cert(),
      certs.client().key(), null));
    PushReport report = pushFiles(server, options, 1, null);
    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
    assertEquals("robot", report.targets().get(0).client());
    assertArrayEquals(read(local.resolve("f0.bin")), read(storage.resolve("machines/robot/f0.bin")));
  }

  @Test
  void tokenFromConfig() throws IOException {
    KirimServer server = authServer(new JsonObject(), null);
    ClientOptions options = new ClientOptions(new JsonObject().put("token", TOKEN));
    assertEquals(PushReport.EXIT_OK, pushFiles(server, options, 1, null).exitCode());
  }

  @Test
  void tokenFromFile() throws IOException {
    KirimServer server = authServer(new JsonObject(), null);
    Path file = Files.writeString(dir.resolve("aji.token"), TOKEN + "\n");
    Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    assertEquals(null, ClientToken.readableByOthers(file), "a mode-600 file gets no warning");
    ClientOptions options = new ClientOptions(new JsonObject().put("tokenFile", file.toString()));
    PushReport report = pushFiles(server, options, 1, null);
    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
    assertEquals("aji", report.targets().get(0).client());
  }

  @Test
  void tokenFromEnvironment() throws IOException {
    KirimServer server = authServer(new JsonObject(), null);
    String token = ClientToken.resolve(null, null, name -> name.equals("KIRIM_TOKEN") ? TOKEN : null);
    PushReport report = pushFiles(server, quickRetries().setToken(token), 1, null);
    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
  }

  private Path storage() {
    return dir.resolve("storage");
  }
}
