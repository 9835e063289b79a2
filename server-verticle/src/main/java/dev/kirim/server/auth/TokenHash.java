package dev.kirim.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The SHA-256 of a token, as the tokens file holds it: what {@code --hash-token} prints. */
public final class TokenHash {

  private TokenHash() {
  }

  /** @return the SHA-256 of the token's UTF-8 bytes */
  public static byte[] of(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** @return {@link #of} in lower-case hex, 64 digits */
  public static String hex(String token) {
    return HexFormat.of().formatHex(of(token));
  }
}
