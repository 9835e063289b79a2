package dev.kirim.it;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Assertions on what a kirim process printed and how it ended. */
public final class Outputs {

  private Outputs() {
  }

  /** The process has ended with {@code expected}. */
  public static void assertExitCode(int expected, KirimProcess process) {
    assertFalse(process.isAlive(), () -> "the process has ended\n" + process.describe());
    assertEquals(expected, process.exitCode(), () -> "exit code\n" + process.describe());
  }

  /** Nothing that looks like a Java stack trace or an exception class name was printed. */
  public static void assertNoStackTrace(KirimProcess process) {
    for (String line : process.outputLines()) {
      assertFalse(line.startsWith("\tat ") || line.matches("\\s+at [\\w$.]+\\(.*\\)") || line.contains("Exception")
        || line.contains("Caused by:") || line.contains("OutOfMemoryError"),
        () -> "stack trace or exception printed: \"" + line + "\"\n" + process.describe());
    }
  }

  /**
   * The usage contract: exit code 2, exactly one non-blank line on stderr that starts with {@code prefix}
   * and contains every fragment, nothing on stdout, no stack trace.
   */
  public static String assertUsageError(KirimProcess process, String prefix, String... fragments) {
    assertExitCode(2, process);
    List<String> lines = process.stderrLines().stream().filter(line -> !line.isBlank()).toList();
    assertEquals(1, lines.size(), () -> "one line on stderr\n" + process.describe());
    String line = lines.get(0);
    assertTrue(line.startsWith(prefix), () -> "stderr starts with \"" + prefix + "\"\n" + process.describe());
    for (String fragment : fragments) {
      assertTrue(line.contains(fragment), () -> "stderr mentions \"" + fragment + "\"\n" + process.describe());
    }
    assertTrue(process.stdoutLines().stream().allMatch(String::isBlank), () -> "nothing on stdout\n" + process.describe());
    assertNoStackTrace(process);
    return line;
  }

  /** The client's last stdout line is its verdict: {@code kirim: N file(s) x T target(s): …}, containing {@code counts}. */
  public static String assertVerdict(KirimProcess client, String counts) {
    String verdict = client.lastStdoutLine();
    assertTrue(verdict.startsWith("kirim:"), () -> "the summary's last line starts with 'kirim:'\n" + client.describe());
    assertTrue(verdict.contains(counts), () -> "the verdict says \"" + counts + "\"\n" + client.describe());
    return verdict;
  }
}
