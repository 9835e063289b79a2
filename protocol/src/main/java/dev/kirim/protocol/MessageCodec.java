package dev.kirim.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;

/**
 * Turns {@link Message}s into header lines and back, on jackson-core's streaming parser and generator. Decoding
 * is strict (no coercion of strings to numbers or back, no fractions for integers, no duplicate keys, nothing
 * after the object) but tolerant of unknown fields, so a newer peer may add optional fields.
 * <p>
 * Written by hand rather than with Jackson's data binding: binding 14 small records cost the client about 80 ms
 * of every start (its ObjectMapper and ~470 classes, which also made Vert.x's own JSON take the binding path),
 * for a format whose fields fit on one screen.
 */
public final class MessageCodec {

  // Immutable once built and thread safe: shared by every verticle instance.
  private static final JsonFactory JSON = JsonFactory.builder()
    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
    .build();

  private MessageCodec() {
  }

  /** @return the message as one JSON line ending in {@code \n}: {@code type} first, absent optional fields left out */
  public static Buffer encode(Message message) {
    try (ByteArrayBuilder bytes = new ByteArrayBuilder(128)) {
      try (JsonGenerator json = JSON.createGenerator(bytes)) {
        json.writeStartObject();
        writeFields(message, json);
        json.writeEndObject();
      }
      bytes.append('\n');
      return Buffer.buffer(bytes.toByteArray());
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode " + message, e);
    }
  }

  /**
   * @param line one header line without its {@code \n}
   * @return the message it holds
   * @throws ProtocolException with {@link ErrorCode#MALFORMED} saying what is wrong with the line
   */
  public static Message decode(Buffer line) {
    byte[] bytes = line.getBytes();
    String badEncoding = StrictUtf8.check(bytes);
    if (badEncoding != null) {
      throw new ProtocolException(ErrorCode.MALFORMED, badEncoding);
    }
    try (JsonParser parser = JSON.createParser(bytes)) {
      MessageFields fields = MessageFields.read(parser);
      if (parser.nextToken() != null) {
        throw new ProtocolException(ErrorCode.MALFORMED, "malformed header line: something follows the JSON object");
      }
      return toMessage(fields);
    } catch (JsonProcessingException e) {
      throw malformed(e.getOriginalMessage());
    } catch (IOException e) {
      throw malformed(e.getMessage());
    }
  }

  private static void writeFields(Message message, JsonGenerator json) throws IOException {
    if (message instanceof Message.Hello hello) {
      json.writeStringField("type", "hello");
      json.writeNumberField("version", hello.version());
      json.writeStringField("clientId", hello.clientId());
      writeText(json, "token", hello.token());
    } else if (message instanceof Message.Welcome welcome) {
      json.writeStringField("type", "welcome");
      json.writeNumberField("version", welcome.version());
      json.writeStringField("serverId", welcome.serverId());
      json.writeNumberField("maxFileSize", welcome.maxFileSize());
      writeNumber(json, "maxPutSize", welcome.maxPutSize());
      writeText(json, "client", welcome.client());
      writeBoolean(json, "ping", welcome.ping());
      writeNumber(json, "maxPending", welcome.maxPending());
    } else if (message instanceof Message.Offer offer) {
      json.writeStringField("type", "offer");
      json.writeNumberField("id", offer.id());
      json.writeStringField("name", offer.name());
      json.writeNumberField("size", offer.size());
      json.writeNumberField("mtime", offer.mtime());
      writeText(json, "algorithm", offer.algorithm());
      writeText(json, "checksum", offer.checksum());
      writeNumber(json, "mode", offer.mode());
      writeBoolean(json, "setMtime", offer.setMtime());
      writeBoolean(json, "dryRun", offer.dryRun());
      writeText(json, "resumeId", offer.resumeId());
    } else if (message instanceof Message.Send send) {
      json.writeStringField("type", "send");
      json.writeNumberField("id", send.id());
      json.writeNumberField("offset", send.offset());
      writeText(json, "resumeId", send.resumeId());
      writeText(json, "algorithm", send.algorithm());
    } else if (message instanceof Message.Skip skip) {
      json.writeStringField("type", "skip");
      json.writeNumberField("id", skip.id());
      json.writeStringField("reason", skip.reason());
      json.writeNumberField("size", skip.size());
      writeNumber(json, "mtime", skip.mtime());
      writeText(json, "checksum", skip.checksum());
    } else if (message instanceof Message.Data data) {
      json.writeStringField("type", "data");
      json.writeNumberField("id", data.id());
      json.writeNumberField("offset", data.offset());
      json.writeNumberField("length", data.length());
    } else if (message instanceof Message.Put put) {
      json.writeStringField("type", "put");
      json.writeNumberField("id", put.id());
      json.writeStringField("name", put.name());
      json.writeNumberField("size", put.size());
      json.writeNumberField("mtime", put.mtime());
      writeText(json, "algorithm", put.algorithm());
      json.writeStringField("checksum", put.checksum());
      writeNumber(json, "mode", put.mode());
      writeBoolean(json, "setMtime", put.setMtime());
    } else if (message instanceof Message.Commit commit) {
      json.writeStringField("type", "commit");
      json.writeNumberField("id", commit.id());
      json.writeStringField("checksum", commit.checksum());
    } else if (message instanceof Message.Cancel cancel) {
      json.writeStringField("type", "cancel");
      json.writeNumberField("id", cancel.id());
      json.writeStringField("reason", cancel.reason());
    } else if (message instanceof Message.Preview preview) {
      json.writeStringField("type", "preview");
      json.writeNumberField("id", preview.id());
      json.writeStringField("action", preview.action());
      json.writeNumberField("offset", preview.offset());
    } else if (message instanceof Message.Done done) {
      json.writeStringField("type", "done");
      json.writeNumberField("id", done.id());
      json.writeStringField("name", done.name());
      json.writeNumberField("bytes", done.bytes());
      json.writeStringField("checksum", done.checksum());
    } else if (message instanceof Message.Error error) {
      json.writeStringField("type", "error");
      writeNumber(json, "id", error.id());
      json.writeStringField("code", error.code().wireName());
      json.writeStringField("message", error.message());
    } else if (message instanceof Message.Ping) {
      json.writeStringField("type", "ping");
    } else if (message instanceof Message.Pong) {
      json.writeStringField("type", "pong");
    } else {
      throw new IllegalArgumentException("not a kirim message: " + message);
    }
  }

