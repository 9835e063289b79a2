package dev.kirim.protocol;

import io.vertx.core.buffer.Buffer;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * The checksum algorithms a client may choose in its offer. CRC32C is the default: the JDK computes it
 * with hardware instructions, so it costs almost nothing next to the transfer. SHA-256 is there for users
 * who want a cryptographic digest in their report.
 */
public enum ChecksumAlgorithm {
  CRC32C,
  SHA256;

  public static final ChecksumAlgorithm DEFAULT = CRC32C;

  /** @return the name used on the wire and in configuration, e.g. {@code crc32c} */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * @param name a wire name such as {@code crc32c}
   * @return the algorithm
   * @throws IllegalArgumentException naming the allowed values when {@code name} is not one of them
   */
  public static ChecksumAlgorithm fromWireName(String name) {
    for (ChecksumAlgorithm algorithm : values()) {
      if (algorithm.wireName().equals(name)) {
        return algorithm;
      }
    }
    throw new IllegalArgumentException("unknown checksum algorithm '" + name + "' (use crc32c or sha256)");
  }

  /**
   * @param value a checksum as written on the wire, {@code algorithm:hex}
   * @return the algorithm it is written in, or {@code null} when its prefix names none
   */
  public static ChecksumAlgorithm ofValue(String value) {
    for (ChecksumAlgorithm algorithm : values()) {
      if (value != null && value.startsWith(algorithm.wireName() + ":")) {
        return algorithm;
      }
    }
    return null;
  }

  /**
   * @return whether {@code value} is a checksum of this algorithm as written on the wire: the wire name, a
   *   colon and exactly 8 (CRC-32C) or 64 (SHA-256) lower-case hex digits
   */
  public boolean isWellFormed(String value) {
    String prefix = wireName() + ":";
    int digits = this == CRC32C ? 8 : 64;
    if (value == null || value.length() != prefix.length() + digits || !value.startsWith(prefix)) {
      return false;
    }
    for (int i = prefix.length(); i < value.length(); i++) {
      char c = value.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  /** @return a fresh running checksum of this algorithm */
  public Checksum start() {
    if (this == CRC32C) {
      return new Checksum.Crc32c();
    }
    try {
      return new Checksum.Digest(this, MessageDigest.getInstance("SHA-256"));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** A running checksum; {@link #value()} renders it as {@code algorithm:hex}, the form used on the wire. */
  public abstract static sealed class Checksum permits Checksum.Crc32c, Checksum.Digest {

    private byte[] scratch = new byte[0];

    public abstract void update(byte[] bytes, int offset, int length);

    public void update(byte[] bytes) {
      update(bytes, 0, bytes.length);
    }

    public abstract void update(java.nio.ByteBuffer bytes);

    /**
     * Adds the bytes of a Vert.x buffer, through one array this checksum reuses: no garbage per chunk, and
     * no need to know whether the buffer is a heap copy or a slice of a socket's direct buffer.
     */
    public void update(Buffer bytes) {
      int length = bytes.length();
      if (scratch.length < length) {
        scratch = new byte[length];
      }
      bytes.getBytes(0, length, scratch, 0);
      update(scratch, 0, length);
    }

    /** @return e.g. {@code crc32c:0a1b2c3d} */
    public abstract String value();

    static final class Crc32c extends Checksum {
      private final CRC32C crc = new CRC32C();

      @Override
      public void update(byte[] bytes, int offset, int length) {
        crc.update(bytes, offset, length);
      }

      @Override
      public void update(java.nio.ByteBuffer bytes) {
        crc.update(bytes);
      }

      @Override
      public String value() {
        // HexFormat, not String.format: every small file's put renders one, and the formatter took ~2 µs each.
        return "crc32c:" + HexFormat.of().toHexDigits((int) crc.getValue());
      }
    }

    static final class Digest extends Checksum {
      private final ChecksumAlgorithm algorithm;
      private final MessageDigest digest;

      Digest(ChecksumAlgorithm algorithm, MessageDigest digest) {
        this.algorithm = algorithm;
        this.digest = digest;
      }

      @Override
      public void update(byte[] bytes, int offset, int length) {
        digest.update(bytes, offset, length);
      }

      @Override
      public void update(java.nio.ByteBuffer bytes) {
        digest.update(bytes);
      }

      @Override
      public String value() {
        return algorithm.wireName() + ":" + HexFormat.of().formatHex(digest.digest());
      }
    }
  }
}
