package dev.kirim.client;

import dev.kirim.protocol.ChecksumAlgorithm;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;

/**
 * Size, modification time and checksum of the local files of one push, computed once per file and shared by
 * all targets. Knowing the checksum before sending lets the body go out with zero-copy {@code sendFile}
 * instead of through the heap; each target then reads the file once, in the kernel.
 * Used from one event loop only.
 */
final class LocalFacts {

  /** What is known of a local file. */
  record Facts(long size, long mtime, String checksum) {
  }

  private static final int READ_BUFFER_BYTES = 256 * 1024;

  private final Vertx vertx;
  private final ChecksumAlgorithm algorithm;
  private final Map<Path, Future<Facts>> known = new HashMap<>();

  LocalFacts(Vertx vertx, ChecksumAlgorithm algorithm) {
    this.vertx = vertx;
    this.algorithm = algorithm;
  }

  /** @return the facts of {@code path}, failing with a message that names the file when it cannot be read */
  Future<Facts> of(Path path) {
    return known.computeIfAbsent(path, p -> vertx.executeBlocking(() -> read(p), false));
  }

  /** Forgets {@code path}, e.g. after the server saw another checksum: the file may have changed. */
  void forget(Path path) {
    known.remove(path);
  }

  private Facts read(Path path) throws IOException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(path, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new IOException(path + " does not exist");
    }
    if (!attributes.isRegularFile()) {
      throw new IOException(path + " is not a regular file");
    }
    ChecksumAlgorithm.Checksum checksum = algorithm.start();
    long size = 0;
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(READ_BUFFER_BYTES, Math.max(1, attributes.size())));
      for (int read = channel.read(buffer); read >= 0; read = channel.read(buffer.clear())) {
        checksum.update(buffer.flip());
        size += read;
      }
    } catch (IOException e) {
      throw new IOException("cannot read " + path + ": " + e.getMessage(), e);
    }
    return new Facts(size, attributes.lastModifiedTime().toMillis(), checksum.value());
  }
}
