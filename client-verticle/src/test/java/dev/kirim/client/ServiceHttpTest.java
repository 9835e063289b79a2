package dev.kirim.client;

import dev.kirim.cluster.KirimCluster;
import dev.kirim.config.ConfigException;
import dev.kirim.server.KirimServer;
import dev.kirim.testkit.HttpGet;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.kirim.testkit.Await.await;
import static dev.kirim.testkit.HttpGet.value;
import static dev.kirim.testkit.TestFiles.writeRandom;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client running as a service with an HTTP port: {@code /metrics} counts its jobs, their files and bytes by
 * exactly what the jobs did; {@code /health} is 200 while it takes jobs. The key is refused for a one-shot push.
 */
class ServiceHttpTest extends PushTestBase {

  @Test
  void metricsCountTheJobsAndHealthIsUp(@TempDir Path source, @TempDir Path storage) {
    KirimServer server = startServer(storage);
    writeRandom(source.resolve("a.bin"), 10_001, 1);
    writeRandom(source.resolve("b.bin"), 70_003, 2);
    JsonObject config = new JsonObject().put("baseDir", source.toString())
      .put("service", new JsonObject().put("allowedTargets", new JsonArray().add("127.0.0.1:" + server.actualPort())))
      .put("http", new JsonObject().put("port", 0));
    ClientVerticle verticle = new ClientVerticle();
    await(vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config)));
    HttpGet http = new HttpGet(vertx, verticle.http().actualPort());
    closeAfterTest(http::close);

    HttpGet.Response health = await(http.get("/health"));
    assertEquals(200, health.status(), health.body());
    assertEquals("UP", new JsonObject(health.body()).getString("status"));

    JsonObject job = new JsonObject().put("targets", new JsonArray().add("127.0.0.1:" + server.actualPort()))
      .put("files", new JsonArray().add("a.bin").add("b.bin"));
    assertEquals(0, await(vertx.eventBus().<JsonObject>request(KirimCluster.PUSH_ADDRESS, job)).body()
      .getInteger("exitCode"));
    assertEquals(0, await(vertx.eventBus().<JsonObject>request(KirimCluster.PUSH_ADDRESS, job)).body()
      .getInteger("exitCode"));
    assertThrows(AssertionError.class, () -> await(vertx.eventBus().request(KirimCluster.PUSH_ADDRESS,
      new JsonObject().put("files", new JsonArray().add("a.bin")))));

    String metrics = await(http.get("/metrics")).body();
    assertEquals(2, value(metrics, "kirim_client_jobs_total{result=\"done\"}"), metrics);
    assertEquals(1, value(metrics, "kirim_client_jobs_total{result=\"refused\"}"));
    assertEquals(2, value(metrics, "kirim_client_files_total{status=\"sent\"}"));
    assertEquals(2, value(metrics, "kirim_client_files_total{status=\"skipped\"}"));
    assertEquals(80_004, value(metrics, "kirim_client_sent_bytes_total"));
    assertEquals(2, value(metrics, "kirim_client_job_duration_seconds_count"));
    assertEquals(0, value(metrics, "kirim_client_active_jobs"));
  }

  @Test
  void httpIsForAService() {
    ConfigException failure = assertThrows(ConfigException.class, () -> new ClientConfig(new JsonObject()
      .put("targets", new JsonArray().add("127.0.0.1")).put("files", new JsonArray().add("x"))
      .put("http", new JsonObject())));
    assertTrue(failure.getMessage().contains("'http'") && failure.getMessage().contains("service"),
      failure.getMessage());
    assertEquals(25564, new ClientConfig(new JsonObject().put("service", true).put("http", new JsonObject()))
      .http().getPort());
  }
}
