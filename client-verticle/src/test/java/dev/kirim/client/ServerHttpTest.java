package dev.kirim.client;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.server.KirimServer;
import dev.kirim.server.ListenException;
import dev.kirim.server.ServerLimits;
import dev.kirim.http.HttpOptions;
import dev.kirim.server.http.ServerHttp;
import dev.kirim.testkit.Checksums;
import dev.kirim.testkit.HttpGet;
import dev.kirim.testkit.TestFiles;
import dev.kirim.testkit.WireClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

import static dev.kirim.testkit.Await.await;
import static dev.kirim.testkit.HttpGet.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server's HTTP port over real HTTP, during real pushes: {@code /metrics} counters move by exactly what
 * was pushed (Vert.x's own net meters included, metrics being on in the Vertx instance as the server jar turns
 * them on), {@code /health} turns 503 when the storage cannot be written or is below its free-space reserve,
 * and {@code /api/status} shows an upload in flight.
 */
class ServerHttpTest extends PushTestBase {

  private static final String STORED = "kirim_files_total{result=\"stored\"}";
  private static final String SKIPPED = "kirim_files_total{result=\"skipped\"}";
  private static final String BYTES = "kirim_received_bytes_total";
  private static final String DURATIONS = "kirim_upload_duration_seconds_count";

  // One for the class: it must outlive each test's clean-up (PushTestBase's, which runs after this class's).
  private static Vertx metricsVertx;

