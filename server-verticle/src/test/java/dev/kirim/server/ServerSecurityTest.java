package dev.kirim.server;

import dev.kirim.config.ConfigException;
import dev.kirim.testkit.TestCerts;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.kirim.testkit.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The server's tls and auth keys: config errors in one line naming the key and the file, the TLS handshake
 * bounded by the header timeout, a TLS ClientHello to a plain server answered at once, and protected mode
 * letting loopback peers in (refusing other hosts needs a second host: e2e/multi-host.sh, scenario
 * "protected").
 */
@ExtendWith(VertxExtension.class)
class ServerSecurityTest {

  @TempDir
  Path dir;
  private Vertx vertx;
  private KirimServer server;

  @AfterEach
  void close() {
    if (server != null) {
      await(server.close());
    }
  }

  private static ConfigException refused(JsonObject json) {
    ConfigException failure = assertThrows(ConfigException.class, () -> new ServerOptions(json));
    assertFalse(failure.getMessage().contains("\n"), failure.getMessage());
    return failure;
  }

  private static JsonObject tls(Object cert, Object key) {
    return new JsonObject().put("tls", new JsonObject().put("cert", cert).put("key", key));
  }

  @Test
  void tlsFileProblemsNameTheKeyAndTheFile() throws Exception {
    Path missing = dir.resolve("missing.pem");
    String message = refused(tls(missing.toString(), "server.key")).getMessage();
    assertTrue(message.contains("'tls.cert'") && message.contains(missing.toString())
      && message.contains("does not exist"), message);

    Path notPem = Files.writeString(dir.resolve("notes.txt"), "just text\n");
    message = refused(tls(notPem.toString(), "server.key")).getMessage();
    assertTrue(message.contains("'tls.cert'") && message.contains(notPem.toString())
      && message.contains("not a PEM certificate"), message);

    assumeTrue(TestCerts.opensslAvailable(), "openssl is not installed");
    TestCerts certs = TestCerts.create(Files.createDirectories(dir.resolve("certs")));
    message = refused(tls(certs.server().cert().toString(), notPem.toString())).getMessage();
    assertTrue(message.contains("'tls.key'") && message.contains("not a PEM private key"), message);

    message = refused(tls(certs.server().cert().toString(), certs.client().key().toString())).getMessage();
    assertTrue(message.contains("'tls.key'") && message.contains("is not the private key of the certificate"),
      message);

    Path unreadable = Files.copy(certs.server().key(), dir.resolve("unreadable.key"));
    unreadable.toFile().setReadable(false, false);
    if (!Files.isReadable(unreadable)) {
      message = refused(tls(certs.server().cert().toString(), unreadable.toString())).getMessage();
      assertTrue(message.contains("'tls.key'") && message.contains("permission denied"), message);
    }

    message = refused(new JsonObject().put("tls", new JsonObject().put("cert", "a.pem"))).getMessage();
    assertTrue(message.contains("'tls.key' is not set"), message);
    message = refused(new JsonObject().put("tls", true)).getMessage();
    assertTrue(message.contains("'tls'"), message);
  }

