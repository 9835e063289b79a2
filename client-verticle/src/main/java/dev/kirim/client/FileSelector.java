package dev.kirim.client;

import dev.kirim.io.IoErrors;
import dev.kirim.protocol.NameRules;
import dev.kirim.protocol.ProtocolException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.PatternSyntaxException;

/**
 * Turns the {@code files} entries into the list of files to push, with their remote names:
 * <ul>
 *   <li>a file: its file name ({@code logs/app.log} → {@code app.log});</li>
 *   <li>a directory: everything under it, keeping the directory's own name ({@code logs} → {@code logs/…});</li>
 *   <li>a glob ({@code * ? [ ] { }}, {@code **} crosses directories): each match, relative to the part of the
 *       pattern before the first wildcard ({@code logs/**}{@code /*.log} → {@code 2026/11/a.log}).</li>
 * </ul>
 * Relative entries resolve against {@code baseDir}; {@code remoteDir} prefixes every remote name. Then
 * {@code exclude} takes files out ({@link Exclusions}); symbolic links are met as {@code followSymlinks} says
 * ({@link SymlinkPolicy}). Blocking.
 */
final class FileSelector {

  private FileSelector() {
  }

  static List<LocalFile> select(PushJob job) {
    Map<Path, LocalFile> selected = new LinkedHashMap<>();
    SymlinkPolicy links = new SymlinkPolicy(job.isFollowSymlinks());
    Exclusions exclusions = Exclusions.of(job.getExclude());
    for (String entry : job.getFiles()) {
      for (LocalFile file : expand(job.getBaseDir(), entry, links)) {
        if (!exclusions.excludes(file, job.getBaseDir())) {
          selected.putIfAbsent(file.path(), file);
        }
      }
    }
    List<LocalFile> files = new ArrayList<>();
    Map<String, Path> remoteNames = new HashMap<>();
    AllowedRoots roots = AllowedRoots.of(job.getAllowedRoots());
    for (LocalFile file : selected.values()) {
      files.add(roots.check(checkRemoteName(withRemoteDir(file, job.getRemoteDir()), remoteNames)));
    }
    files.sort(Comparator.comparing(LocalFile::remoteName));
    return files;
  }

  private static List<LocalFile> expand(Path baseDir, String entry, SymlinkPolicy links) {
    if (isGlob(entry)) {
      return expandGlob(baseDir, entry, links);
    }
    Path path = baseDir.resolve(entry).normalize();
    LocalFile link = links.notFollowed(path, String.valueOf(path.getFileName()));
    if (link != null) {
      return List.of(link);
    }
    if (Files.isDirectory(path)) {
      Path parent = path.getParent() == null ? path : path.getParent();
      List<LocalFile> files = walk(path, p -> true, p -> true, p -> nameOf(parent, p), links);
      if (files.isEmpty()) {
        return List.of(LocalFile.failed(path, entry, ClientErrorCode.NO_MATCH, "the directory " + path + " holds no file to push"));
      }
      return files;
    }
    return List.of(LocalFile.of(path, String.valueOf(path.getFileName())));
  }

  /**
   * @return the part of a {@code files} entry before its first wildcard: the directory a glob is looked for in,
   *   or the whole entry when it has none
   */
  static String fixedPrefix(String entry) {
    if (!isGlob(entry)) {
      return entry;
    }
    return String.join("/", java.util.Arrays.copyOfRange(entry.replace('\\', '/').split("/"), 0, firstGlobPart(entry)));
  }

  private static int firstGlobPart(String pattern) {
    String[] parts = pattern.replace('\\', '/').split("/");
    int first = 0;
    while (first < parts.length - 1 && !isGlob(parts[first])) {
      first++;
    }
    return first;
  }

  private static List<LocalFile> expandGlob(Path baseDir, String pattern, SymlinkPolicy links) {
    String[] parts = pattern.replace('\\', '/').split("/");
    int first = firstGlobPart(pattern);
    Path root = baseDir.resolve(fixedPrefix(pattern)).normalize();
    String rest = String.join("/", java.util.Arrays.copyOfRange(parts, first, parts.length));
    PathMatcher matcher;
    try {
      matcher = FileSystems.getDefault().getPathMatcher("glob:" + globstar(rest));
    } catch (PatternSyntaxException e) {
      return List.of(LocalFile.failed(baseDir.resolve(pattern), pattern, ClientErrorCode.BAD_PATTERN,
        "'" + pattern + "' is not a valid pattern: " + e.getDescription()));
    }
    List<LocalFile> matches = Files.isDirectory(root)
      ? walk(root, p -> matcher.matches(root.relativize(p)), mayHoldMatches(root, rest), p -> nameOf(root, p), links)
      : List.of();
    if (matches.isEmpty()) {
      return List.of(LocalFile.failed(baseDir.resolve(pattern), pattern, ClientErrorCode.NO_MATCH,
        "no file matches the pattern '" + pattern + "' (in " + root + ")"));
    }
    return matches;
  }

