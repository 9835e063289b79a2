package dev.kirim.protocol;

/**
 * Text from a peer made safe to print: names, client ids and error messages end up in log lines, summaries
 * and reports, where a raw {@code \n} would forge a line, a NUL or an escape sequence would garble a
 * terminal, and invisible format characters would hide what the text says. Each such character is written
 * as an escape ({@code \x00}, {@code \u2028}); everything else is kept.
 */
public final class Printable {

  private Printable() {
  }

  /** @return {@code text} with control, line-separator and format characters escaped; "null" for null */
  public static String escape(String text) {
    if (text == null) {
      return "null";
    }
    int first = firstUnsafe(text);
    if (first < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, first);
    for (int i = first; i < text.length(); ) {
      int c = text.codePointAt(i);
      if (!isUnsafe(c)) {
        out.appendCodePoint(c);
      } else if (c <= 0xff) {
        out.append(String.format("\\x%02x", c));
      } else if (c <= 0xffff) {
        out.append(String.format("\\u%04x", c));
      } else {
        out.append(String.format("\\U%08x", c));
      }
      i += Character.charCount(c);
    }
    return out.toString();
  }

  private static int firstUnsafe(String text) {
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      if (isUnsafe(c)) {
        return i;
      }
      i += Character.charCount(c);
    }
    return -1;
  }

  // C0 and C1 controls and DEL (Cc), U+2028/U+2029, and format characters (Cf: bidi overrides, zero widths,
  // the tag characters above the basic plane).
  private static boolean isUnsafe(int c) {
    if (c >= 0x20 && c < 0x7f) {
      return false;
    }
    int type = Character.getType(c);
    return type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
      || type == Character.PARAGRAPH_SEPARATOR;
  }
}
