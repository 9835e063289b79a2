package dev.kirim.client;

import java.util.Locale;

/** How one file ended on one target. */
public enum FileStatus {
  /** The server stored the bytes we sent and confirmed them ({@code done}). */
  SENT,
  /** The server already had the name and kept its copy ({@code skip}). */
  SKIPPED,
  /** It did not reach the target: see the result's error code. */
  FAILED;

  /** @return the name in the report, e.g. {@code sent} */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
