package dev.kirim.client;

import java.nio.file.Path;

/**
 * One file selected for pushing: where it is, the name it gets on the servers, and, when it cannot be pushed
 * at all, why ({@code problemCode}, the wire name of a {@link ClientErrorCode} or of a server error code the
 * client applies itself, and {@code problem} non-null).
 */
record LocalFile(Path path, String remoteName, String problemCode, String problem) {

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

  boolean pushable() {
    return problemCode == null;
  }
}
