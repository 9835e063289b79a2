package dev.kirim.server;

import dev.kirim.protocol.ChecksumAlgorithm;
import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.NameRules;
import dev.kirim.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The server's storage directory: turning an offered name into a path that cannot leave it, looking at what
 * a name holds, and the atomic publish of a verified partial file under its final name. Methods returning a
 * future run their blocking work on a worker thread and complete on the caller's context; those ending in
 * {@code Now} are blocking, for callers already on a worker.
 */
final class StorageDirectory {

  /**
   * A write that fails while the file system has less than this left is taken for a full disk: Java reports
   * ENOSPC as a plain {@link IOException}, told apart from other I/O errors only by its (localised) message.
   */
  static final long FULL_BELOW_BYTES = 1024 * 1024;

  private static final int MAX_RENAME_ATTEMPTS = 10_000;
  private static final int READ_BUFFER_BYTES = 256 * 1024;
  /** The mtime the start-up probe sets: an odd second and 234 ms, so that each coarser step shows. */
  private static final long PROBE_MTIME_MILLIS = 1_600_000_001_234L;

  private final Vertx vertx;
  private final Path root;
  private final boolean fsync;
  private final DirectorySyncs directorySyncs;
  private final LinkGuard links;
  // Looked up once: Files.getFileStore walks every ancestor and re-reads /proc/mounts on each call.
  private volatile FileStore store;
  // True when the file system keeps no account of its space (a total of 0): asked once, so an offer costs one statfs.
  private volatile boolean unbounded;
  // Probed once the directory exists (create); none until then.
  private volatile ExtendedAttributes attributes = ExtendedAttributes.unsupported();
  private volatile ChecksumCache checksums = new ChecksumCache(attributes);
  // What the file system kept of the probe's mtime, in ms (1: the millisecond, as the quick check compares).
  private volatile long mtimeStepMillis = 1;

  /** @param fsync whether what is stored must be durable before it is confirmed (the server's {@code fsync}) */
  StorageDirectory(Vertx vertx, Path root, boolean fsync) {
    this(vertx, root, fsync, new DirectorySyncs());
  }

  StorageDirectory(Vertx vertx, Path root, boolean fsync, DirectorySyncs directorySyncs) {
    this.vertx = vertx;
    this.root = root;
    this.fsync = fsync;
    this.directorySyncs = directorySyncs;
    this.links = new LinkGuard(root, this::nameOf);
  }

  Path root() {
    return root;
  }

  /**
   * Creates the storage directory if needed, checks that a file can be created and deleted in it (else every
   * upload would fail, late and alike), and learns whether its file system keeps extended attributes and
   * modification times to the millisecond.
   */
  Future<Void> create() {
    return blocking(() -> {
      Files.createDirectories(root);
      // A name of its own (createTempFile): the instances of one server probe the same directory at once.
      Path probe = Files.createTempFile(root, ".kirim-probe-", ".tmp");
      try {
        Files.setLastModifiedTime(probe, FileTime.fromMillis(PROBE_MTIME_MILLIS));
        mtimeStepMillis = mtimeStep(Files.getLastModifiedTime(probe).toMillis());
      } catch (IOException e) {
        // Times that cannot be set fail the puts that set them, each with its reason; the start goes on.
      } finally {
        Files.delete(probe);
      }
      store = Files.getFileStore(root);
      unbounded = store.getTotalSpace() == 0;
      attributes = ExtendedAttributes.probe(root);
      checksums = new ChecksumCache(attributes);
      return null;
    });
  }

  /**
   * @return to how many milliseconds the file system keeps modification times: 1 on ext4, xfs, btrfs, tmpfs;
   *   10 or 1000 on exFAT, 2000 on vfat, where a copy's mtime never equals the sender's to the millisecond
   */
  long mtimeStepMillis() {
    return mtimeStepMillis;
  }

