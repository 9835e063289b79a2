package dev.kirim.server;

import dev.kirim.protocol.ChecksumAlgorithm;
import dev.kirim.protocol.Message;
import dev.kirim.protocol.NameRules;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The life of partial files, where bodies are written before they are published: their hidden names next to
 * the target ({@code .name.<key>.kirim-part}), the key that lets a later connection resume the same file, what
 * an existing partial already holds, and the sweep of stale ones.
 */
final class PartialFiles {

  private final Vertx vertx;
  private final Path root;

  PartialFiles(Vertx vertx, Path root) {
    this.vertx = vertx;
    this.root = root;
  }

  /**
   * Identifies the same file across connections: name, size, mtime and checksum algorithm. Without an mtime
   * there is no telling, so no resume.
   *
   * @return the key, or {@code null} when the offer cannot be resumed
   */
  static String resumeKey(Message.Offer offer, boolean resume) {
    if (!resume || offer.mtime() == null) {
      return null;
    }
    return offer.name() + "|" + offer.size() + "|" + offer.mtime() + "|" + offer.checksumAlgorithm().wireName();
  }

  /**
   * Picks the partial file for an upload and learns how much of it is already there, with the checksum of
   * those bytes (blocking).
   *
   * @param resumeKey from {@link #resumeKey}, or {@code null} for a fresh partial of a name of its own
   */
  Partial partialFor(Path target, String resumeKey, long size, ChecksumAlgorithm algorithm) throws IOException {
    String key = resumeKey == null ? UUID.randomUUID().toString().replace("-", "") : hash(resumeKey);
    Path partial = target.resolveSibling("." + target.getFileName() + "." + key + NameRules.PARTIAL_SUFFIX);
    long have = resumeKey != null && Files.isRegularFile(partial, LinkOption.NOFOLLOW_LINKS) ? Files.size(partial) : 0;
    if (have > size) {
      Files.delete(partial);
      have = 0;
    }
    ChecksumAlgorithm.Checksum prefix = algorithm.start();
    if (have > 0) {
      StorageDirectory.feed(partial, have, prefix);
    }
    return new Partial(partial, have, prefix);
  }

  Future<Void> delete(Path partial) {
    return vertx.executeBlocking(() -> {
      Files.deleteIfExists(partial);
      return null;
    }, false);
  }

  /** Removes partial files older than {@code ttl} anywhere under the storage directory. */
  Future<Integer> sweep(Duration ttl) {
    return vertx.executeBlocking(() -> sweepNow(ttl), false);
  }

  private int sweepNow(Duration ttl) throws IOException {
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

  /** The partial file of an upload, the bytes already in it and their running checksum. */
  record Partial(Path path, long offset, ChecksumAlgorithm.Checksum checksum) {
  }
}
