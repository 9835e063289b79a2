package dev.kirim.client;

import java.nio.file.Path;

/**
 * One file selected for pushing: where it is, the name it gets on the servers, and, when it cannot be pushed
 * at all, why ({@code problemCode}, the wire name of a {@link ClientErrorCode} or of a server error code the
 * client applies itself, and {@code problem} non-null). A file the selection found but does not push by
 * policy (a symbolic link not followed) has a {@code skipNote} instead: it is reported as skipped.
 */
record LocalFile(Path path, String remoteName, String problemCode, String problem, String skipNote) {

  LocalFile(Path path, String remoteName, String problemCode, String problem) {
    this(path, remoteName, problemCode, problem, null);
  }

  static LocalFile of(Path path, String remoteName) {
    return new LocalFile(path, remoteName, null, null);
  }

  static LocalFile failed(Path path, String remoteName, ClientErrorCode code, String problem) {
    return new LocalFile(path, remoteName, code.wireName(), problem);
  }

  /** @param code a server error code the client applies itself, e.g. {@code bad_name} */
  static LocalFile failed(Path path, String remoteName, String code, String problem) {
    return new LocalFile(path, remoteName, code, problem);
  }

  /** A file found but not pushed by policy: reported per target as skipped, with {@code note}. */
  static LocalFile skipped(Path path, String remoteName, String note) {
    return new LocalFile(path, remoteName, null, null, note);
  }

  boolean pushable() {
    return problemCode == null && skipNote == null;
  }

  /** @return the size of the pushable files as they are now, for a progress display; blocking */
  static long totalSize(java.util.List<LocalFile> files) {
    long total = 0;
    for (LocalFile file : files) {
      try {
        total += file.pushable() ? java.nio.file.Files.size(file.path()) : 0;
      } catch (java.io.IOException | SecurityException e) {
        // Its push reports the problem; the display counts it 0.
      }
    }
    return total;
  }
}
