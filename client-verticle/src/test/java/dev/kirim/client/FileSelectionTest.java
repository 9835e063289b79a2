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
}
