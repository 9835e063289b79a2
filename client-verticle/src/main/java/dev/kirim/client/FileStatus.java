package dev.kirim.client;

import java.util.Locale;

/** How one file ended on one target. */
public enum FileStatus {
  /** The server stored the bytes we sent and confirmed them ({@code done}). */
  SENT,
  /** The server already had this file: its copy is the same, compared as {@code compare} says ({@code skip same}). */
  SKIPPED,
  /**
   * The server has another file under the name and its policy keeps it ({@code skip differs}): not delivered,
   * and the push exits 1. The server's {@code onExisting: "update"} replaces such copies.
   */
  DIFFERS,
  /** It did not reach the target: see the result's error code. */
  FAILED,
  /**
   * Dry run ({@code dryRun: true}): the server would take the file; the note says how (create it, resume it,
   * update, overwrite or rename its copy). Nothing was sent.
   */
  WOULD_SEND,
  /**
   * The push was interrupted (Ctrl-C, SIGTERM) before the file was delivered: it was not sent, or its upload was
   * abandoned and the server keeps the bytes it got for the next run to resume.
   */
  INTERRUPTED;

  /** @return the name in the report, e.g. {@code sent}, {@code would-send} */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
