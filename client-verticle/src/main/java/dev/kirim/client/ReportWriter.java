package dev.kirim.client;

import dev.kirim.io.IoErrors;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;

/**
 * Writes a push's JSON report where the configuration's {@code report} key says: into a temporary file next to
 * it, renamed over it once complete, so that the file always holds a whole report — the previous one until the
 * new one is written — whatever stops the process meanwhile (a second Ctrl-C, a kill, a full disk) and whenever
 * a reader looks.
 */
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
    String json = report.toJson().put("exitCode", exitCode).encodePrettily() + "\n";
    Path temporary = null;
    try {
      Path target = path.toAbsolutePath();
      if (Files.exists(target) && !Files.isRegularFile(target)) {
        // A device or a pipe (/dev/stdout): nothing to replace, written to as it is.
        Files.writeString(target, json, StandardCharsets.UTF_8);
        return;
      }
      // A link is written through, as before: the file it leads to gets the report, not the link's place.
      if (Files.isSymbolicLink(target) && Files.exists(target)) {
        target = target.toRealPath();
      }
      Files.createDirectories(target.getParent());
      temporary = target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
      Files.deleteIfExists(temporary);
      try {
        Files.writeString(temporary, json, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE);
      } catch (AccessDeniedException e) {
        // A report file made writable in a directory that is not: rewritten in place, as before.
        temporary = null;
        Files.writeString(target, json, StandardCharsets.UTF_8);
        return;
      }
      if (!keepAccess(target, temporary)) {
        // The previous report's owner or group cannot be given to a new file: it is rewritten in place, keeping
        // who may read it (a monitoring group) over the one-step replace.
        Files.writeString(target, json, StandardCharsets.UTF_8);
        return;
      }
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the report to " + path + ": " + IoErrors.describe(e)
        + ": check the 'report' path", e);
    } finally {
      deleteQuietly(temporary);
    }
  }

  /**
   * Gives the replacement the previous report's permissions, owner and group: one made readable to a monitoring
   * group stays so.
   *
   * @return false when the owner or group cannot be given (another user's file, a group this user is not in)
   */
  private static boolean keepAccess(Path previous, Path replacement) throws IOException {
    if (!Files.isRegularFile(previous)) {
      return true;
    }
    PosixFileAttributes was;
    try {
      was = Files.readAttributes(previous, PosixFileAttributes.class);
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: the new file has the default permissions.
      return true;
    }
    PosixFileAttributeView view = Files.getFileAttributeView(replacement, PosixFileAttributeView.class);
    PosixFileAttributes now = view.readAttributes();
    try {
      if (!now.owner().equals(was.owner())) {
        view.setOwner(was.owner());
      }
      if (!now.group().equals(was.group())) {
        view.setGroup(was.group());
      }
    } catch (FileSystemException e) {
      return false;
    }
    view.setPermissions(was.permissions());
    return true;
  }

  private static void deleteQuietly(Path temporary) {
    if (temporary == null) {
      return;
    }
    try {
      Files.deleteIfExists(temporary);
    } catch (IOException e) {
      // Nothing more to do: the report's failure, if any, is what the caller reports.
    }
  }
}
