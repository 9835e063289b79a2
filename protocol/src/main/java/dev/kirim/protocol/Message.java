package dev.kirim.protocol;

import io.vertx.core.buffer.Buffer;

/**
 * A kirim header line: one JSON object whose {@code type} names the message. See docs/PROTOCOL.md for the
 * exchange; each record below documents only its fields' constraints, which its constructor enforces so
 * that a decoded message is always a valid one. {@link MessageCodec} writes and reads each record's fields by
 * name, in record order, and says which are required: a new field goes into both.
 */
public sealed interface Message {

  /**
   * The protocol version this build speaks. Version 2 made {@code offer.mtime} required and added content
   * comparison ({@code offer.checksum}), file modes, dry runs, {@code cancel} and the {@code skip} reasons
   * {@code same} and {@code differs}; a version-1 peer gets {@code unsupported_version}.
   */
  int VERSION = 2;

  /** The seed's port, kirim's default. */
  int DEFAULT_PORT = 25563;

  /** @return this message as one header line, {@code \n} included */
  default Buffer toBuffer() {
    return MessageCodec.encode(this);
  }

  /** Client → server, first line of a connection. {@code token} is optional. */
  record Hello(int version, String clientId, String token) implements Message {
    public Hello {
      requireText(clientId, "clientId");
    }
  }

  /**
   * Server → client, the answer to a hello. {@code maxFileSize} lets a client fail early; {@code maxPutSize},
   * when present, says that the server takes {@link Put}s of files up to that size (absent: offers only);
   * {@code client} (since 2.1) is the name of the authenticated client, absent when the server does not
   * authenticate; {@code ping: true} says that it answers a {@link Ping} with a {@link Pong} at once;
   * {@code maxPending}, when present, is how many requests the server lets wait for their reply on one
   * connection (absent: {@link #DEFAULT_MAX_PENDING}, what servers allowed before they said so).
   */
  record Welcome(int version, String serverId, long maxFileSize, Integer maxPutSize, String client,
                 Boolean ping, Integer maxPending) implements Message {

    /** The requests in flight a client may assume when the welcome has no {@code maxPending}. */
    public static final int DEFAULT_MAX_PENDING = 64;

    public Welcome {
      requirePresent(serverId, "serverId");
      if (maxPutSize != null && (maxPutSize < 0 || maxPutSize > Put.MAX_SIZE)) {
        throw new ProtocolException(ErrorCode.MALFORMED, "field 'maxPutSize' must be 0.." + Put.MAX_SIZE
          + ", got " + maxPutSize);
      }
      if (maxPending != null && maxPending < 1) {
        throw new ProtocolException(ErrorCode.MALFORMED, "field 'maxPending' must be at least 1, got " + maxPending);
      }
    }

    /** A welcome of a server that takes no puts and authenticates nobody. */
    public Welcome(int version, String serverId, long maxFileSize) {
      this(version, serverId, maxFileSize, null, null, null, null);
    }

    /** A welcome that does not say how many requests may wait. */
    public Welcome(int version, String serverId, long maxFileSize, Integer maxPutSize, String client, Boolean ping) {
      this(version, serverId, maxFileSize, maxPutSize, client, ping, null);
    }

    /** @return how many requests the server lets wait for their reply on one connection */
    public int pendingLimit() {
      return maxPending != null ? maxPending : DEFAULT_MAX_PENDING;
    }

    /** @return whether the server answers pings */
    public boolean answersPing() {
      return Boolean.TRUE.equals(ping);
    }
  }

