package dev.kirim.client;

import java.util.Locale;

/**
 * The closed set of error codes the client itself gives a file, beside the server's
 * {@link dev.kirim.protocol.ErrorCode}s it passes on: in a report, {@code error.code} is one of either set.
 */
public enum ClientErrorCode {
  /** The local file does not exist. */
  NOT_FOUND,
  /** The local file or directory cannot be read (permissions, not a regular file, an I/O error). */
  UNREADABLE,
  /** A glob matched nothing, or a directory holds no file. */
  NO_MATCH,
  /** A {@code files} entry is not a valid glob. */
  BAD_PATTERN,
  /** Two selected files would get the same remote name. */
  DUPLICATE_NAME,
  /** The local file changed (size or mtime) while it was being read or sent: nothing of it was published. */
  FILE_CHANGED,
  /** The server's reply broke the protocol (an offset outside the file, a confirmation of other bytes). */
  BAD_REPLY,
  /** No connection to the target could be made (after the retries). */
  CONNECT_FAILED,
  /** The connection was lost before the file was confirmed (after the retries). */
  CONNECTION_LOST,
  /** A {@code cluster:} target found no registered server. */
  NO_SERVER,
  /** A push service's job named a file outside the service's {@code allowedRoots}: not read. */
  NOT_ALLOWED,
  /**
   * TLS could not be set up: the server does not speak it, or the client does not and the server does, or a
   * certificate is untrusted, expired, issued for another name, or missing where one is required.
   */
  TLS;

  /** @return the name in the report, e.g. {@code not_found} */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
