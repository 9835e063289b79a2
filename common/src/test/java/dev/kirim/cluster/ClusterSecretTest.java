package dev.kirim.cluster;

import dev.kirim.config.ConfigException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Signing and checking what cluster members trust: the envelope, every way it can be wrong, and the secret's sources. */
class ClusterSecretTest {

  private static final String SECRET = "0123456789abcdef0123456789abcdef-test";
  private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");

  private final ClusterSecret secret = ClusterSecret.of(SECRET, Clock.fixed(NOW, ZoneOffset.UTC));
  private final JsonObject job = new JsonObject().put("targets", List.of("cluster:all")).put("files", List.of("out"));

  @Test
  void aSignedJobVerifiesToItsPayloadAndSender() throws Exception {
    JsonObject envelope = secret.signJob(job, "nightly");
    // What travels is text inside the envelope: the payload's own keys are not at its top.
    assertFalse(envelope.containsKey("targets"), envelope.encode());
    ClusterSecret.Verified verified = secret.verify(new JsonObject(envelope.encode()), ClusterSecret.Purpose.JOB);
    assertEquals(job, verified.payload());
    assertEquals("nightly", verified.sender());
    assertEquals(NOW.toEpochMilli() + ClusterSecret.JOB_VALIDITY_MS, verified.expiresAt());
  }

  /** What an entry says it carries, for a look before (or without) verifying: never a signature check. */
  @Test
  void theUnverifiedPayloadIsWhatAnEnvelopeCarriesOrTheValueItself() {
    assertEquals(job, ClusterSecret.unverifiedPayload(secret.signJob(job, "nightly")));
    assertEquals(job, ClusterSecret.unverifiedPayload(ClusterSecret.of(SECRET + "-other").signJob(job, "stranger")));
    assertEquals(job, ClusterSecret.unverifiedPayload(job));
    assertEquals("text", ClusterSecret.unverifiedPayload("text"));
    assertNull(ClusterSecret.unverifiedPayload(new JsonObject().put("signed", "not json").put("hmac", "00")));
    assertNull(ClusterSecret.unverifiedPayload(new JsonObject().put("signed", 42).put("hmac", "00")));
  }

  @Test
  void anAlteredPayloadSenderOrExpiryIsRefused() {
    JsonObject envelope = secret.signJob(job, "nightly");
    Map<String, JsonObject> altered = Map.of(
      "payload", envelope.copy().put("signed", job.copy().put("files", List.of("/etc")).encode()),
      "sender", envelope.copy().put("sender", "admin"),
      "expiry", envelope.copy().put("expiresAt", envelope.getLong("expiresAt") + 1),
      "nonce", envelope.copy().put("nonce", "AAAAAAAAAAAAAAAAAAAAAA"));
    altered.forEach((what, forged) -> {
      ClusterSecret.SignatureException e = assertThrows(ClusterSecret.SignatureException.class,
        () -> secret.verify(forged, ClusterSecret.Purpose.JOB), what);
      assertTrue(e.getMessage().startsWith("bad signature"), e.getMessage());
    });
  }

  @Test
  void anotherSecretOrAnotherPurposeIsABadSignature() {
    JsonObject byStranger = ClusterSecret.of("another secret of thirty-two characters or more")
      .signJob(job, "nightly");
    assertTrue(assertThrows(ClusterSecret.SignatureException.class,
      () -> secret.verify(byStranger, ClusterSecret.Purpose.JOB)).getMessage().startsWith("bad signature"));
    JsonObject record = secret.sign(job, ClusterSecret.Purpose.RECORD, "server-a", 15_000);
    assertTrue(assertThrows(ClusterSecret.SignatureException.class,
      () -> secret.verify(record, ClusterSecret.Purpose.JOB)).getMessage().startsWith("bad signature"));
  }

  @Test
  void unsignedValuesAreRefusedAsSuch() {
    for (Object value : new Object[] {job, "text", null, new JsonObject().put("signed", "{}").put("hmac", "zz")}) {
      assertThrows(ClusterSecret.SignatureException.class, () -> secret.verify(value, ClusterSecret.Purpose.JOB),
        String.valueOf(value));
    }
    assertFalse(ClusterSecret.isEnvelope(job));
    assertTrue(ClusterSecret.isEnvelope(secret.signJob(job, "x")));
  }

  @Test
  void anExpiredEnvelopeOrOneClaimingTooLongALifeIsRefused() {
    JsonObject envelope = secret.signJob(job, "nightly");
    ClusterSecret later = ClusterSecret.of(SECRET,
      Clock.fixed(NOW.plusMillis(ClusterSecret.JOB_VALIDITY_MS + 1), ZoneOffset.UTC));
    assertTrue(assertThrows(ClusterSecret.SignatureException.class,
      () -> later.verify(envelope, ClusterSecret.Purpose.JOB)).getMessage().startsWith("expired 1 ms ago"));
    // Signed by a member whose clock runs 20 minutes ahead: valid for longer than any signer may ask.
    ClusterSecret ahead = ClusterSecret.of(SECRET, Clock.fixed(NOW.plusSeconds(1200), ZoneOffset.UTC));
    JsonObject fromTheFuture = ahead.signJob(job, "nightly");
    assertTrue(assertThrows(ClusterSecret.SignatureException.class,
      () -> secret.verify(fromTheFuture, ClusterSecret.Purpose.JOB)).getMessage().contains("more than the"));
    assertThrows(IllegalArgumentException.class,
      () -> secret.sign(job, ClusterSecret.Purpose.JOB, "x", ClusterSecret.MAX_VALIDITY_MS + 1));
  }