  /**
   * Client → server: "do you have this file?". {@code mtime} (epoch milliseconds) is the file's modification
   * time: the server compares it with its copy's and stores it on the published file (unless {@code setMtime}
   * is false). {@code algorithm} defaults to {@code crc32c}. {@code checksum}, when present, is the whole
   * file's checksum in that algorithm and asks the server to compare contents, not size and mtime.
   * {@code mode} holds permission bits for the published file (the server masks them); {@code dryRun} asks
   * for a {@link Preview} instead of a {@link Send}: nothing is claimed, created or changed.
   */
  record Offer(long id, String name, long size, Long mtime, String algorithm, String checksum, Integer mode,
               Boolean setMtime, Boolean dryRun, String resumeId) implements Message {
    public Offer {
      requireNonNegative(id, "id");
      requireText(name, "name");
      requireNonNegative(size, "size");
      requirePresent(mtime, "mtime");
      ChecksumAlgorithm chosen;
      try {
        chosen = algorithm == null ? ChecksumAlgorithm.DEFAULT : ChecksumAlgorithm.fromWireName(algorithm);
      } catch (IllegalArgumentException e) {
        throw new ProtocolException(ErrorCode.MALFORMED, e.getMessage());
      }
      if (checksum != null && !chosen.isWellFormed(checksum)) {
        throw new ProtocolException(ErrorCode.MALFORMED, "field 'checksum' must be a " + chosen.wireName()
          + " checksum written '" + chosen.wireName() + ":<hex>', got '" + Printable.escape(checksum) + "'");
      }
      if (mode != null && (mode < 0 || mode > 07777)) {
        throw new ProtocolException(ErrorCode.MALFORMED, "field 'mode' must be permission bits 0..4095, got " + mode);
      }
    }

    /** An offer without a resume id (since 2.1: the id a {@code send} gave for this file, to resume it). */
    public Offer(long id, String name, long size, Long mtime, String algorithm, String checksum, Integer mode,
                 Boolean setMtime, Boolean dryRun) {
      this(id, name, size, mtime, algorithm, checksum, mode, setMtime, dryRun, null);
    }

    /** An offer with only the required fields and the algorithm. */
    public Offer(long id, String name, long size, Long mtime, String algorithm) {
      this(id, name, size, mtime, algorithm, null, null, null, null, null);
    }

    /** @return this offer presenting {@code resumeId} */
    public Offer withResumeId(String resumeId) {
      return new Offer(id, name, size, mtime, algorithm, checksum, mode, setMtime, dryRun, resumeId);
    }

    public ChecksumAlgorithm checksumAlgorithm() {
      return algorithm == null ? ChecksumAlgorithm.DEFAULT : ChecksumAlgorithm.fromWireName(algorithm);
    }

    /** @return whether the published file gets {@code mtime} (the default) */
    public boolean keepsMtime() {
      return setMtime == null || setMtime;
    }

    /** @return whether this is a dry run */
    public boolean previewOnly() {
      return dryRun != null && dryRun;
    }
  }

  /**
   * Server → client: "send me the bytes from {@code offset} on" ({@code offset > 0} resumes). Since 2.1:
   * {@code resumeId} is what the client must present in a later offer of the file to resume it, and
   * {@code algorithm}, when set, is the algorithm the commit's checksum must use (a resumed upload commits
   * with {@code sha256}).
   */
  record Send(long id, long offset, String resumeId, String algorithm) implements Message {
    public Send {
      requireNonNegative(id, "id");
      requireNonNegative(offset, "offset");
      if (algorithm != null) {
        try {
          ChecksumAlgorithm.fromWireName(algorithm);
        } catch (IllegalArgumentException e) {
          throw new ProtocolException(ErrorCode.MALFORMED, e.getMessage());
        }
      }
    }

    public Send(long id, long offset) {
      this(id, offset, null, null);
    }
  }

  /**
   * Server → client: "I keep my copy". {@code reason} is {@link #SAME} (the copy matches the offer, compared as
   * the offer asked) or {@link #DIFFERS} (it does not, and the server's policy keeps it); {@code size},
   * {@code mtime} and, when known, {@code checksum} describe the server's copy.
   */
  record Skip(long id, String reason, long size, Long mtime, String checksum) implements Message {

    public static final String SAME = "same";
    public static final String DIFFERS = "differs";

    public Skip {
      requireNonNegative(id, "id");
      requirePresent(reason, "reason");
      requireNonNegative(size, "size");
    }

    /** @return true only for {@link #SAME}: a reason this version does not know is no promise of sameness */
    public boolean same() {
      return SAME.equals(reason);
    }
  }

