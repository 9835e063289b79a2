package dev.kirim.cluster;

import dev.kirim.config.ConfigException;
import dev.kirim.config.ConfigReader;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The secret every member of one kirim cluster shares ({@code cluster.secret}), and what it is for: signing what
 * a member trusts when another member wrote it — the server records of {@code kirim.servers}, the jobs sent
 * to {@code kirim.push} and the {@code kirim.received} events ({@link ReceivedEvent#verified}) — so that a
 * process that joined the cluster without the secret can neither redirect clients, nor have a job run, nor
 * pass for a server in an event. Hazelcast's open-source edition authenticates no member, so the trust has to
 * be in the messages themselves.
 * <p>
 * A signed value is an envelope, a JSON object:
 * <pre>{"signed": "&lt;the payload as JSON text&gt;", "sender": "…", "expiresAt": 1764700000000,
 *  "nonce": "&lt;16 random bytes, base64url&gt;", "hmac": "&lt;64 hex&gt;"}</pre>
 * The HMAC-SHA256 covers a purpose ({@code record}, {@code job} or {@code event}: a signed record cannot pass
 * for a job), the sender, the expiry, the nonce and the payload's exact text (kept as text so that no
 * re-encoding along the way changes what was signed). Expired envelopes and envelopes claiming more than
 * {@link #MAX_VALIDITY_MS} are refused; a job's nonce is remembered until it expires so that a replayed job is
 * refused too ({@link ReplayGuard}). Members' clocks must agree to within a few seconds (NTP).
 */
public final class ClusterSecret {

  /** Holds the secret itself when the {@code cluster.secret} key (a file) is not set. */
  public static final String ENV = "KIRIM_CLUSTER_SECRET";
  /** What a signed record or job may claim as its lifetime at most; bounds what a verifier must remember. */
  public static final long MAX_VALIDITY_MS = 10 * 60_000;
  /** How long a job signed by {@link #signJob} may take to reach its service. */
  public static final long JOB_VALIDITY_MS = 60_000;
  /** Shorter secrets are refused: the HMAC is only as strong as the secret. */
  static final int MIN_LENGTH = 32;
  private static final int MAX_FILE_BYTES = 4096;
  private static final String ALGORITHM = "HmacSHA256";
  private static final Set<String> ENVELOPE_KEYS = Set.of("signed", "sender", "expiresAt", "nonce", "hmac");

  /** What a signature is for: the same secret signs them all, and one must never pass for another. */
  public enum Purpose {
    RECORD, JOB, EVENT;

    String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * A verified envelope.
   *
   * @param payload   what was signed
   * @param sender    who the signer says it is (any holder of the secret can claim any name)
   * @param expiresAt when the signature stops being valid, epoch milliseconds
   * @param nonce     the envelope's random nonce
   */
  public record Verified(JsonObject payload, String sender, long expiresAt, String nonce) {
  }

  private final SecretKeySpec key;
  private final Clock clock;

  private ClusterSecret(String secret, Clock clock) {
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
    this.clock = clock;
  }

  /**
   * @param secret the shared secret, at least {@value #MIN_LENGTH} characters
   * @throws IllegalArgumentException when it is shorter
   */
  public static ClusterSecret of(String secret) {
    return of(secret, Clock.systemUTC());
  }

  static ClusterSecret of(String secret, Clock clock) {
    if (secret == null || secret.strip().length() < MIN_LENGTH) {
      throw new IllegalArgumentException("a cluster secret needs at least " + MIN_LENGTH + " characters");
    }
    return new ClusterSecret(secret.strip(), clock);
  }

  /**
   * Where the secret comes from: the file named by the {@code cluster.secret} key, else the environment variable
   * {@value #ENV}; neither means none.
   *
   * @param file the {@code cluster.secret} key, {@code null} when absent
   * @param env  looks up environment variables
   * @param warn takes the WARN line for a secret file its group or others may read
   * @return the secret, {@code null} when none is configured
   * @throws ConfigException naming the key or variable at fault and the fix
   */
  public static ClusterSecret resolve(String file, UnaryOperator<String> env, java.util.function.Consumer<String> warn) {
    String secret;
    String where;
    if (file != null) {
      where = "config key 'cluster.secret' (" + file + ")";
      secret = read(ConfigReader.toPath("cluster.secret", file), warn);
    } else {
      where = "environment variable " + ENV;
      secret = env.apply(ENV);
      if (secret == null || secret.isBlank()) {
        return null;
      }
    }
    if (secret.strip().length() < MIN_LENGTH) {
      throw new ConfigException(where + ": the cluster secret has " + secret.strip().length() + " characters, at least "
        + MIN_LENGTH + " are needed; make one with: openssl rand -base64 32 > cluster.secret");
    }
    if (secret.strip().chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new ConfigException(where + ": the cluster secret holds a control character or several lines, "
        + "expected one line");
    }
    return of(secret);
  }

  private static String read(Path file, java.util.function.Consumer<String> warn) {
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new ConfigException("config key 'cluster.secret': " + file + " is larger than " + MAX_FILE_BYTES
          + " bytes: the key names a file holding the secret on one line");
      }
      String mode = groupOrOthersMayRead(file);
      if (mode != null) {
        warn.accept("Cluster secret file " + file + " may be read by its group or others (mode " + mode
          + "): anyone who reads it can sign push jobs, server records and events; chmod 600 " + file);
      }
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config key 'cluster.secret': " + shownIfAPath(file) + " does not exist (the key "
        + "names a file holding the secret, not the secret itself; make one with: openssl rand -base64 32 > "
        + "cluster.secret)");
    } catch (IOException e) {
      throw new ConfigException("config key 'cluster.secret': cannot read " + shownIfAPath(file) + ": "
        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replace(file.toString(), "it")));
    }
  }

  /**
   * The value of the key may be the secret itself, put there by mistake: it is shown only when it cannot be one
   * (a bare name shorter than a secret may be), or when it looks like a path (a '/' and an existing directory),
   * so that an error line never prints a secret to a terminal or a log.
   */
  private static String shownIfAPath(Path file) {
    String value = file.toString();
    Path directory = file.toAbsolutePath().getParent();
    boolean path = value.contains("/") ? directory != null && Files.isDirectory(directory) : value.length() < MIN_LENGTH;
    return path ? "file " + file : "the file it names (not shown: it may be the secret itself)";
  }

  private static String groupOrOthersMayRead(Path file) throws IOException {
    Set<PosixFilePermission> permissions;
    try {
      permissions = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException e) {
      return null;
    }
    boolean shared = permissions.contains(PosixFilePermission.GROUP_READ)
      || permissions.contains(PosixFilePermission.OTHERS_READ);
    return shared ? PosixFilePermissions.toString(permissions) : null;
  }

  /**
   * @param payload   what to sign
   * @param purpose   what it is for
   * @param sender    a name for the logs of the verifier, e.g. the server id or {@code host/pid}
   * @param validForMs how long the signature holds, at most {@link #MAX_VALIDITY_MS}
   * @return the envelope to store or send in place of {@code payload}
   */
  public JsonObject sign(JsonObject payload, Purpose purpose, String sender, long validForMs) {
    if (validForMs <= 0 || validForMs > MAX_VALIDITY_MS) {
      throw new IllegalArgumentException("validForMs must be in 1.." + MAX_VALIDITY_MS + ", was " + validForMs);
    }
    byte[] nonceBytes = new byte[16];
    Nonces.RANDOM.nextBytes(nonceBytes);
    String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(nonceBytes);
    String text = payload.encode();
    long expiresAt = clock.millis() + validForMs;
    return new JsonObject()
      .put("signed", text)
      .put("sender", sender)
      .put("expiresAt", expiresAt)
      .put("nonce", nonce)
      .put("hmac", HexFormat.of().formatHex(mac(purpose, sender, expiresAt, nonce, text)));
  }

  /**
   * Signs a push job for {@code kirim.push}: what a sender does with the cluster's secret before
   * {@code eventBus().request("kirim.push", secret.signJob(job, "nightly-export"))}.
   *
   * @param sender the name the service logs the job under
   * @return the envelope to send, valid for {@value #JOB_VALIDITY_MS} ms and taken once
   */
  public JsonObject signJob(JsonObject job, String sender) {
    return sign(job, Purpose.JOB, sender, JOB_VALIDITY_MS);
  }

  /** @return whether {@code value} has the shape of an envelope (signed or forged: {@link #verify} tells) */
  public static boolean isEnvelope(Object value) {
    return value instanceof JsonObject json && json.containsKey("signed") && json.containsKey("hmac");
  }

  /**
   * @return what an envelope says it carries, believed in nothing ({@link #verify} is what checks it), or
   *   {@code value} itself when it is not an envelope; {@code null} when the envelope's payload is not a JSON
   *   object
   */
  public static Object unverifiedPayload(Object value) {
    if (!isEnvelope(value)) {
      return value;
    }
    try {
      return new JsonObject(((JsonObject) value).getString("signed"));
    } catch (ClassCastException | DecodeException | NullPointerException e) {
      return null;
    }
  }

  /**
   * @return the verified envelope
   * @throws SignatureException saying why it is refused: not an envelope, a bad signature, expired, or claiming
   *   too long a life
   */
  public Verified verify(Object value, Purpose purpose) throws SignatureException {
    if (!(value instanceof JsonObject envelope) || !isEnvelope(envelope)) {
      throw new SignatureException("not signed with the cluster secret");
    }
    String text;
    String sender;
    long expiresAt;
    String nonce;
    byte[] hmac;
    try {
      if (!ENVELOPE_KEYS.containsAll(envelope.fieldNames())) {
        throw new SignatureException("not a signed envelope: unexpected keys " + envelope.fieldNames());
      }
      text = envelope.getString("signed");
      sender = envelope.getString("sender", "");
      expiresAt = envelope.getLong("expiresAt");
      nonce = envelope.getString("nonce");
      hmac = HexFormat.of().parseHex(envelope.getString("hmac"));
    } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
      throw new SignatureException("not a signed envelope: a field is missing or of the wrong type");
    }
    if (text == null || nonce == null || sender == null) {
      throw new SignatureException("not a signed envelope: a field is missing");
    }
    // Compared in constant time, before anything of the payload is believed.
    if (!MessageDigest.isEqual(hmac, mac(purpose, sender, expiresAt, nonce, text))) {
      throw new SignatureException("bad signature (signed with another secret, altered, or signed as something "
        + "other than a " + purpose.tag() + ")");
    }
    long now = clock.millis();
    if (now > expiresAt) {
      throw new SignatureException("expired " + (now - expiresAt) + " ms ago (stale, or the clocks of the members "
        + "differ: keep them in sync with NTP)");
    }
    if (expiresAt - now > MAX_VALIDITY_MS) {
      throw new SignatureException("valid for " + (expiresAt - now) + " ms, more than the " + MAX_VALIDITY_MS
        + " ms allowed (or the clocks of the members differ: keep them in sync with NTP)");
    }
    try {
      return new Verified(new JsonObject(text), sender, expiresAt, nonce);
    } catch (DecodeException e) {
      throw new SignatureException("its signed payload is not a JSON object");
    }
  }

  private byte[] mac(Purpose purpose, String sender, long expiresAt, String nonce, String text) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      // Length-prefixed fields: no two different envelopes can feed the same bytes to the MAC.
      for (String field : new String[] {"kirim-signed-v1", purpose.tag(), sender, Long.toString(expiresAt), nonce, text}) {
        byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
        mac.update(java.nio.ByteBuffer.allocate(4).putInt(bytes.length).array());
        mac.update(bytes);
      }
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  /**
   * Made on the first signature, not with the class: every client reads its secret setting through this class,
   * and a standalone push, which signs nothing, need not pay the ~7 ms of seeding a SecureRandom at start.
   */
  private static final class Nonces {
    static final SecureRandom RANDOM = new SecureRandom();
  }

  /** Why an envelope is refused; the message is meant for a log line. */
  public static final class SignatureException extends Exception {

    public SignatureException(String message) {
      super(message, null, false, false);
    }
  }
}
