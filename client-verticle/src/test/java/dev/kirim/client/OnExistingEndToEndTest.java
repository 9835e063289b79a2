package dev.kirim.client;

import dev.kirim.server.KirimServer;
import dev.kirim.server.OnExisting;
import dev.kirim.testkit.Checksums;
import dev.kirim.testkit.Trees;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;

import static dev.kirim.testkit.TestFiles.read;
import static dev.kirim.testkit.TestFiles.writeRandom;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each {@code onExisting} policy of the server, seen from the client: what the report says and what the
 * server's disk holds when the pushed name already exists there with other bytes.
 */
class OnExistingEndToEndTest extends PushTestBase {

  private static final FileTime OLD = FileTime.from(Instant.parse("2020-01-02T03:04:05Z"));

  @TempDir
  Path tmp;

  private Path home;
  private Path storage;
  private byte[] old;
  private byte[] pushed;

  @BeforeEach
  void placeFiles() throws IOException {
    home = tmp.resolve("home");
    storage = tmp.resolve("storage");
    old = writeRandom(storage.resolve("laporan.txt"), 1_001, 1);
    Files.setLastModifiedTime(storage.resolve("laporan.txt"), OLD);
    pushed = writeRandom(home.resolve("laporan.txt"), 3 * CHUNK + 33, 2);
  }

  private PushReport pushUnder(OnExisting policy) {
    KirimServer server = startServer(serverOptions(storage).setOnExisting(policy));
    return push(job(home, List.of("laporan.txt"), server));
  }

  @Test
  void skipKeepsADifferingCopyAndReportsItAsDiffersWithTheFix() throws IOException {
    PushReport report = pushUnder(OnExisting.SKIP);

    FileResult result = result(report, "laporan.txt");
    assertEquals(PushReport.EXIT_FAILED, report.exitCode(), "a copy that differs is not delivered");
    assertEquals(FileStatus.DIFFERS, result.status());
    assertEquals(old.length, result.bytes(), "the stored file's size, not the local one's");
    assertTrue(result.note().contains("1001 bytes, modified 2020-01-02T03:04:05Z"), result::note);
    assertTrue(result.note().contains(pushed.length + " bytes"), result::note);
    assertTrue(result.note().contains("onExisting"), result::note);
    assertTrue(report.summary().contains("DIFFERS laporan.txt"), report::summary);
    assertArrayEquals(old, read(storage.resolve("laporan.txt")));
    assertEquals(OLD, Files.getLastModifiedTime(storage.resolve("laporan.txt")), "untouched");
    assertEquals(List.of("laporan.txt"), Trees.list(storage));
  }

  @Test
  void updateReplacesADifferingCopyAndThenSkipsIt() throws IOException {
    PushReport first = pushUnder(OnExisting.UPDATE);

    assertEquals(PushReport.EXIT_OK, first.exitCode(), first::summary);
    assertSent(result(first, "laporan.txt"), pushed, storage);
    assertEquals(Files.getLastModifiedTime(home.resolve("laporan.txt")).toMillis(),
      Files.getLastModifiedTime(storage.resolve("laporan.txt")).toMillis(), "the sender's mtime is kept");
    assertEquals(List.of("laporan.txt"), Trees.list(storage), "replaced in place, no copy, no partial");

    PushReport second = push(job(home, List.of("laporan.txt"), startServer(serverOptions(storage)
      .setOnExisting(OnExisting.UPDATE))));

    assertEquals(PushReport.EXIT_OK, second.exitCode(), second::summary);
    assertEquals(FileStatus.SKIPPED, result(second, "laporan.txt").status(), "now the same: nothing to send");
    assertEquals(0, second.bytesSent());
  }

  @Test
  void overwriteReplacesTheStoredFile() {
    PushReport report = pushUnder(OnExisting.OVERWRITE);

    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
    assertSent(result(report, "laporan.txt"), pushed, storage);
    assertEquals(List.of("laporan.txt"), Trees.list(storage), "replaced in place, no copy, no partial");
  }

  @Test
  void renameKeepsBothAndReportsTheStoredName() {
    PushReport first = pushUnder(OnExisting.RENAME);

    FileResult result = result(first, "laporan.txt");
    assertEquals(PushReport.EXIT_OK, first.exitCode(), first::summary);
    assertEquals(FileStatus.SENT, result.status());
    assertEquals("laporan-1.txt", result.storedAs());
    assertEquals(Checksums.crc32c(pushed), result.checksum());
    assertArrayEquals(pushed, read(storage.resolve("laporan-1.txt")));
    assertArrayEquals(old, read(storage.resolve("laporan.txt")), "the stored file is kept");

    PushReport second = push(job(home, List.of("laporan.txt"), startServer(serverOptions(storage)
      .setOnExisting(OnExisting.RENAME))));

    assertEquals("laporan-2.txt", result(second, "laporan.txt").storedAs(), "every push stores another copy");
    assertEquals(List.of("laporan-1.txt", "laporan-2.txt", "laporan.txt"), Trees.list(storage));
  }

  @Test
  void failRefusesWithExistsAndExitCodeOne() throws IOException {
    PushReport report = pushUnder(OnExisting.FAIL);

    FileResult result = result(report, "laporan.txt");
    assertEquals(PushReport.EXIT_FAILED, report.exitCode());
    assertEquals(FileStatus.FAILED, result.status());
    assertEquals("exists", result.errorCode());
    assertTrue(result.errorMessage().contains("laporan.txt"), result::errorMessage);
    assertEquals(1, result.attempts(), "'exists' will not change by trying again");
    assertNull(result.storedAs());
    assertArrayEquals(old, read(storage.resolve("laporan.txt")));
    assertEquals(OLD, Files.getLastModifiedTime(storage.resolve("laporan.txt")), "untouched");
    assertEquals(List.of("laporan.txt"), Trees.list(storage));
  }
}
