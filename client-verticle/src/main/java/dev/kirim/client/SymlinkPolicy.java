package dev.kirim.client;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What the selection does with symbolic links ({@code followSymlinks}).
 * <p>
 * With {@code false} (the default) kirim reads no file through a link: a link met while walking a directory or
 * a glob (to a file or to a directory, inside the tree or outside it, broken or not), and a link named as a
 * {@code files} entry itself, is not followed and is reported per target as {@code skipped} with
 * {@link #NOT_FOLLOWED} as its note. Links among the directories a configured path goes through
 * ({@code baseDir}, the directories of an entry, a glob's part before its first wildcard) are the operator's
 * own spelling and are followed.
 * <p>
 * With {@code true} links are followed, as if the target were in the link's place (under the link's name).
 * A link to a directory the walk is already inside (a cycle) is not entered again: it is skipped with
 * {@link #CYCLE}. A link whose target is missing fails as {@code not_found}.
 */
final class SymlinkPolicy {

  static final String NOT_FOLLOWED = "symbolic link, not followed (set followSymlinks: true to push its target)";
  static final String CYCLE = "symbolic link to a directory it is itself inside of, not followed again (a cycle)";

  /** A file a walk found; {@code skipNote} is set when it is not to be pushed, {@code problem} when it cannot be. */
  record Found(Path path, String skipNote, String problem) {

    LocalFile toLocalFile(String remoteName) {
      if (problem != null) {
        return LocalFile.failed(path, remoteName, ClientErrorCode.NOT_FOUND, problem);
      }
      return skipNote != null ? LocalFile.skipped(path, remoteName, skipNote) : LocalFile.of(path, remoteName);
    }
  }

  private final boolean follow;

  SymlinkPolicy(boolean follow) {
    this.follow = follow;
  }

  boolean follows() {
    return follow;
  }

  /** @return {@code entry} (a {@code files} entry's path) as a skipped file when it is a link not to follow, else null */
  LocalFile notFollowed(Path entry, String remoteName) {
    return !follow && Files.isSymbolicLink(entry) ? LocalFile.skipped(entry, remoteName, NOT_FOLLOWED) : null;
  }

  /**
   * Walks {@code root} (blocking): its regular files, and the links met as this policy says. Other kinds of file
   * (fifos, sockets, devices) are left out.
   *
   * @throws IOException when a directory cannot be listed
   */
  List<Found> walk(Path root) throws IOException {
    List<Found> found = new ArrayList<>();
    Set<FileVisitOption> options = follow ? EnumSet.of(FileVisitOption.FOLLOW_LINKS) : EnumSet.noneOf(FileVisitOption.class);
    // The root is a configured path (a glob's part before its wildcard): a link there is followed either way.
    Path start = !follow && Files.isSymbolicLink(root) ? root.toRealPath() : root;
    Files.walkFileTree(start, options, Integer.MAX_VALUE, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path visited, BasicFileAttributes attributes) {
        Path file = root.resolve(start.relativize(visited));
        if (attributes.isSymbolicLink()) {
          // Not followed, or (when following) a link whose target cannot be read.
          found.add(follow ? new Found(file, null, file + " is a symbolic link whose target does not exist")
            : new Found(file, NOT_FOLLOWED, null));
        } else if (attributes.isRegularFile()) {
          found.add(new Found(file, null, null));
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path visited, IOException failure) throws IOException {
        if (failure instanceof FileSystemLoopException) {
          found.add(new Found(root.resolve(start.relativize(visited)), CYCLE, null));
          return FileVisitResult.CONTINUE;
        }
        throw failure;
      }
    });
    return found;
  }
}