  /** The coarsest of the usual steps that explains what was kept of {@link #PROBE_MTIME_MILLIS}. */
  private static long mtimeStep(long kept) {
    if (kept == PROBE_MTIME_MILLIS) {
      return 1;
    }
    for (long step : new long[] {10, 100, 1000, 2000}) {
      long down = Math.floorDiv(PROBE_MTIME_MILLIS, step) * step;
      if (kept == down || kept == down + step) {
        return step;
      }
    }
    return Math.abs(kept - PROBE_MTIME_MILLIS);
  }

  /** @return where kirim keeps its facts on files; {@link ExtendedAttributes#supported()} tells whether it can */
  ExtendedAttributes attributes() {
    return attributes;
  }

  ChecksumCache checksums() {
    return checksums;
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

  /** @return what exists under {@code target} now, refusing symbolic links anywhere on the way */
  Future<Existing> inspect(Path target) {
    return blocking(() -> inspectNow(target));
  }

  /** Blocking {@link #inspect}, for callers already on a worker. */
  Existing inspectNow(Path target) throws IOException {
    BasicFileAttributes attributes = links.checkTarget(target);
    if (attributes == null) {
      return Existing.NONE;
    }
    if (!attributes.isRegularFile()) {
      throw new ProtocolException(ErrorCode.BAD_NAME, "'" + nameOf(target) + "' exists on the server and is not a regular file");
    }
    return new Existing(true, attributes.size(), attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS), null,
      attributes.fileKey());
  }

  /**
   * {@link #inspectNow}, quicker for a name that is free, as most names are in a push of new files. NIO
   * reports a missing file by an exception (two, made in native code and then in Java: 6 % of a warm server's
   * CPU on a push of 10 000 small files); {@code java.io.File} asks with {@code stat}, which answers "not
   * there" without one. {@code stat} follows links, so a link whose target is missing looks free here: use it
   * only before a publish that creates a new link to the file ({@code onExisting} {@code skip} or {@code fail}),
   * which fails on any name that is taken, a link included, without following it; the name is then looked at
   * again as this method's caller would have ({@code Publication.nameTakenNow}).
   */
  Existing inspectFreeNameNow(Path target) throws IOException {
    links.checkDirectories(target);
    return target.toFile().exists() ? inspectNow(target) : Existing.NONE;
  }

  /**
   * Blocking: {@code existing} with the checksum remembered for it in {@code algorithm}, if any: one extended
   * attribute read, never the file; a file smaller than {@link ChecksumCache#SMALLEST_REMEMBERED} is read
   * instead, which costs no more. What a quick-check skip can tell the client for free.
   */
  Existing withKnownChecksumNow(Path target, Existing existing, ChecksumAlgorithm algorithm) {
    if (!existing.exists()) {
      return existing;
    }
    if (!ChecksumCache.remembers(existing.size())) {
      try {
        String computed = checksum(target, existing.size(), algorithm);
        // Only for the file the skip describes: one that grew meanwhile would be told by its first bytes, and
        // a client deleting what it sent goes by this checksum.
        return unchangedSince(target, existing) ? existing.withChecksum(computed) : existing;
      } catch (IOException e) {
        // Unreadable, or cut short meanwhile: the skip goes without a checksum, as when none is remembered.
        return existing;
      }
    }
    String known = checksums.get(target, existing.size(), existing.mtimeNanos(), algorithm);
    return known == null ? existing : existing.withChecksum(known);
  }

  /**
   * Adds the checksum of an existing file (blocking): remembered on the file when it has not changed since
   * ({@link ChecksumCache}), else read whole and, when {@code remember} and the file is not too small to
   * remember one for, remembered for the next time.
   * Only a caller that holds the name's claim may remember: then no upload can publish another file under the
   * name while it is read (a dry run, which claims nothing, must not).
   */
  Existing withChecksumNow(Path target, Existing existing, ChecksumAlgorithm algorithm, boolean remember)
    throws IOException {
    String known = checksums.get(target, existing.size(), existing.mtimeNanos(), algorithm);
    if (known != null) {
      return existing.withChecksum(known);
    }
    String computed = checksum(target, existing.size(), algorithm);
    if (remember && ChecksumCache.remembers(existing.size()) && unchangedSince(target, existing)) {
      checksums.put(target, existing.size(), existing.mtimeNanos(), computed, algorithm);
    }
    return existing.withChecksum(computed);
  }

