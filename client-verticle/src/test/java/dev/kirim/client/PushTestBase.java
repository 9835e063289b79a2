package dev.kirim.client;

import dev.kirim.server.KirimServer;
import dev.kirim.server.ServerOptions;
import dev.kirim.testkit.Checksums;
import dev.kirim.testkit.ScriptedServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import static dev.kirim.testkit.Await.await;
import static dev.kirim.testkit.TestFiles.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the end-to-end tests share: a Vert.x per test, real servers on 127.0.0.1 port 0, clients with retries
 * quick enough for tests, random files and looks at a storage tree. Everything started here is closed after
 * the test.
 * <p>
 * The scenarios are sequences ("push, then push again, then look at the disk"), so the test thread waits on
 * each future, always with a bound; event loops are never blocked.
 */
@ExtendWith(VertxExtension.class)
abstract class PushTestBase {

  /** A small chunk size, so that test files span many chunks and end mid-chunk. */
  static final int CHUNK = 4096;

  Vertx vertx;
  private final List<KirimServer> servers = new CopyOnWriteArrayList<>();
  private final List<KirimClient> clients = new CopyOnWriteArrayList<>();
  private final List<Supplier<Future<?>>> closers = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUpVertx(Vertx vertx) {
    this.vertx = vertx;
  }

  @AfterEach
  void closeClientsAndServers() {
    clients.forEach(client -> await(client.close()));
    servers.forEach(server -> await(server.close()));
    closers.forEach(closer -> await(closer.get()));
  }

  /** Has {@code close} run after the test, after the clients and servers are closed. */
  void closeAfterTest(Supplier<Future<?>> close) {
    closers.add(close);
  }

  /** A server on 127.0.0.1, on a free port, storing into {@code storage}, with every other option at its default. */
  static ServerOptions serverOptions(Path storage) {
    return new ServerOptions().setHost("127.0.0.1").setPort(0).setStorageDir(storage);
  }

  KirimServer startServer(Path storage) {
    return startServer(serverOptions(storage));
  }

  KirimServer startServer(ServerOptions options) {
    KirimServer server = await(KirimServer.create(vertx, options).listen());
    servers.add(server);
    return server;
  }

  /** A scripted server on 127.0.0.1, closed after the test. */
  ScriptedServer startScripted(ScriptedServer.Script script) {
    ScriptedServer server = await(ScriptedServer.start(vertx, script));
    closeAfterTest(server::close);
    return server;
  }

  static Target target(KirimServer server) {
    return target(server.actualPort());
  }

  /** @return 127.0.0.1:{@code port}: a test server, a scripted server or a tap */
  static Target target(int port) {
    return new Target("127.0.0.1", port);
  }

  /** A job pushing {@code files} (relative to {@code baseDir}) to the servers. */
  static PushJob job(Path baseDir, List<String> files, KirimServer... servers) {
    return new PushJob()
      .setTargets(Arrays.stream(servers).map(PushTestBase::target).toList())
      .setBaseDir(baseDir)
      .setFiles(files);
  }

  /** A client retrying every 10 to 100 ms, quick enough for tests. */
  static ClientOptions quickRetries() {
    return new ClientOptions()
      .setRetryBackoffMs(10)
      .setRetryMaxBackoffMs(100)
      .setConnectTimeoutMs(5_000);
  }

  Future<PushReport> pushAsync(ClientOptions options, PushJob job) {
    KirimClient client = KirimClient.create(vertx, options);
    clients.add(client);
    return client.push(job);
  }

  PushReport push(ClientOptions options, PushJob job) {
    return await(pushAsync(options, job));
  }

  /** Pushes with {@link #quickRetries()}. */
  PushReport push(PushJob job) {
    return push(quickRetries(), job);
  }

  /** @return the results by remote name; fails on two results for one name */
  static Map<String, FileResult> byName(List<FileResult> results) {
    Map<String, FileResult> byName = new LinkedHashMap<>();
    for (FileResult result : results) {
      if (byName.put(result.name(), result) != null) {
        fail("two results for '" + result.name() + "': " + results);
      }
    }
    return byName;
  }

  /** @return the one result for {@code name} in a push to a single target */
  static FileResult result(PushReport report, String name) {
    FileResult result = byName(report.results()).get(name);
    if (result == null) {
      fail("no result for '" + name + "' in " + report.results());
    }
    return result;
  }

  /** Asserts a file was sent intact: status, size, checksum, stored name, and the bytes on the server. */
  static void assertSent(FileResult result, byte[] content, Path storage) {
    assertEquals(FileStatus.SENT, result.status(), () -> "status of " + result);
    assertEquals(content.length, result.bytes(), () -> "bytes of " + result);
    assertEquals(Checksums.crc32c(content), result.checksum(), () -> "checksum of " + result);
    assertEquals(result.name(), result.storedAs(), () -> "stored name of " + result);
    assertArrayEquals(content, read(storage.resolve(result.storedAs())), () -> "bytes stored for " + result);
  }

  /** @return the remote names of {@code results}, sorted (results come in the order the files finished) */
  static List<String> names(List<FileResult> results) {
    List<String> names = new ArrayList<>();
    results.forEach(r -> names.add(r.name()));
    names.sort(null);
    return names;
  }
}
