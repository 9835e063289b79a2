package dev.kirim.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code exclude} and {@code followSymlinks} in the selection (no server: selection only). */
class SelectionOptionsTest {

  @TempDir
  Path tmp;

  private Path base;

  private List<LocalFile> select(PushJob job, String... entries) {
    return FileSelector.select(job.setBaseDir(base).setFiles(List.of(entries)));
  }

  private List<String> remoteNames(List<String> exclude, String... entries) {
    return select(new PushJob().setExclude(exclude), entries).stream().map(LocalFile::remoteName).toList();
  }

  private static Map<String, LocalFile> byName(List<LocalFile> files) {
    return files.stream().collect(Collectors.toMap(LocalFile::remoteName, Function.identity()));
  }

  private void touch(String... names) throws IOException {
    base = tmp.resolve("base");
    for (String name : names) {
      Path file = base.resolve(name);
      Files.createDirectories(file.getParent());
      Files.writeString(file, name);
    }
  }

  @Test
  void excludeByDirectoryGlobByExtensionAndByName() throws IOException {
    touch("logs/app.log", "logs/old/2025.log", "logs/old/deep/x.log", "logs/a.tmp", "logs/sub/b.tmp", "logs/secret.txt",
      "logs/sub/secret.txt", "logs/secret.txt.bak");

    assertEquals(List.of("logs/a.tmp", "logs/app.log", "logs/secret.txt", "logs/secret.txt.bak", "logs/sub/b.tmp",
      "logs/sub/secret.txt"), remoteNames(List.of("logs/old/**"), "logs"), "dir/** is relative to baseDir");
    assertEquals(List.of("logs/app.log", "logs/old/2025.log", "logs/old/deep/x.log", "logs/secret.txt",
      "logs/secret.txt.bak", "logs/sub/secret.txt"), remoteNames(List.of("*.tmp"), "logs"), "at any depth");
    assertEquals(List.of("logs/a.tmp", "logs/app.log", "logs/old/2025.log", "logs/old/deep/x.log",
      "logs/secret.txt.bak", "logs/sub/b.tmp"), remoteNames(List.of("secret.txt"), "logs"), "a name, exactly");
    assertEquals(List.of("logs/a.tmp", "logs/app.log", "logs/secret.txt", "logs/secret.txt.bak"),
      remoteNames(List.of("old", "sub"), "logs"), "a directory's name takes what is under it");
    assertEquals(List.of("app.log"), remoteNames(List.of("logs/old/**", "**/*.tmp", "*secret*"), "logs/**"),
      "the same patterns over a glob entry");
  }

  @Test
  void excludeAppliesToExplicitFilesAndAbsolutePatterns() throws IOException {
    touch("a.txt", "b.txt", "data/c.csv");

    assertEquals(List.of("b.txt", "c.csv"), remoteNames(List.of("a.txt"), "a.txt", "b.txt", "data/c.csv"));
    assertEquals(List.of("a.txt", "b.txt"), remoteNames(List.of(base.resolve("data") + "/*.csv"), "a.txt", "b.txt",
      "data/c.csv"));
  }

  @Test
  void everyMatchExcludedIsNothingToPushNotAFailure() throws IOException {
    touch("tmp/a.tmp", "tmp/b.tmp");

    assertEquals(List.of(), remoteNames(List.of("*.tmp"), "tmp"));
    assertEquals(List.of(), remoteNames(List.of("*.tmp"), "tmp/*"));
    assertEquals("no_match", select(new PushJob().setExclude(List.of("*.tmp")), "tmp/*.csv").get(0).problemCode(),
      "a glob that matches nothing at all still fails");
  }