  /**
   * @return whether {@code target} is still the file {@code existing} describes: another writer may have
   *     renamed a file of the same size and mtime into place, whose checksum must not be remembered for it
   */
  private static boolean unchangedSince(Path target, Existing existing) throws IOException {
    BasicFileAttributes after = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    return after.size() == existing.size()
      && after.lastModifiedTime().to(TimeUnit.NANOSECONDS) == existing.mtimeNanos()
      && Objects.equals(after.fileKey(), existing.fileKey());
  }

  /** Creates the parent directories of {@code target}, refusing to create them through symbolic links. */
  Future<Void> createParents(Path target) {
    return blocking(() -> {
      createParentsNow(target);
      return null;
    });
  }

  /**
   * Blocking {@link #createParents}, for callers already on a worker. With {@code fsync}, each directory it creates
   * is made durable in its parent before it returns: the publish syncs only the file's own directory, and a
   * crash must not lose a confirmed file with the directory that holds it.
   */
  void createParentsNow(Path target) throws IOException {
    links.checkDirectories(target);
    Path parent = target.getParent();
    if (links.verified(parent)) {
      return;
    }
    List<Path> created = fsync ? missingDirectories(parent) : List.of();
    Files.createDirectories(parent);
    links.checkDirectories(target);
    for (Path directory : created) {
      syncDirectoryNow(directory.getParent());
    }
  }

  /** @return {@code directory} and those of its ancestors that do not exist, the deepest first */
  private static List<Path> missingDirectories(Path directory) {
    List<Path> missing = new ArrayList<>();
    for (Path dir = directory; dir != null && !Files.exists(dir, LinkOption.NOFOLLOW_LINKS); dir = dir.getParent()) {
      missing.add(dir);
    }
    return missing;
  }

  /**
   * Makes a complete, verified partial file visible under its final name, following the policy; never
   * replaces a file unless the policy is {@code overwrite} or {@code update} (whose offer found it differing).
   *
   * @param prepare blocking work to do first in the same worker task (getting the body durably into the
   *                partial file)
   * @return the path it was stored under, or {@code null} when the name exists and the policy keeps it
   */
  Future<Path> publish(Path partial, Path target, OnExisting policy, boolean fsync, Callable<Void> prepare) {
    return blocking(() -> {
      prepare.call();
      Path stored = publishNow(partial, target, policy);
      if (stored != null && fsync) {
        syncDirectoryNow(stored.getParent());
      }
      return stored;
    });
  }

  /**
   * Blocking core of {@link #publish}, for callers already on a worker, without the directory sync: a caller
   * publishing several files syncs each of their directories once ({@link #syncDirectoryNow}).
   */
  Path publishNow(Path partial, Path target, OnExisting policy) throws IOException {
    links.checkDirectories(target);
    Path stored = switch (policy) {
      case OVERWRITE, UPDATE -> replace(partial, target);
      case RENAME -> linkUnderFreeName(partial, target);
      case SKIP, FAIL -> linkIfAbsent(partial, target) ? target : null;
    };
    if (stored == null) {
      Files.deleteIfExists(partial);
    }
    return stored;
  }

  /** Blocking: returns once {@code directory} was synced by a sync that began after this call. */
  void syncDirectoryNow(Path directory) throws IOException {
    directorySyncs.sync(directory);
  }

  /** @return the usable space on the storage's file system (blocking), unbounded where it keeps no account */
  long usableSpaceNow() throws IOException {
    FileStore known = store;
    if (known == null) {
      known = Files.getFileStore(root);
      unbounded = known.getTotalSpace() == 0;
      store = known;
    }
    // A file system that reports no size at all (ramfs, some FUSE ones) keeps no account of space: treated as
    // unbounded, so offers are not refused for "0 bytes free"; a write that fails there fails as a write error.
    return unbounded ? Long.MAX_VALUE : known.getUsableSpace();
  }

