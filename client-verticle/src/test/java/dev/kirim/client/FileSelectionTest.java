package dev.kirim.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How {@code files} entries become local files and remote names (no server: selection only). */
class FileSelectionTest {

  @TempDir
  Path base;

  private List<LocalFile> select(String... entries) {
    return selectInto("", entries);
  }

  private List<LocalFile> selectInto(String remoteDir, String... entries) {
    return FileSelector.select(new PushJob().setBaseDir(base).setRemoteDir(remoteDir)
      .setFiles(List.of(entries)));
  }

  private static List<String> remoteNames(List<LocalFile> files) {
    return files.stream().map(LocalFile::remoteName).toList();
  }

  private void touch(String... names) throws IOException {
    for (String name : names) {
      Path file = base.resolve(name);
      Files.createDirectories(file.getParent());
      Files.writeString(file, name);
    }
  }

  @Test
  void fileGoesUnderItsFileNameResolvedAgainstBaseDir() throws IOException {
    touch("docs/laporan.txt");

    List<LocalFile> files = select("docs/laporan.txt");

    assertEquals(List.of("laporan.txt"), remoteNames(files));
    assertEquals(base.resolve("docs/laporan.txt"), files.get(0).path());
    assertTrue(files.get(0).pushable());
  }

  @Test
  void directoryKeepsItsNameAndSubDirectories() throws IOException {
    touch("logs/app.log", "logs/2026/11/a.log", "logs/2026/12/b.log", "other/x.txt");

    assertEquals(List.of("logs/2026/11/a.log", "logs/2026/12/b.log", "logs/app.log"), remoteNames(select("logs")));
    assertEquals(List.of("2026/11/a.log", "2026/12/b.log"), remoteNames(select("logs/2026")),
      "a nested directory keeps only its own name");
  }

  @Test
  void globIsRelativeToThePartBeforeItsFirstWildcard() throws IOException {
    touch("logs/app.log", "logs/app.txt", "logs/2026/11/a.log", "logs/2026/12/b.log");

    assertEquals(List.of("app.log"), remoteNames(select("logs/*.log")), "* does not cross directories");
    assertEquals(List.of("2026/11/a.log", "2026/12/b.log"), remoteNames(select("logs/*/*/*.log")));
    assertTrue(remoteNames(select("logs/**/*.log")).containsAll(List.of("2026/11/a.log", "2026/12/b.log")),
      "** crosses directories");
    assertEquals(List.of("11/a.log"), remoteNames(select("logs/2026/1[01]/*.log")));
    assertEquals(List.of("app.log", "app.txt"), remoteNames(select("logs/app.{log,txt}")));
  }

  @Test
  void globMatchingNothingIsOneFailedEntryNamingThePattern() throws IOException {
    touch("data/jan.csv");

    for (String pattern : List.of("data/*.xlsx", "missing-dir/*.csv")) {
      List<LocalFile> files = select(pattern);
      assertEquals(1, files.size(), pattern);
      assertFalse(files.get(0).pushable());
      assertEquals("no_match", files.get(0).problemCode());
      assertTrue(files.get(0).problem().contains(pattern), files.get(0).problem());
    }
  }

  @Test
  void aMissingPlainFileIsLeftForThePushToReport() {
    List<LocalFile> files = select("tidak-ada.txt");

    assertEquals(List.of("tidak-ada.txt"), remoteNames(files));
    assertTrue(files.get(0).pushable(), "reported per target as not_found when it is opened");
  }

  @Test
  void oneFileSelectedTwiceIsPushedOnce() throws IOException {
    touch("a.txt");

    assertEquals(List.of("a.txt"), remoteNames(select("a.txt", "./a.txt", "*.txt")));
  }

  @Test
  void twoFilesWithOneRemoteNameAreRefusedAsDuplicates() throws IOException {
    touch("jan/report.csv", "feb/report.csv");

    List<LocalFile> files = select("jan/report.csv", "feb/report.csv");

    assertEquals(2, files.size());
    assertTrue(files.get(0).pushable(), "the first one listed is pushed");
    assertEquals(base.resolve("jan/report.csv"), files.get(0).path());
    assertEquals("duplicate_name", files.get(1).problemCode());
    assertTrue(files.get(1).problem().contains(base.resolve("jan/report.csv").toString()), files.get(1).problem());
  }

