package dev.kirim.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kirim.io.IoErrors;
import dev.kirim.protocol.Printable;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads typed values out of a JSON configuration, failing with a {@link ConfigException} that names the key,
 * the value found and what is expected. Options classes use it so that no raw key is read anywhere else.
 */
public final class ConfigReader {

  private final JsonObject json;
  private final String prefix;

  private ConfigReader(JsonObject json, String prefix) {
    this.json = json == null ? new JsonObject() : json;
    this.prefix = prefix;
  }

  /** @param json the configuration object ({@code null} reads as empty) */
  public static ConfigReader of(JsonObject json) {
    return new ConfigReader(json, "");
  }

  /**
   * @param args the command line of a kirim launcher
   * @return the value of its {@code -conf} / {@code --conf} option, or {@code null} when absent
   * @throws ConfigException when the option is given without a value
   */
  public static String findConfArgument(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      for (String option : List.of("-conf", "--conf")) {
        if (arg.equalsIgnoreCase(option)) {
          if (i + 1 >= args.length) {
            throw new ConfigException(option + " needs a value: a JSON file path or an inline JSON object");
          }
          return args[i + 1];
        }
        if (arg.regionMatches(true, 0, option + "=", 0, option.length() + 1)) {
          return arg.substring(option.length() + 1);
        }
      }
    }
    return null;
  }

  /** @return true when a {@code -conf} value names a file rather than holding inline JSON */
  public static boolean isFile(String confArgument) {
    return !confArgument.strip().startsWith("{");
  }

  /**
   * Loads what was given to {@code -conf}: inline JSON when it starts with <code>{</code>, else a file path.
   *
   * @throws ConfigException when the file is missing, unreadable or not a JSON object
   */
  public static JsonObject load(String confArgument) {
    if (!isFile(confArgument)) {
      return parseObject(confArgument, "the inline -conf JSON");
    }
    Path file = Path.of(confArgument);
    try {
      return parseObject(Files.readString(file), "config file " + Printable.escape(file.toString()));
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file " + file.toAbsolutePath() + " does not exist: check the -conf path");
    } catch (CharacterCodingException e) {
      throw new ConfigException("config file " + file.toAbsolutePath() + " is not UTF-8 text: save it as UTF-8");
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file.toAbsolutePath() + ": " + IoErrors.describe(e)
        + "; " + IoErrors.advice(e));
    }
  }

  /**
   * @param what e.g. {@code config file conf/client.json}, the subject of the message
   * @throws ConfigException one line naming where the JSON is broken, e.g. {@code config file a.json is not valid
   *   JSON: line 3, column 5: unexpected character '"': was expecting comma to separate Object entries; fix the JSON}
   */
  public static JsonObject parseObject(String text, String what) {
    // A byte order mark (Windows editors write one) is no part of the JSON.
    String json = text.startsWith("\uFEFF") ? text.substring(1) : text;
    if (json.isBlank()) {
      throw new ConfigException(what + " is empty, expected a JSON object {...}");
    }
    Object value;
    try {
      value = Json.decodeValue(json);
    } catch (DecodeException e) {
      throw new ConfigException(what + " is not valid JSON: " + jsonProblem(e) + "; fix the JSON");
    }
    if (value instanceof JsonObject object) {
      return object;
    }
    throw new ConfigException(what + " holds " + kindOf(value) + ", expected an object {...}");
  }

  /** @return where and why {@code e} failed, e.g. {@code line 1, column 8: unexpected end of input}, without Jackson's source text */
  private static String jsonProblem(DecodeException e) {
    if (e.getCause() instanceof JsonProcessingException parsing) {
      JsonLocation location = parsing.getLocation();
      String reason = shortReason(parsing.getOriginalMessage());
      return location == null ? reason : "line " + location.getLineNr() + ", column " + location.getColumnNr() + ": "
        + reason;
    }
    return shortReason(e.getMessage());
  }

  private static String shortReason(String message) {
    String reason = String.valueOf(message).lines().findFirst().orElse("").strip();
    int source = reason.indexOf(" at [Source:");
    reason = source >= 0 ? reason.substring(0, source) : reason;
    reason = reason.replaceAll("(?s)\\('(.+?)' \\(code [^)]*\\)\\)", "'$1'")
      .replaceAll("(a valid value )?\\(JSON String, Number, Array, Object or token 'null', 'true' or 'false'\\)",
        "a JSON value")
      .replaceAll("\\(\\(CTRL-CHAR, code (\\d+)\\)\\)", "(control character, code $1)")
      .replace("end-of-input", "end of input");
    if (!reason.isEmpty()) {
      reason = Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
    }
    return Printable.escape(reason);
  }

  private static String kindOf(Object value) {
    if (value instanceof JsonArray) {
      return "a JSON array";
    } else if (value instanceof String) {
      return "a JSON string";
    } else if (value instanceof Number) {
      return "a JSON number";
    } else if (value instanceof Boolean) {
      return "a JSON boolean";
    }
    return "JSON null";
  }

  /** @return a reader for the nested object {@code key} (empty when absent) */
  public ConfigReader object(String key) {
    Object value = json.getValue(key);
    if (value != null && !(value instanceof JsonObject)) {
      throw bad(key, value, "a JSON object");
    }
    return new ConfigReader((JsonObject) value, prefix + key + ".");
  }

  public boolean has(String key) {
    return json.getValue(key) != null;
  }

  /** Fails when the object holds a key not in {@code known}: a typo should not be silently ignored. */
  public ConfigReader rejectUnknownKeys(Set<String> known) {
    for (String key : json.fieldNames()) {
      if (!known.contains(key)) {
        throw new ConfigException("unknown config key '" + prefix + key + "' (known keys: "
          + String.join(", ", new java.util.TreeSet<>(known)) + ")");
      }
    }
    return this;
  }

  public String string(String key, String defaultValue) {
    return string(key, defaultValue, "a non-empty string");
  }

  /**
   * Like {@link #string(String, String)}; a value that is no string, or a blank one, is refused saying
   * {@code expected} (a number where a string of digits belongs: what to write instead).
   */
  public String string(String key, String defaultValue, String expected) {
    Object value = json.getValue(key);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof String text) || text.isBlank()) {
      throw bad(key, value, expected);
    }
    return text;
  }

  /**
   * @return the path under {@code key} (a non-empty string), absolute and normalised, or {@code defaultValue}'s
   *   when absent ({@code null} for none)
   */
  public Path path(String key, String defaultValue) {
    String text = string(key, defaultValue);
    return text == null ? null : toPath(prefix + key, text).toAbsolutePath().normalize();
  }

  /**
   * @param key the key's full name, for the message
   * @return {@code value} as a path; one the file system cannot take (a NUL in it) is a bad key here, not an
   *   {@link java.nio.file.InvalidPathException} (and a stack trace) wherever it is first used
   */
  public static Path toPath(String key, String value) {
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw new ConfigException("config key '" + key + "' is \"" + Printable.escape(value) + "\", expected a path ("
        + e.getReason() + ")");
    }
  }

  /** Like {@link #string} but an empty string is a valid value. */
  public String text(String key, String defaultValue) {
    Object value = json.getValue(key);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof String text)) {
      throw bad(key, value, "a string");
    }
    return text;
  }

  public boolean bool(String key, boolean defaultValue) {
    Object value = json.getValue(key);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Boolean flag)) {
      throw bad(key, value, "true or false");
    }
    return flag;
  }

  /** @return the whole number under {@code key}; its range is for the options' {@code validate()} to check */
  public long number(String key, long defaultValue) {
    return number(key, defaultValue, Long.MIN_VALUE, Long.MAX_VALUE);
  }

  public long number(String key, long defaultValue, long min, long max) {
    Object value = json.getValue(key);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Number number) || !isWholeLong(number)
      || number.longValue() < min || number.longValue() > max) {
      throw bad(key, value, min == Long.MIN_VALUE && max == Long.MAX_VALUE ? "a whole number"
        : "a whole number from " + min + " to " + max);
    }
    return number.longValue();
  }

  /**
   * Checks a value against its allowed range, wherever it came from (a config file or a setter), with the
   * message a config file's mistake gets.
   *
   * @param key the full key as users write it, e.g. {@code limits.maxConnections}
   * @return {@code value}
   */
  public static long requireRange(String key, long value, long min, long max) {
    if (value < min || value > max) {
      throw new ConfigException("config key '" + key + "' is " + value + ", expected a whole number from " + min
        + " to " + max);
    }
    return value;
  }

  /**
   * A size in bytes: a whole number, or a string with a unit such as {@code "50MiB"} or {@code "20MB"} (see
   * {@link ByteSize}).
   *
   * @return the bytes under {@code key}, or {@code defaultValue} (which may be {@code null}) when absent
   */
  public Long byteSize(String key, Long defaultValue, long min, long max) {
    Object value = json.getValue(key);
    if (value == null) {
      return defaultValue;
    }
    long bytes;
    if (value instanceof Number number && isWholeLong(number)) {
      bytes = number.longValue();
    } else if (value instanceof String text) {
      try {
        bytes = ByteSize.parse(text);
      } catch (IllegalArgumentException e) {
        throw bad(key, value, "a size in bytes such as " + ByteSize.EXAMPLES + " (" + e.getMessage() + ")");
      }
    } else {
      throw bad(key, value, "a size in bytes such as " + ByteSize.EXAMPLES);
    }
    if (bytes < min || bytes > max) {
      throw bad(key, value, sizeRange(min, max));
    }
    return bytes;
  }

  /** Like {@link #requireRange} for a size in bytes, worded in units. */
  public static long requireByteRange(String key, long bytes, long min, long max) {
    if (bytes < min || bytes > max) {
      throw new ConfigException("config key '" + key + "' is " + bytes + ", expected " + sizeRange(min, max));
    }
    return bytes;
  }

  private static String sizeRange(long min, long max) {
    return "a size from " + ByteSize.format(min) + " to " + ByteSize.format(max) + " such as " + ByteSize.EXAMPLES;
  }

  // longValue() wraps a BigInteger (2^64 + 1 becomes 1) and clamps a huge double: refuse those first.
  private static boolean isWholeLong(Number number) {
    if (number instanceof Long || number instanceof Integer || number instanceof Short || number instanceof Byte) {
      return true;
    }
    if (number instanceof java.math.BigInteger big) {
      return big.bitLength() < Long.SIZE;
    }
    double value = number.doubleValue();
    return value == Math.rint(value) && value >= -0x1p63 && value < 0x1p63;
  }

  /** @return the whole number under {@code key}, which must fit an int; its range is for {@code validate()} */
  public int integer(String key, int defaultValue) {
    // A value of the wrong type is "not a whole number", not outside the int range: validate() states the key's range.
    long value = number(key, defaultValue);
    if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
      throw bad(key, json.getValue(key), "a whole number from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE);
    }
    return (int) value;
  }

  public int integer(String key, int defaultValue, int min, int max) {
    return (int) number(key, defaultValue, min, max);
  }

  /** @return one of {@code allowed}, compared case-insensitively, in its lower-case form */
  public String choice(String key, String defaultValue, List<String> allowed) {
    String value = string(key, defaultValue);
    String lower = value.toLowerCase(java.util.Locale.ROOT);
    if (!allowed.contains(lower)) {
      throw bad(key, value, "one of " + String.join(", ", allowed));
    }
    return lower;
  }

  /** @return the non-empty strings of array {@code key}; empty when absent */
  public List<String> strings(String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array)) {
      throw bad(key, value, "a JSON array of strings");
    }
    List<String> strings = new ArrayList<>();
    for (Object item : array) {
      if (!(item instanceof String text) || text.isBlank()) {
        throw bad(key, value, "a JSON array of non-empty strings");
      }
      strings.add(text);
    }
    return strings;
  }

  /** @return a {@link ConfigException} for key {@code key} of this object */
  public ConfigException bad(String key, Object value, String expected) {
    String shown = value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
    return new ConfigException("config key '" + prefix + key + "' is " + shown + ", expected " + expected);
  }
}
