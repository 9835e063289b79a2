package dev.kirim.testkit;

import dev.kirim.protocol.ChecksumAlgorithm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/** Checksums in kirim's wire form ({@code crc32c:0a1b2c3d}), computed independently of the code under test's paths. */
public final class Checksums {

  private static final int BUFFER_BYTES = 1024 * 1024;

  private Checksums() {
  }

  public static String of(byte[] content, ChecksumAlgorithm algorithm) {
    ChecksumAlgorithm.Checksum checksum = algorithm.start();
    checksum.update(content);
    return checksum.value();
  }

  public static String crc32c(byte[] content) {
    return of(content, ChecksumAlgorithm.CRC32C);
  }

  public static String sha256(byte[] content) {
    return of(content, ChecksumAlgorithm.SHA256);
  }

  /** @return the CRC32C of a whole file of any size, read in 1 MiB chunks */
  public static long crc32c(Path file) {
    CRC32C crc = new CRC32C();
    ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      while (channel.read(buffer.clear()) >= 0) {
        crc.update(buffer.flip());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return crc.getValue();
  }

  /** @return {@link #crc32c(Path)} in the wire form, {@code crc32c:xxxxxxxx} */
  public static String wireCrc32c(Path file) {
    return String.format("crc32c:%08x", crc32c(file));
  }
}
