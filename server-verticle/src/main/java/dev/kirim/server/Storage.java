package dev.kirim.server;

import dev.kirim.protocol.ChecksumAlgorithm;
import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.NameRules;
import dev.kirim.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * The server's storage directory: safe name resolution, the per-name upload claims, partial files, free
 * space, and the atomic publish. Blocking file-system work runs on worker threads; every method returns a
 * future completed on the caller's context.
 */
class Storage {

  /** Shared by every server instance in this Vert.x, so that {@code -instances N} keeps one upload per name. */
  static final String CLAIMS_MAP = "kirim.server.claims";
  private static final int MAX_RENAME_ATTEMPTS = 10_000;
  private static final int READ_BUFFER_BYTES = 256 * 1024;

  private final Vertx vertx;
  private final Path root;
  private final LocalMap<String, String> claims;

  Storage(Vertx vertx, Path root) {
    this.vertx = vertx;
    this.root = root;
    this.claims = vertx.sharedData().getLocalMap(CLAIMS_MAP);
  }

  Path root() {
    return root;
  }

  /** Creates the storage directory if needed and removes partial files older than {@code ttl}. */
  Future<Integer> prepare(Duration ttl) {
    return blocking(() -> {
      Files.createDirectories(root);
      return sweepPartials(ttl);
    });
  }

  /**
   * Resolves an offered name to a path inside the storage directory.
   *
   * @throws ProtocolException {@link ErrorCode#BAD_NAME} when the name breaks {@link NameRules}
   */
  Path resolve(String name) {
    Path path = root;
    for (String component : NameRules.components(name)) {
      path = path.resolve(component);
    }
    return path;
  }

  /** @return the name, relative to the storage directory with {@code /} separators, under which {@code path} is stored */
  String nameOf(Path path) {
    return root.relativize(path).toString().replace(path.getFileSystem().getSeparator(), "/");
  }

  /** Takes the upload claim on {@code target} for {@code owner}; false when another upload holds it. */
  boolean claim(Path target, String owner) {
    return claims.putIfAbsent(target.toString(), owner) == null;
  }

  void release(Path target, String owner) {
    claims.removeIfPresent(target.toString(), owner);
  }

  /** @return what exists under {@code target} now, refusing symbolic links anywhere on the way */
  Future<Existing> inspect(Path target, ChecksumAlgorithm algorithm, boolean withChecksum) {
    return blocking(() -> inspectNow(target, algorithm, withChecksum));
  }

  /**
   * Everything an offer's answer depends on, in one worker task: what exists under the name, the free space,
   * and the partial file an upload would continue.
   *
   * @param resumeKey identifies the same file across connections, or {@code null} for a fresh, unique partial
   */
  Future<Survey> survey(Path target, ChecksumAlgorithm algorithm, boolean checksumExisting, String resumeKey,
                        long size) {
    return blocking(() -> new Survey(
      inspectNow(target, algorithm, checksumExisting),
      Files.getFileStore(root).getUsableSpace(),
      partialNow(target, resumeKey, size, algorithm)));
  }