  @BeforeAll
  static void metricsOn() {
    // As ServerApplication does for a server with an 'http' key.
    metricsVertx = Vertx.vertx(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
      .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))));
  }

  @AfterAll
  static void closeMetricsVertx() {
    await(metricsVertx.close());
  }

  @BeforeEach
  void useMetricsVertx() {
    vertx = metricsVertx;
  }

  private HttpGet http(KirimServer server) {
    ServerHttp http = await(ServerHttp.create(vertx, server, new HttpOptions().setPort(0)).listen());
    closeAfterTest(http::close);
    HttpGet get = new HttpGet(vertx, http.actualPort());
    closeAfterTest(get::close);
    return get;
  }

  @Test
  void countersMoveByWhatWasPushed(@TempDir Path source, @TempDir Path storage) throws Exception {
    KirimServer server = startServer(storage);
    HttpGet http = http(server);
    String before = await(http.get("/metrics")).body();
    assertEquals(0, value(before, STORED));
    assertEquals(0, value(before, BYTES));

    int[] sizes = {100_003, 4_099, 1_234_567};
    for (int i = 0; i < sizes.length; i++) {
      TestFiles.writeRandom(source.resolve("f" + i + ".bin"), sizes[i], i);
    }
    long total = sizes[0] + sizes[1] + sizes[2];
    PushReport first = push(job(source, List.of("f0.bin", "f1.bin", "f2.bin"), server));
    assertEquals(3, first.count(FileStatus.SENT));
    String afterFirst = await(http.get("/metrics")).body();
    assertEquals(3, value(afterFirst, STORED), afterFirst);
    assertEquals(total, value(afterFirst, BYTES));
    assertEquals(3, value(afterFirst, DURATIONS));
    assertEquals(0, value(afterFirst, "kirim_active_uploads"));
    assertTrue(value(afterFirst, "kirim_storage_free_bytes") != 0, afterFirst);
    // Vert.x's own meters are on the same page: the socket carried the bodies and the headers. Vert.x counts a
    // connection's bytes as it goes and settles them when it closes, which may come after the push's summary.
    String settled = await(until(http, "/metrics", body -> value(body, "kirim_connections") == 0));
    assertTrue(value(settled, "vertx_net_server_bytes_read_total") > total, settled);

    PushReport second = push(job(source, List.of("f0.bin", "f1.bin", "f2.bin"), server));
    assertEquals(3, second.count(FileStatus.SKIPPED));
    String afterSecond = await(http.get("/metrics")).body();
    assertEquals(3, value(afterSecond, STORED));
    assertEquals(3, value(afterSecond, SKIPPED));
    assertEquals(total, value(afterSecond, BYTES), "a skip receives no body");

    // An error by its code: a name the server refuses.
    WireClient wire = await(WireClient.connect(vertx, server.actualPort()));
    closeAfterTest(wire::close);
    await(wire.hello());
    await(wire.offer(1, "../escape.txt", 3));
    await(wire.expectError(ErrorCode.BAD_NAME, 1L));
    String afterRefusal = await(http.get("/metrics")).body();
    assertEquals(1, value(afterRefusal, "kirim_errors_total{code=\"bad_name\"}"), afterRefusal);
    assertEquals(1, value(afterRefusal, "kirim_files_total{result=\"refused\"}"));
  }

  @Test
  void anUploadInFlightShowsInMetricsAndStatus(@TempDir Path storage) {
    KirimServer server = startServer(storage);
    HttpGet http = http(server);
    byte[] content = TestFiles.randomBytes(300_001, 7);
    int half = 150_000;
    WireClient wire = await(WireClient.connect(vertx, server.actualPort()));
    closeAfterTest(wire::close);
    await(wire.hello());
    await(wire.offer(1, "in-flight.bin", content.length));
    await(wire.expect(Message.Send.class));
    await(wire.sendRaw(new Message.Data(1, 0, content.length).toBuffer().appendBytes(content, 0, half)));

    JsonObject status = new JsonObject(await(until(http, "/api/status", body -> {
      JsonArray uploads = new JsonObject(body).getJsonArray("uploads");
      return uploads.size() == 1 && uploads.getJsonObject(0).getLong("received") == half;
    })));
    JsonObject upload = status.getJsonArray("uploads").getJsonObject(0);
    assertEquals("in-flight.bin", upload.getString("name"));
    assertEquals("test-client", upload.getString("client"));
    assertEquals(content.length, upload.getLong("size"));
    assertEquals(server.serverId(), status.getString("serverId"));
    assertEquals(1, status.getJsonArray("connections").size());
    // The once-a-second sample counts the bytes of an upload still in flight.
    String during = await(until(http, "/metrics", body -> value(body, BYTES) == half));
    assertEquals(1, value(during, "kirim_active_uploads"));
    assertEquals(1, value(during, "kirim_connections"));

    await(wire.sendRaw(Buffer.buffer().appendBytes(content, half, content.length - half)));
    await(wire.send(new Message.Commit(1, Checksums.crc32c(content))));
    await(wire.expect(Message.Done.class));
    String after = await(http.get("/metrics")).body();
    assertEquals(content.length, value(after, BYTES));
    assertEquals(0, value(after, "kirim_active_uploads"));
    assertEquals(1, value(after, STORED));
    JsonObject recent = new JsonObject(await(http.get("/api/status")).body()).getJsonArray("recent").getJsonObject(0);
    assertEquals("in-flight.bin", recent.getString("name"));
    assertEquals(content.length, recent.getLong("bytes"));
  }

  /**
   * The port listens on loopback (the default), so only a request addressed to a loopback name is answered: a page
   * from elsewhere in a browser on this host, its own name pointed at 127.0.0.1 (DNS rebinding), gets 403 instead
   * of the status API's file names and peers.
   */
  @Test
  void aLoopbackPortAnswersOnlyRequestsAddressedToLoopback(@TempDir Path storage) {
    HttpGet http = http(startServer(storage));
    for (String host : List.of("127.0.0.1", "localhost", "LOCALHOST", "127.1.2.3", "[::1]")) {
      assertEquals(200, await(http.get("/api/status", host)).status(), host);
    }
    for (String host : List.of("rebound.example", "127.0.0.1.rebound.example", "localhost.example", "10.0.0.1")) {
      for (String path : List.of("/api/status", "/", "/metrics", "/health")) {
        HttpGet.Response response = await(http.get(path, host));
        assertEquals(403, response.status(), host + path);
        assertFalse(response.body().contains("serverId"), response.body());
      }
    }
  }

  @Test
  void healthTurns503WhenTheStorageCannotBeWritten(@TempDir Path source, @TempDir Path root) throws Exception {
    Path storage = Files.createDirectories(root.resolve("store"));
    KirimServer server = startServer(storage);
    HttpGet http = http(server);
    HttpGet.Response up = await(http.get("/health"));
    assertEquals(200, up.status(), up.body());
    JsonObject upJson = new JsonObject(up.body());
    assertEquals("UP", upJson.getString("status"));
    assertEquals(List.of("UP", "UP", "UP"), checks(upJson).stream().map(c -> c.getString("status")).toList());

    // Root ignores permission bits: the storage directory becomes a plain file, which no permission lets a
    // file be created in.
    Files.delete(storage);
    Files.writeString(storage, "not a directory");
    HttpGet.Response down = await(http.get("/health"));
    assertEquals(503, down.status(), down.body());
    JsonObject downJson = new JsonObject(down.body());
    assertEquals("DOWN", downJson.getString("status"));
    assertEquals("DOWN", check(downJson, "storage").getString("status"), down.body());
    assertEquals("UP", check(downJson, "listening").getString("status"));

    Files.delete(storage);
    Files.createDirectories(storage);
    assertEquals(200, await(http.get("/health")).status(), "healthy again once the directory is back");
  }

  @Test
  void healthTurns503BelowTheFreeSpaceReserve(@TempDir Path storage) {
    KirimServer server = startServer(serverOptions(storage)
      .setLimits(new ServerLimits().setMinFreeBytes(Long.MAX_VALUE / 2)));
    HttpGet.Response down = await(http(server).get("/health"));
    assertEquals(503, down.status(), down.body());
    JsonObject freeSpace = check(new JsonObject(down.body()), "freeSpace");
    assertEquals("DOWN", freeSpace.getString("status"));
    assertEquals(Long.MAX_VALUE / 2, freeSpace.getJsonObject("data").getLong("minFreeBytes"));
    assertEquals("UP", check(new JsonObject(down.body()), "storage").getString("status"));
  }

  private static List<JsonObject> checks(JsonObject health) {
    return health.getJsonArray("checks").stream().map(JsonObject.class::cast).toList();
  }

  private static JsonObject check(JsonObject health, String id) {
    return checks(health).stream().filter(c -> id.equals(c.getString("id"))).findFirst()
      .orElseThrow(() -> new AssertionError("no check '" + id + "' in " + health));
  }

  /**
   * GETs {@code path} until its body satisfies {@code condition}: the server's state moves on its own event
   * loops (and its throughput sample once a second), so asking again is how a test observes it. Every 50 ms, at
   * most 10 s.
   */
  private Future<String> until(HttpGet http, String path, Predicate<String> condition) {
    Promise<String> result = Promise.promise();
    long deadline = System.nanoTime() + 10_000_000_000L;
    poll(http, path, condition, deadline, result);
    return result.future();
  }

  private void poll(HttpGet http, String path, Predicate<String> condition, long deadline, Promise<String> result) {
    http.get(path).onComplete(ar -> {
      if (ar.succeeded() && condition.test(ar.result().body())) {
        result.complete(ar.result().body());
      } else if (System.nanoTime() > deadline) {
        result.fail(new AssertionError("GET " + path + " never matched; last: "
          + (ar.succeeded() ? ar.result().body() : ar.cause())));
      } else {
        vertx.setTimer(50, id -> poll(http, path, condition, deadline, result));
      }
    });
  }

  @Test
  void anHttpAddressInUseIsAListenFailureNamingTheKey(@TempDir Path storage) {
    KirimServer server = startServer(storage);
    ServerHttp first = await(ServerHttp.create(vertx, server, new HttpOptions().setPort(0)).listen());
    closeAfterTest(first::close);
    Throwable failure = await(ServerHttp.create(vertx, server, new HttpOptions().setPort(first.actualPort())).listen()
      .transform(ar -> Future.succeededFuture(ar.cause())));
    assertTrue(failure instanceof ListenException, String.valueOf(failure));
    assertEquals("cannot listen on 127.0.0.1:" + first.actualPort() + " for 'http': 127.0.0.1:" + first.actualPort()
      + " is already in use: set another 'http.port'", failure.getMessage());
  }
}
