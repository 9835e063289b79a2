package dev.kirim.client;

import java.util.Objects;

/** A local file could not be read or sent as offered: the file fails with {@link #code()}, without a retry. */
final class LocalFileException extends RuntimeException {

  private final ClientErrorCode code;

  LocalFileException(ClientErrorCode code, String message) {
    super(message, null, false, false);
    this.code = Objects.requireNonNull(code, "code");
  }

  ClientErrorCode code() {
    return code;
  }
}