  private Existing inspectNow(Path target, ChecksumAlgorithm algorithm, boolean withChecksum) throws IOException {
    checkNoLinksOnTheWay(target);
    if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      return Existing.NONE;
    }
    BasicFileAttributes attributes = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!attributes.isRegularFile()) {
      throw new ProtocolException(ErrorCode.BAD_NAME, "'" + nameOf(target) + "' exists on the server and is not a regular file");
    }
    String checksum = withChecksum ? checksum(target, attributes.size(), algorithm) : null;
    return new Existing(true, attributes.size(), checksum);
  }

  /** Picks the partial file for an upload and learns how much of it is already there. */
  private Partial partialNow(Path target, String resumeKey, long size, ChecksumAlgorithm algorithm) throws IOException {
    String key = resumeKey == null ? UUID.randomUUID().toString().replace("-", "") : hash(resumeKey);
    Path partial = target.resolveSibling("." + target.getFileName() + "." + key + NameRules.PARTIAL_SUFFIX);
    long have = resumeKey != null && Files.isRegularFile(partial, LinkOption.NOFOLLOW_LINKS) ? Files.size(partial) : 0;
    if (have > size) {
      Files.delete(partial);
      have = 0;
    }
    ChecksumAlgorithm.Checksum prefix = algorithm.start();
    if (have > 0) {
      feed(partial, have, prefix);
    }
    return new Partial(partial, have, prefix);
  }

  /** Creates the parent directories of {@code target}, refusing to create them through symbolic links. */
  Future<Void> createParents(Path target) {
    return blocking(() -> {
      checkNoLinksOnTheWay(target);
      Files.createDirectories(target.getParent());
      checkNoLinksOnTheWay(target);
      return null;
    });
  }

  /**
   * Makes a complete, verified partial file visible under its final name, following the policy; never
   * replaces a file unless the policy is {@code overwrite}.
   *
   * @param prepare blocking work to do first in the same worker task (writing a buffered body), or {@code null}
   * @return the path it was stored under, or {@code null} when the name exists and the policy keeps it
   */
  Future<Path> publish(Path partial, Path target, OnExisting policy, boolean fsync, Callable<Void> prepare) {
    return blocking(() -> {
      if (prepare != null) {
        prepare.call();
      }
      checkNoLinksOnTheWay(target);
      Path stored = switch (policy) {
        case OVERWRITE -> replace(partial, target);
        case RENAME -> linkUnderFreeName(partial, target);
        case SKIP, FAIL -> linkIfAbsent(partial, target) ? target : null;
      };
      if (stored == null) {
        Files.deleteIfExists(partial);
      } else if (fsync) {
        syncDirectory(stored.getParent());
      }
      return stored;
    });
  }

  Future<Void> delete(Path partial) {
    return blocking(() -> {
      Files.deleteIfExists(partial);
      return null;
    });
  }

  private static Path replace(Path partial, Path target) throws IOException {
    try {
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
    }
    return target;
  }

  private static Path linkUnderFreeName(Path partial, Path target) throws IOException {
    for (int i = 0; i < MAX_RENAME_ATTEMPTS; i++) {
      Path candidate = i == 0 ? target : numbered(target, i);
      if (linkIfAbsent(partial, candidate)) {
        return candidate;
      }
    }
    throw new IOException("no free name for " + target + " after " + MAX_RENAME_ATTEMPTS + " attempts");
  }

  /** {@code name.ext} → {@code name-N.ext}; {@code name} → {@code name-N}. */
  static Path numbered(Path target, int n) {
    String name = target.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String numbered = dot > 0 ? name.substring(0, dot) + "-" + n + name.substring(dot) : name + "-" + n;
    return target.resolveSibling(numbered);
  }

  /** A hard link publishes atomically and, unlike rename, refuses to replace an existing name. */
  private static boolean linkIfAbsent(Path partial, Path target) throws IOException {
    try {
      Files.createLink(target, partial);
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (UnsupportedOperationException e) {
      // A file system without hard links: fall back to a check-then-move (not race free, documented).
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        return false;
      }
      Files.move(partial, target);
      return true;
    }
    Files.delete(partial);
    return true;
  }

  /** Refuses a target whose existing ancestors (inside the storage) are not directories, or which goes through a link. */
  private void checkNoLinksOnTheWay(Path target) {
    for (Path path = target; path != null && path.startsWith(root) && !path.equals(root); path = path.getParent()) {
      if (Files.isSymbolicLink(path)) {
        throw new ProtocolException(ErrorCode.BAD_NAME,
          "'" + nameOf(target) + "' goes through a symbolic link on the server ('" + nameOf(path) + "')");
      }
      if (path != target && Files.exists(path, LinkOption.NOFOLLOW_LINKS)
        && !Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
        throw new ProtocolException(ErrorCode.BAD_NAME,
          "'" + nameOf(target) + "' needs '" + nameOf(path) + "' to be a directory, but it is a file on the server");
      }
    }
  }

  static void syncDirectory(Path directory) throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  private static String checksum(Path file, long size, ChecksumAlgorithm algorithm) throws IOException {
    ChecksumAlgorithm.Checksum checksum = algorithm.start();
    feed(file, size, checksum);
    return checksum.value();
  }

  private static void feed(Path file, long length, ChecksumAlgorithm.Checksum checksum) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate((int) Math.max(1, Math.min(READ_BUFFER_BYTES, length)));
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      long remaining = length;
      while (remaining > 0) {
        buffer.clear().limit((int) Math.min(buffer.capacity(), remaining));
        int read = channel.read(buffer);
        if (read < 0) {
          throw new IOException(file + " is shorter than " + length + " bytes");
        }
        buffer.flip();
        checksum.update(buffer);
        remaining -= read;
      }
    }
  }

  private int sweepPartials(Duration ttl) throws IOException {
    Instant cutoff = Instant.now().minus(ttl);
    int removed = 0;
    try (Stream<Path> paths = Files.walk(root)) {
      List<Path> stale = paths
        .filter(p -> p.getFileName().toString().endsWith(NameRules.PARTIAL_SUFFIX))
        .filter(p -> isOlderThan(p, cutoff))
        .toList();
      for (Path partial : stale) {
        Files.deleteIfExists(partial);
        removed++;
      }
    }
    return removed;
  }

  private static boolean isOlderThan(Path path, Instant cutoff) {
    try {
      return Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(cutoff);
    } catch (IOException e) {
      return false;
    }
  }

  private static String hash(String key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** @return the usable space on the storage's file system */
  Future<Long> usableSpace() {
    return blocking(() -> Files.getFileStore(root).getUsableSpace());
  }

  private <T> Future<T> blocking(Callable<T> work) {
    // Unordered: one connection's fsync must not hold up another connection's offer.
    return vertx.executeBlocking(work, false);
  }

  /** What an offer's answer depends on. */
  record Survey(Existing existing, long freeBytes, Partial partial) {
  }

  /** What the storage holds under a name. */
  record Existing(boolean exists, long size, String checksum) {
    static final Existing NONE = new Existing(false, 0, null);
  }

  /** The partial file of an upload, the bytes already in it and their running checksum. */
  record Partial(Path path, long offset, ChecksumAlgorithm.Checksum checksum) {
  }
}
