package dev.kirim.log;

import dev.kirim.config.ConfigException;
import dev.kirim.protocol.Printable;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How the jars write their log lines: {@code text}, one human line per event (slf4j-simple's layout with an
 * ISO 8601 timestamp and offset), or {@code json}, one JSON object per line with the same message and the
 * event's fields ({@code peer}, {@code client}, {@code file}, …) as keys, for a log shipper.
 * <p>
 * {@code KIRIM_LOG_FORMAT=json} in the environment sets it from the first line on; the server's
 * {@code logFormat} key sets it once the configuration is read (lines before that are text).
 */
public enum LogFormat {
  TEXT, JSON;

  /** The environment variable that chooses the format for the whole run. */
  public static final String ENV = "KIRIM_LOG_FORMAT";

  private static volatile LogFormat active = fromEnvironment();

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static List<String> configNames() {
    return Arrays.stream(values()).map(LogFormat::configName).toList();
  }

  /** @param name one of {@link #configNames()} (checked by the caller) */
  public static LogFormat fromConfig(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }

  /** @return the format {@value #ENV} names; {@link #TEXT} when it is unset or names none */
  public static LogFormat fromEnvironment() {
    String value = System.getenv(ENV);
    return value != null && value.trim().equalsIgnoreCase("json") ? JSON : TEXT;
  }

  /**
   * @throws ConfigException when {@value #ENV} is set to neither {@code text} nor {@code json}: a
   *   log shipper that expects JSON would otherwise get text without a word
   */
  public static void checkEnvironment() {
    String value = System.getenv(ENV);
    if (value != null && !value.isBlank() && configNames().stream().noneMatch(value.trim()::equalsIgnoreCase)) {
      throw new ConfigException("environment variable " + ENV + " is \""
        + Printable.escape(value) + "\", expected one of " + configNames());
    }
  }

  /** @return the format the jars' loggers write in now */
  public static LogFormat active() {
    return active;
  }

  /** Makes every logger of this JVM write in {@code format} from now on (the jars' logging only). */
  public static void activate(LogFormat format) {
    active = format;
  }
}
