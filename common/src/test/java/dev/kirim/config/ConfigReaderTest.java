package dev.kirim.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigReaderTest {

  /** A reader for {@code {"limits": <limits>}}'s nested object, so that messages show the full key path. */
  private static ConfigReader limits(String limitsJson) {
    return ConfigReader.of(new JsonObject("{\"limits\":" + limitsJson + "}")).object("limits");
  }

  private static ConfigException fails(Executable executable, String... expectedParts) {
    ConfigException failure = assertThrows(ConfigException.class, executable);
    for (String part : expectedParts) {
      assertTrue(failure.getMessage().contains(part), "'" + failure.getMessage() + "' lacks '" + part + "'");
    }
    return failure;
  }

  // --- number / integer ----------------------------------------------------------------------------------

  @Test
  void numberDefaultsWhenAbsentOrNull() {
    assertEquals(256, limits("{}").number("maxConnections", 256, 1, 1000));
    assertEquals(256, limits("{\"maxConnections\":null}").number("maxConnections", 256, 1, 1000));
    assertEquals(7, ConfigReader.of(null).integer("x", 7, 0, 10));
  }

  @Test
  void numberReturnsValidValuesIncludingTheBounds() {
    assertEquals(1, limits("{\"maxConnections\":1}").number("maxConnections", 256, 1, 1000));
    assertEquals(1000, limits("{\"maxConnections\":1000}").number("maxConnections", 256, 1, 1000));
    assertEquals(1L << 40, limits("{\"maxFileBytes\":1099511627776}").number("maxFileBytes", 0, 0, Long.MAX_VALUE));
    assertEquals(Long.MAX_VALUE, limits("{\"m\":9223372036854775807}").number("m", 0, 0, Long.MAX_VALUE));
    assertEquals(5, limits("{\"maxConnections\":5.0}").integer("maxConnections", 256, 1, 1000), "a whole double");
  }

  @Test
  void numberOutOfRangeNamesTheFullKey() {
    fails(() -> limits("{\"maxConnections\":0}").number("maxConnections", 256, 1, 1000),
      "'limits.maxConnections'", "0", "from 1 to 1000");
    fails(() -> limits("{\"maxConnections\":1001}").integer("maxConnections", 256, 1, 1000),
      "'limits.maxConnections'", "1001");
    fails(() -> limits("{\"maxConnections\":-5}").integer("maxConnections", 256, 1, 1000), "-5");
  }

  @Test
  void numberOfTheWrongTypeNamesTheFullKey() {
    fails(() -> limits("{\"maxConnections\":\"12\"}").number("maxConnections", 256, 1, 1000),
      "'limits.maxConnections'", "\"12\"", "whole number");
    fails(() -> limits("{\"maxConnections\":1.5}").number("maxConnections", 256, 1, 1000),
      "'limits.maxConnections'", "1.5");
    fails(() -> limits("{\"maxConnections\":true}").number("maxConnections", 256, 1, 1000), "'limits.maxConnections'");
    fails(() -> limits("{\"maxConnections\":[1]}").number("maxConnections", 256, 1, 1000), "'limits.maxConnections'");
  }

  @Test
  void numberTooBigForALongIsRejectedNotWrapped() {
    // 2^64 + 1 would become 1 if narrowed to a long, 2^63 would become Long.MIN_VALUE.
    fails(() -> limits("{\"maxConnections\":18446744073709551617}").number("maxConnections", 256, 1, 1000),
      "'limits.maxConnections'");
    fails(() -> limits("{\"maxFileBytes\":9223372036854775808}").number("maxFileBytes", 0, 0, Long.MAX_VALUE),
      "'limits.maxFileBytes'");
    fails(() -> limits("{\"maxFileBytes\":1e30}").number("maxFileBytes", 0, 0, Long.MAX_VALUE),
      "'limits.maxFileBytes'");
  }

  @Test
  void integerUsesTheSameChecks() {
    assertEquals(8192, limits("{}").integer("maxHeaderBytes", 8192, 256, 1 << 20));
    assertEquals(300, limits("{\"maxHeaderBytes\":300}").integer("maxHeaderBytes", 8192, 256, 1 << 20));
    fails(() -> limits("{\"maxHeaderBytes\":255}").integer("maxHeaderBytes", 8192, 256, 1 << 20),
      "'limits.maxHeaderBytes'", "255");
    fails(() -> limits("{\"maxHeaderBytes\":4294967296}").integer("maxHeaderBytes", 8192, 256, 1 << 20),
      "'limits.maxHeaderBytes'");
  }

  // --- string / bool / choice / strings / object ---------------------------------------------------------

  @Test
  void stringDefaultValueAndErrors() {
    ConfigReader config = ConfigReader.of(new JsonObject().put("host", "127.0.0.1").put("blank", "  ").put("n", 5));
    assertEquals("127.0.0.1", config.string("host", "0.0.0.0"));
    assertEquals("0.0.0.0", config.string("port", "0.0.0.0"));
    assertNull(config.string("absent", null));
    fails(() -> config.string("blank", "x"), "'blank'", "non-empty string");
    fails(() -> config.string("n", "x"), "'n'", "5");
    fails(() -> limits("{\"dir\":{}}").string("dir", "x"), "'limits.dir'");
  }

  @Test
  void boolDefaultValueAndErrors() {
    ConfigReader config = limits("{\"fsync\":false,\"text\":\"true\",\"number\":1}");
    assertFalse(config.bool("fsync", true));
    assertTrue(config.bool("absent", true));
    fails(() -> config.bool("text", true), "'limits.text'", "\"true\"", "true or false");
    fails(() -> config.bool("number", true), "'limits.number'", "true or false");
  }

  @Test
  void choiceIsCaseInsensitiveAndLowerCased() {
    List<String> allowed = List.of("skip", "overwrite", "rename", "fail");
    assertEquals("rename", ConfigReader.of(new JsonObject().put("onExisting", "Rename")).choice("onExisting", "skip", allowed));
    assertEquals("skip", ConfigReader.of(new JsonObject()).choice("onExisting", "skip", allowed));
    fails(() -> ConfigReader.of(new JsonObject().put("onExisting", "replace")).choice("onExisting", "skip", allowed),
      "'onExisting'", "\"replace\"", "skip, overwrite, rename, fail");
    fails(() -> ConfigReader.of(new JsonObject().put("onExisting", 3)).choice("onExisting", "skip", allowed),
      "'onExisting'");
  }

  @Test
  void stringsDefaultValueAndErrors() {
    ConfigReader config = limits("{\"hosts\":[\"a\",\"b\"],\"mixed\":[\"a\",1],\"blank\":[\"\"],\"one\":\"a\"}");
    assertEquals(List.of("a", "b"), config.strings("hosts"));
    assertEquals(List.of(), config.strings("absent"));
    fails(() -> config.strings("mixed"), "'limits.mixed'", "array of non-empty strings");
    fails(() -> config.strings("blank"), "'limits.blank'");
    fails(() -> config.strings("one"), "'limits.one'", "JSON array");
  }

  @Test
  void objectNestsThePrefix() {
    ConfigReader deep = ConfigReader.of(new JsonObject("{\"a\":{\"b\":{\"c\":\"x\"}}}")).object("a").object("b");
    fails(() -> deep.integer("c", 0, 0, 1), "'a.b.c'");
    assertTrue(deep.has("c"));
    assertFalse(deep.has("d"));
  }

  @Test
  void absentObjectReadsAsEmpty() {
    ConfigReader absent = ConfigReader.of(new JsonObject()).object("limits");
    assertEquals(3, absent.integer("x", 3, 0, 5));
    assertFalse(absent.has("x"));
    absent.rejectUnknownKeys(Set.of());
  }

  @Test
  void objectOfTheWrongTypeNamesTheKey() {
    fails(() -> ConfigReader.of(new JsonObject().put("limits", 5)).object("limits"), "'limits'", "JSON object");
    fails(() -> ConfigReader.of(new JsonObject().put("limits", new JsonArray())).object("limits"), "'limits'");
  }

  // --- unknown keys --------------------------------------------------------------------------------------

  @Test
  void rejectUnknownKeysNamesTheTypoAndTheKnownKeys() {
    ConfigReader config = limits("{\"maxConnections\":1,\"maxConection\":2}");
    fails(() -> config.rejectUnknownKeys(Set.of("maxConnections", "maxHeaderBytes")),
      "'limits.maxConection'", "maxConnections, maxHeaderBytes");
  }

  @Test
  void rejectUnknownKeysAcceptsKnownKeysAndReturnsTheReader() {
    ConfigReader config = limits("{\"maxConnections\":1}");
    assertEquals(config, config.rejectUnknownKeys(Set.of("maxConnections", "other")));
  }

  // --- load ----------------------------------------------------------------------------------------------

  @Test
  void loadInlineJson() {
    assertEquals(new JsonObject().put("port", 1234), ConfigReader.load("{\"port\":1234}"));
    assertEquals(new JsonObject().put("port", 1), ConfigReader.load("  {\"port\":1}\n"));
  }

  @Test
  void loadMalformedInlineJson() {
    ConfigException failure = fails(() -> ConfigReader.load("{\"port\":"));
    assertEquals("the inline -conf JSON is not valid JSON: line 1, column 9: unexpected end of input within/between "
      + "Object entries; fix the JSON", failure.getMessage(), "no Jackson source text");
  }

  @Test
  void loadFile(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("server.json"), "{\"storageDir\":\"/srv\",\"limits\":{\"maxConnections\":9}}");
    JsonObject config = ConfigReader.load(file.toString());
    assertEquals("/srv", config.getString("storageDir"));
    assertEquals(9, ConfigReader.of(config).object("limits").integer("maxConnections", 1, 1, 10));
  }

  @Test
  void loadMissingFile(@TempDir Path dir) {
    Path missing = dir.resolve("nope.json");
    fails(() -> ConfigReader.load(missing.toString()), missing.toString(), "does not exist");
  }

  @Test
  void loadMalformedFile(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("bad.json"), "{\"port\": 12,,}");
    fails(() -> ConfigReader.load(file.toString()), file.toString(), "not valid JSON: line 1, column 13: ",
      "; fix the JSON");
    Path comma = Files.writeString(dir.resolve("comma.json"), "{\n  \"port\": 12\n  \"host\": \"h\"\n}");
    assertEquals("config file " + comma + " is not valid JSON: line 3, column 3: unexpected character '\"': was "
      + "expecting comma to separate Object entries; fix the JSON",
      fails(() -> ConfigReader.load(comma.toString())).getMessage());
  }

  @Test
  void loadFileThatIsNotAnObject(@TempDir Path dir) throws IOException {
    Path array = Files.writeString(dir.resolve("array.json"), "[1,2]");
    assertEquals("config file " + array + " holds a JSON array, expected an object {...}",
      fails(() -> ConfigReader.load(array.toString())).getMessage());
    Path empty = Files.writeString(dir.resolve("empty.json"), "");
    assertEquals("config file " + empty + " is empty, expected a JSON object {...}",
      fails(() -> ConfigReader.load(empty.toString())).getMessage());
    Path blank = Files.writeString(dir.resolve("blank.json"), " \n");
    fails(() -> ConfigReader.load(blank.toString()), "is empty");
    Path string = Files.writeString(dir.resolve("string.json"), "\"x\"");
    fails(() -> ConfigReader.load(string.toString()), "holds a JSON string, expected an object");
  }

  /** Windows editors save a byte order mark first: it is no part of the JSON. */
  @Test
  void loadFileWithAByteOrderMark(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("bom.json"), "\uFEFF{\"port\":7}");
    assertEquals(new JsonObject().put("port", 7), ConfigReader.load(file.toString()));
  }

  /** A control character in the broken spot is escaped, not printed. */
  @Test
  void malformedJsonEscapesTheCharacterFound() {
    ConfigException failure = fails(() -> ConfigReader.load("{\"a\":1\u2028}"), "unexpected character '\\u2028'");
    assertFalse(failure.getMessage().contains("\u2028"), failure.getMessage());
    fails(() -> ConfigReader.load("{\"a\":1\u001b}"), "line 1, column 8: illegal character (control character, code 27)");
  }

  @Test
  void loadDirectoryFailsClearly(@TempDir Path dir) {
    ConfigException failure = fails(() -> ConfigReader.load(dir.toString()), dir.toString(), "I/O error (",
      "; check that the file and its directories can be read");
    assertFalse(failure.getMessage().endsWith(": " + dir), failure.getMessage());
  }

  /** Bytes that are not UTF-8 (a Latin-1 file): said so, with the fix, not "Input length = 1". */
  @Test
  void loadFileThatIsNotUtf8(@TempDir Path dir) throws IOException {
    Path file = Files.write(dir.resolve("latin1.json"),
      "{\"clientId\":\"caf\u00e9\"}".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    ConfigException failure = fails(() -> ConfigReader.load(file.toString()));
    assertEquals("config file " + file.toAbsolutePath() + " is not UTF-8 text: save it as UTF-8", failure.getMessage());
  }

  /** Only where permissions stop reads (not as root). */
  @Test
  void loadUnreadableFileSaysPermissionDenied(@TempDir Path dir) throws IOException {
    org.junit.jupiter.api.Assumptions.assumeFalse("root".equals(System.getProperty("user.name")),
      "root reads through any permission");
    Path file = Files.writeString(dir.resolve("unread.json"), "{}");
    Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("---------"));
    fails(() -> ConfigReader.load(file.toString()), "cannot read config file " + file.toAbsolutePath()
      + ": permission denied (", "; check its permissions and those of its directories");
  }

  @Test
  void failuresAreOneLineWithoutStackTrace() {
    ConfigException failure = fails(() -> ConfigReader.load("{\"a\":\n\n"), "not valid JSON: line 3, column 1: ");
    assertFalse(failure.getMessage().contains("Source"), failure.getMessage());
    assertFalse(failure.getMessage().contains("\n"), failure.getMessage());
    assertEquals(0, failure.getStackTrace().length, "launchers print the message only");
  }

  @Test
  void badBuildsTheStandardMessage() {
    ConfigException failure = limits("{}").bad("chunkBytes", "x", "a number");
    assertEquals("config key 'limits.chunkBytes' is \"x\", expected a number", failure.getMessage());
  }
}
