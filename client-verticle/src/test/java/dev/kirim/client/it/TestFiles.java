package dev.kirim.client.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Files, checksums, directory listings and ports for the integration tests. Never loads a big file into memory. */
public final class TestFiles {

  public static final int MIB = 1024 * 1024;
  private static final int BUFFER_BYTES = MIB;

  private TestFiles() {
  }

  /**
   * Writes {@code size} pseudo-random bytes quickly: one random 1 MiB block, repeated, with its first eight
   * bytes and one byte in its middle varied per block, so that a shifted, repeated or dropped block changes
   * the checksum. The last block is cut to size.
   */
  public static Path writePseudoRandom(Path file, long size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    byte[] block = new byte[BUFFER_BYTES];
    random.nextBytes(block);
    ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
        long written = 0;
        for (long index = 0; written < size; index++) {
          buffer.clear();
          buffer.put(block);
          buffer.putLong(0, index ^ seed);
          buffer.put(BUFFER_BYTES / 2, (byte) (index * 31 + seed));
          buffer.flip().limit((int) Math.min(BUFFER_BYTES, size - written));
          while (buffer.hasRemaining()) {
            written += channel.write(buffer);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** @return {@code file} with {@code size} bytes from a small seeded random source (for small files) */
  public static Path writeSmall(Path file, int size, long seed) {
    byte[] bytes = new byte[size];
    new SplittableRandom(seed).nextBytes(bytes);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      return Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @return the CRC32C of the whole file, read in 1 MiB chunks */
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

  /** @return the checksum in kirim's wire form, {@code crc32c:xxxxxxxx} */
  public static String wireCrc32c(Path file) {
    return String.format("crc32c:%08x", crc32c(file));
  }

  /** Asserts that {@code actual} holds exactly the bytes of {@code expected}, comparing chunk by chunk. */
  public static void assertSameBytes(Path expected, Path actual) {
    try {
      assertEquals(Files.size(expected), Files.size(actual), "size of " + actual);
      assertEquals(-1L, Files.mismatch(expected, actual), "first differing byte of " + actual + " and " + expected);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * @return every regular file under {@code root}, hidden ones (partial uploads) included, as its relative
   *   {@code /}-separated name mapped to its size; empty when {@code root} does not exist
   */
  public static Map<String, Long> tree(Path root) {
    Map<String, Long> files = new TreeMap<>();
    if (!Files.isDirectory(root)) {
      return files;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.filter(Files::isRegularFile).forEach(path -> files.put(
        root.relativize(path).toString().replace(path.getFileSystem().getSeparator(), "/"), size(path)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  /** @return the size, or -1 when the file vanished meanwhile */
  public static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return -1;
    }
  }

  /** @return a TCP port free on 127.0.0.1 a moment ago (bound on port 0, then released) */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @return {@code dir}, created with its parents */
  public static Path mkdirs(Path dir) {
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void deleteIfExists(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
