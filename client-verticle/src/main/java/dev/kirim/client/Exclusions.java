package dev.kirim.client;

import dev.kirim.config.ConfigException;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code exclude} patterns: files the selection found that are not pushed. Same glob syntax as {@code files}
 * ({@code * ? [ ] { }}, {@code **} crosses directories, {@code **}{@code /} also matches no directory at all):
 * <ul>
 *   <li>a pattern without {@code /} matches a file when its name, or the name of a directory it was found in,
 *       matches: {@code *.tmp}, {@code .git}, {@code secret.txt};</li>
 *   <li>a pattern with {@code /} is matched against the file's path relative to {@code baseDir}, the way
 *       {@code files} entries are written ({@code logs/2026/**}); an absolute one against the absolute path.</li>
 * </ul>
 * "A directory it was found in" counts from the selected entry on: the components of the remote name, before
 * {@code remoteDir} is put in front. An excluded file is simply not pushed: not reported, never deleted.
 */
final class Exclusions {

  static final Exclusions NONE = new Exclusions(List.of());

  private record Rule(PathMatcher matcher, boolean nameOnly, boolean absolute) {
  }

  private final List<Rule> rules;

  private Exclusions(List<Rule> rules) {
    this.rules = rules;
  }

  /**
   * @param patterns the {@code exclude} entries
   * @throws ConfigException naming the entry ({@code exclude[1]}) and the pattern that is not a valid glob
   */
  static Exclusions of(List<String> patterns) {
    List<Rule> rules = new ArrayList<>();
    for (int i = 0; i < patterns.size(); i++) {
      rules.add(rule(patterns.get(i), "exclude[" + i + "]"));
    }
    return new Exclusions(List.copyOf(rules));
  }

  private static Rule rule(String pattern, String key) {
    if (pattern == null || pattern.isBlank()) {
      throw new ConfigException("config key '" + key + "' is empty, expected a pattern such as \"*.tmp\" or \"logs/old/**\"");
    }
    String glob = pattern.replace('\\', '/');
    boolean nameOnly = !glob.contains("/");
    try {
      return new Rule(FileSystems.getDefault().getPathMatcher("glob:" + FileSelector.globstar(glob)), nameOnly,
        glob.startsWith("/"));
    } catch (PatternSyntaxException e) {
      throw new ConfigException("config key '" + key + "' is \"" + pattern + "\", not a valid pattern: "
        + e.getDescription());
    }
  }

  boolean isEmpty() {
    return rules.isEmpty();
  }

  /**
   * @param file    a file the selection found, its remote name not yet prefixed with {@code remoteDir}
   * @param baseDir what relative patterns are relative to
   * @return whether a pattern excludes it; never for an entry that failed as a whole (a glob matching nothing)
   */
  boolean excludes(LocalFile file, Path baseDir) {
    // A file that failed is reported whatever the rules say, except a directory or file a walk could not read:
    // excluding it is what the rules are for.
    if (rules.isEmpty() || file.problemCode() != null
      && !ClientErrorCode.UNREADABLE.wireName().equals(file.problemCode())) {
      return false;
    }
    for (Rule rule : rules) {
      if (rule.nameOnly() ? anyNameMatches(rule.matcher(), file.remoteName())
        : rule.matcher().matches(rule.absolute() ? file.path() : baseDir.relativize(file.path()))) {
        return true;
      }
    }
    return false;
  }

  private static boolean anyNameMatches(PathMatcher matcher, String remoteName) {
    for (String name : remoteName.split("/")) {
      if (!name.isEmpty() && matcher.matches(Path.of(name))) {
        return true;
      }
    }
    return false;
  }
}
