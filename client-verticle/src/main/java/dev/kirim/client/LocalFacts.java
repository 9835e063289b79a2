package dev.kirim.client;

import dev.kirim.protocol.ChecksumAlgorithm;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

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
 * What one push knows of its local files: size and modification time from a fresh look each try, and the
 * checksum once a first send has computed it ({@link #checksumOf}, beside the zero-copy send of the bytes).
 * Later sends of the same, unchanged file (to other targets, or retries) then read nothing more.
 * Used from one event loop only, but for {@link #checksumOf}, which is blocking and keeps no state.
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
  private static final int READ_BUFFER_BYTES = 1024 * 1024;

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

  /**
   * Reads {@code path} once more to checksum it (blocking): its first {@code size} bytes, what was offered,
   * through one direct buffer. A file that grew since (a log being written) is sent as offered.
   *
   * @throws LocalFileException {@code file_changed} when the file is shorter than {@code size} now
   */
  String checksumOf(Path path, long size) throws IOException {
    ChecksumAlgorithm.Checksum checksum = algorithm.start();
    ByteBuffer buffer = ByteBuffer.allocateDirect((int) Math.min(READ_BUFFER_BYTES, Math.max(1, size)));
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      long read = 0;
      while (read < size) {
        buffer.clear().limit((int) Math.min(buffer.capacity(), size - read));
        int n = channel.read(buffer);
        if (n < 0) {
          throw new LocalFileException(ClientErrorCode.FILE_CHANGED, path + " shrank to " + read
            + " bytes while being sent");
        }
        read += n;
        checksum.update(buffer.flip());
      }
    }
    return checksum.value();
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
