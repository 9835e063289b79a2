package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.ProtocolException;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Function;

/**
 * Keeps every name inside the storage directory: a target that is a symbolic link, or whose existing
 * ancestors are links or not directories, is refused ({@code bad_name}). One {@code lstat} per level, and
 * none for directories verified within the last {@link VerifiedDirectories#TTL_MS} (a burst of files into one
 * directory checks it once, not per file). Thread-safe: called from worker threads.
 */
final class LinkGuard {

  private final Path root;
  // How a path is named in a refusal: relative to the storage directory.
  private final Function<Path, String> nameOf;
  private final VerifiedDirectories verified = new VerifiedDirectories();

  LinkGuard(Path root, Function<Path, String> nameOf) {
    this.root = root;
    this.nameOf = nameOf;
  }

  /**
   * Checks the target and every level above it (blocking).
   *
   * @return the target's own attributes (not followed), {@code null} when it does not exist
   */
  BasicFileAttributes checkTarget(Path target) throws IOException {
    BasicFileAttributes found = attributesUnlessLink(target, target, true);
    checkDirectories(target);
    return found;
  }

  /**
   * The part of {@link #checkTarget} about the directories above {@code target}: enough where the target
   * itself cannot be followed anyway (creating a link or renaming onto a name never follows a link there, it
   * fails or replaces the link itself).
   */
  void checkDirectories(Path target) throws IOException {
    Path parent = target.getParent();
    if (parent == null || !parent.startsWith(root) || verified.verified(parent)) {
      return;
    }
    // Every level is looked at, also above one that does not exist (yet): a link may sit anywhere.
    boolean allThere = true;
    for (Path path = parent; path != null && path.startsWith(root) && !path.equals(root); path = path.getParent()) {
      if (verified.verified(path)) {
        break;
      }
      allThere &= attributesUnlessLink(path, target, false) != null;
    }
    if (allThere) {
      verified.remember(parent, root);
    }
  }

  /** @return whether {@code directory} (and every level above it) was verified within the last second */
  boolean verified(Path directory) {
    return verified.verified(directory);
  }

  /** After a failure: every directory is checked again. */
  void forget() {
    verified.forget();
  }

  /**
   * @return the attributes of {@code path}, or {@code null} when it does not exist; throws when it is a link,
   *     or (an ancestor of the target) not a directory
   */
  private BasicFileAttributes attributesUnlessLink(Path path, Path target, boolean isTarget) throws IOException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return null;
    } catch (FileSystemException e) {
      if (e.getClass() != FileSystemException.class) {
        throw e;
      }
      // ENOTDIR: an ancestor is a file, which the walk up finds and names.
      return null;
    }
    if (attributes.isSymbolicLink()) {
      throw new ProtocolException(ErrorCode.BAD_NAME, "'" + nameOf.apply(target)
        + "' goes through a symbolic link on the server ('" + nameOf.apply(path) + "')");
    }
    if (!isTarget && !attributes.isDirectory()) {
      throw new ProtocolException(ErrorCode.BAD_NAME, "'" + nameOf.apply(target) + "' needs '" + nameOf.apply(path)
        + "' to be a directory, but it is a file on the server");
    }
    return attributes;
  }
}
