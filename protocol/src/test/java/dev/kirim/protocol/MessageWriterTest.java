package dev.kirim.protocol;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What one event-loop turn writes goes out as one write, in order; flush() sends at once. */
class MessageWriterTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void messagesOfOneTurnGoOutAsOneWriteInOrder() throws Exception {
    RecordingStream out = new RecordingStream();
    Context context = vertx.getOrCreateContext();
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      MessageWriter writer = MessageWriter.create(context, out);
      writer.write(new Message.Send(1, 0)).write(Buffer.buffer("body")).write(new Message.Send(2, 0));
      assertEquals(0, out.writes.size(), "nothing is written before the turn ends");
      // A later turn: after the first batch went out.
      context.runOnContext(w -> {
        writer.write(new Message.Send(3, 0));
        writer.flush();
        assertEquals(2, out.writes.size(), "flush() writes at once");
        done.complete();
      });
    });
    done.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertEquals(List.of(new Message.Send(1, 0).toBuffer().toString() + "body" + new Message.Send(2, 0).toBuffer(),
      new Message.Send(3, 0).toBuffer().toString()), out.writes);
  }

  /** Keeps what is written: the writer's only peer. */
  private static final class RecordingStream implements WriteStream<Buffer> {
    final List<String> writes = new CopyOnWriteArrayList<>();

    @Override
    public Future<Void> write(Buffer data) {
      writes.add(data.toString());
      return Future.succeededFuture();
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public Future<Void> end() {
      return Future.succeededFuture();
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return false;
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
      return this;
    }
  }
}
