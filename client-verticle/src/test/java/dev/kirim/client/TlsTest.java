package dev.kirim.client;

import dev.kirim.cluster.KirimCluster;
import dev.kirim.server.KirimServer;
import dev.kirim.server.ServerVerticle;
import dev.kirim.server.ServerOptions;
import dev.kirim.testkit.TestCerts;
import dev.kirim.tls.TlsConfig;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import static dev.kirim.testkit.Await.await;
import static dev.kirim.testkit.TestFiles.writeRandom;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real TLS on 127.0.0.1 with certificates made for the test by a small test CA ({@link TestCerts}): pushes
 * over TLS and mutual TLS, and every way it can go wrong, each ending fast (no timeout), in one line, with
 * the report's code {@code tls} and no retry.
 */
class TlsTest extends PushTestBase {

  /**
   * Below every timeout in play (the server's header timeout, 10 s; the client's connect and handshake
   * timeouts, 20 s in these tests): a mismatch must not wait for one. Generous, as the first TLS connection
   * of a JVM sets up the JDK's TLS, and CI machines are slow.
   */
  private static final long FAST_MS = 8_000;

  @TempDir
  static Path certDir;
  private static TestCerts certs;

  @TempDir
  Path dir;

  @BeforeAll
  static void makeCertificates() {
    assumeTrue(TestCerts.opensslAvailable(), "openssl is not installed");
    certs = TestCerts.create(certDir);
  }

  @Test
  void pushesOverTls() {
    KirimServer server = startServer(tlsServer(certs.server(), null));
    FileResult result = pushOne(server, new TlsConfig.Client(certs.ca().cert(), null, null, null));
    assertSent(result, content, storage);
  }

  @Test
  void pushesOverMutualTls() {
    KirimServer server = startServer(tlsServer(certs.server(), certs.ca().cert()));
    FileResult result = pushOne(server, new TlsConfig.Client(certs.ca().cert(), certs.client().cert(),
      certs.client().key(), null));
    assertSent(result, content, storage);
  }

  @Test
  void plainClientAgainstTlsServerFailsFastSayingSo() {
    KirimServer server = startServer(tlsServer(certs.server(), null));
    FileResult result = failsFast(server, null);
    assertTrue(result.errorMessage().contains("requires TLS"), result::errorMessage);
  }

  @Test
  void tlsClientAgainstPlainServerFailsFastSayingSo() {
    KirimServer server = startServer(serverOptions(storage()));
    FileResult result = failsFast(server, new TlsConfig.Client(certs.ca().cert(), null, null, null));
    assertTrue(result.errorMessage().contains("answered in plain text, not TLS"), result::errorMessage);
  }

  @Test
  void serverCertificateFromAnotherCaIsRefused() {
    KirimServer server = startServer(tlsServer(certs.server(), null));
    FileResult result = failsFast(server, new TlsConfig.Client(certs.otherCa().cert(), null, null, null));
    assertTrue(result.errorMessage().contains("not signed by a CA this client trusts"), result::errorMessage);
  }

  @Test
  void expiredServerCertificateIsRefused() {
    KirimServer server = startServer(tlsServer(certs.expired(), null));
    FileResult result = failsFast(server, new TlsConfig.Client(certs.ca().cert(), null, null, null));
    assertTrue(result.errorMessage().contains("has expired"), result::errorMessage);
  }

  @Test
  void certificateForAnotherNameIsRefused() {
    KirimServer server = startServer(tlsServer(certs.server(), null));
    FileResult result = failsFast(server, new TlsConfig.Client(certs.ca().cert(), null, null, "files.example"));
    assertTrue(result.errorMessage().contains("is not issued for 'files.example'"), result::errorMessage);
  }

  @Test
  void certificateWithoutTheTargetsAddressIsRefused() {
    TestCerts.Pair named = certs.issue("named", "files.example", 30, "DNS:files.example");
    KirimServer server = startServer(tlsServer(named, null));
    FileResult result = failsFast(server, new TlsConfig.Client(certs.ca().cert(), null, null, null));
    assertTrue(result.errorMessage().contains("is not issued for '127.0.0.1'"), result::errorMessage);
    // The same certificate is fine once the client checks the name it carries.
    assertSent(pushOne(server, new TlsConfig.Client(certs.ca().cert(), null, null, "files.example")), content,
      storage);
  }

