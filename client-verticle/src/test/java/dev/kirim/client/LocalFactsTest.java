package dev.kirim.client;

import dev.kirim.protocol.ChecksumAlgorithm;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

import static dev.kirim.testkit.Await.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Small files are read whole when looked at; a larger file's checksum is reused only while it is unchanged. */
@ExtendWith(VertxExtension.class)
class LocalFactsTest {

  @TempDir
  Path dir;

  private static final int LARGE = LocalFacts.SMALL_FILE_BYTES + 1;

  @Test
  void aLearnedChecksumIsReusedWhileTheFileIsUnchanged(Vertx vertx) throws Exception {
    Path file = Files.write(dir.resolve("a.bin"), new byte[LARGE]);
    LocalFacts facts = new LocalFacts(vertx, ChecksumAlgorithm.CRC32C, false, false);

    LocalFacts.Facts first = await(facts.of(file));
    assertEquals(LARGE, first.size());
    assertNull(first.checksum(), "nothing has read the file yet");
    assertNull(first.content(), "a large file is not read when looked at");

    facts.learned(file, first.withChecksum("crc32c:12345678"));
    assertEquals("crc32c:12345678", await(facts.of(file)).checksum());

    Files.write(file, new byte[LARGE + 9]);
    Files.setLastModifiedTime(file, FileTime.fromMillis(first.mtime() + 5_000));
    LocalFacts.Facts changed = await(facts.of(file));
    assertEquals(LARGE + 9, changed.size());
    assertNull(changed.checksum(), "a changed file must be read again");
  }

  /** Targets sending one file at once share one read for its checksum; a later send reads again. */
  @Test
  void concurrentChecksumsOfOneVersionShareOneRead(Vertx vertx) throws Exception {
    byte[] content = dev.kirim.testkit.TestFiles.randomBytes(64 * 1024 * 1024, 5);
    Path file = Files.write(dir.resolve("big.bin"), content);
    LocalFacts facts = new LocalFacts(vertx, ChecksumAlgorithm.CRC32C, false, false);
    LocalFacts.Facts version = await(facts.of(file));

    Future<String> first = facts.checksumShared(file, version);
    Future<String> second = facts.checksumShared(file, version);
    Future<String> third = facts.checksumShared(file, version);
    assertSame(second, third, "asked while the first read runs: the same read");

    String expected = dev.kirim.testkit.Checksums.crc32c(content);
    assertEquals(expected, await(first));
    assertEquals(expected, await(second));
    Future<String> later = facts.checksumShared(file, version);
    assertNotSame(second, later, "once read, a later send reads again (or finds it learned)");
    assertEquals(expected, await(later));
  }

  @Test
  void aSmallFileIsReadWholeWithItsChecksum(Vertx vertx) throws Exception {
    Path file = Files.writeString(dir.resolve("small.txt"), "123456789");
    LocalFacts.Facts facts = await(new LocalFacts(vertx, ChecksumAlgorithm.CRC32C, false, false).of(file));
    assertEquals(9, facts.size());
    assertEquals("crc32c:e3069283", facts.checksum());
    assertEquals("123456789", new String(facts.content(), java.nio.charset.StandardCharsets.US_ASCII));
  }

  @Test
  void anEmptyFileAndOneOfTheSmallLimitAreReadWhole(Vertx vertx) throws Exception {
    byte[] limit = new byte[LocalFacts.SMALL_FILE_BYTES];
    new java.util.Random(7).nextBytes(limit);
    LocalFacts facts = new LocalFacts(vertx, ChecksumAlgorithm.CRC32C, false, false);

    LocalFacts.Facts empty = await(facts.of(Files.write(dir.resolve("empty"), new byte[0])));
    assertEquals(0, empty.size());
    assertEquals("crc32c:00000000", empty.checksum());
    assertEquals(0, empty.content().length);

    LocalFacts.Facts full = await(facts.of(Files.write(dir.resolve("limit"), limit)));
    assertEquals(limit.length, full.size());
    assertArrayEquals(limit, full.content());
    ChecksumAlgorithm.Checksum expected = ChecksumAlgorithm.CRC32C.start();
    expected.update(limit);
    assertEquals(expected.value(), full.checksum());
  }

