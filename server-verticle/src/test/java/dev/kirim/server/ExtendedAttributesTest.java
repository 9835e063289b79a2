package dev.kirim.server;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Reading kirim's attributes on real files: one read, and nothing to go by rather than a failure. */
class ExtendedAttributesTest {

  @TempDir
  Path dir;
  private ExtendedAttributes attributes;
  private Path file;

  @BeforeEach
  void probe() throws IOException {
    attributes = ExtendedAttributes.probe(dir);
    assumeTrue(attributes.supported(), "the temp dir's file system keeps no user extended attributes");
    file = Files.write(dir.resolve("f.bin"), new byte[10]);
  }

  @Test
  void aResumeKeyOfTheLongestNameIsReadBack() throws IOException {
    // A resume key holds the name (up to 1024 bytes) and its size, mtime, algorithm, client and id.
    String key = "d/".repeat(400) + "x".repeat(224) + "|123456789|1600000000123|crc32c|client:alice|"
      + "AAAAAAAAAAAAAAAAAAAAAA";
    attributes.write(file, "kirim.resume", key);
    assertEquals(key, attributes.read(file, "kirim.resume"));
  }

  @Test
  void anAbsentValueReadsAsNothing() throws IOException {
    attributes.write(file, "kirim.other", "1");
    assertNull(attributes.read(file, "kirim.crc32c"));
  }

  @Test
  void aMissingFileReadsAsNothing() {
    assertNull(attributes.read(dir.resolve("gone.bin"), "kirim.crc32c"));
  }
}
