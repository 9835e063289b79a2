package dev.kirim.client;

import dev.kirim.server.KirimServer;
import dev.kirim.server.OnExisting;
import dev.kirim.protocol.Message;
import dev.kirim.testkit.Ports;
import dev.kirim.testkit.ScriptedServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import static dev.kirim.testkit.TestFiles.randomBytes;
import static dev.kirim.testkit.TestFiles.read;
import static dev.kirim.testkit.TestFiles.writeRandom;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code deleteAfterSend}: a local file goes only once every target holds it. */
class DeleteAfterSendTest extends PushTestBase {

  @TempDir
  Path tmp;

  private Path home;

  private PushJob deletingJob(List<String> files, KirimServer... servers) {
    return job(home, files, servers).setDeleteAfterSend(true);
  }

  private static JsonObject fileJson(PushReport report, String target, String name) {
    return report.toJson().getJsonArray("files").stream().map(JsonObject.class::cast)
      .filter(f -> f.getString("target").equals(target) && f.getString("name").equals(name))
      .findFirst().orElseThrow(() -> new AssertionError("no " + name + " on " + target + " in " + report.toJson()));
  }

  @Test
  void deliveredToBothTargetsIsDeletedAndReported() {
    home = tmp.resolve("home");
    byte[] a = writeRandom(home.resolve("spool/a.bin"), 50_001, 1);
    byte[] b = writeRandom(home.resolve("spool/b.bin"), 17, 2);
    KirimServer one = startServer(tmp.resolve("one"));
    KirimServer two = startServer(tmp.resolve("two"));

    PushReport report = push(deletingJob(List.of("spool"), one, two));

    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
    assertFalse(Files.exists(home.resolve("spool/a.bin")));
    assertFalse(Files.exists(home.resolve("spool/b.bin")));
    assertTrue(Files.isDirectory(home.resolve("spool")), "directories stay");
    for (Path storage : List.of(tmp.resolve("one"), tmp.resolve("two"))) {
      assertArrayEquals(a, read(storage.resolve("spool/a.bin")));
      assertArrayEquals(b, read(storage.resolve("spool/b.bin")));
    }
    assertTrue(fileJson(report, target(one).toString(), "spool/a.bin").getBoolean("deleted"));
    assertTrue(fileJson(report, target(two).toString(), "spool/b.bin").getBoolean("deleted"));
    assertEquals(new JsonObject().put("deleted", 2L).put("kept", 0L).put("failed", 0L),
      report.toJson().getJsonObject("deletions"));
    assertTrue(report.summary().contains("deleteAfterSend: 2 deleted, 0 kept"), report::summary);
  }

  @Test
  void oneTargetUnreachableKeepsEveryFile() {
    home = tmp.resolve("home");
    byte[] a = writeRandom(home.resolve("a.bin"), 8_000, 1);
    KirimServer one = startServer(tmp.resolve("one"));
    Target nobody = target(Ports.freePort());
    PushJob job = deletingJob(List.of("a.bin"), one);
    job.setTargets(List.of(target(one), nobody));

    PushReport report = push(quickRetries().setRetryAttempts(2), job);

    assertEquals(PushReport.EXIT_FAILED, report.exitCode(), report::summary);
    assertArrayEquals(a, read(home.resolve("a.bin")), "kept, untouched");
    assertEquals("sent", fileJson(report, target(one).toString(), "a.bin").getString("status"));
    assertFalse(fileJson(report, target(one).toString(), "a.bin").getBoolean("deleted"));
    assertFalse(fileJson(report, nobody.toString(), "a.bin").getBoolean("deleted"));
    assertTrue(report.summary().contains("deleteAfterSend: 0 deleted, 1 kept"), report::summary);
  }

  @Test
  void aServerRefusingADifferentCopyKeepsTheFile() throws IOException {
    home = tmp.resolve("home");
    byte[] ours = writeRandom(home.resolve("a.bin"), 5_000, 1);
    KirimServer one = startServer(tmp.resolve("one"));
    Path failing = tmp.resolve("failing");
    writeRandom(failing.resolve("a.bin"), 4_000, 2);
    KirimServer strict = startServer(serverOptions(failing).setOnExisting(OnExisting.FAIL));

    PushReport report = push(deletingJob(List.of("a.bin"), one, strict));

    assertEquals(PushReport.EXIT_FAILED, report.exitCode(), report::summary);
    assertArrayEquals(ours, read(home.resolve("a.bin")));
    assertEquals(1, report.deletions().count(Deletions.Outcome.KEPT));
  }

  @Test
  void aSkipBecauseTheServerHasTheSameFileCountsAsDelivered() {
    home = tmp.resolve("home");
    byte[] a = writeRandom(home.resolve("a.bin"), 70_000, 1);
    KirimServer one = startServer(tmp.resolve("one"));
    KirimServer two = startServer(tmp.resolve("two"));
    // An earlier push stored it on two: the server remembers its checksum, so its skip reports it.
    assertEquals(PushReport.EXIT_OK, push(job(home, List.of("a.bin"), two)).exitCode());

    PushReport report = push(deletingJob(List.of("a.bin"), one, two));

    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
    assertEquals("skipped", fileJson(report, target(two).toString(), "a.bin").getString("status"));
    assertFalse(Files.exists(home.resolve("a.bin")));
    assertArrayEquals(a, read(tmp.resolve("one/a.bin")));
  }