  /**
   * A key in openssl's older forms ({@code EC PRIVATE KEY}, {@code RSA PRIVATE KEY}) is checked against the
   * certificate like a PKCS#8 one, and a key block that holds no key is refused: the wrong older-form key used to
   * pass, the server started and failed every handshake ("Invalid CertificateVerify signature"), and a damaged
   * PKCS#8 key made it exit 3 with "cannot listen on 127.0.0.1:0: Invalid PKCS8 encoding: … check 'host' and 'port'".
   */
  @Test
  void keysInTheOlderFormsAndDamagedKeysAreCheckedAtStart(Vertx vertx) throws Exception {
    assumeTrue(TestCerts.opensslAvailable(), "openssl is not installed");
    this.vertx = vertx;
    Path certDir = Files.createDirectories(dir.resolve("certs"));
    TestCerts certs = TestCerts.create(certDir);
    Path serverKey = openssl(certDir, "server-ec.key", "pkey", "-traditional", "-in", certs.server().key().toString());
    Path clientKey = openssl(certDir, "client-ec.key", "pkey", "-traditional", "-in", certs.client().key().toString());
    assertTrue(Files.readString(clientKey).startsWith("-----BEGIN EC PRIVATE KEY-----"));
    String message = refused(tls(certs.server().cert().toString(), clientKey.toString())).getMessage();
    assertTrue(message.contains("'tls.key'") && message.contains("is not the private key of the certificate"),
      message);

    openssl(certDir, "rsa.key", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "rsa.key", "-out",
      "rsa.pem", "-days", "1", "-subj", "/CN=localhost");
    Path rsaKey = openssl(certDir, "rsa-old.key", "pkey", "-traditional", "-in", "rsa.key");
    Path otherRsaKey = openssl(certDir, "other-rsa.key", "genrsa", "-traditional", "2048");
    assertTrue(Files.readString(otherRsaKey).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
    String rsaCert = certDir.resolve("rsa.pem").toString();
    new ServerOptions(tls(rsaCert, rsaKey.toString()));
    message = refused(tls(rsaCert, otherRsaKey.toString())).getMessage();
    assertTrue(message.contains("'tls.key'") && message.contains("is not the private key of the certificate"),
      message);

    // Encrypted keys, in both forms, are named as such (the older form's headers used to read as "not PEM").
    for (String[] encrypt : List.of(new String[] {"ec", "-aes128"}, new String[] {"pkey", "-aes128"})) {
      Path encrypted = openssl(certDir, encrypt[0] + "-encrypted.key", encrypt[0], encrypt[1], "-passout",
        "pass:secret", "-in", certs.server().key().toString());
      message = refused(tls(certs.server().cert().toString(), encrypted.toString())).getMessage();
      assertTrue(message.contains(encrypted + " holds an encrypted private key"), message);
    }

    Path damaged = Files.writeString(dir.resolve("damaged.key"),
      "-----BEGIN PRIVATE KEY-----\nAAAAAAAAAAAAAAAAAAAAAAAA\n-----END PRIVATE KEY-----\n");
    message = refused(tls(certs.server().cert().toString(), damaged.toString())).getMessage();
    assertTrue(message.contains("'tls.key'") && message.contains(damaged.toString())
      && message.contains("is not an RSA or EC private key kirim can use"), message);

    // The server's own key in the older form is taken, and the server speaks TLS with it.
    server = await(KirimServer.create(vertx, new ServerOptions(tls(certs.server().cert().toString(),
      serverKey.toString()).put("host", "127.0.0.1").put("port", 0).put("storageDir", dir.resolve("storage")
      .toString()))).listen());
    NetClient client = vertx.createNetClient(new NetClientOptions().setSsl(true)
      .setHostnameVerificationAlgorithm("HTTPS")
      .setTrustOptions(new PemTrustOptions().addCertPath(certs.ca().cert().toString())));
    NetSocket socket = await(client.connect(server.actualPort(), "127.0.0.1"));
    CompletableFuture<String> reply = new CompletableFuture<>();
    socket.handler(data -> reply.complete(data.toString()));
    socket.write("{\"type\":\"hello\",\"version\":2,\"clientId\":\"t\"}\n");
    assertTrue(reply.get(10, TimeUnit.SECONDS).startsWith("{\"type\":\"welcome\""), reply::join);
    await(client.close());
  }

  /** Runs openssl in {@code dir}, writing {@code out} there (unless the command names its own files); @return it */
  private static Path openssl(Path dir, String out, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("openssl", args[0]));
    if (!List.of(args).contains("-keyout")) {
      command.addAll(List.of("-out", out));
    }
    command.addAll(List.of(args).subList(1, args.length));
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, process.waitFor(), output);
    return dir.resolve(out);
  }

  @Test
  void authIsNoneOrATokensFile() {
    assertNull(new ServerOptions(new JsonObject()).getAuth());
    assertTrue(new ServerOptions(new JsonObject().put("auth", "none")).getAuth().isNone());
    String message = refused(new JsonObject().put("auth", "tokens")).getMessage();
    assertTrue(message.contains("'auth'") && message.contains("\"none\"") && message.contains("tokensFile"), message);
    Path missing = dir.resolve("no-tokens.json");
    message = refused(new JsonObject().put("auth", new JsonObject().put("tokensFile", missing.toString()))).getMessage();
    assertTrue(message.contains("'auth.tokensFile'") && message.contains("does not exist"), message);
    message = refused(new JsonObject().put("auth", new JsonObject().put("tokenFile", "t.json"))).getMessage();
    assertTrue(message.contains("'auth.tokenFile' is unknown"), message);
  }

  @Test
  void protectedModeLetsLoopbackPeersIn(Vertx vertx) {
    this.vertx = vertx;
    ServerOptions options = new ServerOptions().setHost("0.0.0.0").setPort(0).setStorageDir(dir.resolve("storage"));
    assertTrue(ProtectedMode.create(vertx, options).active());
    assertFalse(ProtectedMode.create(vertx, new ServerOptions(options).setAuth(AuthOptions.none())).active());
    assertFalse(ProtectedMode.create(vertx, new ServerOptions(options).setHost("127.0.0.1")).active());
    assertFalse(ProtectedMode.create(vertx, new ServerOptions(options).setHost("localhost")).active());
    server = await(KirimServer.create(vertx, options).listen());
    String reply = firstReply(server.actualPort(), "{\"type\":\"hello\",\"version\":2,\"clientId\":\"t\"}\n");
    assertTrue(reply.startsWith("{\"type\":\"welcome\""), reply);
  }

  /**
   * A certificate that expires within two weeks, or has expired, is a WARN line at start (and once a day after):
   * clients refuse an expired one, and the server used to start with it without a word.
   */
  @Test
  void aCertificateExpiringSoonOrExpiredIsWarnedAbout(Vertx vertx) throws Exception {
    assumeTrue(TestCerts.opensslAvailable(), "openssl is not installed");
    this.vertx = vertx;
    TestCerts certs = TestCerts.create(Files.createDirectories(dir.resolve("certs")));
    TestCerts.Pair soon = certs.issue("soon", "localhost", 3, "DNS:localhost", "IP:127.0.0.1");
    TestCerts.Pair lasting = certs.issue("lasting", "localhost", 30, "DNS:localhost", "IP:127.0.0.1");
    for (TestCerts.Pair pair : List.of(certs.expired(), soon, lasting)) {
      KirimServer started = await(KirimServer.create(vertx, new ServerOptions().setHost("127.0.0.1").setPort(0)
        .setStorageDir(dir.resolve("storage")).setTls(new dev.kirim.tls.TlsConfig.Server(pair.cert(), pair.key(),
          null))).listen());
      await(started.close());
    }
    List<String> lines = Files.readAllLines(Path.of("target/server-tests.log"));
    assertTrue(lines.stream().anyMatch(line -> line.contains("WARN")
      && line.contains(certs.expired().cert() + " expired at") && line.contains("clients refuse it")),
      () -> "no expiry warning in " + lines);
    assertTrue(lines.stream().anyMatch(line -> line.contains("WARN") && line.contains(soon.cert() + " expires at")
      && line.contains("in 2 day(s)")), () -> "no warning of the expiry to come in " + lines);
    assertTrue(lines.stream().noneMatch(line -> line.contains(lasting.cert() + " expire")), "30 days left: no warning");
  }

  /** A client that connects to a TLS server and never handshakes is closed at the header timeout. */
  @Test
  void tlsHandshakeIsBoundedByTheHeaderTimeout(Vertx vertx) throws Exception {
    assumeTrue(TestCerts.opensslAvailable(), "openssl is not installed");
    this.vertx = vertx;
    TestCerts certs = TestCerts.create(Files.createDirectories(dir.resolve("certs")));
    ServerOptions options = new ServerOptions().setHost("127.0.0.1").setPort(0).setStorageDir(dir.resolve("storage"))
      .setTls(new dev.kirim.tls.TlsConfig.Server(certs.server().cert(), certs.server().key(), null));
    options.getLimits().setHeaderTimeoutMs(500);
    server = await(KirimServer.create(vertx, options).listen());
    NetClient client = vertx.createNetClient();
    CompletableFuture<Long> closedAfter = new CompletableFuture<>();
    // The clock starts before the server's (at its accept), and the close handler is set on the event loop
    // as the connection completes, so a close that comes while this thread is held up is not missed.
    long started = System.nanoTime();
    client.connect(server.actualPort(), "127.0.0.1").onSuccess(socket ->
      socket.closeHandler(v -> closedAfter.complete((System.nanoTime() - started) / 1_000_000)));
    long millis = closedAfter.get(10, TimeUnit.SECONDS);
    assertTrue(millis >= 400 && millis < 5_000, "closed after " + millis + " ms");
  }

  /** A TLS ClientHello (first byte 0x16) to a plain server is answered at once, in plain text. */
  @Test
  void tlsClientHelloToPlainServerIsAnsweredAtOnce(Vertx vertx) {
    this.vertx = vertx;
    server = await(KirimServer.create(vertx, new ServerOptions().setHost("127.0.0.1").setPort(0)
      .setStorageDir(dir.resolve("storage"))).listen());
    long started = System.nanoTime();
    String reply = firstReply(server.actualPort(), "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u00fc\u0003\u0003");
    assertTrue((System.nanoTime() - started) / 1_000_000 < 3_000);
    assertTrue(reply.contains("\"code\":\"malformed\"") && reply.contains("does not use TLS"), reply);
  }

  private String firstReply(int port, String send) {
    NetClient client = vertx.createNetClient();
    NetSocket socket = await(client.connect(port, "127.0.0.1"));
    CompletableFuture<String> reply = new CompletableFuture<>();
    Buffer received = Buffer.buffer();
    socket.handler(data -> {
      received.appendBuffer(data);
      int newline = received.toString().indexOf('\n');
      if (newline >= 0) {
        reply.complete(received.toString().substring(0, newline));
      }
    });
    socket.closeHandler(v -> reply.complete(received.toString()));
    socket.write(Buffer.buffer(send.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
    try {
      return reply.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      socket.close();
    }
  }
}
