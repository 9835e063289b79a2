package dev.kirim.client;

import dev.kirim.protocol.Printable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The summary's lines for one target's failed files: one line per file, except that files which failed for
 * the very same reason (a target that is down fails every file alike) collapse into one line,
 * {@code 127.0.0.1:25564: 3000 files failed: cannot connect (connection refused) — is the server running?}.
 * The report keeps every file.
 */
final class FailureLines {

  private FailureLines() {
  }

  /** @return the lines, each ending with a line separator, in the order the reasons first occur */
  static String of(TargetReport target) {
    Map<String, List<FileResult>> byReason = new LinkedHashMap<>();
    for (FileResult result : target.results()) {
      if (result.failed()) {
        byReason.computeIfAbsent(result.errorCode() + "\n" + result.errorMessage(), k -> new ArrayList<>()).add(result);
      }
    }
    StringBuilder out = new StringBuilder();
    for (List<FileResult> same : byReason.values()) {
      FileResult first = same.get(0);
      if (same.size() == 1) {
        out.append(String.format("  FAILED %s (%s): %s: %s%n", Printable.escape(first.name()),
          Printable.escape(first.local()), first.errorCode(), Printable.escape(first.errorMessage())));
      } else {
        out.append(String.format(Locale.ROOT, "  %s: %d files failed: %s%n", target.target(), same.size(),
          readable(first.errorCode(), first.errorMessage())));
      }
    }
    return out.toString();
  }

  /** @return the reason as an operator reads it: what happened, the root cause, and what to look at */
  static String readable(String code, String message) {
    String lower = String.valueOf(message).toLowerCase(Locale.ROOT);
    if (ClientErrorCode.CONNECT_FAILED.wireName().equals(code)) {
      if (lower.contains("connection refused")) {
        return "cannot connect (connection refused) — is the server running?";
      }
      if (lower.contains("timed out") || lower.contains("timeout")) {
        return "cannot connect (timed out) — is the host reachable, is a firewall in the way?";
      }
      if (lower.contains("unknownhost") || lower.contains("unknown host") || lower.contains("name or service")) {
        return "cannot connect (unknown host) — is the name right?";
      }
    }
    return code + ": " + Printable.escape(message);
  }
}
