package dev.kirim.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ByteSizeTest {

  @Test
  void binaryAndDecimalUnits() {
    assertEquals(1_048_576, ByteSize.parse("1048576"));
    assertEquals(512 * 1024, ByteSize.parse("512KiB"));
    assertEquals(50L << 20, ByteSize.parse("50MiB"));
    assertEquals(1L << 30, ByteSize.parse("1GiB"));
    assertEquals(2L << 40, ByteSize.parse("2TiB"));
    assertEquals(20_000_000, ByteSize.parse("20MB"));
    assertEquals(3_000, ByteSize.parse("3KB"));
    assertEquals(4_000_000_000L, ByteSize.parse("4GB"));
    assertEquals(7_000_000_000_000L, ByteSize.parse("7TB"));
    assertEquals(17, ByteSize.parse("17B"));
  }

  @Test
  void caseSpacesAndFractions() {
    assertEquals(50L << 20, ByteSize.parse("50mib"));
    assertEquals(50L << 20, ByteSize.parse(" 50 MiB "));
    assertEquals(20_000_000, ByteSize.parse("20mb"));
    assertEquals(3L << 29, ByteSize.parse("1.5GiB"));
    assertEquals(1, ByteSize.parse("1.9"), "a fraction of a byte is rounded down");
    assertEquals(0, ByteSize.parse("0"));
  }

  @Test
  void refusesWhatIsNotASize() {
    for (String bad : new String[] {"", "MiB", "-5MiB", "5 MiBs", "5M", "5Mb/s", "1e6", "five", "5.MiB", ".5MiB",
      "5 5MiB", "0x10"}) {
      assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(bad), bad);
    }
    IllegalArgumentException unit = assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("5M"));
    assertEquals("unknown unit 'M'", unit.getMessage());
  }

  @Test
  void refusesMoreThanALong() {
    assertEquals(Long.MAX_VALUE, ByteSize.parse("9223372036854775807"));
    assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("9223372036854775808"));
    assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("8388608TiB"));
    assertEquals(8388607L << 40, ByteSize.parse("8388607TiB"));
  }

  @Test
  void formatsInTheLargestExactBinaryUnit() {
    assertEquals("0B", ByteSize.format(0));
    assertEquals("1000B", ByteSize.format(1000));
    assertEquals("64KiB", ByteSize.format(64 * 1024));
    assertEquals("50MiB", ByteSize.format(50L << 20));
    assertEquals("1025KiB", ByteSize.format(1025 * 1024));
    assertEquals("1TiB", ByteSize.format(1L << 40));
    assertEquals("1024TiB", ByteSize.format(1L << 50));
  }

  // --- ConfigReader.byteSize --------------------------------------------------------------------------------

  private static ConfigReader limits(String limitsJson) {
    return ConfigReader.of(new JsonObject("{\"limits\":" + limitsJson + "}")).object("limits");
  }

  @Test
  void configTakesStringsAndWholeNumbers() {
    assertEquals(20L << 20, limits("{\"rate\":\"20MiB\"}").byteSize("rate", null, 1, Long.MAX_VALUE));
    assertEquals(65536L, limits("{\"rate\":65536}").byteSize("rate", null, 1, Long.MAX_VALUE));
    assertEquals(65536L, limits("{\"rate\":65536.0}").byteSize("rate", null, 1, Long.MAX_VALUE));
    assertNull(limits("{}").byteSize("rate", null, 1, Long.MAX_VALUE));
    assertNull(limits("{\"rate\":null}").byteSize("rate", null, 1, Long.MAX_VALUE));
    assertEquals(5L, limits("{}").byteSize("rate", 5L, 1, Long.MAX_VALUE));
  }

  @Test
  void configErrorIsOneLineWithKeyValueAndExample() {
    String message = assertThrows(ConfigException.class,
      () -> limits("{\"rate\":\"50 MBs\"}").byteSize("rate", null, 1, Long.MAX_VALUE)).getMessage();
    assertEquals("config key 'limits.rate' is \"50 MBs\", expected a size in bytes such as \"50MiB\", \"20MB\", "
      + "\"512KiB\" or 1048576 (unknown unit 'MBs')", message);
    assertFalse(message.contains("\n"));
    for (String json : new String[] {"true", "1.5", "[\"1MiB\"]", "{}", "-1"}) {
      String bad = assertThrows(ConfigException.class,
        () -> limits("{\"rate\":" + json + "}").byteSize("rate", null, 1, Long.MAX_VALUE), json).getMessage();
      assertTrue(bad.startsWith("config key 'limits.rate' is "), bad);
      assertTrue(bad.contains("\"50MiB\""), bad);
    }
  }

  @Test
  void configRangeIsWordedInUnits() {
    String message = assertThrows(ConfigException.class,
      () -> limits("{\"rate\":\"1KiB\"}").byteSize("rate", null, 64 * 1024, 1L << 40)).getMessage();
    assertTrue(message.startsWith("config key 'limits.rate' is \"1KiB\", expected a size from 64KiB to 1TiB"), message);
    assertEquals(64 * 1024L, limits("{\"rate\":\"64KiB\"}").byteSize("rate", null, 64 * 1024, 1L << 40));
    assertThrows(ConfigException.class, () -> limits("{\"rate\":65535}").byteSize("rate", null, 64 * 1024, 1L << 40));
    assertThrows(ConfigException.class, () -> ConfigReader.requireByteRange("rateLimit", 0, 1, 10));
    assertEquals(10, ConfigReader.requireByteRange("rateLimit", 10, 1, 10));
  }
}
