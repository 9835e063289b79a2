package dev.kirim.server;

import dev.kirim.io.IoErrors;
import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.ProtocolException;

import java.nio.file.AccessDeniedException;
import java.util.concurrent.CompletionException;

/**
 * The one place where a failure behind an offer or a commit becomes the error code a client is sent, decided
 * by the failure's type, never by its message: a refusal already is a {@link ProtocolException}; a full disk
 * is a {@link NoSpaceException} (so {@code no_space}, which a client may retry elsewhere or later); a
 * permission the operating system denies is {@code access_denied} (no retry helps); any
 * other failure is the server's own problem ({@code internal}).
 */
final class Failures {

  private Failures() {
  }

  /**
   * @param failure what went wrong
   * @param name    the offered name the failure concerns, for the message
   */
  static ProtocolException toProtocolException(Throwable failure, String name) {
    Throwable cause = unwrap(failure);
    if (cause instanceof ProtocolException refusal) {
      return refusal;
    }
    if (cause instanceof NoSpaceException full) {
      return new ProtocolException(ErrorCode.NO_SPACE, "no room left to store '" + name + "': " + full.getMessage());
    }
    if (cause instanceof AccessDeniedException) {
      return new ProtocolException(ErrorCode.ACCESS_DENIED, "cannot store '" + name + "': " + IoErrors.describe(cause)
        + ": the server's storage permissions need fixing");
    }
    return new ProtocolException(ErrorCode.INTERNAL, "server error on '" + name + "': " + IoErrors.describe(cause));
  }

  /** @return the failure behind the wrappers Vert.x and the JDK put around it */
  static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof io.vertx.core.file.FileSystemException || cause instanceof CompletionException)
      && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
