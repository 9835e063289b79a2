package dev.kirim.server;

import dev.kirim.protocol.ChecksumAlgorithm;
import dev.kirim.protocol.Message;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What a published file gets besides its bytes: the sender's modification time (so that the next offer's
 * size-and-mtime check can tell it is the same file), the sender's permission bits less the server's
 * {@code umask} (never setuid, setgid or sticky), and, from 64 KiB on, its checksum remembered
 * ({@link ChecksumCache}).
 * Applied to the partial file before it is synced and published, so that it is durable with the bytes.
 *
 * @param mtimeMillis the time to set, or {@code null} to keep the arrival time
 * @param permissions the permission bits to set, or {@code null} to keep what the server created
 */
record FileMetadata(Long mtimeMillis, Set<PosixFilePermission> permissions, long size, String checksum,
                    ChecksumAlgorithm algorithm) {

  private static final PosixFilePermission[] BITS = {
    PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
    PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
    PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
  };

  /**
   * @param checksum the verified checksum of the whole body: in the offer's algorithm, or in SHA-256 for a resumed
   *                 upload, and remembered as what it is
   */
  static FileMetadata of(Message.Offer offer, int umask, String checksum) {
    Set<PosixFilePermission> permissions = offer.mode() == null ? null : permissions(offer.mode() & 0777 & ~umask);
    ChecksumAlgorithm algorithm = ChecksumAlgorithm.ofValue(checksum);
    return new FileMetadata(offer.keepsMtime() ? offer.mtime() : null, permissions, offer.size(), checksum,
      algorithm == null ? offer.checksumAlgorithm() : algorithm);
  }

  static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
    for (int bit = 0; bit < BITS.length; bit++) {
      if ((mode & (1 << bit)) != 0) {
        permissions.add(BITS[bit]);
      }
    }
    return permissions;
  }

  /**
   * Blocking: sets mtime on {@code file}, remembers its checksum there ({@link ChecksumCache}), then sets its
   * mode (last: a read-only mode would keep a server that is not root from writing the attribute).
   */
  void applyTo(Path file, ChecksumCache checksums) throws IOException {
    if (mtimeMillis != null) {
      setMtime(file, mtimeMillis);
      // A file system that keeps coarser times stores less: the checksum is then looked up in vain, never wrongly.
      checksums.put(file, size, TimeUnit.MILLISECONDS.toNanos(mtimeMillis), checksum, algorithm);
    } else if (ChecksumCache.remembers(size)) {
      // The mtime the writes gave it: one lstat, not spent on a file too small to remember a checksum for.
      checksums.put(file, size, Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).to(TimeUnit.NANOSECONDS),
        checksum, algorithm);
    }
    if (permissions != null) {
      PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class,
        LinkOption.NOFOLLOW_LINKS);
      // null: a file system without POSIX permissions, nothing to preserve them in.
      if (view != null) {
        view.setPermissions(permissions);
      }
    }
  }

  /**
   * Never through a link: a local user who can write in the directory may have renamed a symbolic link over
   * the partial while its body arrived, and a time or mode set through it would change a file outside the
   * storage directory as the server's user (its key, its tokens file). Without following links the JDK opens
   * the file itself with {@code O_NOFOLLOW} and sets the times on that descriptor ({@code futimens}), or fails
   * on a link.
   */
  private static void setMtime(Path file, long mtimeMillis) throws IOException {
    // Both times given: the JDK then sets them without reading the file's attributes first.
    Files.getFileAttributeView(file, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
      .setTimes(FileTime.fromMillis(mtimeMillis), FileTime.fromMillis(System.currentTimeMillis()), null);
  }
}
