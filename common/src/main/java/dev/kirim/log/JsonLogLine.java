package dev.kirim.log;

import io.vertx.core.json.JsonObject;
import org.slf4j.event.KeyValuePair;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * One log event as one line of JSON: {@code time} (ISO 8601 with offset), {@code level}, {@code logger},
 * {@code message}, then the event's key-value pairs, and {@code error} with the stack trace when there is one.
 * Jackson (through Vert.x's {@link JsonObject}) escapes what needs escaping, control characters included, so
 * a line is always one line.
 */
final class JsonLogLine {

  // As the text layout's timestamp: milliseconds always, the offset as Z or +hh:mm.
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

  private JsonLogLine() {
  }

  static String format(String level, String logger, String message, List<KeyValuePair> pairs, Throwable error) {
    JsonObject json = new JsonObject()
      .put("time", OffsetDateTime.now().format(TIME))
      .put("level", level)
      .put("logger", logger)
      .put("message", message);
    if (pairs != null) {
      for (KeyValuePair pair : pairs) {
        Object value = pair.value;
        json.put(pair.key, value instanceof Number || value instanceof Boolean || value == null ? value
          : String.valueOf(value));
      }
    }
    if (error != null) {
      StringWriter trace = new StringWriter();
      error.printStackTrace(new PrintWriter(trace));
      json.put("error", trace.toString());
    }
    return json.encode();
  }
}
