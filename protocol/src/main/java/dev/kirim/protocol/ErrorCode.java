package dev.kirim.protocol;


import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The closed set of error codes a kirim server sends in an {@code error} reply.
 * <p>
 * Each code says whether the whole connection is finished ({@link #closesConnection()}) and whether the
 * same offer may succeed if the client simply tries again later ({@link #retriable()}).
 * The wire form is the lower-case name, for example {@code "bad_name"}. See docs/PROTOCOL.md.
 */
public enum ErrorCode {
  /** The header line is not valid JSON, is too long, misses a field or has a field of the wrong type. */
  MALFORMED(true, false),
  /** The message is well formed but not allowed now (wrong order, unknown id, no hello first). */
  UNEXPECTED(true, false),
  /** The client speaks a protocol version this server does not. */
  UNSUPPORTED_VERSION(true, false),
  /** Authentication was required and failed. */
  UNAUTHORISED(true, false),
  /** The client did not finish a header line or hello within the server's deadline. */
  TIMEOUT(true, true),
  /** The name is not a safe relative path (traversal, absolute, control characters, too long, reserved). */
  BAD_NAME(false, false),
  /** The file is larger than the server accepts. */
  TOO_LARGE(false, false),
  /** The server's storage does not have room for the file (with its reserve kept free). */
  NO_SPACE(false, true),
  /** The file exists, differs from the offer, and the server's policy is {@code fail}. */
  EXISTS(false, false),
  /** The server is at its connection limit, or another upload of the same name is in progress. */
  BUSY(false, true),
  /** The bytes received do not match the checksum the client announced. */
  CHECKSUM_MISMATCH(false, true),
  /** A body length does not match what was agreed for the offer. */
  SIZE_MISMATCH(true, false),
  /**
   * The server's operating system refused it access to its storage (permission denied): an operator must fix the
   * permissions, no retry helps.
   */
  ACCESS_DENIED(false, false),
  /** The server failed for a reason of its own (an I/O error); the client may retry. */
  INTERNAL(false, true),
  /** The answer to a client's {@code cancel}: the upload was discarded, nothing was published. */
  CANCELLED(false, true),
  /**
   * The authenticated client's namespace would exceed its quota ({@code maxBytes} or {@code maxFiles}) with this
   * file: an operator must raise the quota or the client make room; no retry helps.
   */
  QUOTA_EXCEEDED(false, false);

  private static final Map<String, ErrorCode> BY_WIRE_NAME = Arrays.stream(values())
    .collect(Collectors.toUnmodifiableMap(ErrorCode::wireName, Function.identity()));

  private final boolean closesConnection;
  private final boolean retriable;

  ErrorCode(boolean closesConnection, boolean retriable) {
    this.closesConnection = closesConnection;
    this.retriable = retriable;
  }

  /** @return the name used on the wire, e.g. {@code checksum_mismatch} */
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** @return {@code true} when the server closes the connection after sending this error */
  public boolean closesConnection() {
    return closesConnection;
  }

  /** @return {@code true} when trying the same offer again later may succeed */
  public boolean retriable() {
    return retriable;
  }

  /**
   * @param wireName the name as sent on the wire
   * @return the code, or {@link #INTERNAL} for a name this version does not know (a newer server)
   */
  public static ErrorCode fromWireName(String wireName) {
    return BY_WIRE_NAME.getOrDefault(wireName, INTERNAL);
  }
}
