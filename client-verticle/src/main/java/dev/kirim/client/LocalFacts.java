package dev.kirim.client;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;

/**
 * What one push knows of its local files: size and modification time from a fresh look each try, and the
 * checksum once a first send has read the file. Knowing the checksum lets later sends of the same file (to
 * other targets, or retries) go out with zero-copy {@code sendFile}; without it the file is streamed and
 * checksummed on the way. Either way a file is read once per target, never more.
 * Used from one event loop only.
 */
final class LocalFacts {

  /** What is known of a local file; {@code checksum} is {@code null} until a send has read it whole. */
  record Facts(long size, long mtime, String checksum) {

    Facts withChecksum(String checksum) {
      return new Facts(size, mtime, checksum);
    }
  }

  private final Vertx vertx;
  private final Map<Path, Facts> checksummed = new HashMap<>();

  LocalFacts(Vertx vertx) {
    this.vertx = vertx;
  }

  /** @return the facts of {@code path}, failing with a message that names the file when it cannot be read */
  Future<Facts> of(Path path) {
    return vertx.executeBlocking(() -> stat(path), false).map(fresh -> {
      Facts known = checksummed.get(path);
      boolean unchanged = known != null && known.size() == fresh.size() && known.mtime() == fresh.mtime();
      return unchanged ? known : fresh;
    });
  }

  /** Remembers a checksum a send computed, for later sends of the same, unchanged file. */
  void learned(Path path, Facts facts) {
    checksummed.put(path, facts);
  }

  /** Forgets {@code path}'s checksum, e.g. after the server saw another one: the file may have changed. */
  void forget(Path path) {
    checksummed.remove(path);
  }

  private static Facts stat(Path path) throws IOException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(path, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new IOException(path + " does not exist");
    }
    if (!attributes.isRegularFile()) {
      throw new IOException(path + " is not a regular file");
    }
    if (!Files.isReadable(path)) {
      throw new IOException(path + " is not readable (permissions)");
    }
    return new Facts(attributes.size(), attributes.lastModifiedTime().toMillis(), null);
  }
}
