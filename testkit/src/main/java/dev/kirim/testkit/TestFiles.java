package dev.kirim.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Test files: random content by seed (so that a failure can be replayed), big ones without holding them in memory. */
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

  /** @return {@code size} pseudo-random bytes, the same for the same seed */
  public static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  /** Writes {@link #randomBytes} to {@code file}, creating its directories; returns them. */
  public static byte[] writeRandom(Path file, int size, long seed) {
    byte[] bytes = randomBytes(size, seed);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    return bytes;
  }

  public static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
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

  /** Asserts that {@code actual} holds exactly the bytes of {@code expected}, comparing chunk by chunk. */
  public static void assertSameBytes(Path expected, Path actual) {
    try {
      assertEquals(Files.size(expected), Files.size(actual), "size of " + actual);
      assertEquals(-1L, Files.mismatch(expected, actual), "first differing byte of " + actual + " and " + expected);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @return the size, or -1 when the file vanished meanwhile */
  public static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return -1;
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

  /** Deletes {@code root} and everything under it (links themselves, never their targets); nothing if absent. */
  public static void deleteTree(Path root) {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