  @Test
  void aJobIsTakenOnceAndTheGuardStaysBounded() throws Exception {
    ReplayGuard guard = new ReplayGuard(Clock.fixed(NOW, ZoneOffset.UTC), 2);
    ClusterSecret.Verified first = secret.verify(secret.signJob(job, "a"), ClusterSecret.Purpose.JOB);
    assertNull(guard.firstUse(first));
    assertTrue(guard.firstUse(first).startsWith("replayed"));
    assertNull(guard.firstUse(secret.verify(secret.signJob(job, "a"), ClusterSecret.Purpose.JOB)));
    // Full of nonces that have not expired: a new job is refused rather than an old nonce forgotten.
    assertTrue(guard.firstUse(secret.verify(secret.signJob(job, "a"), ClusterSecret.Purpose.JOB))
      .startsWith("too many"));
    ReplayGuard later = new ReplayGuard(Clock.fixed(NOW.plusSeconds(3600), ZoneOffset.UTC), 1);
    assertNull(later.firstUse(first));
    assertNull(later.firstUse(new ClusterSecret.Verified(job, "a", NOW.plusSeconds(3700).toEpochMilli(), "n2")),
      "the expired nonce made room");
  }

  @Test
  void theSecretComesFromTheFileElseTheEnvironment(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("cluster.secret"), SECRET + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    List<String> warnings = new ArrayList<>();
    ClusterSecret fromFile = ClusterSecret.resolve(file.toString(), name -> null, warnings::add);
    assertTrue(warnings.isEmpty(), warnings.toString());
    // The same secret whichever way it came: what one signs, the other verifies.
    ClusterSecret fromEnv = ClusterSecret.resolve(null, name -> name.equals(ClusterSecret.ENV) ? SECRET : null,
      warnings::add);
    fromEnv.verify(fromFile.signJob(job, "x"), ClusterSecret.Purpose.JOB);
    assertNull(ClusterSecret.resolve(null, name -> null, warnings::add));

    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    ClusterSecret.resolve(file.toString(), name -> null, warnings::add);
    assertEquals(1, warnings.size());
    assertTrue(warnings.get(0).contains("chmod 600") && !warnings.get(0).contains(SECRET), warnings.get(0));
  }

  @Test
  void aMissingShortOrMultiLineSecretIsAConfigError(@TempDir Path dir) throws Exception {
    ConfigException missing = assertThrows(ConfigException.class,
      () -> ClusterSecret.resolve(dir.resolve("none").toString(), name -> null, w -> { }));
    assertTrue(missing.getMessage().contains("does not exist") && missing.getMessage().contains("openssl rand")
      && missing.getMessage().contains(dir.resolve("none").toString()), missing.getMessage());
    // The secret itself in the key by mistake (base64 may hold a '/'): never echoed.
    String mistaken = "q8Zr/3uX0pWm7T2bV9yLk4Hn6Jc1Fs5Dg8Ae0Ri2Lo=";
    ConfigException notShown = assertThrows(ConfigException.class,
      () -> ClusterSecret.resolve(mistaken, name -> null, w -> { }));
    assertFalse(notShown.getMessage().contains(mistaken), notShown.getMessage());
    assertFalse(notShown.getMessage().contains("3uX0pWm7"), notShown.getMessage());
    String hex = "9f2c4e8a1b7d3f6e0a5c9b2d8e4f1a7c3b6d0e9f";
    ConfigException hexNotShown = assertThrows(ConfigException.class,
      () -> ClusterSecret.resolve(hex, name -> null, w -> { }));
    assertFalse(hexNotShown.getMessage().contains(hex), hexNotShown.getMessage());
    ConfigException named = assertThrows(ConfigException.class,
      () -> ClusterSecret.resolve("clutser.secret", name -> null, w -> { }));
    assertTrue(named.getMessage().contains("file clutser.secret does not exist"), named.getMessage());
    Path shortOne = Files.writeString(dir.resolve("short"), "hunter2");
    ConfigException tooShort = assertThrows(ConfigException.class,
      () -> ClusterSecret.resolve(shortOne.toString(), name -> null, w -> { }));
    assertTrue(tooShort.getMessage().contains("'cluster.secret'") && tooShort.getMessage().contains("at least 32"),
      tooShort.getMessage());
    ConfigException twoLines = assertThrows(ConfigException.class, () -> ClusterSecret.resolve(null,
      name -> SECRET + "\n" + SECRET, w -> { }));
    assertTrue(twoLines.getMessage().startsWith("environment variable " + ClusterSecret.ENV), twoLines.getMessage());
  }
}
