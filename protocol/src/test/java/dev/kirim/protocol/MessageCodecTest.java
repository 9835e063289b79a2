package dev.kirim.protocol;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MessageCodecTest {

  private static Message decode(String line) {
    return MessageCodec.decode(Buffer.buffer(line));
  }

  /** Decodes a line that must be refused, and returns the refusal (always MALFORMED). */
  private static ProtocolException malformed(String line) {
    return malformed(Buffer.buffer(line));
  }

  private static ProtocolException malformed(Buffer line) {
    ProtocolException failure = assertThrows(ProtocolException.class, () -> MessageCodec.decode(line));
    assertEquals(ErrorCode.MALFORMED, failure.code(), failure::toString);
    assertFalse(failure.getMessage().contains("\n"), "the reason is one line: " + failure.getMessage());
    return failure;
  }

  private static Message roundTrip(Message message) {
    Buffer encoded = MessageCodec.encode(message);
    assertEquals('\n', encoded.getByte(encoded.length() - 1), "a header line ends with \\n");
    String text = encoded.toString(StandardCharsets.UTF_8);
    assertEquals(text.length() - 1, text.indexOf('\n'), "exactly one line: " + text);
    Buffer line = encoded.getBuffer(0, encoded.length() - 1);
    return MessageCodec.decode(line);
  }

  // --- round trips ---------------------------------------------------------------------------------------

  @Test
  void everyMessageTypeRoundTrips() {
    List<Message> all = List.of(
      new Message.Hello(1, "client-a", "s3cret"),
      new Message.Hello(1, "client-a", null),
      new Message.Welcome(1, "server-1", 1L << 40),
      new Message.Welcome(2, "server-1", 1L << 40, 65_536, "aji", null),
      new Message.Welcome(2, "server-1", 1L << 40, 65_536, null, true),
      new Message.Ping(),
      new Message.Pong(),
      new Message.Put(10, "small/ä.txt", 4096, 1_700_000_000_123L, null, "crc32c:0a1b2c3d", 0600, null),
      new Message.Offer(7, "dir/ä file.txt", 12_345, 1_700_000_000_123L, "sha256"),
      new Message.Offer(8, "x", 0, 0L, null),
      new Message.Offer(9, "y", 3, 5L, "crc32c", "crc32c:0a1b2c3d", 0644, false, true),
      new Message.Send(7, 4096),
      new Message.Skip(8, Message.Skip.SAME, 3, 5L, "crc32c:0a1b2c3d"),
      new Message.Skip(8, Message.Skip.DIFFERS, 3, null, null),
      new Message.Cancel(7, "the file changed while it was being sent"),
      new Message.Preview(9, Message.Preview.RESUME, 1024),
      new Message.Data(7, 4096, 8249),
      new Message.Commit(7, "sha256:" + "ab".repeat(32)),
      new Message.Done(7, "dir/ä file-1.txt", 12_345, "sha256:" + "ab".repeat(32)),
      new Message.Error(7L, ErrorCode.CHECKSUM_MISMATCH, "expected x, got y"),
      new Message.Error(null, ErrorCode.BUSY, "too many connections"),
      // Every optional field set at least once: a field the codec forgot would not come back.
      new Message.Offer(9, "y", 3, 5L, "sha256", "sha256:" + "cd".repeat(32), 0755, true, false, "rid-1"),
      new Message.Send(7, 4096, "rid-1", "sha256"),
      new Message.Put(11, "p", 1, -5L, "sha256", "sha256:" + "ef".repeat(32), 0640, false),
      new Message.Welcome(2, "server-1", 1L << 40, 0, "aji", false),
      new Message.Welcome(2, "server-1", 1L << 40, 65_536, null, true, 256));
    for (Message message : all) {
      assertEquals(message, roundTrip(message));
    }
    // Every subtype of the sealed interface is covered above.
    assertEquals(Message.class.getPermittedSubclasses().length,
      all.stream().map(Object::getClass).distinct().count());
  }

  @Test
  void encodingNamesTheTypeAndOmitsAbsentOptionalFields() {
    String line = MessageCodec.encode(new Message.Offer(3, "a.txt", 10, 7L, null)).toString();
    assertTrue(line.contains("\"type\":\"offer\""), line);
    assertFalse(line.contains("mode"), line);
    assertFalse(line.contains("dryRun"), line);
    assertFalse(line.contains("algorithm"), line);
    assertFalse(line.contains("null"), line);
  }

  /** The exact bytes: type first, then the fields in their record order, text as UTF-8, control characters escaped. */
  @Test
  void encodingIsTheDocumentedLine() {
    assertEquals("{\"type\":\"offer\",\"id\":9,\"name\":\"ä/y\",\"size\":3,\"mtime\":5,\"algorithm\":\"crc32c\","
        + "\"checksum\":\"crc32c:0a1b2c3d\",\"mode\":420,\"setMtime\":false,\"dryRun\":true}\n",
      MessageCodec.encode(new Message.Offer(9, "ä/y", 3, 5L, "crc32c", "crc32c:0a1b2c3d", 0644, false, true))
        .toString(StandardCharsets.UTF_8));
    assertEquals("{\"type\":\"error\",\"code\":\"busy\",\"message\":\"a\\n\\\"b\\\"\\u0001\"}\n",
      MessageCodec.encode(new Message.Error(null, ErrorCode.BUSY, "a\n\"b\"\u0001")).toString(StandardCharsets.UTF_8));
    assertEquals("{\"type\":\"ping\"}\n", MessageCodec.encode(new Message.Ping()).toString(StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "{\"type\":\"error\",\"code\":5,\"message\":\"m\"}",
    "{\"type\":\"error\",\"code\":[\"busy\"],\"message\":\"m\"}",
  })
  void errorCodeThatIsNotAStringIsMalformed(String line) {
    assertTrue(malformed(line).getMessage().contains("'code'"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "{\"type\":\"data\",\"id\":1,\"offset\":\"0\",\"length\":2}",
    "{\"type\":\"data\",\"id\":1,\"offset\":0.0,\"length\":2}",
    "{\"type\":\"data\",\"id\":1,\"offset\":{},\"length\":2}",
    "{\"type\":\"data\",\"id\":1,\"offset\":null,\"length\":2}",
    "{\"type\":\"data\",\"id\":1,\"offset\":9223372036854775808,\"length\":2}",
  })
  void aRefusedFieldIsNamed(String line) {
    ProtocolException failure = malformed(line);
    assertTrue(failure.getMessage().contains("'offset'"), failure.getMessage());
  }

  @Test
  void toBufferIsTheEncoding() {
    Message message = new Message.Send(1, 2);
    assertEquals(MessageCodec.encode(message), message.toBuffer());
  }

  @Test
  void decodesAHandWrittenLineInAnyFieldOrder() {
    Message message = decode("{\"name\":\"a/b.txt\",\"size\":5,\"id\":2,\"type\":\"offer\",\"mtime\":99}");
    assertEquals(new Message.Offer(2, "a/b.txt", 5, 99L, null), message);
    assertEquals(ChecksumAlgorithm.CRC32C, ((Message.Offer) message).checksumAlgorithm());
  }

  @Test
  void errorCodeTravelsAsItsWireName() {
    String line = MessageCodec.encode(new Message.Error(4L, ErrorCode.CHECKSUM_MISMATCH, "m")).toString();
    assertTrue(line.contains("\"code\":\"checksum_mismatch\""), line);
    Message.Error error = (Message.Error) decode("{\"type\":\"error\",\"code\":\"no_space\",\"message\":\"full\"}");
    assertEquals(ErrorCode.NO_SPACE, error.code());
    assertNull(error.id());
    assertEquals(ErrorCode.NO_SPACE, error.toException().code());
    assertEquals("full", error.toException().getMessage());
  }

  @Test
  void unknownErrorCodeFromANewerServerDecodesAsInternal() {
    Message.Error error = (Message.Error) decode(
      "{\"type\":\"error\",\"id\":1,\"code\":\"some_future_code\",\"message\":\"m\"}");
    assertEquals(ErrorCode.INTERNAL, error.code());
  }

  @Test
  void errorFromAProtocolExceptionCarriesItsCodeAndMessage() {
    Message.Error error = Message.Error.of(3L, new ProtocolException(ErrorCode.BAD_NAME, "bad name 'x'"));
    assertEquals(new Message.Error(3L, ErrorCode.BAD_NAME, "bad name 'x'"), error);
    assertEquals(error, roundTrip(error));
  }

  @Test
  void unknownFieldsAreIgnored() {
    Message message = decode("{\"type\":\"send\",\"id\":1,\"offset\":0,\"compression\":\"zstd\","
      + "\"extra\":{\"nested\":[1,2,{\"x\":null}]}}");
    assertEquals(new Message.Send(1, 0), message);
  }

  @Test
  void whitespaceAroundTheObjectIsAccepted() {
    assertEquals(new Message.Send(1, 0), decode("  {\"type\":\"send\", \"id\":1, \"offset\":0}\r"));
  }

  // --- field validation ----------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {
    "{\"type\":\"offer\",\"id\":1,\"name\":\"a\",\"size\":-1,\"mtime\":0}",
    "{\"type\":\"offer\",\"id\":-1,\"name\":\"a\",\"size\":1,\"mtime\":0}",
    "{\"type\":\"send\",\"id\":1,\"offset\":-5}",
    "{\"type\":\"send\",\"id\":-1,\"offset\":0}",
    "{\"type\":\"data\",\"id\":1,\"offset\":-1,\"length\":1}",
    "{\"type\":\"data\",\"id\":1,\"offset\":0,\"length\":-1}",
    "{\"type\":\"data\",\"id\":-1,\"offset\":0,\"length\":1}",
    "{\"type\":\"commit\",\"id\":-1,\"checksum\":\"crc32c:00000000\"}",
    "{\"type\":\"skip\",\"id\":-1,\"reason\":\"exists\",\"size\":1}",
    "{\"type\":\"skip\",\"id\":1,\"reason\":\"exists\",\"size\":-1}",
    "{\"type\":\"done\",\"id\":-1,\"name\":\"a\",\"bytes\":1,\"checksum\":\"crc32c:00000000\"}",
    "{\"type\":\"done\",\"id\":1,\"name\":\"a\",\"bytes\":-1,\"checksum\":\"crc32c:00000000\"}",
    "{\"type\":\"error\",\"id\":-1,\"code\":\"busy\",\"message\":\"m\"}",
  })
  void negativeNumbersAreMalformed(String line) {
    ProtocolException failure = malformed(line);
    assertTrue(failure.getMessage().contains("must not be negative"), failure.getMessage());
  }

  @Test
  void negativeNumberFailureNamesTheField() {
    assertTrue(malformed("{\"type\":\"data\",\"id\":1,\"offset\":0,\"length\":-3}").getMessage().contains("'length'"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "{\"type\":\"hello\",\"clientId\":\"c\"}",
    "{\"type\":\"hello\",\"version\":1}",
    "{\"type\":\"welcome\",\"version\":1,\"serverId\":\"s\"}",
    "{\"type\":\"offer\",\"name\":\"a\",\"size\":1}",
    "{\"type\":\"offer\",\"id\":1,\"size\":1}",
    "{\"type\":\"offer\",\"id\":1,\"name\":\"a\"}",
    "{\"type\":\"send\",\"id\":1}",
    "{\"type\":\"skip\",\"id\":1,\"size\":1}",
    "{\"type\":\"data\",\"id\":1,\"offset\":0}",
    "{\"type\":\"commit\",\"id\":1}",
    "{\"type\":\"done\",\"id\":1,\"name\":\"a\",\"bytes\":1}",
    "{\"type\":\"error\",\"id\":1,\"message\":\"m\"}",
    "{\"type\":\"error\",\"id\":1,\"code\":\"busy\"}",
  })
  void missingRequiredFieldIsMalformed(String line) {
    malformed(line);
  }

  @Test
  void missingFieldFailureNamesTheField() {
    assertTrue(malformed("{\"type\":\"data\",\"id\":1,\"offset\":0}").getMessage().contains("length"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "{\"type\":\"hello\",\"version\":null,\"clientId\":\"c\"}",
    "{\"type\":\"hello\",\"version\":1,\"clientId\":null}",
    "{\"type\":\"hello\",\"version\":1,\"clientId\":\"\"}",
    "{\"type\":\"offer\",\"id\":1,\"name\":null,\"size\":1}",
    "{\"type\":\"offer\",\"id\":1,\"name\":\"\",\"size\":1}",
    "{\"type\":\"commit\",\"id\":1,\"checksum\":\"\"}",
    "{\"type\":\"error\",\"id\":1,\"code\":null,\"message\":\"m\"}",
    "{\"type\":\"error\",\"id\":1,\"code\":\"busy\",\"message\":null}",
    "{\"type\":\"welcome\",\"version\":1,\"serverId\":null,\"maxFileSize\":1}",
    "{\"type\":\"skip\",\"id\":1,\"reason\":null,\"size\":1}",
    "{\"type\":\"done\",\"id\":1,\"name\":null,\"bytes\":1,\"checksum\":\"c\"}",
    "{\"type\":\"done\",\"id\":1,\"name\":\"a\",\"bytes\":1,\"checksum\":null}",
  })
  void nullOrEmptyRequiredValueIsMalformed(String line) {
    malformed(line);
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "{\"type\":\"offer\",\"id\":1,\"name\":\"a\",\"size\":\"12\"}",
    "{\"type\":\"offer\",\"id\":1,\"name\":\"a\",\"size\":1.5}",
    "{\"type\":\"offer\",\"id\":1,\"name\":\"a\",\"size\":12.0}",
    "{\"type\":\"offer\",\"id\":1,\"name\":\"a\",\"size\":1e3}",
    "{\"type\":\"offer\",\"id\":1,\"name\":\"a\",\"size\":true}",
    "{\"type\":\"offer\",\"id\":1,\"name\":\"a\",\"size\":[12]}",
    "{\"type\":\"offer\",\"id\":1,\"name\":\"a\",\"size\":{}}",
    "{\"type\":\"offer\",\"id\":\"1\",\"name\":\"a\",\"size\":1}",
    "{\"type\":\"offer\",\"id\":1,\"name\":\"a\",\"size\":1,\"mtime\":\"5\"}",
    "{\"type\":\"offer\",\"id\":1,\"name\":\"a\",\"size\":99999999999999999999}",
    "{\"type\":\"hello\",\"version\":\"1\",\"clientId\":\"c\"}",
    "{\"type\":\"hello\",\"version\":4294967297,\"clientId\":\"c\"}",
    "{\"type\":\"data\",\"id\":1,\"offset\":0,\"length\":null}",
    "{\"type\":\"hello\",\"version\":1,\"clientId\":5}",
    "{\"type\":\"hello\",\"version\":1,\"clientId\":true}",
    "{\"type\":\"offer\",\"id\":1,\"name\":[\"a\"],\"size\":1}",
    "{\"type\":\"commit\",\"id\":1,\"checksum\":{}}",
  })
  void wrongFieldTypeIsMalformed(String line) {
    malformed(line);
  }

  @Test
  void unknownChecksumAlgorithmIsMalformed() {
    ProtocolException failure = malformed(
      "{\"type\":\"offer\",\"id\":1,\"name\":\"a\",\"size\":1,\"mtime\":0,\"algorithm\":\"md5\"}");
    assertTrue(failure.getMessage().contains("md5"), failure.getMessage());
  }

  @Test
  void offerWithoutMtimeIsMalformed() {
    // Version 2 compares size and mtime: an offer that cannot be compared is refused, not guessed at.
    ProtocolException failure = malformed("{\"type\":\"offer\",\"id\":1,\"name\":\"a\",\"size\":1}");
    assertTrue(failure.getMessage().contains("mtime"), failure.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "\"checksum\":\"crc32c:xyz\"",
    "\"checksum\":\"sha256:0a1b2c3d\"",
    "\"algorithm\":\"sha256\",\"checksum\":\"crc32c:0a1b2c3d\"",
    "\"mode\":-1",
    "\"mode\":4096",
  })
  void offerWithAMalformedChecksumOrModeIsMalformed(String field) {
    ProtocolException failure = malformed(
      "{\"type\":\"offer\",\"id\":1,\"name\":\"a\",\"size\":1,\"mtime\":0," + field + "}");
    assertTrue(failure.getMessage().contains("checksum") || failure.getMessage().contains("mode"),
      failure.getMessage());
  }

  @Test
  void offerFieldsOfVersionTwoDecode() {
    Message.Offer offer = (Message.Offer) decode("{\"type\":\"offer\",\"id\":1,\"name\":\"a\",\"size\":4,"
      + "\"mtime\":9,\"checksum\":\"crc32c:0a1b2c3d\",\"mode\":493,\"setMtime\":false,\"dryRun\":true}");
    assertEquals(0755, offer.mode());
    assertFalse(offer.keepsMtime());
    assertTrue(offer.previewOnly());
    assertTrue(new Message.Offer(1, "a", 1, 0L, null).keepsMtime());
    assertFalse(new Message.Offer(1, "a", 1, 0L, null).previewOnly());
  }

  @ParameterizedTest
  @ValueSource(strings = {
    // no checksum: a put is verified, never taken on trust
    "{\"type\":\"put\",\"id\":1,\"name\":\"a\",\"size\":1,\"mtime\":0}",
    // larger than any put may be
    "{\"type\":\"put\",\"id\":1,\"name\":\"a\",\"size\":65537,\"mtime\":0,\"checksum\":\"crc32c:0a1b2c3d\"}",
    // what an offer refuses, a put refuses too
    "{\"type\":\"put\",\"id\":1,\"name\":\"a\",\"size\":1,\"checksum\":\"crc32c:0a1b2c3d\"}",
    "{\"type\":\"put\",\"id\":1,\"name\":\"a\",\"size\":1,\"mtime\":0,\"checksum\":\"crc32c:xyz\"}",
    "{\"type\":\"put\",\"id\":-1,\"name\":\"a\",\"size\":1,\"mtime\":0,\"checksum\":\"crc32c:0a1b2c3d\"}",
    "{\"type\":\"welcome\",\"version\":2,\"serverId\":\"s\",\"maxFileSize\":1,\"maxPutSize\":65537}",
  })
  void badPutsAndPutSizesAreMalformed(String line) {
    malformed(line);
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "{\"type\":\"welcome\",\"version\":2,\"serverId\":\"s\",\"maxFileSize\":1,\"maxPending\":0}",
    "{\"type\":\"welcome\",\"version\":2,\"serverId\":\"s\",\"maxFileSize\":1,\"maxPending\":-3}",
    "{\"type\":\"welcome\",\"version\":2,\"serverId\":\"s\",\"maxFileSize\":1,\"maxPending\":\"many\"}",
  })
  void aWelcomeThatLetsNoRequestWaitIsMalformed(String line) {
    malformed(line);
  }

  @Test
  void aWelcomeWithoutMaxPendingMeansWhatEarlierServersAllowed() {
    Message.Welcome earlier = (Message.Welcome) decode(
      "{\"type\":\"welcome\",\"version\":2,\"serverId\":\"s\",\"maxFileSize\":1}");
    assertEquals(64, earlier.pendingLimit());
    Message.Welcome now = (Message.Welcome) decode(
      "{\"type\":\"welcome\",\"version\":2,\"serverId\":\"s\",\"maxFileSize\":1,\"maxPending\":256}");
    assertEquals(256, now.pendingLimit());
  }

  @Test
  void aPutStandsForTheOfferOfItsFileWithItsChecksum() {
    Message.Put put = new Message.Put(3, "a/b", 10, 5L, "sha256", "sha256:" + "ab".repeat(32), 0640, false);
    assertEquals(new Message.Offer(3, "a/b", 10, 5L, "sha256", "sha256:" + "ab".repeat(32), 0640, false, null),
      put.asOffer());
  }

  @Test
  void skipIsSameOnlyForTheSameReason() {
    assertTrue(new Message.Skip(1, "same", 1, 0L, null).same());
    assertFalse(new Message.Skip(1, "differs", 1, 0L, null).same());
    // A reason from a newer server is no promise that the copy is the same.
    assertFalse(new Message.Skip(1, "exists", 1, 0L, null).same());
  }

  @Test
  void unknownTypeIsMalformedAndNamed() {
    ProtocolException failure = malformed("{\"type\":\"delete\",\"id\":1,\"name\":\"a\"}");
    assertTrue(failure.getMessage().contains("'delete'"), failure.getMessage());
  }

  @Test
  void typeNamesAreCaseSensitive() {
    assertTrue(malformed("{\"type\":\"HELLO\",\"version\":1,\"clientId\":\"c\"}").getMessage().contains("HELLO"));
  }

  @Test
  void missingTypeIsMalformed() {
    ProtocolException failure = malformed("{\"id\":1,\"offset\":0}");
    assertTrue(failure.getMessage().contains("'type'"), failure.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "{\"type\":5,\"id\":1,\"offset\":0}",
    "{\"type\":null,\"id\":1,\"offset\":0}",
    "{\"type\":[\"send\"],\"id\":1,\"offset\":0}",
  })
  void typeThatIsNotAStringIsMalformed(String line) {
    malformed(line);
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "{\"type\":\"send\",\"id\":1,\"offset\":0} x",
    "{\"type\":\"send\",\"id\":1,\"offset\":0}{\"type\":\"send\",\"id\":2,\"offset\":0}",
    "{\"type\":\"send\",\"id\":1,\"offset\":0}}",
    "{\"type\":\"send\",\"id\":1,\"offset\":0},",
    "{\"type\":\"send\",\"id\":1,\"offset\":0} 1",
  })
  void trailingGarbageAfterTheObjectIsMalformed(String line) {
    malformed(line);
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "{\"type\":\"send\",\"id\":1,\"id\":2,\"offset\":0}",
    "{\"type\":\"send\",\"type\":\"send\",\"id\":1,\"offset\":0}",
    "{\"id\":1,\"type\":\"send\",\"offset\":0,\"id\":1}",
  })
  void duplicateKeysAreMalformed(String line) {
    ProtocolException failure = malformed(line);
    assertTrue(failure.getMessage().toLowerCase().contains("duplicate"), failure.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "",
    " ",
    "null",
    "42",
    "\"send\"",
    "[]",
    "[{\"type\":\"send\",\"id\":1,\"offset\":0}]",
    "{",
    "{\"type\":\"send\",\"id\":1,\"offset\":0",
    "{type:\"send\",id:1,offset:0}",
    "{'type':'send','id':1,'offset':0}",
    "{\"type\":\"send\",\"id\":1,\"offset\":0,}",
    "{\"type\":\"send\",\"id\":01,\"offset\":0}",
    "{\"type\":\"send\",\"id\":NaN,\"offset\":0}",
    "{\"type\":\"send\",/*c*/\"id\":1,\"offset\":0}",
    "GET / HTTP/1.1",
  })
  void notAJsonObjectIsMalformed(String line) {
    malformed(line);
  }

  @Test
  void emptyLineIsMalformed() {
    malformed(Buffer.buffer());
  }

  @Test
  void bytesThatAreNotUtf8AreMalformed() {
    byte[] line = "{\"type\":\"offer\",\"id\":1,\"name\":\"a?b\",\"size\":1}".getBytes(StandardCharsets.US_ASCII);
    line[line.length - 13] = (byte) 0xff; // the '?'
    malformed(Buffer.buffer(line));
    // An overlong encoding of '/' and a truncated multi-byte sequence.
    malformed(Buffer.buffer(new byte[] {'{', '"', 't', '"', ':', '"', (byte) 0xc0, (byte) 0xaf, '"', '}'}));
    malformed(Buffer.buffer(new byte[] {'{', '"', 't', '"', ':', '"', (byte) 0xe2, (byte) 0x82, '"', '}'}));
  }

  /** A valid hello with {@code bytes} in place of the client id's "X". */
  private static Buffer helloWith(byte... bytes) {
    String[] parts = "{\"type\":\"hello\",\"version\":1,\"clientId\":\"aXb\"}".split("X");
    return Buffer.buffer(parts[0]).appendBytes(bytes).appendString(parts[1]);
  }

  @Test
  void onlyStrictUtf8IsAccepted() {
    assertEquals("a/b", ((Message.Hello) MessageCodec.decode(helloWith((byte) '/'))).clientId());
    assertEquals("a\u00e9b", ((Message.Hello) MessageCodec.decode(helloWith((byte) 0xc3, (byte) 0xa9))).clientId());
    assertEquals("a\ud83d\ude00b",
      ((Message.Hello) MessageCodec.decode(helloWith((byte) 0xf0, (byte) 0x9f, (byte) 0x98, (byte) 0x80))).clientId());
    // Overlong '/', overlong NUL, a CESU-8 surrogate pair for U+1F600, a lone surrogate, past U+10FFFF.
    malformed(helloWith((byte) 0xc0, (byte) 0xaf));
    malformed(helloWith((byte) 0xe0, (byte) 0x80, (byte) 0xaf));
    malformed(helloWith((byte) 0xc0, (byte) 0x80));
    malformed(helloWith((byte) 0xed, (byte) 0xa0, (byte) 0xbd, (byte) 0xed, (byte) 0xb8, (byte) 0x80));
    malformed(helloWith((byte) 0xed, (byte) 0xa0, (byte) 0x80));
    malformed(helloWith((byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80));
  }

  @Test
  void aByteOrderMarkOrUtf16IsMalformed() {
    String hello = "{\"type\":\"hello\",\"version\":1,\"clientId\":\"c\"}";
    malformed(Buffer.buffer(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}).appendString(hello));
    malformed(Buffer.buffer(hello.getBytes(StandardCharsets.UTF_16LE)));
    malformed(Buffer.buffer(hello.getBytes(StandardCharsets.UTF_16BE)));
    malformed(Buffer.buffer(hello.getBytes(StandardCharsets.UTF_16)));
    malformed(Buffer.buffer(hello.getBytes(java.nio.charset.Charset.forName("UTF-32LE"))));
    // A BOM inside a string is a character like any other.
    assertEquals("a\ufeffb", ((Message.Hello) MessageCodec.decode(helloWith((byte) 0xef, (byte) 0xbb, (byte) 0xbf)))
      .clientId());
  }

  @Test
  void randomGarbageIsMalformed() {
    java.util.Random random = new java.util.Random(42);
    for (int i = 0; i < 200; i++) {
      byte[] garbage = new byte[1 + random.nextInt(100)];
      random.nextBytes(garbage);
      garbage[0] = (byte) (0x80 | garbage[0]); // never an accidental '{'
      malformed(Buffer.buffer(garbage));
    }
  }

  @Test
  void utf8TextInStringsDecodes() {
    Message.Offer offer = (Message.Offer) MessageCodec.decode(Buffer.buffer(
      "{\"type\":\"offer\",\"id\":1,\"name\":\"日本/ü.txt\",\"size\":1,\"mtime\":0}".getBytes(StandardCharsets.UTF_8)));
    assertEquals("日本/ü.txt", offer.name());
  }

  @Test
  void decodedMessageHasTheRightRecordType() {
    assertInstanceOf(Message.Hello.class, decode("{\"type\":\"hello\",\"version\":1,\"clientId\":\"c\"}"));
    assertInstanceOf(Message.Welcome.class,
      decode("{\"type\":\"welcome\",\"version\":1,\"serverId\":\"s\",\"maxFileSize\":10}"));
  }

  @Test
  void longReasonIsShortened() {
    String line = "{\"type\":\"send\",\"id\":1,\"offset\":0,\"" + "k".repeat(5000) + "\":1,\"" + "k".repeat(5000) + "\":1}";
    ProtocolException failure = malformed(line);
    assertTrue(failure.getMessage().length() < 400, "reason length " + failure.getMessage().length());
  }
}
