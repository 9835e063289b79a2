package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.protocol.ProtocolException;
import dev.kirim.server.auth.Namespace;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

class PutBatchTest {

  /**
   * A batch that reaches a worker pool already closing with the server (Vert.x throws instead of failing the
   * future) still gives every put an outcome: before, the batch threw on the event loop and its puts were never
   * answered, their names claimed until the process ended.
   */
  @ParameterizedTest(name = "fsync {0}")
  @ValueSource(booleans = {true, false})
  void everyPutOfABatchTheClosingWorkerPoolRefusesIsAnsweredBusy(boolean fsync, @TempDir Path storage)
    throws Exception {
    Vertx vertx = Vertx.vertx();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, SECONDS);
    ServerContext server = new ServerContext(vertx, new ServerOptions().setFsync(fsync), "test", null, null, null,
      null, null, null);
    List<PutBatch.Item> items = IntStream.range(0, 3).mapToObj(id -> put(id, storage)).toList();

    List<PutBatch.Item> ended = new PutBatch(server).store(items, Namespace.OPEN)
      .toCompletionStage().toCompletableFuture().get(10, SECONDS);

    assertEquals(items, ended);
    for (PutBatch.Item item : ended) {
      assertNull(item.stored());
      ProtocolException failure = assertInstanceOf(ProtocolException.class, item.failure());
      assertEquals(ErrorCode.BUSY, failure.code());
      assertEquals("the server is shutting down: push again once it is back", failure.getMessage());
    }
  }

  private static PutBatch.Item put(int id, Path storage) {
    Message.Put put = new Message.Put(id, "file-" + id, 1, 0L, null, "crc32c:00000000", null, null);
    return new PutBatch.Item(put, put.asOffer(), storage.resolve(put.name()), null, Buffer.buffer("x"), null, 0);
  }
}
