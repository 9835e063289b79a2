package dev.kirim.server;

import dev.kirim.protocol.Message;
import dev.kirim.protocol.NameRules;
import dev.kirim.testkit.TestFiles;
import dev.kirim.testkit.Trees;
import dev.kirim.testkit.PartialWait;
import dev.kirim.testkit.WireClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.kirim.testkit.WireClient.check;

/**
 * What every server test needs: a Vert.x per test, a fresh storage directory, servers on 127.0.0.1 port 0,
 * raw clients, and looks at the storage directory. Everything started here is closed after the test.
 */
@ExtendWith(VertxExtension.class)
abstract class ServerTestBase {

  /** A small chunk size, so that test files span several chunks and end mid-chunk. */
  static final int CHUNK_BYTES = 4096;
  /**
   * A size the server streams into a partial file as it arrives (smaller bodies it may keep in memory until
   * the commit): what tests that look at partial files need.
   */
  static final int STREAMED_SIZE = Upload.BUFFERED_MAX_BYTES + 5 * CHUNK_BYTES + 3;
  /**
   * How often a test offers again while a name is still claimed by a connection the server is cleaning up
   * after (20 ms apart: at most about ten seconds).
   */
  static final int RETRIES = 500;

  @TempDir
  Path tempDir;

  Vertx vertx;
  Path storage;
  /** Servers closed after the test. */
  final List<KirimServer> servers = new CopyOnWriteArrayList<>();
  private final List<WireClient> clients = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUpServerTest(Vertx vertx) throws IOException {
    this.vertx = vertx;
    this.storage = Files.createDirectories(tempDir.resolve("storage"));
  }

  @AfterEach
  void closeEverything(VertxTestContext testContext) {
    List<Future<Void>> closing = new ArrayList<>();
    clients.forEach(client -> closing.add(client.close().otherwiseEmpty()));
    servers.forEach(server -> closing.add(server.close()));
    Future.join(closing).onComplete(testContext.succeedingThenComplete());
  }

  /** Options for a test server: loopback, any free port, the test's storage, no free-space reserve. */
  ServerOptions options() {
    ServerLimits limits = new ServerLimits().setChunkBytes(CHUNK_BYTES).setMinFreeBytes(0);
    return new ServerOptions().setHost("127.0.0.1").setPort(0).setStorageDir(storage).setLimits(limits);
  }

  Future<KirimServer> startServer(ServerOptions options) {
    KirimServer server = KirimServer.create(vertx, options);
    servers.add(server);
    return server.listen();
  }

  Future<KirimServer> startServer() {
    return startServer(options());
  }

  Future<WireClient> connect(KirimServer server) {
    return WireClient.connect(vertx, server.actualPort()).onSuccess(clients::add);
  }

  /** A connected client that has said hello and been welcomed. */
  Future<WireClient> connectReady(KirimServer server) {
    return connect(server).compose(client -> client.hello().map(client));
  }

  /** The same pseudo-random bytes for the same seed, so a failure can be replayed. */
  static byte[] content(int size, long seed) {
    return TestFiles.randomBytes(size, seed);
  }

  static Message.Offer offer(long id, String name, long size, Long mtime) {
    return new Message.Offer(id, name, size, mtime, null);
  }

  Path stored(String name) {
    return storage.resolve(name);
  }

  byte[] read(String name) {
    try {
      return Files.readAllBytes(stored(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @return the regular files under the storage directory that are not partial uploads, as wire names, sorted */
  List<String> finalFiles() {
    return files(storage).stream()
      .filter(path -> !path.getFileName().toString().endsWith(NameRules.PARTIAL_SUFFIX))
      .map(path -> storage.relativize(path).toString().replace('\\', '/'))
      .sorted()
      .toList();
  }

  /** @return the partial-upload files under the storage directory */
  List<Path> partials() {
    return files(storage).stream()
      .filter(path -> path.getFileName().toString().endsWith(NameRules.PARTIAL_SUFFIX))
      .toList();
  }

  /** @return every path (files, directories, links) under {@code root}, relative, directories ending in {@code /} */
  static List<String> tree(Path root) {
    return Trees.list(root);
  }

  private static List<Path> files(Path root) {
    // The server is live: it may delete a partial while the test looks.
    return Trees.walkLive(root).stream().filter(Files::isRegularFile).toList();
  }

  /** Asserts that the storage holds exactly these final files (and says what it holds when not). */
  void assertFinalFiles(String... names) {
    List<String> expected = Stream.of(names).sorted().toList();
    List<String> actual = finalFiles();
    check(actual.equals(expected), "storage should hold " + expected + " but holds " + actual);
  }

  void assertStored(String name, byte[] expected) {
    check(Files.isRegularFile(stored(name)), "'" + name + "' is not stored");
    check(java.util.Arrays.equals(read(name), expected), "'" + name + "' does not hold the bytes sent");
  }

  void assertNoPartials() {
    check(partials().isEmpty(), "partials left: " + partials());
  }

  /** Asserts that {@code name} holds {@code expected} and is all the storage holds: no other file, no partial. */
  void assertOnlyStored(String name, byte[] expected) {
    assertStored(name, expected);
    assertFinalFiles(name);
    assertNoPartials();
  }

  /**
   * Waits, without polling on a timer, until a partial file anywhere under the storage directory holds at
   * least {@code minBytes} ({@link PartialWait}).
   *
   * @return the partial file
   */
  Future<Path> awaitPartial(long minBytes) {
    return PartialWait.atLeast(vertx, storage, minBytes);
  }

  /**
   * Proves the server is still healthy after whatever a test did to it: a fresh client uploads {@code name}
   * (waiting out a {@code busy} claim of a connection being cleaned up) and the bytes arrive intact.
   */
  Future<Void> assertFreshClientUploads(KirimServer server, String name) {
    byte[] content = content(3 * CHUNK_BYTES + 17, name.hashCode());
    return connectReady(server)
      .compose(client -> client.offerUntilSent(offer(1, name, content.length, WireClient.MTIME), RETRIES)
        .map(send -> {
          check(send.offset() == 0, "expected send from 0, got " + send);
          return send;
        })
        .compose(send -> client.finishUpload(send.id(), content, 0))
        .compose(done -> client.close().map(done)))
      .map(done -> {
        check(done.name().equals(name) && done.bytes() == content.length, "unexpected " + done);
        assertStored(name, content);
        return null;
      });
  }

  /**
   * Says hello with {@code token} until welcomed: awaits the reload of a tokens file that adds it, which is
   * checked every 2 s. Each refusal is a failed attempt that blocks the address a little longer (100 ms,
   * 200 ms, ...): a handful of tries span the check interval; the welcome clears the address again.
   */
  Future<Message.Welcome> helloUntilWelcomed(KirimServer server, String token, int attempts) {
    return connect(server).compose(client -> {
      client.send(new Message.Hello(Message.VERSION, "reload", token));
      return client.next();
    }).compose(reply -> {
      if (reply instanceof Message.Welcome welcome) {
        return Future.succeededFuture(welcome);
      }
      if (attempts <= 1) {
        return Future.failedFuture(new AssertionError("never welcomed: " + reply));
      }
      return helloUntilWelcomed(server, token, attempts - 1);
    });
  }
}
