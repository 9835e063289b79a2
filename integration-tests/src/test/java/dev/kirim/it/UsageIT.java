package dev.kirim.it;

import dev.kirim.testkit.TestCerts;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static dev.kirim.it.Outputs.assertUsageError;
import static dev.kirim.testkit.Ports.freePort;
import static dev.kirim.testkit.TestFiles.mkdirs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The seed's "Usage Error" case, done properly: bad usage or configuration ends the jar with exit code 2
 * and one clear line on stderr naming what to fix, never a stack trace. A key that has no effect in this run
 * ({@code cluster.tls} without {@code -cluster}) is a warning, not an error.
 */
@Timeout(120)
class UsageIT {

  private static final String CLIENT = "kirim-client: error: ";
  private static final String SERVER = "kirim-server: error: ";

  @TempDir
  Path dir;

  @RegisterExtension
  final KirimProcesses kirim = new KirimProcesses();


  @Test
  void clientWithoutConfTellsHowToRunIt() {
    assertUsageError(kirim.client(dir).run(), CLIENT, "-conf");
  }

  @Test
  void clientWithEmptyConfigNamesTargets() {
    assertUsageError(kirim.client(dir).conf("{}").run(), CLIENT, "'targets'");
  }

  @Test
  void clientWithoutFilesNamesFiles() {
    JsonObject conf = new JsonObject().put("targets", new JsonArray().add("127.0.0.1:25563"));
    assertUsageError(kirim.client(dir).conf(conf).run(), CLIENT, "'files'");
  }

  @Test
  void clientWithMissingConfigFileSaysItDoesNotExist() {
    assertUsageError(kirim.client(dir).conf("missing.json").run(), CLIENT, "missing.json", "does not exist");
  }

  @Test
  void clientWithMalformedConfigFileSaysItIsNotJson() throws IOException {
    Files.writeString(dir.resolve("broken.json"), "{\"targets\": [\"127.0.0.1:25563\"],\n \"files\": [\n");
    assertUsageError(kirim.client(dir).conf("broken.json").run(), CLIENT, "broken.json", "not valid JSON");
  }

  @Test
  void clientWithBadPortNamesTheTarget() {
    JsonObject conf = new JsonObject()
      .put("targets", new JsonArray().add("127.0.0.1:99999"))
      .put("files", new JsonArray().add("report.csv"));
    assertUsageError(kirim.client(dir).conf(conf).run(), CLIENT, "targets[0]", "99999");
  }

  @Test
  void clientWithUnknownKeyNamesIt() {
    JsonObject conf = new JsonObject()
      .put("targets", new JsonArray().add("127.0.0.1:25563"))
      .put("files", new JsonArray().add("report.csv"))
      .put("paralelism", 4);
    assertUsageError(kirim.client(dir).conf(conf).run(), CLIENT, "'paralelism'");
  }

  @Test
  void clientConfigErrorsInAFileNameTheKeyToo() throws IOException {
    Files.writeString(dir.resolve("client.json"), new JsonObject()
      .put("targets", new JsonArray().add("127.0.0.1:25563"))
      .put("files", new JsonArray().add("report.csv"))
      .put("retry", new JsonObject().put("attempts", "three"))
      .encodePrettily());
    assertUsageError(kirim.client(dir).conf("client.json").run(), CLIENT, "'retry.attempts'");
  }

  @Test
  void serverWithBadPortNamesIt() {
    KirimProcess server = kirim.server(dir).conf(new JsonObject().put("port", "abc")).run();
    assertUsageError(server, SERVER, "'port'");
    assertFalse(Files.exists(dir.resolve("received")), "no storage directory created");
  }

  @Test
  void serverWithBadPolicyNamesIt() {
    KirimProcess server = kirim.server(dir).conf(new JsonObject().put("port", 0).put("onExisting", "maybe")).run();
    assertUsageError(server, SERVER, "'onExisting'", "maybe");
  }

  @Test
  void serverWithUnknownLimitNamesIt() {
    JsonObject conf = new JsonObject().put("port", 0).put("limits", new JsonObject().put("maxFileSize", 1));
    assertUsageError(kirim.server(dir).conf(conf).run(), SERVER, "'limits.maxFileSize'");
  }

  @Test
  void serverWithMissingConfigFileSaysItDoesNotExist() {
    assertUsageError(kirim.server(dir).conf("nowhere/server.json").run(), SERVER, "server.json", "does not exist");
    assertEquals(0, dir.toFile().list().length, "nothing created in the working directory");
  }

