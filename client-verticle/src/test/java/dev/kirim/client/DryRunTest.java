package dev.kirim.client;

import dev.kirim.config.ConfigException;
import dev.kirim.server.KirimServer;
import dev.kirim.server.OnExisting;
import dev.kirim.testkit.Trees;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;

import static dev.kirim.testkit.TestFiles.read;
import static dev.kirim.testkit.TestFiles.writeRandom;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code dryRun: true}: every file is offered, each server says what it would do, and nothing changes anywhere. */
class DryRunTest extends PushTestBase {

  @TempDir
  Path tmp;

  @Test
  void aDryRunReportsWhatWouldHappenAndChangesNothing() throws IOException {
    Path home = tmp.resolve("home");
    Path storage = tmp.resolve("storage");
    writeRandom(home.resolve("same.bin"), 70_000, 1);
    byte[] stored = writeRandom(home.resolve("changed.bin"), 70_000, 2);
    KirimServer server = startServer(serverOptions(storage).setOnExisting(OnExisting.UPDATE));
    assertEquals(PushReport.EXIT_OK, push(job(home, List.of("same.bin", "changed.bin"), server)).exitCode());
    writeRandom(home.resolve("changed.bin"), 70_000, 3);
    Files.setLastModifiedTime(home.resolve("changed.bin"), FileTime.fromMillis(1_700_000_000_000L));
    writeRandom(home.resolve("new/deep/fresh.txt"), 500, 4);
    Map<String, Long> before = Trees.sizes(storage);

    PushReport report = push(quickRetries().setDryRun(true),
      job(home, List.of("same.bin", "changed.bin", "new"), server));

    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
    assertEquals(FileStatus.SKIPPED, result(report, "same.bin").status());
    assertEquals(FileStatus.WOULD_SEND, result(report, "changed.bin").status());
    assertTrue(result(report, "changed.bin").note().contains("replace the server's differing copy"),
      result(report, "changed.bin")::note);
    assertEquals(FileStatus.WOULD_SEND, result(report, "new/deep/fresh.txt").status());
    assertEquals("would be created", result(report, "new/deep/fresh.txt").note());
    assertEquals(0, report.bytesSent());
    assertTrue(report.summary().contains("kirim: DRY RUN, nothing was sent: 3 file(s) x 1 target(s): 2 would be sent, "
      + "1 skipped, 0 failed"), report::summary);
    assertTrue(report.summary().contains("WOULD SEND new/deep/fresh.txt"), report::summary);
    JsonObject json = report.toJson();
    assertTrue(json.getBoolean("dryRun"));
    assertEquals(2, json.getJsonObject("totals").getInteger("wouldSend"));
    assertEquals("would-send", json.getJsonArray("files").getJsonObject(0).getString("status"));

    assertEquals(before, Trees.sizes(storage), "nothing stored, no directory, no partial");
    assertArrayEquals(stored, read(storage.resolve("changed.bin")));
  }

  @Test
  void aDryRunReportsACopyThatDiffersAndExitsOneAsTheRealPushWould() {
    Path home = tmp.resolve("home");
    Path storage = tmp.resolve("storage");
    writeRandom(storage.resolve("a.bin"), 100, 5);
    writeRandom(home.resolve("a.bin"), 200, 6);
    KirimServer server = startServer(storage);

    PushReport report = push(quickRetries().setDryRun(true), job(home, List.of("a.bin"), server));

    assertEquals(FileStatus.DIFFERS, result(report, "a.bin").status());
    assertEquals(PushReport.EXIT_FAILED, report.exitCode());
    assertTrue(report.summary().contains("NOT DELIVERED"), report::summary);
  }

  @Test
  void aDryRunDeletesNothingEvenWithDeleteAfterSend() {
    Path home = tmp.resolve("home");
    writeRandom(home.resolve("a.bin"), 100, 7);
    KirimServer server = startServer(tmp.resolve("storage"));
    assertEquals(PushReport.EXIT_OK, push(job(home, List.of("a.bin"), server)).exitCode());

    PushReport report = push(quickRetries().setDryRun(true),
      job(home, List.of("a.bin"), server).setDeleteAfterSend(true));

    assertEquals(FileStatus.SKIPPED, result(report, "a.bin").status());
    assertTrue(Files.exists(home.resolve("a.bin")), "a dry run changes nothing, here either");
  }

  @Test
  void dryRunIsABooleanKey() {
    JsonObject config = new JsonObject().put("targets", new JsonArray().add("127.0.0.1:1"))
      .put("files", new JsonArray().add("a")).put("dryRun", true);
    assertTrue(new ClientConfig(config).options().isDryRun());
    ConfigException failure = assertThrows(ConfigException.class,
      () -> new ClientConfig(config.copy().put("dryRun", "yes")));
    assertTrue(failure.getMessage().contains("'dryRun'"), failure.getMessage());
  }
}
