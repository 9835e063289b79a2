package dev.kirim.server;

import dev.kirim.protocol.ChecksumAlgorithm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What a partial file gets before it is published, on real files. */
class FileMetadataTest {

  @TempDir
  Path dir;

  private ChecksumCache checksums() throws IOException {
    ExtendedAttributes attributes = ExtendedAttributes.probe(dir);
    assumeTrue(attributes.supported(), "the temp dir's file system keeps no user extended attributes");
    return new ChecksumCache(attributes);
  }

  private static FileMetadata metadata(Long mtimeMillis, String mode, long size) {
    return new FileMetadata(mtimeMillis, mode == null ? null : PosixFilePermissions.fromString(mode), size,
      "crc32c:0badcafe", ChecksumAlgorithm.CRC32C);
  }

  private static boolean remembered(Path file) throws IOException {
    return Files.getFileAttributeView(file, UserDefinedFileAttributeView.class).list().contains("kirim.crc32c");
  }

  @Test
  void theSendersMtimeModeAndForALargeFileTheChecksumAreApplied() throws IOException {
    Path file = Files.write(dir.resolve("large.bin"), new byte[(int) ChecksumCache.SMALLEST_REMEMBERED]);
    metadata(1_600_000_000_123L, "rw-r-----", ChecksumCache.SMALLEST_REMEMBERED).applyTo(file, checksums());

    assertEquals(FileTime.fromMillis(1_600_000_000_123L), Files.getLastModifiedTime(file));
    assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertTrue(remembered(file));
  }

  @Test
  void aTimeBefore1970IsSetTooAndASmallFileRemembersNothing() throws IOException {
    Path file = Files.write(dir.resolve("old.txt"), new byte[100]);
    metadata(-86_400_000L, null, 100).applyTo(file, checksums());

    assertEquals(FileTime.fromMillis(-86_400_000L), Files.getLastModifiedTime(file));
    assertFalse(remembered(file));
  }

  @Test
  void aLinkPutInThePartialsPlaceLeavesItsTargetAlone() throws IOException {
    // A local user renamed a symbolic link over the partial while its body arrived.
    Path outside = Files.write(dir.resolve("outside.key"), new byte[10]);
    Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("rw-------"));
    Files.setLastModifiedTime(outside, FileTime.fromMillis(1_500_000_000_000L));
    Path partial = Files.createSymbolicLink(dir.resolve(".a.bin.x.kirim-part"), outside);
    FileMetadata metadata = metadata(1_600_000_000_123L, "rwxr-xr-x", 10);

    assertThrows(IOException.class, () -> metadata.applyTo(partial, checksums()));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(outside)));
    assertEquals(FileTime.fromMillis(1_500_000_000_000L), Files.getLastModifiedTime(outside));
  }

  @Test
  void aFileThatIsGoneFailsWithTheReason() throws IOException {
    ChecksumCache checksums = checksums();
    Path gone = dir.resolve("gone.bin");
    FileMetadata metadata = metadata(1_600_000_000_123L, null, 1);
    assertThrows(NoSuchFileException.class, () -> metadata.applyTo(gone, checksums));
  }
}