  @Test
  void mutualTlsWithoutClientCertificateIsRefused() {
    KirimServer server = startServer(tlsServer(certs.server(), certs.ca().cert()));
    FileResult result = failsFast(server, new TlsConfig.Client(certs.ca().cert(), null, null, null));
    assertTrue(result.errorMessage().contains("requires a client certificate"), result::errorMessage);
  }

  @Test
  void mutualTlsWithClientCertificateFromAnotherCaIsRefused() {
    KirimServer server = startServer(tlsServer(certs.server(), certs.otherCa().cert()));
    FileResult result = failsFast(server, new TlsConfig.Client(certs.ca().cert(), certs.client().cert(),
      certs.client().key(), null));
    assertEquals("tls", result.errorCode(), result::toString);
  }

  /** cluster: targets go through the same TLS client: a TLS-only server found in the registry gets TLS. */
  @Test
  void clusterTargetsUseTlsToo() {
    JsonObject config = tlsServer(certs.server(), null).setServerId("tls-1").toJson();
    await(vertx.deployVerticle(ServerVerticle.class, new DeploymentOptions().setConfig(config)));
    content = writeRandom(dir.resolve("out/c.bin"), 70_001, 3);
    PushReport report = push(quickRetries().setTls(new TlsConfig.Client(certs.ca().cert(), null, null, null)),
      job(dir.resolve("out"), List.of("c.bin")).setClusterTargets(List.of(KirimCluster.TARGET_ALL)));
    assertEquals(PushReport.EXIT_OK, report.exitCode(), report.summary());
    assertEquals("cluster:all", report.targets().get(0).via());
    assertSent(result(report, "c.bin"), content, storage);
  }

  /** The server starts with an expired certificate; new files are taken without a restart. */
  @Test
  void reloadsItsCertificateWhenTheFilesChange() throws Exception {
    Path cert = dir.resolve("live.pem");
    Path key = dir.resolve("live.key");
    Files.copy(certs.expired().cert(), cert);
    Files.copy(certs.expired().key(), key);
    Promise<Void> reloaded = Promise.promise();
    KirimServer server = KirimServer.create(vertx, tlsServer(new TestCerts.Pair(cert, key), null))
      .tlsReloadHandler(v -> reloaded.tryComplete());
    await(server.listen());
    closeAfterTest(server::close);
    TlsConfig.Client tls = new TlsConfig.Client(certs.ca().cert(), null, null, null);
    assertTrue(failsFast(server, tls).errorMessage().contains("has expired"));

    // Key first, then certificate, as a renewal tool might: the half-renewed state is refused and waited out.
    Files.copy(certs.server().key(), key, StandardCopyOption.REPLACE_EXISTING);
    Files.copy(certs.server().cert(), cert, StandardCopyOption.REPLACE_EXISTING);
    await(reloaded.future(), 15);
    assertSent(pushOne(server, tls), content, storage);
  }

  // ------------------------------------------------------------------ helpers

  private byte[] content;
  private Path storage;
  private Path local;

  private Path storage() {
    if (storage == null) {
      storage = dir.resolve("storage");
    }
    return storage;
  }

  private ServerOptions tlsServer(TestCerts.Pair pair, Path clientCa) {
    return serverOptions(storage()).setTls(new TlsConfig.Server(pair.cert(), pair.key(), clientCa));
  }

  private FileResult pushOne(KirimServer server, TlsConfig.Client tls) {
    return pushOne(server, quickRetries().setTls(tls));
  }

  private FileResult pushOne(KirimServer server, ClientOptions options) {
    if (local == null) {
      local = dir.resolve("local");
      content = writeRandom(local.resolve("report.bin"), 300_001, 9);
    }
    PushReport report = push(options, job(local, List.of("report.bin"), server));
    return result(report, "report.bin");
  }

  /** @return the one failed result, after asserting it failed fast, with code tls, in one line, tried once */
  private FileResult failsFast(KirimServer server, TlsConfig.Client tls) {
    long started = System.nanoTime();
    FileResult result = pushOne(server, quickRetries().setTls(tls).setConnectTimeoutMs(20_000));
    long millis = (System.nanoTime() - started) / 1_000_000;
    assertEquals(FileStatus.FAILED, result.status(), result::toString);
    assertEquals("tls", result.errorCode(), result::toString);
    assertTrue(millis < FAST_MS, () -> "took " + millis + " ms: " + result);
    assertFalse(result.errorMessage().contains("\n"), result::errorMessage);
    assertFalse(result.errorMessage().contains("after 2 tries") || result.errorMessage().contains("after 3 tries"),
      result::errorMessage);
    return result;
  }
}
