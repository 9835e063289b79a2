package dev.kirim.testkit;

import java.util.zip.CRC32C;

/**
 * The attack on resume by public facts: bytes chosen by an attacker that leave CRC-32C in the same state as a
 * victim's prefix of the same length, so that the victim's suffix and whole-file CRC-32C still match. CRC is
 * affine: CRC(a) ^ CRC(b) depends only on a ^ b, and is 0 when a ^ b is a message followed by its own pure CRC
 * (zero initial value, no final xor) in little-endian. So all but the last four bytes are the attacker's; those
 * four cancel the difference.
 */
public final class Crc32cForgery {

  private Crc32cForgery() {
  }

  /**
   * @param real the victim's prefix
   * @param evil what the attacker wants in its place (same length, at least 4 bytes); its last 4 bytes are replaced
   * @return bytes equal to {@code evil} but for the last 4, with the CRC-32C state of {@code real}
   */
  public static byte[] forge(byte[] real, byte[] evil) {
    int n = real.length;
    if (evil.length != n || n < 4) {
      throw new IllegalArgumentException("same length, at least 4 bytes");
    }
    byte[] difference = new byte[n - 4];
    for (int i = 0; i < n - 4; i++) {
      difference[i] = (byte) (real[i] ^ evil[i]);
    }
    int pure = (int) (crc(difference) ^ crc(new byte[n - 4]));
    byte[] forged = evil.clone();
    for (int i = 0; i < 4; i++) {
      forged[n - 4 + i] = (byte) (real[n - 4 + i] ^ (pure >>> (8 * i)));
    }
    return forged;
  }

  private static long crc(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return crc.getValue();
  }
}