  @Test
  void remoteDirPrefixesEveryName() throws IOException {
    touch("a.txt", "logs/b.log");

    assertEquals(List.of("inbox/2026/a.txt", "inbox/2026/logs/b.log"), remoteNames(selectInto("inbox/2026", "a.txt",
      "logs")));
  }

  @Test
  void aLocalNameTheServerWouldRefuseFailsBeforeAnyConnection() throws IOException {
    touch("bad\u0001name.txt", "good.txt");

    List<LocalFile> files = select("bad\u0001name.txt", "good.txt");

    LocalFile bad = files.stream().filter(f -> f.remoteName().startsWith("bad")).findFirst().orElseThrow();
    assertEquals("bad_name", bad.problemCode());
    assertTrue(files.stream().filter(f -> f.remoteName().equals("good.txt")).allMatch(LocalFile::pushable));
  }

  @Test
  void emptyDirectoryIsOneFailedEntryLikeAGlobMatchingNothing() throws IOException {
    Files.createDirectories(base.resolve("kosong/juga-kosong"));

    List<LocalFile> files = select("kosong");

    assertEquals(1, files.size());
    assertEquals("no_match", files.get(0).problemCode());
    assertTrue(files.get(0).problem().contains(base.resolve("kosong").toString()), files.get(0).problem());
  }

  @Test
  void anInvalidGlobIsAFailedEntryNotAnException() throws IOException {
    touch("data/a.csv");

    List<LocalFile> files = select("data/[a.csv");

    assertEquals(1, files.size());
    assertFalse(files.get(0).pushable());
    assertEquals("bad_pattern", files.get(0).problemCode());
    assertTrue(files.get(0).problem().contains("data/[a.csv"), files.get(0).problem());
  }

  /**
   * Makes {@code g/locked} a directory the walk cannot read: without root, by its permissions; as root (which
   * reads through any permission, as in CI), by a directory deep inside it whose path is longer than the system
   * allows (PATH_MAX), which no one can open by its path.
   *
   * @return the directory whose listing fails
   */
  private Path unreadableDirectoryUnder(Path locked) throws Exception {
    Files.createDirectories(locked);
    Files.writeString(locked.resolve("inside.txt"), "x");
    if (!"root".equals(System.getProperty("user.name"))) {
      Files.setPosixFilePermissions(locked, java.nio.file.attribute.PosixFilePermissions.fromString("---------"));
      return locked;
    }
    String name = "d".repeat(200);
    Path deep = locked;
    while (deep.toString().length() < 3800) {
      deep = Files.createDirectory(deep.resolve(name));
    }
    // Created relative to a reachable directory: its own full path is too long to open.
    Process mkdir = new ProcessBuilder("mkdir", "-p", name + "/" + name).directory(deep.toFile()).inheritIO().start();
    assertEquals(0, mkdir.waitFor(), "mkdir of a too-long path");
    return deep.resolve(name).resolve(name);
  }