  @Test
  void serverWithMissingTlsCertificateNamesKeyAndFile() {
    JsonObject conf = new JsonObject().put("storageDir", dir.resolve("storage").toString())
      .put("tls", new JsonObject().put("cert", "nowhere.pem").put("key", "nowhere.key"));
    assertUsageError(kirim.server(dir).conf(conf).run(), SERVER, "'tls.cert'", "nowhere.pem", "does not exist");
  }

  /** Checked before anything starts: no Hazelcast member is started to be told the certificate is missing. */
  @Test
  void clusteredClientWithMissingClusterTlsCertificateNamesKeyAndFile() {
    JsonObject conf = new JsonObject()
      .put("targets", new JsonArray().add("cluster:all"))
      .put("files", new JsonArray().add("report.csv"))
      .put("cluster", new JsonObject().put("tls", new JsonObject().put("cert", "nowhere.pem")
        .put("key", "member.key").put("ca", "cluster-ca.pem")));
    assertUsageError(kirim.client(dir).conf(conf).args("-cluster").run(), CLIENT, "'cluster.tls.cert'",
      "nowhere.pem", "does not exist");
  }

  /** Not an error: the same configuration may serve a clustered and a standalone run. */
  @Test
  void clusterTlsWithoutClusterIsOneWarningAndTheServerStarts() {
    assumeTrue(TestCerts.opensslAvailable(), "openssl is not installed");
    TestCerts certs = TestCerts.create(mkdirs(dir.resolve("certs")));
    TestCerts.Pair member = certs.issue("member", "kirim member", 30);
    int port = freePort();
    JsonObject cluster = new JsonObject().put("tls", new JsonObject().put("cert", member.cert().toString())
      .put("key", member.key().toString()).put("ca", certs.ca().cert().toString()));
    KirimProcess server = kirim.startServer(dir, port, new JsonObject().put("cluster", cluster));
    List<String> warnings = server.outputLines().stream().filter(line -> line.contains("'cluster.tls'")).toList();
    assertEquals(1, warnings.size(), server.describe());
    assertTrue(warnings.get(0).contains("WARN") && warnings.get(0).contains("has no effect without -cluster"),
      server.describe());
  }

  @Test
  void serverWithBadTokensFileNamesTheProblem() throws IOException {
    String hash = "0".repeat(64);
    Files.writeString(dir.resolve("tokens.json"), new JsonObject().put("clients", new JsonArray()
      .add(new JsonObject().put("name", "aji").put("tokenSha256", hash).put("dir", "aji"))
      .add(new JsonObject().put("name", "aji").put("tokenSha256", hash.replace('0', '1')).put("dir", "aji2"))).encode());
    JsonObject conf = new JsonObject().put("storageDir", dir.resolve("storage").toString())
      .put("auth", new JsonObject().put("tokensFile", "tokens.json"));
    assertUsageError(kirim.server(dir).conf(conf).run(), SERVER, "'auth.tokensFile'", "tokens.json",
      "the name is used by another entry too");
  }

  @Test
  void clientWithTlsCaThatIsNotPemNamesKeyAndFile() throws IOException {
    Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
    JsonObject conf = new JsonObject().put("targets", new JsonArray().add("127.0.0.1:25563"))
      .put("files", new JsonArray().add("x")).put("tls", new JsonObject().put("ca", "ca.pem"));
    assertUsageError(kirim.client(dir).conf(conf).run(), CLIENT, "'tls.ca'", "ca.pem", "not a PEM certificate");
  }

  @Test
  void serverWithAShortClusterSecretSaysHowToMakeOne() throws IOException {
    Files.writeString(dir.resolve("cluster.secret"), "hunter2\n");
    Files.setPosixFilePermissions(dir.resolve("cluster.secret"), PosixFilePermissions.fromString("rw-------"));
    JsonObject conf = new JsonObject().put("storageDir", dir.resolve("storage").toString())
      .put("cluster", new JsonObject().put("secret", "cluster.secret"));
    assertUsageError(kirim.server(dir).conf(conf).run(), SERVER, "'cluster.secret'", "at least 32",
      "openssl rand -base64 32");
  }

  @Test
  void serviceWithAnEmptyAllowedTargetsListNamesTheKey() {
    JsonObject conf = new JsonObject().put("service", new JsonObject().put("allowedTargets", new JsonArray()));
    assertUsageError(kirim.client(dir).conf(conf).run(), CLIENT, "'service.allowedTargets' is empty");
  }
}
