package dev.kirim.client;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The progress renderer, driven by a fake clock into a StringBuilder: what a terminal or a pipe would get. */
class ProgressLineTest {

  private static final String TARGET = "127.0.0.1:25563";
  private static final long MIB = 1024 * 1024;

  private final StringBuilder out = new StringBuilder();
  private long now = TimeUnit.SECONDS.toNanos(1000);

  private void advanceMillis(long millis) {
    now += TimeUnit.MILLISECONDS.toNanos(millis);
  }

  private ProgressLine terminal(int width) {
    return ProgressLine.terminal(out, () -> now, width);
  }

  private static FileResult sent(String target, String name, long size) {
    return new FileResult(target, "srv", name, name, "/tmp/" + name, FileStatus.SENT, size, size, 0, "crc32c:0", null,
      null, 1, 1, null);
  }

  private static FileResult failed(String target, String name) {
    return new FileResult(target, null, name, null, "/tmp/" + name, FileStatus.FAILED, 0, 0, 0, null,
      "connect_failed", "refused", 1, 1, null);
  }

  /** @return what follows the last carriage return: the line a terminal shows */
  private String shown() {
    String text = out.toString();
    return text.substring(text.lastIndexOf('\r') + 1).stripTrailing();
  }

  @Test
  void oneTargetIsOneLineRedrawnInPlaceWithBytesRateEtaAndCurrentFile() {
    ProgressLine line = terminal(120);
    line.selected(2, 400 * MIB);
    line.targetStarted(TARGET);
    line.tick();
    assertEquals(TARGET + "  0/2 files  0 B/400.0 MiB", shown());

    line.bodyStarted(TARGET, "big.bin", 300 * MIB, 0);
    for (int i = 0; i < 4; i++) {
      advanceMillis(250);
      line.bytesSent(TARGET, "big.bin", 25 * MIB);
      line.tick();
    }
    // 100 MiB in one second: 300 MiB left at 100 MiB/s.
    assertEquals(TARGET + "  0/2 files  100.0 MiB/400.0 MiB  100.0 MiB/s  ETA 0:03  big.bin", shown());
    assertFalse(out.toString().contains("\n"), "redrawn in place, never a new line: " + out);
    assertEquals(5, out.chars().filter(c -> c == '\r').count(), "one redraw per due tick");
  }

  @Test
  void redrawsAtMostFourTimesASecond() {
    ProgressLine line = terminal(120);
    line.selected(1, MIB);
    line.targetStarted(TARGET);
    for (int i = 0; i < 100; i++) {
      advanceMillis(10);
      line.bytesSent(TARGET, "a", 1);
      line.tick();
    }
    long redraws = out.chars().filter(c -> c == '\r').count();
    assertTrue(redraws <= 5, "a second of ticks every 10 ms redrew " + redraws + " times");
  }

  @Test
  void aResumeIsALineOfItsOwnAndTheLiveLineComesBackBelowIt() {
    ProgressLine line = terminal(120);
    line.selected(1, 2048 * MIB);
    line.targetStarted(TARGET);
    line.tick();
    line.bodyStarted(TARGET, "big.bin", 2048 * MIB, 1434 * MIB);
    String text = out.toString();
    assertTrue(text.contains("resumed big.bin at 1.4 GiB\n"), text);
    assertTrue(shown().startsWith(TARGET + "  0/1 files  1.4 GiB/2.0 GiB"), shown());
  }

  @Test
  void finishClearsTheLineAndNothingIsDrawnAfterwards() {
    ProgressLine line = terminal(120);
    line.selected(1, 10);
    line.targetStarted(TARGET);
    line.tick();
    int drawn = shown().length();
    line.fileFinished(sent(TARGET, "a", 10));
    line.finish();
    String text = out.toString();
    assertTrue(text.endsWith("\r" + " ".repeat(drawn) + "\r"), "blanked: [" + text + "]");
    advanceMillis(1000);
    line.tick();
    assertEquals(text, out.toString());
  }

  @Test
  void anInterruptedPushKeepsTheLastLineAndEndsItWithANewline() {
    ProgressLine line = terminal(120);
    line.selected(1, 10);
    line.targetStarted(TARGET);
    line.tick();
    String drawn = out.toString();
    line.interrupted();
    line.finish();
    assertEquals(drawn + "\n", out.toString(), "the summary starts on a line of its own");
    advanceMillis(1000);
    line.tick();
    assertEquals(drawn + "\n", out.toString());
  }

  @Test
  void aLongFileNameIsCutFromTheLeftToFitTheWidth() {
    ProgressLine line = terminal(60);
    line.selected(1, MIB);
    line.targetStarted(TARGET);
    line.bodyStarted(TARGET, "very/long/directory/name/and/a/file-name.bin", MIB, 0);
    line.tick();
    String shown = shown();
    assertTrue(shown.length() <= 59, shown.length() + ": " + shown);
    assertTrue(shown.endsWith("file-name.bin") && shown.contains("..."), shown);
  }

