package dev.kirim.protocol;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NameRulesTest {

  private static ProtocolException rejected(String name) {
    ProtocolException failure = assertThrows(ProtocolException.class, () -> NameRules.check(name),
      () -> "accepted '" + name + "'");
    assertEquals(ErrorCode.BAD_NAME, failure.code(), failure::toString);
    return failure;
  }

  private static int utf8Length(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "a.txt", "a/b/c.txt", "a..b", "..a", "a..", ".hidden", "dir/.hidden/x", "...", "a b/c d.txt", "ü/日本語.txt",
    "emoji-😀.png", "a.kirim-part.txt", "kirim-part", "-rf", "~", "a:b", "*?<>|\"'", "CON",
  })
  void validNamesPass(String name) {
    assertEquals(name, NameRules.check(name));
  }

  @Test
  void componentsAreReturnedInOrder() {
    assertEquals(List.of("a", "b", "c.txt"), NameRules.components("a/b/c.txt"));
    assertEquals(List.of("x"), NameRules.components("x"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"..", "../x", "a/../../x", "a/..", "x/../y", "./a", "a/./b", "a/.", "."})
  void dotComponentsAreRejected(String name) {
    assertTrue(rejected(name).getMessage().contains("component"), name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/etc/passwd", "/", "//x"})
  void absoluteNamesAreRejected(String name) {
    rejected(name);
  }

  @Test
  void absoluteNameSaysSo() {
    assertTrue(rejected("/etc/passwd").getMessage().contains("absolute"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\\b", "..\\x", "\\x", "C:\\windows"})
  void backslashesAreRejected(String name) {
    assertTrue(rejected(name).getMessage().contains("backslash"), name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\u0000b", "a\nb", "a\rb", "a\tb", "\u001b[31mred", "a\u007fb", "x/\u0001"})
  void controlCharactersAreRejected(String name) {
    ProtocolException failure = rejected(name);
    assertTrue(failure.getMessage().contains("control character"), failure.getMessage());
    // The reason is printable: the control character is escaped, not echoed.
    assertTrue(failure.getMessage().chars().noneMatch(c -> c < 0x20 || c == 0x7f), failure.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"a//b", "a/", "a/b/", "x///y"})
  void emptyComponentsAreRejected(String name) {
    assertTrue(rejected(name).getMessage().contains("empty path component"), name);
  }

  @Test
  void emptyAndNullNamesAreRejected() {
    rejected("");
    rejected(null);
  }

  @ParameterizedTest
  @ValueSource(strings = {"x.kirim-part", "a/b.kirim-part", ".a.b.kirim-part", "d.kirim-part/x", ".kirim-part"})
  void partialSuffixIsReserved(String name) {
    assertTrue(rejected(name).getMessage().contains(NameRules.PARTIAL_SUFFIX), name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\ud800b", "\udc00", "x/\ud83d", "\ude00\ud83d"})
  void unpairedSurrogatesAreRejected(String name) {
    // Such a name cannot be encoded as a file name: Path.of would throw on it.
    rejected(name);
  }

  @Test
  void loneSurrogateEscapedInJsonDecodesButIsRejected() {
    Message.Offer offer = (Message.Offer) MessageCodec.decode(
      Buffer.buffer("{\"type\":\"offer\",\"id\":1,\"name\":\"a\\ud800\",\"size\":1,\"mtime\":0}"));
    assertEquals("a\ud800", offer.name());
    assertTrue(rejected(offer.name()).getMessage().contains("surrogate"));
  }

  @Test
  void pairedSurrogatesMakeAValidName() {
    String name = "\ud83d\ude00.txt";
    NameRules.check(name);
    Path.of(name); // and it is a name the file system can take
  }

  // --- lengths, at the limit and one past it -------------------------------------------------------------

  /** A name of exactly {@code bytes} UTF-8 bytes made of components of at most 200 bytes. */
  private static String nameOfLength(int bytes) {
    StringBuilder name = new StringBuilder();
    while (utf8Length(name.toString()) < bytes) {
      if (name.length() > 0) {
        name.append('/');
      }
      int room = bytes - utf8Length(name.toString());
      name.append("n".repeat(Math.max(1, Math.min(NameRules.MAX_COMPONENT_BYTES, room))));
    }
    assertEquals(bytes, utf8Length(name.toString()));
    return name.toString();
  }

  @Test
  void nameOfMaxBytesIsAccepted() {
    String name = nameOfLength(NameRules.MAX_NAME_BYTES);
    assertEquals(1024, utf8Length(name));
    NameRules.check(name);
  }

  @Test
  void nameOfMaxBytesPlusOneIsRejected() {
    String name = nameOfLength(NameRules.MAX_NAME_BYTES + 1);
    assertTrue(rejected(name).getMessage().contains("1025 bytes"));
  }

  @Test
  void nameLengthCountsUtf8BytesNotCharacters() {
    // 342 three-byte characters = 1026 bytes in 342 chars; spread over components of <= 198 bytes.
    StringBuilder name = new StringBuilder();
    for (int i = 0; i < 342; i++) {
      if (i > 0 && i % 66 == 0) {
        name.append('/');
      }
      name.append('日');
    }
    assertTrue(name.length() < 1024);
    rejected(name.toString());
  }

  @Test
  void componentOfMaxBytesIsAccepted() {
    NameRules.check("d/" + "c".repeat(200));
    NameRules.check("c".repeat(200) + "/f");
  }

  @Test
  void componentOfMaxBytesPlusOneIsRejected() {
    assertTrue(rejected("d/" + "c".repeat(201)).getMessage().contains("201 bytes"));
    rejected("c".repeat(201) + "/f");
  }

  @Test
  void componentLengthCountsUtf8Bytes() {
    NameRules.check("ü".repeat(100)); // 200 bytes
    rejected("ü".repeat(100) + "x"); // 201 bytes, 101 characters
  }

  @Test
  void longBadNameIsShortenedInTheMessage() {
    ProtocolException failure = rejected("x".repeat(5000));
    assertTrue(failure.getMessage().length() < 200, failure.getMessage());
  }
}
