package dev.kirim.client;

import dev.kirim.protocol.ChecksumAlgorithm;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

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

  /**
   * What is known of a local file; {@code checksum} is {@code null} until a send has read it whole.
   * {@code content} holds a small file's bytes, read with its size in one step, so that its send needs no
   * further file access; it is never kept beyond the send.
   */
  record Facts(long size, long mtime, String checksum, Buffer content) {

    Facts withChecksum(String checksum) {
      return new Facts(size, mtime, checksum, null);
    }
  }

  /** Files up to this size are read whole when looked at: one worker task instead of open, read, close. */
  static final int SMALL_FILE_BYTES = 16 * 1024;

  private final Vertx vertx;
  private final ChecksumAlgorithm algorithm;
  private final Map<Path, Facts> checksummed = new HashMap<>();

  LocalFacts(Vertx vertx, ChecksumAlgorithm algorithm) {
    this.vertx = vertx;
    this.algorithm = algorithm;
  }

  /**
   * @return the facts of {@code path}; fails when it cannot be read, with a message that names the file (see
   *   {@link #asLocalFailure})
   */
  Future<Facts> of(Path path) {
    return vertx.executeBlocking(() -> look(path), false).map(fresh -> {
      if (fresh.content() != null) {
        return fresh;
      }
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

  /** @return {@code failure} of looking at {@code path} as the typed failure the file's result gets */
  static LocalFileException asLocalFailure(Path path, Throwable failure) {
    return failure instanceof LocalFileException local ? local
      : new LocalFileException(ClientErrorCode.UNREADABLE, "cannot read " + path + ": " + failure.getMessage());
  }

  private Facts look(Path path) throws IOException {
    Facts facts = stat(path);
    if (facts.size() > SMALL_FILE_BYTES) {
      return facts;
    }
    byte[] bytes = Files.readAllBytes(path);
    if (bytes.length != facts.size()) {
      throw new LocalFileException(ClientErrorCode.UNREADABLE, path + " changed while being read");
    }
    ChecksumAlgorithm.Checksum checksum = algorithm.start();
    checksum.update(bytes);
    return new Facts(facts.size(), facts.mtime(), checksum.value(), Buffer.buffer(bytes));
  }

  private static Facts stat(Path path) throws IOException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(path, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new LocalFileException(ClientErrorCode.NOT_FOUND, path + " does not exist");
    }
    if (!attributes.isRegularFile()) {
      throw new LocalFileException(ClientErrorCode.UNREADABLE, path + " is not a regular file");
    }
    if (!Files.isReadable(path)) {
      throw new LocalFileException(ClientErrorCode.UNREADABLE, path + " is not readable (permissions)");
    }
    return new Facts(attributes.size(), attributes.lastModifiedTime().toMillis(), null, null);
  }
}
