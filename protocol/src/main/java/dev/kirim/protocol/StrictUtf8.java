package dev.kirim.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The encoding check of a header line before JSON parsing (PROTOCOL.md: UTF-8 without a byte-order mark).
 * Jackson detects the encoding from the first bytes (it takes a BOM, UTF-16 and UTF-32) and decodes UTF-8
 * leniently (an overlong {@code C0 AF} becomes {@code /}, CESU-8 surrogates pass), so that a name could be
 * checked in one form and mean another. Here a line must be strict UTF-8 as the JDK's decoder defines it
 * (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF), hold no NUL (every UTF-16 or UTF-32
 * encoding of a JSON object has one) and not start with a BOM. A pure ASCII line, the usual case, costs one
 * pass over its bytes.
 */
final class StrictUtf8 {

  private StrictUtf8() {
  }

  /**
   * @return null when {@code line} is acceptable, else why not
   */
  static String check(byte[] line) {
    boolean ascii = true;
    for (byte b : line) {
      if (b == 0) {
        return "header line holds a NUL byte (UTF-16 or UTF-32?); header lines are UTF-8";
      }
      if (b < 0) {
        ascii = false;
      }
    }
    if (ascii) {
      return null;
    }
    if (line.length >= 3 && line[0] == (byte) 0xef && line[1] == (byte) 0xbb && line[2] == (byte) 0xbf) {
      return "header line starts with a byte-order mark; header lines are UTF-8 without one";
    }
    try {
      decoder().decode(ByteBuffer.wrap(line));
      return null;
    } catch (CharacterCodingException e) {
      return "header line is not valid UTF-8 (overlong forms and encoded surrogates are not)";
    }
  }

  private static CharsetDecoder decoder() {
    // A decoder is not thread safe and costs little next to a line with non-ASCII bytes: one per check.
    return StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT)
      .onUnmappableCharacter(CodingErrorAction.REPORT);
  }
}