  Future<Long> usableSpace() {
    return blocking(this::usableSpaceNow);
  }

  /**
   * Tells a full disk from other I/O failures: a plain {@link IOException} (how Java reports ENOSPC from a
   * write; an access or a missing-file problem has its own subclass) while the file system is (nearly) full
   * becomes a {@link NoSpaceException}; anything else is returned as it is. Call it before freeing any space
   * (deleting the partial file), or the evidence is gone. Never fails.
   */
  Future<Throwable> diagnose(Throwable failure) {
    if (plainIoFailure(failure) == null) {
      links.forget();
      return Future.succeededFuture(failure);
    }
    return blocking(() -> diagnoseNow(failure)).otherwise(failure);
  }

  /** Blocking {@link #diagnose}, for callers already on a worker; never throws. */
  Throwable diagnoseNow(Throwable failure) {
    // Whatever failed, the next publish checks every directory on its way again.
    links.forget();
    IOException io = plainIoFailure(failure);
    if (io == null) {
      return failure;
    }
    try {
      return usableSpaceNow() < FULL_BELOW_BYTES ? new NoSpaceException(io) : failure;
    } catch (IOException | RuntimeException e) {
      return failure;
    }
  }

  /** @return the plain I/O failure behind {@code failure} (how ENOSPC looks), or {@code null} */
  private static IOException plainIoFailure(Throwable failure) {
    Throwable cause = Failures.unwrap(failure);
    boolean plain = cause != null
      && (cause.getClass() == IOException.class || cause.getClass() == FileSystemException.class);
    return plain ? (IOException) cause : null;
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
    } catch (AccessDeniedException | NoSuchFileException e) {
      throw e;
    } catch (FileSystemException | UnsupportedOperationException e) {
      // No hard links on this file system: vfat and exFAT answer EPERM, some FUSE ones ENOSYS (JDK: a plain
      // FileSystemException). Any other failure of the link fails the move below as well.
      return moveIfAbsent(partial, target, e);
    }
    // An unlink alone: Files.delete makes an lstat first (to choose between unlink and rmdir), a call per file
    // more. The old API says only whether it worked: a failure is asked again the new way, to say why.
    if (!partial.toFile().delete()) {
      Files.delete(partial);
    }
    return true;
  }

  /**
   * Publishes where a link cannot: a rename that the JDK makes only after finding the name free. A file created
   * under the name between the look and the rename is replaced: another program's, or, since claims are
   * per exact name, an upload of a name differing in case or of a rename policy's numbered name (README,
   * "Change detection").
   */
  private static boolean moveIfAbsent(Path partial, Path target, Exception linkFailure) throws IOException {
    try {
      Files.move(partial, target);
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      if (linkFailure instanceof IOException failure) {
        failure.addSuppressed(e);
        throw failure;
      }
      throw e;
    }
    return true;
  }

  private static String checksum(Path file, long size, ChecksumAlgorithm algorithm) throws IOException {
    ChecksumAlgorithm.Checksum checksum = algorithm.start();
    feed(file, size, checksum);
    return checksum.value();
  }

  /** Feeds the first {@code length} bytes of {@code file} into {@code checksum} (blocking). */
  static void feed(Path file, long length, ChecksumAlgorithm.Checksum checksum) throws IOException {
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

  private <T> Future<T> blocking(Callable<T> work) {
    // Unordered: one connection's fsync must not hold up another connection's offer.
    return vertx.executeBlocking(work, false);
  }

  /**
   * What the storage holds under a name: its size, modification time and, when it was needed, its checksum
   * ({@code null} otherwise); {@code fileKey} tells whether a later look sees the same file (device and inode).
   */
  record Existing(boolean exists, long size, long mtimeNanos, String checksum, Object fileKey) {
    static final Existing NONE = new Existing(false, 0, 0, null, null);

    long mtimeMillis() {
      return Math.floorDiv(mtimeNanos, 1_000_000L);
    }

    Existing withChecksum(String checksum) {
      return new Existing(exists, size, mtimeNanos, checksum, fileKey);
    }
  }
}
