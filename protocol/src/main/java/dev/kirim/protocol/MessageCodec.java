package dev.kirim.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;

/**
 * Turns {@link Message}s into header lines and back. Decoding is strict (no coercion of strings to numbers,
 * no fractions for integers, no duplicate keys, nothing after the object) but tolerant of unknown fields,
 * so a newer peer may add optional fields.
 */
public final class MessageCodec {

  // Immutable once built and thread safe: shared by every verticle instance.
  private static final JsonMapper MAPPER = JsonMapper.builder()
    .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
    .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
    .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
    .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
    // ALLOW_COERCION_OF_SCALARS does not stop 5 or true becoming the string "5" or "true": forbid that too.
    .withCoercionConfig(LogicalType.Textual, config -> config
      .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
      .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
      .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
    .build();
  private static final ObjectWriter WRITER = MAPPER.writerFor(Message.class);
  private static final ObjectReader READER = MAPPER.readerFor(Message.class);

  private MessageCodec() {
  }

  /** @return the message as one JSON line ending in {@code \n} */
  public static Buffer encode(Message message) {
    try {
      byte[] json = WRITER.writeValueAsBytes(message);
      return Buffer.buffer(json.length + 1).appendBytes(json).appendByte((byte) '\n');
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + message, e);
    }
  }

  /**
   * @param line one header line without its {@code \n}
   * @return the message it holds
   * @throws ProtocolException with {@link ErrorCode#MALFORMED} saying what is wrong with the line
   */
  public static Message decode(Buffer line) {
    try {
      byte[] bytes = line.getBytes();
      String badEncoding = StrictUtf8.check(bytes);
      if (badEncoding != null) {
        throw new ProtocolException(ErrorCode.MALFORMED, badEncoding);
      }
      Message message = READER.readValue(bytes);
      if (message == null) {
        // The line was the JSON literal null, which Jackson maps to a null value.
        throw new ProtocolException(ErrorCode.MALFORMED, "header line is null, not a JSON object");
      }
      return message;
    } catch (InvalidTypeIdException e) {
      throw new ProtocolException(ErrorCode.MALFORMED,
        e.getTypeId() == null ? "header line has no 'type' field" : "unknown message type '" + e.getTypeId() + "'");
    } catch (ValueInstantiationException e) {
      if (e.getCause() instanceof ProtocolException failure) {
        throw failure;
      }
      throw malformed(e);
    } catch (IOException e) {
      throw malformed(e);
    }
  }

  private static ProtocolException malformed(IOException e) {
    String reason = e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
    // Jackson messages can span lines and quote the whole input: keep one short line.
    reason = String.valueOf(reason).lines().findFirst().orElse("unreadable");
    if (reason.length() > 200) {
      reason = reason.substring(0, 200) + "…";
    }
    return new ProtocolException(ErrorCode.MALFORMED, "malformed header line: " + reason);
  }
}