  private static Message toMessage(MessageFields in) {
    String type = in.type();
    return switch (type) {
      case "hello" -> new Message.Hello(in.requiredInt("version"), in.text("clientId", true), in.text("token", false));
      case "welcome" -> new Message.Welcome(in.requiredInt("version"), in.text("serverId", true),
        in.requiredLong("maxFileSize"), in.optionalInt("maxPutSize"), in.text("client", false),
        in.bool("ping"), in.optionalInt("maxPending"));
      case "offer" -> new Message.Offer(in.requiredLong("id"), in.text("name", true), in.requiredLong("size"),
        in.presentLong("mtime"), in.text("algorithm", false), in.text("checksum", false), in.optionalInt("mode"),
        in.bool("setMtime"), in.bool("dryRun"), in.text("resumeId", false));
      case "send" -> new Message.Send(in.requiredLong("id"), in.requiredLong("offset"), in.text("resumeId", false),
        in.text("algorithm", false));
      case "skip" -> new Message.Skip(in.requiredLong("id"), in.text("reason", true), in.requiredLong("size"),
        in.optionalLong("mtime"), in.text("checksum", false));
      case "data" -> new Message.Data(in.requiredLong("id"), in.requiredLong("offset"), in.requiredLong("length"));
      case "put" -> new Message.Put(in.requiredLong("id"), in.text("name", true), in.requiredLong("size"),
        in.presentLong("mtime"), in.text("algorithm", false), in.text("checksum", true), in.optionalInt("mode"),
        in.bool("setMtime"));
      case "commit" -> new Message.Commit(in.requiredLong("id"), in.text("checksum", true));
      case "cancel" -> new Message.Cancel(in.requiredLong("id"), in.text("reason", true));
      case "preview" -> new Message.Preview(in.requiredLong("id"), in.text("action", true), in.requiredLong("offset"));
      case "done" -> new Message.Done(in.requiredLong("id"), in.text("name", true), in.requiredLong("bytes"),
        in.text("checksum", true));
      case "error" -> {
        String code = in.text("code", true);
        yield new Message.Error(in.optionalLong("id"), code == null ? null : ErrorCode.fromWireName(code),
          in.text("message", true));
      }
      case "ping" -> new Message.Ping();
      case "pong" -> new Message.Pong();
      default -> throw new ProtocolException(ErrorCode.MALFORMED, "unknown message type '" + Printable.escape(type)
        + "'");
    };
  }

  private static void writeText(JsonGenerator json, String field, String value) throws IOException {
    if (value != null) {
      json.writeStringField(field, value);
    }
  }

  private static void writeNumber(JsonGenerator json, String field, Number value) throws IOException {
    if (value != null) {
      json.writeNumberField(field, value.longValue());
    }
  }

  private static void writeBoolean(JsonGenerator json, String field, Boolean value) throws IOException {
    if (value != null) {
      json.writeBooleanField(field, value);
    }
  }

  static ProtocolException malformed(String reason) {
    // Jackson messages can span lines and quote the whole input: keep one short line.
    String line = String.valueOf(reason).lines().findFirst().orElse("unreadable");
    if (line.length() > 200) {
      line = line.substring(0, 200) + "…";
    }
    return new ProtocolException(ErrorCode.MALFORMED, "malformed header line: " + line);
  }
}