  @Test
  void forgetDropsTheChecksum(Vertx vertx) throws Exception {
    Path file = Files.write(dir.resolve("b.bin"), new byte[LARGE]);
    LocalFacts facts = new LocalFacts(vertx, ChecksumAlgorithm.CRC32C, false, false);
    facts.learned(file, await(facts.of(file)).withChecksum("crc32c:00000001"));
    facts.forget(file);
    assertNull(await(facts.of(file)).checksum());
  }

  @Test
  void aMissingFileFailsNamingIt(Vertx vertx) {
    Path missing = dir.resolve("missing.txt");
    Throwable failure = new LocalFacts(vertx, ChecksumAlgorithm.CRC32C, false, false).of(missing).toCompletionStage().toCompletableFuture()
      .handle((ok, error) -> error).join();
    assertTrue(String.valueOf(failure.getMessage()).contains(missing + " does not exist"), String.valueOf(failure));
  }

  @Test
  void underCompareChecksumALargeFileIsReadOnceWhileUnchanged(Vertx vertx) throws Exception {
    byte[] bytes = new byte[LARGE];
    bytes[7] = 42;
    Path file = Files.write(dir.resolve("c.bin"), bytes);
    LocalFacts facts = new LocalFacts(vertx, ChecksumAlgorithm.CRC32C, true, false);
    String expected = dev.kirim.testkit.Checksums.crc32c(bytes);
    assertEquals(expected, await(facts.of(file)).checksum());

    // Same size and mtime, other bytes: the remembered checksum is what a quick check would trust too.
    FileTime mtime = Files.getLastModifiedTime(file);
    bytes[7] = 43;
    Files.write(file, bytes);
    Files.setLastModifiedTime(file, mtime);
    assertEquals(expected, await(facts.of(file)).checksum(), "read once per version (size and mtime)");

    Files.setLastModifiedTime(file, FileTime.fromMillis(mtime.toMillis() + 1));
    assertEquals(dev.kirim.testkit.Checksums.crc32c(bytes), await(facts.of(file)).checksum());
  }

  @Test
  void permissionBitsAreLearnedOnlyWhenPreserved(Vertx vertx) throws Exception {
    Path file = Files.writeString(dir.resolve("run.sh"), "echo hi");
    Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));
    assertEquals(0750, await(new LocalFacts(vertx, ChecksumAlgorithm.CRC32C, false, true).of(file)).mode());
    assertNull(await(new LocalFacts(vertx, ChecksumAlgorithm.CRC32C, false, false).of(file)).mode());
  }

  /** A failure to look at a file is worded by its kind with what to do, not the JDK's bare message (a path). */
  @Test
  void aFileThatCannotBeLookedAtIsWordedWithWhatToDo(Vertx vertx) throws Exception {
    Path plain = Files.writeString(dir.resolve("plain.txt"), "x");
    Path under = plain.resolve("f");
    LocalFacts facts = new LocalFacts(vertx, ChecksumAlgorithm.CRC32C, false, false);
    Throwable cause = dev.kirim.testkit.Await.awaitFailure(facts.of(under), 30);
    LocalFileException local = LocalFacts.asLocalFailure(under, cause);
    assertEquals(ClientErrorCode.UNREADABLE, local.code());
    assertTrue(local.getMessage().startsWith("cannot read " + under + ": file system error ("), local.getMessage());
    assertTrue(local.getMessage().endsWith("; check that the file and its directories can be read"), local.getMessage());
  }

  /** Only where permissions stop reads (not as root): a file under a directory no one may enter. */
  @Test
  void aFileUnderAnUnreadableDirectoryIsAPermissionProblem(Vertx vertx) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeFalse("root".equals(System.getProperty("user.name")),
      "root reads through any permission");
    Path locked = Files.createDirectory(dir.resolve("lockd"));
    Path file = Files.writeString(locked.resolve("f"), "x");
    Files.setPosixFilePermissions(locked, java.nio.file.attribute.PosixFilePermissions.fromString("---------"));
    try {
      LocalFacts facts = new LocalFacts(vertx, ChecksumAlgorithm.CRC32C, false, false);
      Throwable cause = dev.kirim.testkit.Await.awaitFailure(facts.of(file), 30);
      assertEquals("cannot read " + file + ": permission denied (" + file + "); check its permissions and those of "
        + "its directories", LocalFacts.asLocalFailure(file, cause).getMessage());
    } finally {
      Files.setPosixFilePermissions(locked, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }
  }
}
