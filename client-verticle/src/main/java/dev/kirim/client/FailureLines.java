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
        String hint = hint(first.errorCode(), first.errorMessage());
        out.append(String.format("  FAILED %s (%s): %s: %s%s%n", Printable.escape(first.name()),
          Printable.escape(first.local()), first.errorCode(), Printable.escape(first.errorMessage()),
          hint == null ? "" : " — " + hint));
      } else {
        out.append(String.format(Locale.ROOT, "  %s: %d files failed: %s%n", target.target(), same.size(),
          readable(first.errorCode(), first.errorMessage())));
      }
    }
    return out.toString();
  }

  /** @return the reason as an operator reads it: what happened, the root cause, and what to look at */
  static String readable(String code, String message) {
    String hint = hint(code, message);
    if (hint != null) {
      return "cannot connect (" + cause(message) + ") — " + hint;
    }
    return code + ": " + Printable.escape(message);
  }

  /** @return what to look at for a connection that failed, or {@code null} for any other failure */
  private static String hint(String code, String message) {
    if (!ClientErrorCode.CONNECT_FAILED.wireName().equals(code)) {
      return null;
    }
    return switch (cause(message)) {
      case "connection refused" -> "is the server running?";
      case "timed out" -> "is the host reachable, is a firewall in the way?";
      case "unknown host" -> "is the name right?";
      default -> null;
    };
  }

  private static String cause(String message) {
    String lower = String.valueOf(message).toLowerCase(Locale.ROOT);
    if (lower.contains("connection refused")) {
      return "connection refused";
    }
    if (lower.contains("timed out") || lower.contains("timeout")) {
      return "timed out";
    }
    if (lower.contains("unknownhost") || lower.contains("unknown host") || lower.contains("name or service")
      || lower.contains("cannot be resolved")) {
      return "unknown host";
    }
    return "";
  }
}