  /**
   * @return whether a directory below {@code root} may hold a match of {@code pattern} (relative to {@code root}):
   *   without {@code **} (or braces, which may hold a {@code /}) a directory deeper than the pattern, or one whose
   *   path does not match the pattern's leading parts, cannot, and the walk does not go into it
   */
  private static java.util.function.Predicate<Path> mayHoldMatches(Path root, String pattern) {
    if (pattern.contains("**") || pattern.contains("{")) {
      return dir -> true;
    }
    String[] parts = pattern.split("/");
    // The pattern's leading parts at each depth, compiled once for the walk, not once per directory;
    // null where they do not compile on their own (then any directory there may hold matches).
    java.nio.file.PathMatcher[] leading = new java.nio.file.PathMatcher[parts.length];
    for (int depth = 0; depth < parts.length; depth++) {
      try {
        leading[depth] = FileSystems.getDefault()
          .getPathMatcher("glob:" + String.join("/", java.util.Arrays.copyOfRange(parts, 0, depth)));
      } catch (PatternSyntaxException e) {
        leading[depth] = null;
      }
    }
    return dir -> {
      Path relative = root.relativize(dir);
      int depth = relative.getNameCount();
      return depth < parts.length && (leading[depth] == null || leading[depth].matches(relative));
    };
  }

  /**
   * @return the files under {@code root} that pass {@code filter}, named by {@code naming}; a directory that cannot
   *   be listed is a failed entry of its own (the rest is still pushed)
   */
  private static List<LocalFile> walk(Path root, java.util.function.Predicate<Path> filter,
                                      java.util.function.Predicate<Path> enter,
                                      java.util.function.Function<Path, String> naming, SymlinkPolicy links) {
    try {
      // An unreadable entry counts where the glob could match it or would go into it (the walk meets a
      // directory it cannot open before it can ask whether to enter it), and always when it is the root.
      return links.walk(root, enter).stream()
        .filter(found -> filter.test(found.path())
          || found.unreadable() && (found.path().equals(root) || enter.test(found.path())))
        .map(found -> found.toLocalFile(found.path().equals(root) ? String.valueOf(root.getFileName())
          : naming.apply(found.path())))
        .toList();
    } catch (IOException | UncheckedIOException e) {
      return List.of(LocalFile.failed(root, String.valueOf(root.getFileName()), ClientErrorCode.UNREADABLE,
        "cannot list " + root + ": " + IoErrors.describe(e) + "; " + IoErrors.advice(e)));
    }
  }

  private static String nameOf(Path root, Path file) {
    return root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
  }

  private static LocalFile withRemoteDir(LocalFile file, String remoteDir) {
    if (remoteDir.isEmpty()) {
      return file;
    }
    return new LocalFile(file.path(), remoteDir + "/" + file.remoteName(), file.problemCode(), file.problem(),
      file.skipNote());
  }

  /** @return {@code file}, or a failed one when its remote name breaks the name rules the server applies */
  static LocalFile checked(LocalFile file) {
    if (!file.pushable()) {
      return file;
    }
    try {
      NameRules.check(file.remoteName());
    } catch (ProtocolException e) {
      return LocalFile.failed(file.path(), file.remoteName(), e.code().wireName(), e.getMessage());
    }
    return file;
  }

  private static LocalFile checkRemoteName(LocalFile file, Map<String, Path> taken) {
    LocalFile checked = checked(file);
    if (!checked.pushable()) {
      return checked;
    }
    Path previous = taken.putIfAbsent(file.remoteName(), file.path());
    if (previous != null) {
      return LocalFile.failed(file.path(), file.remoteName(), ClientErrorCode.DUPLICATE_NAME,
        "'" + file.remoteName() + "' is also the remote name of " + previous + ": rename one or push it to another remoteDir");
    }
    return file;
  }

  /**
   * Like a shell's globstar, {@code **}{@code /} also matches no directory at all ({@code logs/**}{@code /*.log}
   * matches {@code logs/app.log}); Java globs cannot nest groups, so a pattern with its own braces is kept (a
   * brace escaped as {@code [{]}, as a directory name in a pattern may be, is no group).
   */
  static String globstar(String pattern) {
    return pattern.replace("[{]", "").contains("{") ? pattern : pattern.replace("**/", "{**/,}");
  }

  private static boolean isGlob(String text) {
    return text.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
  }
}
