package dev.kirim.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.vertx.core.buffer.Buffer;

/**
 * A kirim header line: one JSON object whose {@code type} names the message. See docs/PROTOCOL.md for the
 * exchange; each record below documents only its fields' constraints, which its constructor enforces so
 * that a decoded message is always a valid one.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = Message.Hello.class, name = "hello"),
  @JsonSubTypes.Type(value = Message.Welcome.class, name = "welcome"),
  @JsonSubTypes.Type(value = Message.Offer.class, name = "offer"),
  @JsonSubTypes.Type(value = Message.Send.class, name = "send"),
  @JsonSubTypes.Type(value = Message.Skip.class, name = "skip"),
  @JsonSubTypes.Type(value = Message.Data.class, name = "data"),
  @JsonSubTypes.Type(value = Message.Commit.class, name = "commit"),
  @JsonSubTypes.Type(value = Message.Done.class, name = "done"),
  @JsonSubTypes.Type(value = Message.Error.class, name = "error"),
})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface Message {

  /** The protocol version this build speaks. */
  int VERSION = 1;

  /** The seed's port, kirim's default. */
  int DEFAULT_PORT = 25563;

  /** @return this message as one header line, {@code \n} included */
  default Buffer toBuffer() {
    return MessageCodec.encode(this);
  }

  /** Client → server, first line of a connection. {@code token} is optional. */
  record Hello(@JsonProperty(required = true) int version,
               @JsonProperty(required = true) String clientId,
               String token) implements Message {
    public Hello {
      requireText(clientId, "clientId");
    }
  }

  /** Server → client, the answer to a hello. {@code maxFileSize} lets a client fail early. */
  record Welcome(@JsonProperty(required = true) int version,
                 @JsonProperty(required = true) String serverId,
                 @JsonProperty(required = true) long maxFileSize) implements Message {
    public Welcome {
      requirePresent(serverId, "serverId");
    }
  }

  /**
   * Client → server: "do you have this file?". {@code mtime} (epoch milliseconds) is optional and only used
   * to recognise a partial upload of the same file; {@code algorithm} defaults to {@code crc32c}.
   */
  record Offer(@JsonProperty(required = true) long id,
               @JsonProperty(required = true) String name,
               @JsonProperty(required = true) long size,
               Long mtime,
               String algorithm) implements Message {
    public Offer {
      requireNonNegative(id, "id");
      requireText(name, "name");
      requireNonNegative(size, "size");
      if (algorithm != null) {
        try {
          ChecksumAlgorithm.fromWireName(algorithm);
        } catch (IllegalArgumentException e) {
          throw new ProtocolException(ErrorCode.MALFORMED, e.getMessage());
        }
      }
    }

    @JsonIgnore
    public ChecksumAlgorithm checksumAlgorithm() {
      return algorithm == null ? ChecksumAlgorithm.DEFAULT : ChecksumAlgorithm.fromWireName(algorithm);
    }
  }

  /** Server → client: "send me the bytes from {@code offset} on" ({@code offset > 0} resumes). */
  record Send(@JsonProperty(required = true) long id,
              @JsonProperty(required = true) long offset) implements Message {
    public Send {
      requireNonNegative(id, "id");
      requireNonNegative(offset, "offset");
    }
  }

  /** Server → client: "I already have it" ({@code reason} is {@code exists}); size and checksum of the stored file. */
  record Skip(@JsonProperty(required = true) long id,
              @JsonProperty(required = true) String reason,
              @JsonProperty(required = true) long size,
              String checksum) implements Message {
    public Skip {
      requireNonNegative(id, "id");
      requirePresent(reason, "reason");
      requireNonNegative(size, "size");
    }
  }

  /** Client → server: exactly {@code length} raw body bytes follow this line. */
  record Data(@JsonProperty(required = true) long id,
              @JsonProperty(required = true) long offset,
              @JsonProperty(required = true) long length) implements Message {
    public Data {
      requireNonNegative(id, "id");
      requireNonNegative(offset, "offset");
      requireNonNegative(length, "length");
    }
  }

  /** Client → server, after the body: the checksum of the whole file, as {@code algorithm:hex}. */
  record Commit(@JsonProperty(required = true) long id,
                @JsonProperty(required = true) String checksum) implements Message {
    public Commit {
      requireNonNegative(id, "id");
      requireText(checksum, "checksum");
    }
  }

  /** Server → client: the file is stored, synced and visible under {@code name} (which differs under {@code rename}). */
  record Done(@JsonProperty(required = true) long id,
              @JsonProperty(required = true) String name,
              @JsonProperty(required = true) long bytes,
              @JsonProperty(required = true) String checksum) implements Message {
    public Done {
      requireNonNegative(id, "id");
      requirePresent(name, "name");
      requireNonNegative(bytes, "bytes");
      requirePresent(checksum, "checksum");
    }
  }

  /** Server → client: a refusal or failure; {@code id} is absent when the error concerns the connection. */
  record Error(Long id,
               @JsonProperty(required = true) ErrorCode code,
               @JsonProperty(required = true) String message) implements Message {
    public Error {
      if (id != null) {
        requireNonNegative(id, "id");
      }
      requirePresent(code, "code");
      requirePresent(message, "message");
    }

    public static Error of(Long id, ProtocolException failure) {
      return new Error(id, failure.code(), java.util.Objects.requireNonNullElse(failure.getMessage(), ""));
    }

    public ProtocolException toException() {
      return new ProtocolException(code, message);
    }
  }

  private static void requireText(String value, String field) {
    if (value == null || value.isEmpty()) {
      throw new ProtocolException(ErrorCode.MALFORMED, "field '" + field + "' must be a non-empty string");
    }
  }

  // A required field sent as an explicit null passes Jackson's presence check: refuse it here.
  private static void requirePresent(Object value, String field) {
    if (value == null) {
      throw new ProtocolException(ErrorCode.MALFORMED, "field '" + field + "' must not be null");
    }
  }

  private static void requireNonNegative(long value, String field) {
    if (value < 0) {
      throw new ProtocolException(ErrorCode.MALFORMED, "field '" + field + "' must not be negative, got " + value);
    }
  }
}
