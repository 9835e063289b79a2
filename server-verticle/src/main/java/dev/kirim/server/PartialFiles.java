package dev.kirim.server;

import dev.kirim.io.FileTrees;
import dev.kirim.protocol.ChecksumAlgorithm;
import dev.kirim.protocol.Message;
import dev.kirim.protocol.NameRules;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The life of partial files, where bodies are written before they are published: their hidden names next to
 * the target, the key that lets a later connection resume the same file, what an existing partial already
 * holds, and the sweep of stale ones.
 * <p>
 * A resumable upload writes to the name's one partial file, {@code .name.kirim-part}, labelled with its resume
 * key ({@link #RESUME_ATTRIBUTE}, an extended attribute): a later offer of the same file (same key) continues
 * it, an offer of another version of the file (another size or mtime) deletes it at once, so a name never has
 * more than one and bytes of two versions never mix. Without extended attributes there is no label to go by,
 * so no resume: every upload then writes a partial of its own ({@code .name.<random>.kirim-part}), deleted when
 * its connection is lost.
 */
final class PartialFiles {

  static final String RESUME_ATTRIBUTE = "kirim.resume";
  /** What the commit of a resumed upload is checked with, whatever the offer's algorithm. */
  static final ChecksumAlgorithm RESUMED_ALGORITHM = ChecksumAlgorithm.SHA256;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Logger log = LoggerFactory.getLogger(PartialFiles.class);

  private final Vertx vertx;
  private final StorageDirectory storage;

  PartialFiles(Vertx vertx, StorageDirectory storage) {
    this.vertx = vertx;
    this.storage = storage;
  }

  /**
   * Identifies the same file of the same owner across connections: name, size, mtime and checksum algorithm,
   * and the authenticated client (none without authentication). A partial is resumed only by an offer that also
   * presents the resume id the partial's {@code send} gave ({@link #partialFor}).
   *
   * @return the key, or {@code null} when resuming is off
   */
  static String resumeKey(Message.Offer offer, String client, boolean resume) {
    if (!resume) {
      return null;
    }
    return offer.name() + "|" + offer.size() + "|" + offer.mtime() + "|" + offer.checksumAlgorithm().wireName()
      + "|" + (client == null ? "" : "client:" + client);
  }

  /** @return a new resume id: 128 random bits, base64url, unguessable */
  static String newResumeId() {
    byte[] bits = new byte[16];
    RANDOM.nextBytes(bits);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
  }

  /**
   * The {@code send} for an accepted upload: its offset, the resume id to present to resume it later (not for a
   * small body received into memory, which leaves no partial: {@link Upload#BUFFERED_MAX_BYTES}), and for a
   * resumed upload the algorithm its commit must use ({@code sha256}).
   */
  static Message.Send send(long id, long size, Partial partial) {
    boolean inMemory = partial.offset() == 0 && size <= Upload.BUFFERED_MAX_BYTES;
    return new Message.Send(id, partial.offset(), inMemory ? null : partial.resumeId(),
      partial.offset() > 0 ? RESUMED_ALGORITHM.wireName() : null);
  }

  /**
   * Picks the partial file for an upload and learns how much of it is already there, with the checksum of
   * those bytes (blocking). A partial is continued only when its label is {@code resumeKey} and either the offer
   * presents the resume id its owner was given, or the key names the authenticated client (whose namespace
   * no other client writes in, so the partial is its own): a partial of another version of the file, or one
   * whose id an anonymous offer does not present (a stranger's), is deleted, unless {@code dryRun}, and the
   * upload starts from 0 with a new id. Bytes held are checksummed in {@link #RESUMED_ALGORITHM}: the
   * commit of a resumed upload is checked with a cryptographic hash, so no crafted prefix can pass it.
   *
   * @param resumeKey   from {@link #resumeKey}, or {@code null} for a fresh partial of a name of its own
   * @param presentedId the offer's resume id, {@code null} when it has none
   * @param dryRun      only look: change nothing, and leave the checksum of what is held unread
   */
  Partial partialFor(Path target, String resumeKey, String presentedId, boolean ownedByClient, long size,
                     ChecksumAlgorithm algorithm, boolean dryRun) throws IOException {
    if (resumeKey == null || !storage.attributes().supported()) {
      String random = UUID.randomUUID().toString().replace("-", "");
      return new Partial(target.resolveSibling("." + target.getFileName() + "." + random + NameRules.PARTIAL_SUFFIX),
        0, algorithm.start(), null);
    }
    Path partial = target.resolveSibling("." + target.getFileName() + NameRules.PARTIAL_SUFFIX);
    String label = null;
    long have = 0;
    if (Files.isRegularFile(partial, LinkOption.NOFOLLOW_LINKS)) {
      long length = Files.size(partial);
      label = storage.attributes().read(partial, RESUME_ATTRIBUTE);
      boolean owned = label != null && label.startsWith(resumeKey + "|")
        && (ownedByClient || label.equals(resumeKey + "|" + presentedId));
      if (owned && length <= size) {
        have = length;
      } else if (!dryRun) {
        Files.deleteIfExists(partial);
      }
    }
    if (have == 0) {
      return new Partial(partial, 0, algorithm.start(), resumeKey + "|" + newResumeId());
    }
    ChecksumAlgorithm.Checksum prefix = RESUMED_ALGORITHM.start();
    if (!dryRun) {
      StorageDirectory.feed(partial, have, prefix);
    }
    return new Partial(partial, have, prefix, label);
  }

  /**
   * The partial file of a body that arrived whole (a put): written once from memory and published, never
   * resumed, so it carries no resume key and nothing on disk is looked at for it. A name of its own, as an
   * unlabelled partial's: a resumable partial of the name is not its business, and two servers sharing a
   * storage directory (whose name claims are their own) cannot meet in it. Unique, not secret: a plain random.
   */
  static Partial wholeBody(Path target, ChecksumAlgorithm algorithm) {
    String random = Long.toHexString(ThreadLocalRandom.current().nextLong());
    return new Partial(target.resolveSibling("." + target.getFileName() + "." + random + NameRules.PARTIAL_SUFFIX),
      0, algorithm.start(), null);
  }

  /**
   * Creates a new, empty partial file for writing (blocking). One left under its name (an interrupted upload of
   * another version, a put's leftover) is deleted first: truncating it would keep its extended attributes, and
   * opening it without O_EXCL would follow a symbolic link planted there, out of the storage directory.
   */
  static FileChannel create(Path partial) throws IOException {
    try {
      return FileChannel.open(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (FileAlreadyExistsException leftover) {
      Files.deleteIfExists(partial);
      return FileChannel.open(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }
  }

  /**
   * Marks a new partial file as holding the upload of {@code resumeKey} (blocking). A refusal (a sub-mount
   * without extended attributes, a full attribute block) only costs the resume: an unlabelled partial is
   * never resumed, and the next offer of the name deletes it.
   */
  void label(Path partial, String resumeKey) {
    try {
      storage.attributes().write(partial, RESUME_ATTRIBUTE, resumeKey);
    } catch (IOException | UnsupportedOperationException e) {
      log.debug("Cannot label {} for a resume: {}", partial, e.toString());
    }
  }

  /** Removes the label before the partial file is published: it would mean nothing on a stored file (blocking). */
  void unlabel(Path partial) throws IOException {
    storage.attributes().remove(partial, RESUME_ATTRIBUTE);
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

  /**
   * Walks the storage directory. Files may vanish while it does (uploads publish, and the other instances of
   * the server create and delete their probe files as they start): a file gone is skipped, not a failure.
   */
  private int sweepNow(Duration ttl) throws IOException {
    Instant cutoff = Instant.now().minus(ttl);
    List<Path> stale = new ArrayList<>();
    FileTrees.forEachFile(storage.root(), (file, attributes) -> {
      if (file.getFileName().toString().endsWith(NameRules.PARTIAL_SUFFIX)
        && attributes.lastModifiedTime().toInstant().isBefore(cutoff)) {
        stale.add(file);
      }
    });
    int removed = 0;
    for (Path partial : stale) {
      // Looked at again just before: while the server runs, an upload may have taken it up since the walk.
      if (staleNow(partial, cutoff) && Files.deleteIfExists(partial)) {
        removed++;
      }
    }
    return removed;
  }

  private static boolean staleNow(Path partial, Instant cutoff) {
    try {
      return Files.getLastModifiedTime(partial, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(cutoff);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The partial file of an upload, the bytes already in it and their running checksum.
   *
   * @param resumeKey the key it is labelled with, {@code null} when it cannot be resumed
   */
  record Partial(Path path, long offset, ChecksumAlgorithm.Checksum checksum, String resumeKey) {

    boolean resumable() {
      return resumeKey != null;
    }

    /** @return the id a client presents to resume this partial, {@code null} when it cannot be resumed */
    String resumeId() {
      return resumeKey == null ? null : resumeKey.substring(resumeKey.lastIndexOf('|') + 1);
    }
  }
}
