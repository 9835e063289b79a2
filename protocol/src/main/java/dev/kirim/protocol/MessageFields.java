package dev.kirim.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The fields of one header line's JSON object, read before its {@code type} is known (the type may come last),
 * and handed out typed and strictly: an integer field takes only a JSON integer within its range, a string field
 * only a JSON string, a boolean field only {@code true} or {@code false}; {@code null} stands for an absent
 * optional field. Fields nobody asks for are ignored (a newer peer's additions); nested values are skipped, not
 * kept.
 */
final class MessageFields {

  /** One field's value as it came: its token, and the value of a scalar. */
  private record Value(JsonToken token, Object value) {
  }

  private final Map<String, Value> fields;

  private MessageFields(Map<String, Value> fields) {
    this.fields = fields;
  }

  /**
   * Reads one JSON object from {@code parser}, which is left on its closing brace.
   *
   * @throws ProtocolException when the line is empty or its value is not an object
   */
  static MessageFields read(JsonParser parser) throws IOException {
    JsonToken start = parser.nextToken();
    if (start == null) {
      throw MessageCodec.malformed("the line is empty");
    }
    if (start == JsonToken.VALUE_NULL) {
      throw new ProtocolException(ErrorCode.MALFORMED, "header line is null, not a JSON object");
    }
    if (start != JsonToken.START_OBJECT) {
      throw new ProtocolException(ErrorCode.MALFORMED, "header line is " + describe(start)
        + ", not a JSON object");
    }
    Map<String, Value> fields = new HashMap<>();
    for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
      JsonToken token = parser.nextToken();
      fields.put(name, new Value(token, scalar(parser, token)));
    }
    return new MessageFields(fields);
  }

  private static Object scalar(JsonParser parser, JsonToken token) throws IOException {
    return switch (token) {
      case VALUE_STRING -> parser.getText();
      // Past 64 bits: no value, which the typed getters refuse as out of range.
      case VALUE_NUMBER_INT -> parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
        ? null : parser.getLongValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case START_OBJECT, START_ARRAY -> {
        // Duplicate keys are refused inside them too: the parser checks while it skips.
        parser.skipChildren();
        yield null;
      }
      default -> null;
    };
  }

  /** @return the message's type */
  String type() {
    Value type = fields.get("type");
    if (type == null || type.token() == JsonToken.VALUE_NULL) {
      throw new ProtocolException(ErrorCode.MALFORMED, "header line has no 'type' field");
    }
    if (type.token() != JsonToken.VALUE_STRING) {
      throw wrongShape("type", "a string", type);
    }
    return (String) type.value();
  }

  /** @return a required integer field that may not be null */
  long requiredLong(String field) {
    Long value = presentLong(field);
    if (value == null) {
      throw new ProtocolException(ErrorCode.MALFORMED, "field '" + field + "' must not be null");
    }
    return value;
  }

  /** @return a required integer field; {@code null} when it is JSON null (the message's constructor says so) */
  Long presentLong(String field) {
    return integer(present(field), field, Long.MIN_VALUE, Long.MAX_VALUE);
  }

  /** @return an optional integer field, {@code null} when absent or null */
  Long optionalLong(String field) {
    return integer(fields.get(field), field, Long.MIN_VALUE, Long.MAX_VALUE);
  }

  int requiredInt(String field) {
    Long value = integer(present(field), field, Integer.MIN_VALUE, Integer.MAX_VALUE);
    if (value == null) {
      throw new ProtocolException(ErrorCode.MALFORMED, "field '" + field + "' must not be null");
    }
    return value.intValue();
  }

  Integer optionalInt(String field) {
    Long value = integer(fields.get(field), field, Integer.MIN_VALUE, Integer.MAX_VALUE);
    return value == null ? null : value.intValue();
  }

  /**
   * @param required whether the field must be there (it may still be null: the message's constructor decides)
   * @return a string field, {@code null} when absent or null
   */
  String text(String field, boolean required) {
    Value value = required ? present(field) : fields.get(field);
    if (value == null || value.token() == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value.token() != JsonToken.VALUE_STRING) {
      throw wrongShape(field, "a string", value);
    }
    return (String) value.value();
  }

  /** @return an optional boolean field, {@code null} when absent or null */
  Boolean bool(String field) {
    Value value = fields.get(field);
    if (value == null || value.token() == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value.token() != JsonToken.VALUE_TRUE && value.token() != JsonToken.VALUE_FALSE) {
      throw wrongShape(field, "true or false", value);
    }
    return (Boolean) value.value();
  }

  private Value present(String field) {
    Value value = fields.get(field);
    if (value == null) {
      throw new ProtocolException(ErrorCode.MALFORMED, "field '" + field + "' is missing");
    }
    return value;
  }

  private static Long integer(Value value, String field, long min, long max) {
    if (value == null || value.token() == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value.token() != JsonToken.VALUE_NUMBER_INT) {
      throw wrongShape(field, "an integer", value);
    }
    Long number = (Long) value.value();
    if (number == null || number < min || number > max) {
      throw new ProtocolException(ErrorCode.MALFORMED, "field '" + field + "' is out of range (" + min + ".."
        + max + ")");
    }
    return number;
  }

  private static ProtocolException wrongShape(String field, String expected, Value got) {
    return new ProtocolException(ErrorCode.MALFORMED, "field '" + field + "' must be " + expected + ", got "
      + describe(got.token()));
  }

  /** @return how a refusal names what came instead of the expected value */
  private static String describe(JsonToken token) {
    return switch (token) {
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT -> "an integer";
      case VALUE_NUMBER_FLOAT -> "a number with a fraction or exponent";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      default -> token.toString();
    };
  }
}
