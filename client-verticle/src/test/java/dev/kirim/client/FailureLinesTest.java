package dev.kirim.client;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The summary's failure lines name what to look at, for one file as for many. */
class FailureLinesTest {

  private static FileResult failed(String name, String code, String message) {
    return new FileResult("files.example:25563", null, name, null, "/data/" + name, FileStatus.FAILED, 0, 0, 0, null,
      code, message, 1, 10, null);
  }

  private static String lines(FileResult... results) {
    return FailureLines.of(new TargetReport("files.example:25563", null, null, List.of(results), 1));
  }

  @Test
  void oneFileThatCouldNotConnectGetsTheHintTooAndOthersDoNot() {
    String refused = "cannot connect to files.example:25563: Connection refused: files.example/10.0.0.9:25563";
    assertEquals("  FAILED a.bin (/data/a.bin): connect_failed: " + refused + " — is the server running?"
      + System.lineSeparator(), lines(failed("a.bin", "connect_failed", refused)));
    assertEquals("  FAILED a.bin (/data/a.bin): bad_name: name '..' leaves the storage directory"
      + System.lineSeparator(), lines(failed("a.bin", "bad_name", "name '..' leaves the storage directory")));
  }

  @Test
  void aHostNameThatCannotBeResolvedSaysSo() {
    String unresolved = "cannot connect to nowhere.invalid:25563: the host name cannot be resolved (Failed to "
      + "resolve 'nowhere.invalid' [A(1), AAAA(28)] after 2 queries)";
    assertEquals("  files.example:25563: 2 files failed: cannot connect (unknown host) — is the name right?"
      + System.lineSeparator(), lines(failed("a.bin", "connect_failed", unresolved),
      failed("b.bin", "connect_failed", unresolved)));
  }
}
