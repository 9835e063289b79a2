package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.testkit.WireClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Promise 5: the per-offer resource limits refuse one offer and leave the connection usable. */
class LimitsTest extends ServerTestBase {

  @Test
  void aFreeSpaceReserveLargerThanTheDiskRefusesWithNoSpace(VertxTestContext testContext) {
    ServerOptions options = options();
    options.getLimits().setMinFreeBytes(Long.MAX_VALUE / 2);
    startServer(options)
      .compose(this::connectReady)
      .compose(client -> {
        client.offer(1, "big.bin", 1_000_000);
        client.offer(2, "empty.bin", 0);
        return client.expectError(ErrorCode.NO_SPACE, 1L)
          .map(error -> {
            assertTrue(error.message().contains("reserve"), error.message());
            return null;
          })
          .compose(v -> client.expectError(ErrorCode.NO_SPACE, 2L))
          // The refusal is not fatal: the connection still answers.
          .compose(error -> {
            client.offer(3, "../bad", 1);
            return client.expectError(ErrorCode.BAD_NAME, 3L);
          });
      })
      .map(error -> {
        assertEquals(java.util.List.of(), tree(storage));
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void offersBeyondThePendingLimitAreBusy(VertxTestContext testContext) {
    ServerOptions options = options();
    options.getLimits().setMaxPendingOffers(2);
    byte[] one = content(CHUNK_BYTES + 1, 1);
    byte[] two = content(10, 2);
    byte[] three = content(20, 3);
    Buffer pipelined = offer(1, "one.bin", one.length, WireClient.MTIME).toBuffer()
      .appendBuffer(offer(2, "two.bin", two.length, WireClient.MTIME).toBuffer())
      .appendBuffer(offer(3, "three.bin", three.length, WireClient.MTIME).toBuffer());
    startServer(options)
      .compose(this::connectReady)
      .compose(client -> {
        client.sendRaw(pipelined);
        return ServerProtocolTest.nextReplies(client, 3)
          .map(replies -> {
            assertEquals(new Message.Send(1, 0), replies.get(0));
            assertEquals(new Message.Send(2, 0), replies.get(1));
            WireClient.check(replies.get(2) instanceof Message.Error busy && busy.code() == ErrorCode.BUSY
              && Long.valueOf(3).equals(busy.id()), "expected busy for the third offer, got " + replies.get(2));
            return null;
          })
          .compose(v -> client.finishUpload(1, one, 0))
          // A slot is free again: the refused offer succeeds now.
          .compose(done -> client.upload(4, "three.bin", three))
          .compose(done -> client.finishUpload(2, two, 0));
      })
      .map(done -> {
        assertStored("one.bin", one);
        assertStored("two.bin", two);
        assertStored("three.bin", three);
        assertFinalFiles("one.bin", "two.bin", "three.bin");
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }
}
