package dev.kirim.protocol;

import java.util.Objects;

/**
 * A violation of the kirim protocol, or a refusal, carrying the {@link ErrorCode} to send or that was received.
 */
public class ProtocolException extends RuntimeException {

  private final ErrorCode code;

  public ProtocolException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = Objects.requireNonNull(code, "code");
  }

  public ErrorCode code() {
    return code;
  }

  @Override
  public String toString() {
    return code.wireName() + ": " + getMessage();
  }
}