  /**
   * Width is counted in terminal columns, not UTF-16 chars: a name of CJK characters (two columns each) used to be
   * cut too little, so the line wrapped and the redraw in place broke; a cut could split a surrogate pair.
   */
  @Test
  void aNameOfWideCharactersIsCutByColumnsAndNeverHalfACharacter() {
    ProgressLine line = terminal(60);
    line.selected(1, MIB);
    line.targetStarted(TARGET);
    String name = "\u65e5\u672c\u8a9e/".repeat(6) + "\ud83d\udcc4\u30d5\u30a1\u30a4\u30eb.bin";
    line.bodyStarted(TARGET, name, MIB, 0);
    line.tick();
    String shown = shown();
    assertTrue(ProgressLine.columns(shown) <= 59, ProgressLine.columns(shown) + ": " + shown);
    assertTrue(shown.endsWith("\u30d5\u30a1\u30a4\u30eb.bin") && shown.contains("..."), shown);
    assertFalse(Character.isLowSurrogate(shown.charAt(shown.indexOf("...") + 3)), shown);
    assertEquals("\ud83d\udcc4x", ProgressLine.tail("a\ud83d\udcc4x", 3));
    assertEquals("x", ProgressLine.tail("a\ud83d\udcc4x", 2));
    assertEquals(7, ProgressLine.columns("\u65e5\u672ce\u0301ab"), "two wide, one letter with a combining mark, two");
    assertEquals(2, ProgressLine.columns("\ud83d\ude80"), "a rocket takes two columns");
    assertEquals("ab", ProgressLine.tail("e\u0301ab", 2), "no mark without its letter");
  }

  @Test
  void aFileNameIsShownEscapedLikeInTheSummary() {
    ProgressLine line = terminal(120);
    line.selected(1, 2 * MIB);
    line.targetStarted(TARGET);
    // A right-to-left override (U+202E) makes "evil<RLO>txt.exe" read as "evilexe.txt".
    line.bodyStarted(TARGET, "evil\u202etxt.exe", 2 * MIB, MIB);
    line.tick();
    String text = out.toString();
    assertFalse(text.contains("\u202e"), text);
    assertTrue(text.contains("resumed evil\\u202etxt.exe at"), text);
    assertTrue(shown().endsWith("evil\\u202etxt.exe"), shown());
  }

  @Test
  void severalTargetsGetALineEachRedrawnWithCursorMoves() {
    ProgressLine line = terminal(120);
    line.selected(1, 10);
    line.targetStarted("a:1");
    line.targetStarted("b:2");
    line.tick();
    advanceMillis(300);
    line.fileFinished(failed("b:2", "x"));
    line.tick();
    String text = out.toString();
    assertTrue(text.contains("a:1  0/1 files"), text);
    assertTrue(text.contains("b:2  1/1 files (1 failed)"), text);
    assertTrue(text.contains("\u001b[1A"), "moves up to redraw the block: " + text);
  }

  @Test
  void manyTargetsShareOneLine() {
    ProgressLine line = terminal(120);
    line.selected(3, 30);
    for (int i = 0; i < 6; i++) {
      line.targetStarted("host" + i + ":25563");
    }
    line.fileFinished(sent("host0:25563", "a", 10));
    line.fileFinished(sent("host5:25563", "a", 10));
    line.tick();
    assertEquals("6 targets  2/18 files  20 B/180 B", shown());
  }

  @Test
  void plainModePrintsWholeLinesEveryTwoSecondsWithoutControlCharacters() {
    ProgressLine line = ProgressLine.plain(out, () -> now);
    line.selected(1, 100 * MIB);
    line.targetStarted(TARGET);
    line.bodyStarted(TARGET, "big.bin", 100 * MIB, 40 * MIB);
    for (int i = 0; i < 20; i++) {
      advanceMillis(250);
      line.bytesSent(TARGET, "big.bin", MIB);
      line.tick();
    }
    line.finish();
    String[] lines = out.toString().split("\n");
    assertEquals("resumed big.bin at 40.0 MiB", lines[0]);
    // A first line at once (0.25 s), then one every 2 s: at 2.25 s and 4.25 s, when 17 MiB more had gone.
    assertEquals(4, lines.length, out.toString());
    assertEquals(TARGET + "  0/1 files  57.0 MiB/100.0 MiB  4.0 MiB/s  ETA 0:11  big.bin", lines[3]);
    assertFalse(out.toString().contains("\r") || out.toString().contains("\u001b"), out.toString());
  }

  @Test
  void durationsReadAsAClock() {
    assertEquals("0:07", ProgressLine.duration(7));
    assertEquals("12:05", ProgressLine.duration(725));
    assertEquals("2:00:01", ProgressLine.duration(7201));
    assertEquals("--", ProgressLine.duration(400 * 3600));
  }
}
