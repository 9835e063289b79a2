package dev.kirim.client;

import dev.kirim.io.IoErrors;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a push's JSON report where the configuration's {@code report} key says. */
final class ReportWriter {

  private ReportWriter() {
  }

  /**
   * Writes {@code report} to {@code path} (blocking), creating its directory.
   *
   * @throws IllegalStateException whose message names the path, what went wrong and the key to check
   */
  static void write(Path path, PushReport report) {
    write(path, report, report.exitCode());
  }

  /**
   * Writes {@code report} with {@code exitCode}, what the process exits with: an interrupted push exits 130 or
   * 143, which the report alone (that knows of failed files, not of signals) would give as 1.
   *
   * @throws IllegalStateException whose message names the path, what went wrong and the key to check
   */
  static void write(Path path, PushReport report, int exitCode) {
    try {
      if (path.getParent() != null) {
        Files.createDirectories(path.getParent());
      }
      Files.writeString(path, report.toJson().put("exitCode", exitCode).encodePrettily() + "\n",
        StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the report to " + path + ": " + IoErrors.describe(e)
        + ": check the 'report' path", e);
    }
  }
}
