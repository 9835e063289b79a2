package dev.kirim.protocol;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChecksumAlgorithmTest {

  private static final byte[] CHECK = "123456789".getBytes(StandardCharsets.US_ASCII);

  private static String checksum(ChecksumAlgorithm algorithm, byte[] bytes) {
    ChecksumAlgorithm.Checksum checksum = algorithm.start();
    checksum.update(bytes);
    return checksum.value();
  }

  @Test
  void crc32cOfTheStandardCheckString() {
    // The "check" value of CRC-32C (Castagnoli), as in RFC 3720 and every CRC catalogue.
    assertEquals("crc32c:e3069283", checksum(ChecksumAlgorithm.CRC32C, CHECK));
  }

  @Test
  void crc32cIsZeroPaddedToEightDigits() {
    assertEquals("crc32c:00000000", checksum(ChecksumAlgorithm.CRC32C, new byte[0]));
  }

  @Test
  void sha256OfAbc() {
    // FIPS 180-2, appendix B.1.
    assertEquals("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      checksum(ChecksumAlgorithm.SHA256, "abc".getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void sha256OfNothing() {
    assertEquals("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      checksum(ChecksumAlgorithm.SHA256, new byte[0]));
  }

  @Test
  void updatesInPiecesEqualOneUpdate() {
    byte[] data = new byte[10_000];
    new Random(3).nextBytes(data);
    for (ChecksumAlgorithm algorithm : ChecksumAlgorithm.values()) {
      ChecksumAlgorithm.Checksum pieces = algorithm.start();
      pieces.update(data, 0, 3);
      pieces.update(ByteBuffer.wrap(data, 3, 4000));
      pieces.update(ByteBuffer.allocateDirect(data.length - 4003).put(data, 4003, data.length - 4003).flip());
      assertEquals(checksum(algorithm, data), pieces.value(), algorithm.wireName());
    }
  }

  @Test
  void differentBytesGiveDifferentChecksums() {
    byte[] changed = CHECK.clone();
    changed[4] ^= 1;
    for (ChecksumAlgorithm algorithm : ChecksumAlgorithm.values()) {
      assertNotEquals(checksum(algorithm, CHECK), checksum(algorithm, changed));
    }
  }

  @Test
  void everyStartIsFresh() {
    ChecksumAlgorithm.Checksum first = ChecksumAlgorithm.CRC32C.start();
    first.update(CHECK);
    assertEquals("crc32c:e3069283", first.value());
    assertEquals("crc32c:00000000", ChecksumAlgorithm.CRC32C.start().value());
  }

  @Test
  void wireNamesRoundTrip() {
    assertEquals("crc32c", ChecksumAlgorithm.CRC32C.wireName());
    assertEquals("sha256", ChecksumAlgorithm.SHA256.wireName());
    for (ChecksumAlgorithm algorithm : ChecksumAlgorithm.values()) {
      assertSame(algorithm, ChecksumAlgorithm.fromWireName(algorithm.wireName()));
      assertTrue(checksum(algorithm, CHECK).startsWith(algorithm.wireName() + ":"));
    }
    assertSame(ChecksumAlgorithm.CRC32C, ChecksumAlgorithm.DEFAULT);
  }

  @Test
  void unknownWireNameFailsNamingTheAllowedValues() {
    for (String name : new String[] {"md5", "CRC32C", "sha-256", "", " crc32c", null}) {
      IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
        () -> ChecksumAlgorithm.fromWireName(name), String.valueOf(name));
      assertTrue(failure.getMessage().contains("crc32c") && failure.getMessage().contains("sha256"),
        failure.getMessage());
    }
  }

  @Test
  void offerWithoutAlgorithmUsesTheDefault() {
    assertSame(ChecksumAlgorithm.CRC32C, new Message.Offer(1, "a", 1, 0L, null).checksumAlgorithm());
    assertSame(ChecksumAlgorithm.SHA256, new Message.Offer(1, "a", 1, 0L, "sha256").checksumAlgorithm());
  }

  @Test
  void aVertxBufferSliceChecksumsLikeItsBytes() {
    byte[] bytes = new byte[100_000];
    new Random(5).nextBytes(bytes);
    for (ChecksumAlgorithm algorithm : ChecksumAlgorithm.values()) {
      ChecksumAlgorithm.Checksum fromBuffers = algorithm.start();
      Buffer whole = Buffer.buffer(bytes);
      // Growing and shrinking chunks: the reused array must never leak old bytes into a shorter chunk.
      fromBuffers.update(whole.slice(0, 10));
      fromBuffers.update(whole.slice(10, 60_000));
      fromBuffers.update(whole.slice(60_000, 60_001));
      fromBuffers.update(whole.slice(60_001, bytes.length));
      assertEquals(checksum(algorithm, bytes), fromBuffers.value(), algorithm.wireName());
    }
  }
}
