package dev.kirim.client;

import dev.kirim.protocol.ChecksumAlgorithm;
import dev.kirim.server.KirimServer;
import dev.kirim.server.ServerOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Stream;

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

  /** Upper bound for any single wait in a test. */
  static final long TIMEOUT_SECONDS = 30;
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

  static Target target(KirimServer server) {
    return new Target("127.0.0.1", server.actualPort());
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

  /** Waits on the test thread (never an event loop) for {@code future}, at most {@link #TIMEOUT_SECONDS}. */
  static <T> T await(Future<T> future) {
    return await(future, TIMEOUT_SECONDS);
  }

  static <T> T await(Future<T> future, long seconds) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("the future failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("the future did not complete within " + seconds + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  /** Writes {@code size} random bytes (from {@code seed}) to {@code file}, creating its directories; returns them. */
  static byte[] writeRandom(Path file, int size, long seed) {
    byte[] bytes = randomBytes(size, seed);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new AssertionError("cannot write " + file, e);
    }
    return bytes;
  }

  static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file, e);
    }
  }

  /**
   * @return every file and directory under {@code root}, as sorted {@code /}-separated relative paths, directories
   *   with a trailing {@code /}: hidden partial files and stray empty files show up here too
   */
  static List<String> tree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      return paths.filter(p -> !p.equals(root))
        .map(p -> root.relativize(p).toString().replace(root.getFileSystem().getSeparator(), "/")
          + (Files.isDirectory(p) ? "/" : ""))
        .sorted()
        .toList();
    } catch (IOException e) {
      throw new AssertionError("cannot list " + root, e);
    }
  }

  static String checksum(byte[] bytes, ChecksumAlgorithm algorithm) {
    ChecksumAlgorithm.Checksum checksum = algorithm.start();
    checksum.update(bytes);
    return checksum.value();
  }

  static String crc32c(byte[] bytes) {
    return checksum(bytes, ChecksumAlgorithm.CRC32C);
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
    assertEquals(crc32c(content), result.checksum(), () -> "checksum of " + result);
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