  /** Undoes {@link #unreadableDirectoryUnder}, so that the temporary directory can be deleted. */
  private void readableAgain(Path locked) throws Exception {
    if (!"root".equals(System.getProperty("user.name"))) {
      Files.setPosixFilePermissions(locked, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    } else {
      // rm walks by relative steps: it removes what is too long to name by a full path.
      Process rm = new ProcessBuilder("rm", "-rf", "--", locked.getFileName().toString())
        .directory(locked.getParent().toFile()).inheritIO().start();
      assertEquals(0, rm.waitFor(), "rm -rf " + locked);
    }
  }

  /** A directory that cannot be listed fails on its own: the readable files around it are still pushed. */
  @Test
  void anUnreadableSubdirectoryFailsOnItsOwn() throws Exception {
    touch("g/one.txt");
    Path unreadable = unreadableDirectoryUnder(base.resolve("g/locked"));
    try {
      List<LocalFile> files = select("g");
      List<LocalFile> failed = files.stream().filter(f -> !f.pushable()).toList();
      assertEquals(1, failed.size(), files::toString);
      assertEquals(unreadable, failed.get(0).path());
      assertEquals("unreadable", failed.get(0).problemCode());
      assertTrue(failed.get(0).problem().startsWith("cannot list " + unreadable + ": "), failed.get(0).problem());
      assertTrue(failed.get(0).problem().contains("; check"), failed.get(0).problem());
      assertTrue(files.stream().anyMatch(f -> f.pushable() && f.remoteName().equals("g/one.txt")), files::toString);

      List<LocalFile> everywhere = select("g/**/*.txt");
      assertTrue(everywhere.stream().anyMatch(f -> f.pushable() && f.remoteName().equals("one.txt")), everywhere::toString);
      assertEquals(1, everywhere.stream().filter(f -> !f.pushable()).count(), everywhere::toString);
    } finally {
      readableAgain(base.resolve("g/locked"));
    }
  }

  /**
   * The directory the walk cannot open sits right in the glob's directory (the walk meets it before it can ask
   * whether to enter it). As root, whom permissions do not stop, it is one whose own path is longer than PATH_MAX:
   * the files are put so deep that {@code g} still opens and {@code g/<200 characters>} does not.
   */
  @Test
  void aGlobDoesNotFailOnAnUnreadableDirectoryBesideItsMatches() throws Exception {
    boolean root = "root".equals(System.getProperty("user.name"));
    Path deep = base;
    while (root && deep.toString().length() < 3880) {
      deep = Files.createDirectory(deep.resolve("d".repeat(Math.min(200, 3900 - deep.toString().length()))));
    }
    Path g = Files.createDirectories(deep.resolve("g"));
    Files.writeString(g.resolve("one.txt"), "x");
    String locked = root ? "l".repeat(220) : "locked";
    if (root) {
      // Made relative to g: its own full path is too long to name.
      assertEquals(0, new ProcessBuilder("mkdir", locked).directory(g.toFile()).inheritIO().start().waitFor());
    } else {
      Files.createDirectory(g.resolve(locked));
      Files.setPosixFilePermissions(g.resolve(locked), java.nio.file.attribute.PosixFilePermissions.fromString("---------"));
    }
    try {
      PushJob job = new PushJob().setBaseDir(deep);
      assertEquals(List.of("one.txt"), remoteNames(FileSelector.select(job.setFiles(List.of("g/*.txt")))));
      // Where the walk would go in, the directory fails on its own; an exclusion that names it takes it out.
      List<LocalFile> all = FileSelector.select(job.setFiles(List.of("g")));
      assertEquals(1, all.stream().filter(f -> !f.pushable()).count(), all::toString);
      List<LocalFile> excluded = FileSelector.select(job.setFiles(List.of("g")).setExclude(List.of(locked)));
      assertEquals(List.of("g/one.txt"), remoteNames(excluded), excluded::toString);
      if (!root) {
        // A glob whose own directory cannot be read says so, not "no match" (root can read it: no such case).
        List<LocalFile> inside = FileSelector.select(job.setExclude(List.of()).setFiles(List.of("g/" + locked + "/*.txt")));
        assertEquals(List.of("unreadable"), inside.stream().map(LocalFile::problemCode).toList(), inside::toString);
      }
    } finally {
      if (root) {
        assertEquals(0, new ProcessBuilder("rmdir", locked).directory(g.toFile()).inheritIO().start().waitFor());
      } else {
        Files.setPosixFilePermissions(g.resolve(locked), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
      }
    }
  }

  /** A glob that cannot match anything in an unreadable directory does not go into it, and does not fail. */
  @Test
  void aGlobDoesNotFailOnADirectoryItNeverEnters() throws Exception {
    touch("g/one.txt", "g/sub/two.txt");
    unreadableDirectoryUnder(base.resolve("g/locked"));
    try {
      List<LocalFile> files = select("g/*.txt");
      assertEquals(List.of("one.txt"), remoteNames(files));
      assertTrue(files.get(0).pushable(), files::toString);
      assertEquals(List.of("sub/two.txt"), remoteNames(select("g/s*/*.txt")));
    } finally {
      readableAgain(base.resolve("g/locked"));
    }
  }
}