  @Test
  void aQuickCheckSkipThatCannotBeProvedKeepsOurs() throws IOException {
    home = tmp.resolve("home");
    byte[] ours = writeRandom(home.resolve("a.bin"), 70_000, 1);
    KirimServer one = startServer(tmp.resolve("one"));
    writeRandom(tmp.resolve("one/a.bin"), 70_000, 2);
    // Same size and mtime, other bytes: the quick check calls it the same, and cannot prove it.
    Files.setLastModifiedTime(tmp.resolve("one/a.bin"), Files.getLastModifiedTime(home.resolve("a.bin")));

    PushReport report = push(deletingJob(List.of("a.bin"), one));

    assertEquals("skipped", fileJson(report, target(one).toString(), "a.bin").getString("status"), report::summary);
    assertArrayEquals(ours, read(home.resolve("a.bin")), "the server kept another file under the name");
    JsonObject json = fileJson(report, target(one).toString(), "a.bin");
    assertFalse(json.getBoolean("deleted"));
    assertTrue(json.getString("deleteNote").contains("cannot be compared"), json::encode);
    assertTrue(report.summary().contains("KEPT " + home.resolve("a.bin")), report::summary);
  }

  @Test
  void aFileRewrittenAfterItWasSentIsKeptEvenWithItsOldSizeAndTime() throws IOException {
    home = tmp.resolve("home");
    Path file = home.resolve("a.bin");
    writeRandom(file, 30_000, 1);
    // Rewritten once its bytes are at the server, keeping size and modification time (cp -p, touch -r, a file
    // server's lagging clock): only its contents tell the version the server confirmed from this one.
    ScriptedServer server = startScripted((connection, message) -> {
      if (message instanceof Message.Commit) {
        try {
          FileTime mtime = Files.getLastModifiedTime(file);
          writeRandom(file, 30_000, 2);
          Files.setLastModifiedTime(file, mtime);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      ScriptedServer.OBLIGING.handle(connection, message);
    });

    PushReport report = push(job(home, List.of("a.bin")).setTargets(List.of(target(server.port())))
      .setDeleteAfterSend(true));

    assertEquals(FileStatus.SENT, result(report, "a.bin").status(), report::summary);
    assertArrayEquals(randomBytes(30_000, 2), read(file), "the version the server never got is kept");
    assertEquals(1, report.deletions().count(Deletions.Outcome.CHANGED), report::summary);
    JsonObject json = fileJson(report, target(server.port()).toString(), "a.bin");
    assertTrue(json.getString("deleteNote").contains("this version is not on every target"), json::encode);
  }

  @Test
  void aLinkNotFollowedIsNeitherPushedNorDeleted() throws IOException {
    home = tmp.resolve("home");
    writeRandom(home.resolve("dir/a.bin"), 100, 1);
    writeRandom(home.resolve("target.bin"), 100, 2);
    Files.createSymbolicLink(home.resolve("dir/link.bin"), home.resolve("target.bin"));
    KirimServer one = startServer(tmp.resolve("one"));

    PushReport report = push(deletingJob(List.of("dir"), one));

    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
    assertFalse(Files.exists(home.resolve("dir/a.bin")));
    assertTrue(Files.isSymbolicLink(home.resolve("dir/link.bin")));
    assertTrue(Files.exists(home.resolve("target.bin")));
  }

  @Test
  void aFollowedLinkIsDeletedItselfNeverItsTarget() throws IOException {
    home = tmp.resolve("home");
    byte[] target = writeRandom(home.resolve("elsewhere/target.bin"), 100, 2);
    Files.createDirectories(home.resolve("dir"));
    Files.createSymbolicLink(home.resolve("dir/link.bin"), home.resolve("elsewhere/target.bin"));
    KirimServer one = startServer(tmp.resolve("one"));

    PushReport report = push(deletingJob(List.of("dir"), one).setFollowSymlinks(true));

    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
    assertFalse(Files.exists(home.resolve("dir/link.bin"), LinkOption.NOFOLLOW_LINKS));
    assertArrayEquals(target, read(home.resolve("elsewhere/target.bin")));
  }

  @Test
  void aFileThatCannotBeDeletedIsReportedAndExitsOne() throws Exception {
    home = tmp.resolve("home");
    writeRandom(home.resolve("stuck.bin"), 100, 1);
    KirimServer one = startServer(tmp.resolve("one"));
    Undeletable undeletable = Undeletable.make(home.resolve("stuck.bin"));
    try {
      PushReport report = push(deletingJob(List.of("stuck.bin"), one));

      assertEquals(PushReport.EXIT_FAILED, report.exitCode(), report::summary);
      assertTrue(Files.exists(home.resolve("stuck.bin")));
      assertEquals(FileStatus.SENT, result(report, "stuck.bin").status(), "delivered all the same");
      JsonObject json = fileJson(report, target(one).toString(), "stuck.bin");
      assertFalse(json.getBoolean("deleted"));
      assertTrue(json.getString("deleteError").contains("stuck.bin"), json::encode);
      assertEquals(1, report.summary().lines().filter(l -> l.contains("NOT DELETED")).count(), report::summary);
      assertEquals(1, report.toJson().getInteger("exitCode"));
    } finally {
      undeletable.undo();
    }
  }

  /** Root may delete from a read-only directory: it gets an immutable file instead. */
  private record Undeletable(Path file, boolean immutable) {

    static Undeletable make(Path file) throws Exception {
      if ("root".equals(System.getProperty("user.name"))) {
        assumeTrue(run("chattr", "+i", file.toString()), "chattr +i is not available here");
        return new Undeletable(file, true);
      }
      file.getParent().toFile().setWritable(false);
      return new Undeletable(file, false);
    }

    void undo() throws Exception {
      if (immutable) {
        run("chattr", "-i", file.toString());
      } else {
        file.getParent().toFile().setWritable(true);
      }
    }

    private static boolean run(String... command) throws Exception {
      try {
        return new ProcessBuilder(command).redirectErrorStream(true).start().waitFor() == 0;
      } catch (IOException e) {
        return false;
      }
    }
  }
}
