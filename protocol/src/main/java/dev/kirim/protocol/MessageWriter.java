package dev.kirim.protocol;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

import java.util.Objects;

/**
 * Writes messages (and small bodies) to a stream, gathering everything written during one event-loop turn
 * into one write: a burst of answers for pipelined small files, or of offers, then costs one system call
 * instead of one each. What was written is sent at the end of the turn, or at {@link #flush()}, always in
 * order. Everything written to the stream must go through one writer, or order is lost. Event-loop confined.
 */
public final class MessageWriter {

  private final Context context;
  private final WriteStream<Buffer> out;
  private Buffer pending;

  private MessageWriter(Context context, WriteStream<Buffer> out) {
    this.context = Objects.requireNonNull(context, "context");
    this.out = Objects.requireNonNull(out, "out");
  }

  /** @param context the event-loop context the writer is used on */
  public static MessageWriter create(Context context, WriteStream<Buffer> out) {
    return new MessageWriter(context, out);
  }

  public MessageWriter write(Message message) {
    return write(message.toBuffer());
  }

  /** Raw bytes (a small body) in their place between messages. */
  public MessageWriter write(Buffer bytes) {
    pending(bytes.length()).appendBuffer(bytes);
    return this;
  }

  /** {@code length} bytes of {@code bytes} from {@code offset} (a small file's body), copied in their place. */
  public MessageWriter write(byte[] bytes, int offset, int length) {
    pending(length).appendBytes(bytes, offset, length);
    return this;
  }

  private Buffer pending(int firstLength) {
    if (pending == null) {
      pending = Buffer.buffer(Math.max(256, firstLength));
      context.runOnContext(v -> flush());
    }
    return pending;
  }

  /**
   * Sends what was written now: before writing to the stream directly (a file sent with zero copy), or before
   * closing it.
   *
   * @return completes once the stream has taken what was pending
   */
  public Future<Void> flush() {
    Buffer bytes = pending;
    pending = null;
    return bytes == null ? Future.succeededFuture() : out.write(bytes);
  }
}
