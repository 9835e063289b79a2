package dev.kirim.client;

import dev.kirim.server.KirimServer;
import dev.kirim.testkit.Trees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.kirim.testkit.TestFiles.writeRandom;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code exclude} and {@code followSymlinks} through a real server: what is stored, what the report says. */
class SelectionEndToEndTest extends PushTestBase {

  @TempDir
  Path tmp;

  @Test
  void aLinkInsideAPushedDirectoryToAFileOutsideIsNotStoredButReportedSkipped() throws IOException {
    Path home = tmp.resolve("home");
    Path storage = tmp.resolve("storage");
    byte[] report = writeRandom(home.resolve("out/report.csv"), 5_000, 1);
    writeRandom(home.resolve("private/id_ed25519"), 400, 2);
    Files.createSymbolicLink(home.resolve("out/innocent.txt"), home.resolve("private/id_ed25519"));
    KirimServer server = startServer(storage);

    PushReport pushed = push(job(home, List.of("out"), server));

    assertEquals(PushReport.EXIT_OK, pushed.exitCode(), pushed::summary);
    assertSent(result(pushed, "out/report.csv"), report, storage);
    FileResult link = result(pushed, "out/innocent.txt");
    assertEquals(FileStatus.SKIPPED, link.status());
    assertEquals(SymlinkPolicy.NOT_FOLLOWED, link.note());
    assertEquals(0, link.bytesTransferred());
    assertEquals(List.of("out/", "out/report.csv"), Trees.list(storage), "the outside file is not stored");
    assertTrue(pushed.summary().contains("out/innocent.txt") && pushed.summary().contains("not followed"),
      pushed::summary);
    assertEquals("skipped", pushed.toJson().getJsonArray("files").getJsonObject(0).getString("status"));
  }

  @Test
  void followSymlinksTrueStoresTheTargetUnderTheLinksName() throws IOException {
    Path home = tmp.resolve("home");
    Path storage = tmp.resolve("storage");
    writeRandom(home.resolve("out/a.bin"), 3_000, 1);
    byte[] outside = writeRandom(home.resolve("shared/lib.bin"), 9_999, 2);
    Files.createSymbolicLink(home.resolve("out/lib.bin"), home.resolve("shared/lib.bin"));
    KirimServer server = startServer(storage);

    PushReport pushed = push(job(home, List.of("out"), server).setFollowSymlinks(true));

    assertEquals(PushReport.EXIT_OK, pushed.exitCode(), pushed::summary);
    assertSent(result(pushed, "out/lib.bin"), outside, storage);
    assertFalse(Files.isSymbolicLink(storage.resolve("out/lib.bin")));
  }

  @Test
  void aCycleOfLinksWithFollowSymlinksEndsAndTheRestIsDelivered() throws IOException {
    Path home = tmp.resolve("home");
    Path storage = tmp.resolve("storage");
    byte[] a = writeRandom(home.resolve("tree/a.bin"), 1_234, 1);
    byte[] b = writeRandom(home.resolve("tree/sub/b.bin"), 4_321, 2);
    Files.createSymbolicLink(home.resolve("tree/sub/loop"), home.resolve("tree"));
    KirimServer server = startServer(storage);

    PushReport pushed = push(job(home, List.of("tree"), server).setFollowSymlinks(true));

    assertEquals(PushReport.EXIT_OK, pushed.exitCode(), pushed::summary);
    assertSent(result(pushed, "tree/a.bin"), a, storage);
    assertSent(result(pushed, "tree/sub/b.bin"), b, storage);
    assertEquals(FileStatus.SKIPPED, result(pushed, "tree/sub/loop").status());
    assertEquals(SymlinkPolicy.CYCLE, result(pushed, "tree/sub/loop").note());
    assertEquals(List.of("tree/", "tree/a.bin", "tree/sub/", "tree/sub/b.bin"), Trees.list(storage));
  }

  @Test
  void excludedFilesAreNeitherStoredNorReported() {
    Path home = tmp.resolve("home");
    Path storage = tmp.resolve("storage");
    byte[] keep = writeRandom(home.resolve("build/app.jar"), 7_000, 1);
    writeRandom(home.resolve("build/tmp/x.class"), 100, 2);
    writeRandom(home.resolve("build/app.jar.tmp"), 100, 3);
    writeRandom(home.resolve("build/.DS_Store"), 10, 4);
    KirimServer server = startServer(storage);

    PushReport pushed = push(job(home, List.of("build"), server)
      .setExclude(List.of("build/tmp/**", "*.tmp", ".DS_Store")));

    assertEquals(PushReport.EXIT_OK, pushed.exitCode(), pushed::summary);
    assertEquals(List.of("build/app.jar"), names(pushed.results()));
    assertSent(result(pushed, "build/app.jar"), keep, storage);
    assertEquals(List.of("build/", "build/app.jar"), Trees.list(storage));
  }
}
