package dev.kirim.client;

import dev.kirim.io.IoErrors;
import dev.kirim.protocol.ChecksumAlgorithm;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one push knows of its local files: size, modification time and (when preserved) permission bits from a
 * fresh look each try, and the checksum once it has been computed: when the file is looked at under
 * {@code compare: checksum} (the offer carries it), else by a first send ({@link #checksumOf}, beside the
 * zero-copy send of the bytes). Later sends of the same, unchanged file (to other targets, or retries) then
 * read nothing more. A file whose size or mtime changed while it was read is not trusted: looking at it fails
 * with {@code file_changed}.
 */
final class LocalFacts {

  /**
   * What is known of a local file; {@code checksum} is {@code null} until it has been read whole.
   * {@code content} holds a small file's bytes, read between two looks that agree, so that its send needs no
   * further file access; it is never kept beyond the send. {@code mode} holds its permission bits when they
   * are preserved, else {@code null}.
   */
  record Facts(long size, long mtime, String checksum, byte[] content, Integer mode) {

    Facts withChecksum(String checksum) {
      return new Facts(size, mtime, checksum, null, mode);
    }

    /**
     * @return whether an offer of this file asks the server to compare contents: always under
     *   {@code compare: checksum}, and for a small file, whose checksum is known anyway and whose copy is
     *   cheap to read, under either mode
     */
    boolean comparedByContent(ClientOptions.Compare compare) {
      return checksum != null && (compare == ClientOptions.Compare.CHECKSUM || size <= SMALL_FILE_BYTES);
    }

    /** @return whether {@code other} describes the same version of the file (size and mtime) */
    boolean sameVersion(Facts other) {
      return other.size == size && other.mtime == mtime;
    }
  }

  /** Files up to this size are read whole when looked at: one worker task instead of open, read, close. */
  static final int SMALL_FILE_BYTES = 16 * 1024;
  private static final int READ_BUFFER_BYTES = 1024 * 1024;
  // A small file being written is looked at again this often before giving up on it.
  private static final int STABLE_READ_TRIES = 3;

  private final Vertx vertx;
  private final ChecksumAlgorithm algorithm;
  private final boolean checksumFirst;
  private final boolean withMode;
  // Read on workers (under compare: checksum), written on the event loop.
  private final Map<Path, Facts> checksummed = new ConcurrentHashMap<>();
  // Checksums being read, by file version: the targets of a fan-out sending one file at once share one read.
  private final Map<Version, Future<String>> reading = new ConcurrentHashMap<>();

  /**
   * @param checksumFirst whether every file's checksum is needed before it is offered ({@code compare: checksum})
   * @param withMode      whether to learn permission bits ({@code preserve.mode})
   */
  LocalFacts(Vertx vertx, ChecksumAlgorithm algorithm, boolean checksumFirst, boolean withMode) {
    this.vertx = vertx;
    this.algorithm = algorithm;
    this.checksumFirst = checksumFirst;
    this.withMode = withMode;
  }

  LocalFacts(Vertx vertx, ClientOptions options) {
    this(vertx, options.getChecksum(), options.getCompare() == ClientOptions.Compare.CHECKSUM, options.isPreserveMode());
  }

  /**
   * @return the facts of {@code path}; fails when it cannot be read, with a message that names the file (see
   *   {@link #asLocalFailure})
   */
  Future<Facts> of(Path path) {
    return vertx.executeBlocking(() -> look(path), false);
  }

  /**
   * Looks at several files in one worker task: a connection that offers a burst of small files then writes
   * their offers (or puts) in one go, and the server reads them in one go.
   *
   * @return per path, in order, its facts or the failure of looking at it (see {@link #of})
   */
  Future<List<Object>> ofAll(List<Path> paths) {
    return vertx.executeBlocking(() -> {
      List<Object> outcomes = new ArrayList<>(paths.size());
      for (Path path : paths) {
        try {
          outcomes.add(look(path));
        } catch (IOException | RuntimeException failure) {
          outcomes.add(failure);
        }
      }
      return outcomes;
    }, false);
  }

  /** Looks at {@code path} again, only its size and mtime (blocking), to see whether it changed meanwhile. */
  Facts restat(Path path) throws IOException {
    return stat(path);
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
      : new LocalFileException(ClientErrorCode.UNREADABLE, "cannot read " + path + ": " + IoErrors.describe(failure)
        + (failure instanceof IOException ? "; " + IoErrors.advice(failure) : ""));
  }

  /**
   * Reads {@code path} once more to checksum it (blocking): its first {@code size} bytes, what was offered,
   * through one direct buffer. A file that grew since (a log being written) is sent as offered.
   *
   * @throws LocalFileException {@code file_changed} when the file is shorter than {@code size} now
   */
  String checksumOf(Path path, long size) throws IOException {
    return checksumOf(path, size, algorithm);
  }

  /**
   * The checksum of the version of {@code path} described by {@code facts} (its first {@code facts.size()}
   * bytes), read on a worker; callers asking for the same version while it is read share that one read. A
   * push to several targets sends one file to all of them at about the same time: each target's body goes
   * with {@code sendFile} from the page cache (the disk is read once), and now its checksum is read once too,
   * not once per target. Each sender still checks afterwards that the file did not change.
   */
  Future<String> checksumShared(Path path, Facts facts, ChecksumAlgorithm algorithm) {
    Version version = new Version(path, facts.size(), facts.mtime(), algorithm);
    Future<String> shared = reading.get(version);
    if (shared != null) {
      return shared;
    }
    Future<String> read = vertx.executeBlocking(() -> checksumOf(path, facts.size(), algorithm), false);
    reading.put(version, read);
    return read.andThen(ar -> reading.remove(version, read));
  }

  /** {@link #checksumShared} in this push's algorithm. */
  Future<String> checksumShared(Path path, Facts facts) {
    return checksumShared(path, facts, algorithm);
  }

  /** {@link #checksumOf(Path, long)} in another algorithm: a resumed upload commits in the one the server asked. */
  String checksumOf(Path path, long size, ChecksumAlgorithm algorithm) throws IOException {
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

  /** One version of a file, as far as size and mtime tell, and the algorithm of a checksum of it. */
  private record Version(Path path, long size, long mtime, ChecksumAlgorithm algorithm) {
  }

  private Facts look(Path path) throws IOException {
    Facts facts = stat(path);
    if (facts.size() <= SMALL_FILE_BYTES) {
      // Reading it is the readability check: a refused open says "not readable" as the access check would.
      return readSmall(path, facts);
    }
    return lookLarge(path, facts);
  }

  private Facts lookLarge(Path path, Facts facts) throws IOException {
    requireReadable(path);
    Facts known = checksummed.get(path);
    if (known != null && known.sameVersion(facts)) {
      return new Facts(facts.size(), facts.mtime(), known.checksum(), null, facts.mode());
    }
    if (!checksumFirst) {
      return facts;
    }
    String checksum = checksumOf(path, facts.size());
    requireUnchanged(path, facts, stat(path));
    Facts checked = facts.withChecksum(checksum);
    checksummed.put(path, checked);
    return checked;
  }

  /** Reads a small file between two looks that agree, so that its bytes are one version of it. */
  private Facts readSmall(Path path, Facts before) throws IOException {
    Facts facts = before;
    for (int attempt = 1; ; attempt++) {
      byte[] bytes = new byte[(int) facts.size()];
      int read = readInto(path, bytes);
      Facts after = stat(path);
      if (read == after.size() && after.sameVersion(facts)) {
        ChecksumAlgorithm.Checksum checksum = algorithm.start();
        checksum.update(bytes);
        return new Facts(facts.size(), facts.mtime(), checksum.value(), bytes, facts.mode());
      }
      if (attempt == STABLE_READ_TRIES) {
        requireUnchanged(path, facts, after);
        throw new LocalFileException(ClientErrorCode.FILE_CHANGED, path + " changed while being read");
      }
      if (after.size() > SMALL_FILE_BYTES) {
        // It grew past small while being read (a log being written): offered like any large file, not read whole.
        return lookLarge(path, after);
      }
      facts = after;
    }
  }

  /**
   * Reads a small file into {@code bytes}, sized for what it held when looked at, plus a one-byte probe in the
   * same scattering read: a file that grew shows as one byte too many, one that shrank as too few, and the look
   * after the read decides. On a local file system the first read fills the array (one call, where
   * {@code Files.readAllBytes} makes two more: an {@code fstat} for the size and a read that finds the end);
   * where reads may come back short (FUSE, network file systems) it reads on until the array is full or the
   * file ends.
   *
   * @return the bytes read, {@code bytes.length + 1} when the file grew
   */
  private static int readInto(Path path, byte[] bytes) throws IOException {
    ByteBuffer[] targets = {ByteBuffer.wrap(bytes), ByteBuffer.allocate(1)};
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      long total = 0;
      do {
        long read = channel.read(targets);
        if (read <= 0) {
          break;
        }
        total += read;
      } while (targets[0].hasRemaining());
      return (int) total;
    } catch (AccessDeniedException e) {
      throw notReadable(path);
    }
  }

  private static void requireReadable(Path path) {
    if (!Files.isReadable(path)) {
      throw notReadable(path);
    }
  }

  private static LocalFileException notReadable(Path path) {
    return new LocalFileException(ClientErrorCode.UNREADABLE, path + " is not readable (permissions)");
  }

  private static void requireUnchanged(Path path, Facts before, Facts after) {
    if (!after.sameVersion(before)) {
      throw new LocalFileException(ClientErrorCode.FILE_CHANGED, path + " changed while being read (" + before.size()
        + " bytes, modified " + Instant.ofEpochMilli(before.mtime()) + ", then " + after.size() + " bytes, modified "
        + Instant.ofEpochMilli(after.mtime()) + ")");
    }
  }

  private Facts stat(Path path) throws IOException {
    BasicFileAttributes attributes;
    try {
      attributes = withMode ? Files.readAttributes(path, PosixFileAttributes.class)
        : Files.readAttributes(path, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new LocalFileException(ClientErrorCode.NOT_FOUND, path + " does not exist");
    } catch (UnsupportedOperationException e) {
      throw new LocalFileException(ClientErrorCode.UNREADABLE, path + " has no POSIX permissions to preserve: "
        + "set preserve.mode to false");
    }
    if (!attributes.isRegularFile()) {
      throw new LocalFileException(ClientErrorCode.UNREADABLE, path + " is not a regular file");
    }
    Integer mode = attributes instanceof PosixFileAttributes posix ? FileModes.bits(posix.permissions()) : null;
    return new Facts(attributes.size(), attributes.lastModifiedTime().toMillis(), null, null, mode);
  }
}