  @Test
  void linksInAWalkedDirectoryAreSkippedUnlessFollowed() throws IOException {
    touch("inside/real.txt", "outside/secret.txt", "outside/dir/x.txt");
    Files.createSymbolicLink(base.resolve("inside/to-secret.txt"), base.resolve("outside/secret.txt"));
    Files.createSymbolicLink(base.resolve("inside/to-dir"), base.resolve("outside/dir"));
    Files.createSymbolicLink(base.resolve("inside/broken"), base.resolve("nowhere"));

    Map<String, LocalFile> notFollowed = byName(select(new PushJob(), "inside"));
    assertEquals(List.of("inside/broken", "inside/real.txt", "inside/to-dir", "inside/to-secret.txt"),
      notFollowed.keySet().stream().sorted().toList());
    assertTrue(notFollowed.get("inside/real.txt").pushable());
    for (String link : List.of("inside/broken", "inside/to-dir", "inside/to-secret.txt")) {
      assertFalse(notFollowed.get(link).pushable(), link);
      assertNull(notFollowed.get(link).problemCode(), link + " is skipped, not failed");
      assertEquals(SymlinkPolicy.NOT_FOLLOWED, notFollowed.get(link).skipNote(), link);
    }

    Map<String, LocalFile> followed = byName(select(new PushJob().setFollowSymlinks(true), "inside"));
    assertEquals(List.of("inside/broken", "inside/real.txt", "inside/to-dir/x.txt", "inside/to-secret.txt"),
      followed.keySet().stream().sorted().toList());
    assertTrue(followed.get("inside/to-secret.txt").pushable());
    assertEquals(base.resolve("inside/to-dir/x.txt"), followed.get("inside/to-dir/x.txt").path(), "under the link's name");
    assertEquals("not_found", followed.get("inside/broken").problemCode());
  }

  @Test
  void aLinkNamedInFilesIsNotFollowedEitherButOneOnTheWayIs() throws IOException {
    touch("real/a.txt", "real/b.log");
    Files.createSymbolicLink(base.resolve("current"), base.resolve("real"));
    Files.createSymbolicLink(base.resolve("latest.txt"), base.resolve("real/a.txt"));

    Map<String, LocalFile> files = byName(select(new PushJob(), "current", "latest.txt", "current/*.log"));

    assertEquals(SymlinkPolicy.NOT_FOLLOWED, files.get("current").skipNote());
    assertEquals(SymlinkPolicy.NOT_FOLLOWED, files.get("latest.txt").skipNote());
    assertTrue(files.get("b.log").pushable(), "a link before a glob's wildcard is part of the configured path");
    assertEquals(base.resolve("current/b.log"), files.get("b.log").path());

    Map<String, LocalFile> followed = byName(select(new PushJob().setFollowSymlinks(true), "current", "latest.txt"));
    assertEquals(List.of("current/a.txt", "current/b.log", "latest.txt"), followed.keySet().stream().sorted().toList());
    assertTrue(followed.values().stream().allMatch(LocalFile::pushable));
  }

  @Test
  void excludedLinksAreNotReported() throws IOException {
    touch("dir/a.txt", "elsewhere.txt");
    Files.createSymbolicLink(base.resolve("dir/link.txt"), base.resolve("elsewhere.txt"));

    assertEquals(List.of("dir/a.txt"), remoteNames(List.of("link.txt"), "dir"));
  }

  @Test
  @Timeout(30)
  void aCycleOfLinksEndsWhenFollowing() throws IOException {
    touch("tree/a.txt", "tree/sub/b.txt");
    Files.createSymbolicLink(base.resolve("tree/sub/up"), base.resolve("tree"));
    Files.createSymbolicLink(base.resolve("tree/self"), Path.of("."));

    Map<String, LocalFile> files = byName(select(new PushJob().setFollowSymlinks(true), "tree"));

    assertEquals(List.of("tree/a.txt", "tree/self", "tree/sub/b.txt", "tree/sub/up"),
      files.keySet().stream().sorted().toList());
    assertEquals(SymlinkPolicy.CYCLE, files.get("tree/sub/up").skipNote());
    assertEquals(SymlinkPolicy.CYCLE, files.get("tree/self").skipNote());
    assertTrue(files.get("tree/a.txt").pushable());
  }
}
