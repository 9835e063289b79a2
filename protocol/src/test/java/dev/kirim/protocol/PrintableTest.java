package dev.kirim.protocol;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class PrintableTest {

  @Test
  void plainTextIsKeptAsItIs() {
    String text = "laporan/2026-11 ringkasan.csv — ü ß 日本 \uD83D\uDE00";
    assertSame(text, Printable.escape(text), "no copy when nothing needs escaping");
  }

  @Test
  void lineBreaksCannotForgeALogLine() {
    assertEquals("a\\x0a2026-12-01 INFO forged\\x0d", Printable.escape("a\n2026-12-01 INFO forged\r"));
    assertEquals("x\\u2028y\\u2029z", Printable.escape("x\u2028y\u2029z"));
  }

  @Test
  void controlCharactersAreEscaped() {
    assertEquals("\\x00\\x1b[31m\\x7f\\x85\\x9b", Printable.escape("\u0000\u001b[31m\u007f\u0085\u009b"));
    assertEquals("tab\\x09", Printable.escape("tab\t"));
  }

  @Test
  void invisibleFormatCharactersAreEscaped() {
    // A right-to-left override would show "gpj.exe" as "exe.jpg".
    assertEquals("\\u202egpj.exe", Printable.escape("\u202Egpj.exe"));
    assertEquals("zero\\u200bwidth\\ufeff", Printable.escape("zero\u200Bwidth\uFEFF"));
    // Tag characters (above the basic plane) can smuggle invisible text.
    assertEquals("a\\U000e0041\\U000e007fb", Printable.escape("a" + Character.toString(0xE0041)
      + Character.toString(0xE007F) + "b"));
  }

  @Test
  void nullReadsAsNull() {
    assertEquals("null", Printable.escape(null));
  }
}
