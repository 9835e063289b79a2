package dev.kirim.client;

import dev.kirim.config.ConfigException;
import dev.kirim.server.KirimServer;
import dev.kirim.testkit.Checksums;
import dev.kirim.testkit.Trees;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.kirim.testkit.Await.await;
import static dev.kirim.testkit.TestFiles.writeRandom;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The verticle as the launcher runs it: configuration in, one push, the report it completes with; and the JSON
 * report file scripts read, as the program writes it from that report.
 */
class ClientVerticleTest extends PushTestBase {

  private static final Set<String> FILE_KEYS = Set.of("target", "server", "name", "storedAs", "local", "status",
    "bytes", "bytesTransferred", "resumedFrom", "checksum", "error", "durationMs", "attempts");

  @TempDir
  Path tmp;

  private Future<String> deploy(ClientVerticle verticle, JsonObject config) {
    return vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config));
  }

  @Test
  void reportFileHasTotalsAndOneEntryPerFileAndTarget() throws IOException {
    Path home = tmp.resolve("home");
    Map<String, byte[]> files = new HashMap<>();
    files.put("a.txt", writeRandom(home.resolve("a.txt"), 1_234, 1));
    files.put("b.bin", writeRandom(home.resolve("b.bin"), 77_777, 2));
    KirimServer server = startServer(tmp.resolve("storage"));
    Path reportFile = tmp.resolve("reports/2026/push.json");
    JsonObject config = new JsonObject()
      .put("targets", new JsonArray().add("127.0.0.1:" + server.actualPort()))
      .put("files", new JsonArray().add("a.txt").add("b.bin").add("hilang.txt"))
      .put("baseDir", home.toString())
      .put("retry", new JsonObject().put("backoffMs", 10))
      .put("report", reportFile.toString());
    ClientVerticle verticle = new ClientVerticle();

    await(deploy(verticle, config));
    PushReport pushed = await(verticle.completion());
    ReportWriter.write(new ClientConfig(config).report(), pushed);

    JsonObject report = new JsonObject(Files.readString(reportFile));
    assertEquals(pushed.toJson(), report, "the file holds the report the verticle completed with");
    assertEquals(1, report.getInteger("exitCode"));
    assertNotNull(Instant.parse(report.getString("startedAt")));
    assertTrue(report.getLong("durationMs") >= 0);
    assertEquals(new JsonObject().put("targets", 1).put("files", 3).put("sent", 2).put("skipped", 0).put("differs", 0)
      .put("failed", 1).put("bytesSent", 1_234 + 77_777).put("bytesTransferred", 1_234 + 77_777),
      report.getJsonObject("totals"));
    JsonObject target = report.getJsonArray("targets").getJsonObject(0);
    assertEquals("127.0.0.1:" + server.actualPort(), target.getString("target"));
    assertEquals(server.serverId(), target.getString("server"));
    assertEquals(2, target.getInteger("sent"));

    JsonArray entries = report.getJsonArray("files");
    assertEquals(3, entries.size());
    for (int i = 0; i < entries.size(); i++) {
      JsonObject entry = entries.getJsonObject(i);
      assertEquals(FILE_KEYS, entry.fieldNames(), entry::encode);
      assertEquals("127.0.0.1:" + server.actualPort(), entry.getString("target"));
      assertEquals(home.resolve(entry.getString("name")).toString(), entry.getString("local"));
      assertTrue(entry.getLong("durationMs") >= 0);
      byte[] content = files.get(entry.getString("name"));
      if (content != null) {
        assertEquals("sent", entry.getString("status"));
        assertEquals(content.length, entry.getLong("bytes"));
        assertEquals(Checksums.crc32c(content), entry.getString("checksum"));
        assertNull(entry.getValue("error"));
      } else {
        assertEquals("hilang.txt", entry.getString("name"));
        assertEquals("failed", entry.getString("status"));
        assertEquals("not_found", entry.getJsonObject("error").getString("code"));
        assertTrue(entry.getJsonObject("error").getString("message").contains(home.resolve("hilang.txt").toString()),
          entry::encode);
      }
    }
  }

  /**
   * The report replaces the previous one in one step, and its permissions with it. It used to be rewritten in
   * place — truncated, then written — so that a process stopped in between (a second Ctrl-C halts the JVM at once,
   * a kill, a full disk) left part of a JSON document and no previous report, and a reader could read half of one:
   * here, a second name for the previous report (a hard link, what a reader holding it open sees) was rewritten too.
   */
  @Test
  void theReportReplacesThePreviousOneInOneStep() throws IOException {
    Path home = tmp.resolve("home");
    writeRandom(home.resolve("a.txt"), 10, 4);
    KirimServer server = startServer(tmp.resolve("storage"));
    Path reports = Files.createDirectories(tmp.resolve("reports"));
    Path reportFile = reports.resolve("push.json");
    JsonObject config = new JsonObject()
      .put("targets", new JsonArray().add("127.0.0.1:" + server.actualPort()))
      .put("files", new JsonArray().add("a.txt"))
      .put("baseDir", home.toString())
      .put("report", reportFile.toString());
    ClientVerticle verticle = new ClientVerticle();
    await(deploy(verticle, config));
    PushReport pushed = await(verticle.completion());
    ReportWriter.write(reportFile, pushed);
    Files.setPosixFilePermissions(reportFile, PosixFilePermissions.fromString("rw-r-----"));
    // Made readable to another group (as root, which may give any; CI runs as root): the new file keeps it.
    GroupPrincipal monitoring = reportFile.getFileSystem().getUserPrincipalLookupService()
      .lookupPrincipalByGroupName("daemon");
    boolean root = "root".equals(System.getProperty("user.name"));
    if (root) {
      Files.getFileAttributeView(reportFile, PosixFileAttributeView.class).setGroup(monitoring);
    }
    String previous = Files.readString(reportFile);
    Path held = Files.createLink(reports.resolve("held.json"), reportFile);

    ReportWriter.write(reportFile, pushed, Interruption.EXIT_SIGINT);

    if (root) {
      assertEquals(monitoring, Files.readAttributes(reportFile, PosixFileAttributes.class).group());
    }

    assertEquals(previous, Files.readString(held), "the previous report was not rewritten in place");
    assertEquals(Interruption.EXIT_SIGINT, new JsonObject(Files.readString(reportFile)).getInteger("exitCode"));
    assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(reportFile)));
    assertEquals(List.of("held.json", "push.json"), Trees.list(reports), "no temporary file left");
  }

  @Test
  void badConfigurationFailsTheDeploymentNamingTheKey() {
    JsonObject config = new JsonObject().put("targets", new JsonArray().add("127.0.0.1:0")).put("files",
      new JsonArray().add("a.txt"));

    AssertionError failed = assertThrows(AssertionError.class, () -> await(deploy(new ClientVerticle(), config)));

    ConfigException cause = assertInstanceOf(ConfigException.class, failed.getCause());
    assertTrue(cause.getMessage().contains("'targets[0]'"), cause::getMessage);
  }

  /**
   * A report sent to a pipe or a device ({@code "report": "/dev/stdout"}) is written into it: renaming a file over
   * it would replace the pipe itself (as root, a device node too).
   */
  @Test
  void aReportToAPipeIsWrittenIntoThePipe() throws Exception {
    Path fifo = tmp.resolve("report.fifo");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
    CompletableFuture<String> read = CompletableFuture.supplyAsync(() -> {
      try {
        return Files.readString(fifo);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, runnable -> {
      Thread reader = new Thread(runnable, "fifo-reader");
      reader.setDaemon(true);
      reader.start();
    });
    ReportWriter.write(fifo, new PushReport(Instant.now(), 5, List.of()), 0);

    assertEquals(0, new JsonObject(read.get(10, TimeUnit.SECONDS)).getInteger("exitCode"));
    assertTrue(Files.exists(fifo) && !Files.isRegularFile(fifo), "the pipe is still there");
    assertEquals(List.of("report.fifo"), Trees.list(tmp));
  }

  @Test
  void reportThatCannotBeWrittenFailsNamingTheKey() throws IOException {
    Path home = tmp.resolve("home");
    writeRandom(home.resolve("a.txt"), 10, 3);
    KirimServer server = startServer(tmp.resolve("storage"));
    Path directory = Files.createDirectories(tmp.resolve("a-directory"));
    JsonObject config = new JsonObject()
      .put("targets", new JsonArray().add("127.0.0.1:" + server.actualPort()))
      .put("files", new JsonArray().add("a.txt"))
      .put("baseDir", home.toString())
      .put("report", directory.toString());
    ClientVerticle verticle = new ClientVerticle();

    await(deploy(verticle, config));
    PushReport pushed = await(verticle.completion());
    IllegalStateException failed = assertThrows(IllegalStateException.class,
      () -> ReportWriter.write(new ClientConfig(config).report(), pushed));

    String message = failed.getMessage();
    assertTrue(message.contains(directory.toString()) && message.contains("'report'"), message);
    assertEquals(List.of("a.txt"), Trees.list(tmp.resolve("storage")), "the push itself went through");
    try (var left = Files.list(tmp)) {
      assertEquals(List.of("a-directory", "home", "storage"), left.map(p -> p.getFileName().toString()).sorted()
        .toList(), "no temporary file left");
    }
  }
}
