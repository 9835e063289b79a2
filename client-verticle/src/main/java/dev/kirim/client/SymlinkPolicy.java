package dev.kirim.client;

import dev.kirim.io.IoErrors;

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
  record Found(Path path, String skipNote, String problem, ClientErrorCode problemCode) {

    Found(Path path, String skipNote, String problem) {
      this(path, skipNote, problem, problem == null ? null : ClientErrorCode.NOT_FOUND);
    }

    /** @return whether this is a directory (or file) the walk could not read: a failure of its own */
    boolean unreadable() {
      return problemCode == ClientErrorCode.UNREADABLE;
    }

    LocalFile toLocalFile(String remoteName) {
      if (problem != null) {
        return LocalFile.failed(path, remoteName, problemCode, problem);
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
   * A directory below {@code root} that cannot be listed (or a file whose attributes cannot be read) is one
   * {@link Found#unreadable() unreadable} entry, and the walk goes on; so is {@code root} itself.
   *
   * @param enter whether to go into a directory below {@code root} at all (a glob that cannot match anything in
   *   it need not, and then does not fail when it cannot be read)
   */
  List<Found> walk(Path root, java.util.function.Predicate<Path> enter) throws IOException {
    List<Found> found = new ArrayList<>();
    Set<FileVisitOption> options = follow ? EnumSet.of(FileVisitOption.FOLLOW_LINKS) : EnumSet.noneOf(FileVisitOption.class);
    // The root is a configured path (a glob's part before its wildcard): a link there is followed either way.
    Path start = !follow && Files.isSymbolicLink(root) ? root.toRealPath() : root;
    Files.walkFileTree(start, options, Integer.MAX_VALUE, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path visited, BasicFileAttributes attributes) {
        return visited.equals(start) || enter.test(root.resolve(start.relativize(visited)))
          ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
      }

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
        Path unreadable = root.resolve(start.relativize(visited));
        found.add(new Found(unreadable, null, "cannot list " + unreadable + ": " + IoErrors.describe(failure) + "; "
          + IoErrors.advice(failure), ClientErrorCode.UNREADABLE));
        return FileVisitResult.CONTINUE;
      }
    });
    return found;
  }
}
