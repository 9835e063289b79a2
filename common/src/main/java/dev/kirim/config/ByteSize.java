package dev.kirim.config;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes written the way people write them: {@code "1048576"}, {@code "512KiB"}, {@code "50MiB"},
 * {@code "20MB"}, {@code "1.5GiB"}. Binary units (KiB, MiB, GiB, TiB) are powers of 1024, decimal ones
 * (KB, MB, GB, TB) powers of 1000; {@code B} or no unit is bytes. Units are case-insensitive and always mean
 * bytes (there are no bits here), a space may stand between number and unit, and a fraction is rounded down
 * to whole bytes.
 */
public final class ByteSize {

  /** What an error message offers as an example of a valid size. */
  public static final String EXAMPLES = "\"50MiB\", \"20MB\", \"512KiB\" or 1048576";

  private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([A-Za-z]*)");
  private static final Map<String, Long> UNITS = Map.of(
    "", 1L, "b", 1L,
    "kb", 1000L, "mb", 1000L * 1000, "gb", 1000L * 1000 * 1000, "tb", 1000L * 1000 * 1000 * 1000,
    "kib", 1L << 10, "mib", 1L << 20, "gib", 1L << 30, "tib", 1L << 40);

  private ByteSize() {
  }

  /**
   * @return the number of bytes {@code text} stands for
   * @throws IllegalArgumentException when it is not a size, or more than {@link Long#MAX_VALUE} bytes; the
   *   message says why, without repeating the text
   */
  public static long parse(String text) {
    Matcher matcher = SIZE.matcher(text.strip());
    if (!matcher.matches()) {
      throw new IllegalArgumentException("not a size");
    }
    Long unit = UNITS.get(matcher.group(2).toLowerCase(Locale.ROOT));
    if (unit == null) {
      throw new IllegalArgumentException("unknown unit '" + matcher.group(2) + "'");
    }
    BigDecimal bytes = new BigDecimal(matcher.group(1)).multiply(BigDecimal.valueOf(unit));
    if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException("too large");
    }
    return bytes.longValue();
  }

  /** @return {@code bytes} in the largest binary unit that divides it, e.g. {@code 50MiB}, {@code 1000B} */
  public static String format(long bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    int unit = 0;
    long value = bytes;
    while (unit < units.length - 1 && value != 0 && value % 1024 == 0) {
      value /= 1024;
      unit++;
    }
    return value + units[unit];
  }
}
