package dev.kirim.client;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The summary's verdict line. */
class PushReportTest {

  private static TargetReport target(String client, FileStatus status) {
    FileResult result = new FileResult("127.0.0.1:25563", "inbox", "big.bin", null, "/data/big.bin", status, 100, 10,
      0, null, null, null, 5, 1, status == FileStatus.INTERRUPTED ? "interrupted by SIGINT" : null);
    return new TargetReport("127.0.0.1:25563", null, "inbox", client, List.of(result), 5);
  }

  private static String verdict(TargetReport... targets) {
    List<String> lines = new PushReport(Instant.now(), 5, List.of(targets)).summary().lines().toList();
    return lines.get(lines.size() - 1);
  }

  /** A push that selected nothing (every file excluded, say) says so, not "all delivered". */
  @Test
  void aPushOfNothingSaysNothingWasSelected() {
    String nothing = verdict();
    assertTrue(nothing.endsWith("0 B in 0.01 s — nothing to push: no file selected (see 'files' and 'exclude')"),
      nothing);
    assertTrue(verdict(target(null, FileStatus.SENT)).endsWith("— all delivered"));
  }

  /** A new run resumes only where the server knows the client: an anonymous client's resume id is gone. */
  @Test
  void anInterruptedPushSaysWhetherTheNextRunResumes() {
    assertTrue(verdict(target("aji", FileStatus.INTERRUPTED)).endsWith("— INTERRUPTED: run it again to resume"),
      verdict(target("aji", FileStatus.INTERRUPTED)));
    String anonymous = verdict(target(null, FileStatus.INTERRUPTED), target("aji", FileStatus.INTERRUPTED));
    assertTrue(anonymous.contains("— INTERRUPTED: run it again to send the rest (from the start"), anonymous);
    // A target that was not interrupted does not count.
    String done = verdict(target(null, FileStatus.SENT), target("aji", FileStatus.INTERRUPTED));
    assertTrue(done.endsWith("run it again to resume"), done);
  }
}