  /** Client → server: exactly {@code length} raw body bytes follow this line. */
  record Data(long id, long offset, long length) implements Message {
    public Data {
      requireNonNegative(id, "id");
      requireNonNegative(offset, "offset");
      requireNonNegative(length, "length");
    }
  }

  /**
   * Client → server: a small file whole, in one message: offer, body and commit at once. Exactly {@code size}
   * raw body bytes follow this line. {@code checksum} is the whole file's; the server compares contents with
   * it, as for an offer carrying one, and answers as it answers a commit ({@code done}, {@code skip} or
   * {@code error}). Only to a server whose welcome carried {@code maxPutSize}, for files up to that size.
   */
  record Put(long id, String name, long size, Long mtime, String algorithm, String checksum, Integer mode,
             Boolean setMtime) implements Message {

    /** The largest put any server takes (a server may announce less): a put's body is held in memory. */
    public static final int MAX_SIZE = 64 * 1024;

    public Put {
      // The offer it stands for checks every field it shares; its checksum is required here.
      requireText(checksum, "checksum");
      if (size > MAX_SIZE) {
        throw new ProtocolException(ErrorCode.MALFORMED, "a 'put' carries at most " + MAX_SIZE + " bytes, got "
          + size + ": offer larger files");
      }
      new Offer(id, name, size, mtime, algorithm, checksum, mode, setMtime, null);
    }

    /** @return the offer this put stands for: what the server decides on */
    public Offer asOffer() {
      return new Offer(id, name, size, mtime, algorithm, checksum, mode, setMtime, null);
    }
  }

  /** Client → server, after the body: the checksum of the whole file, as {@code algorithm:hex}. */
  record Commit(long id, String checksum) implements Message {
    public Commit {
      requireNonNegative(id, "id");
      requireText(checksum, "checksum");
    }
  }

  /**
   * Client → server, after a body instead of its {@code commit}: the file changed while it was being sent, so
   * the bytes must not be published. The server discards the upload and answers {@code error cancelled}.
   */
  record Cancel(long id, String reason) implements Message {
    public Cancel {
      requireNonNegative(id, "id");
      requirePresent(reason, "reason");
    }
  }

  /**
   * Server → client, the answer to a dry-run offer that would be accepted: {@code action} is what a real offer
   * would do ({@link #CREATE}, {@link #RESUME} from {@code offset}, {@link #UPDATE} a differing copy,
   * {@link #OVERWRITE} or {@link #RENAME}). Dry-run offers that would be skipped or refused get the usual
   * {@code skip} or {@code error}.
   */
  record Preview(long id, String action, long offset) implements Message {

    public static final String CREATE = "create";
    public static final String RESUME = "resume";
    public static final String UPDATE = "update";
    public static final String OVERWRITE = "overwrite";
    public static final String RENAME = "rename";

    public Preview {
      requireNonNegative(id, "id");
      requirePresent(action, "action");
      requireNonNegative(offset, "offset");
    }
  }

  /** Server → client: the file is stored, synced and visible under {@code name} (which differs under {@code rename}). */
  record Done(long id, String name, long bytes, String checksum) implements Message {
    public Done {
      requireNonNegative(id, "id");
      requirePresent(name, "name");
      requireNonNegative(bytes, "bytes");
      requirePresent(checksum, "checksum");
    }
  }

  /** Server → client: a refusal or failure; {@code id} is absent when the error concerns the connection. */
  record Error(Long id, ErrorCode code, String message) implements Message {
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

  /**
   * Client → server, to a server whose welcome says {@code ping: true}: "are you there?", sent when the client
   * waits for replies and has heard nothing for a while. Never between a body and its {@code commit}.
   */
  record Ping() implements Message {
  }

  /** Server → client, the immediate answer to a {@link Ping}, ahead of any reply still being worked on. */
  record Pong() implements Message {
  }

  private static void requireText(String value, String field) {
    if (value == null || value.isEmpty()) {
      throw new ProtocolException(ErrorCode.MALFORMED, "field '" + field + "' must be a non-empty string");
    }
  }

  // A required field sent as an explicit null is present: refused here, with the field's own constraints.
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
