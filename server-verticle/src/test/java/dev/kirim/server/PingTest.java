package dev.kirim.server;

import dev.kirim.protocol.Message;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server announces pings in its welcome and answers each at once, ahead of a reply it is still waiting for. */
class PingTest extends ServerTestBase {

  @Test
  void aPingIsAnsweredAtOnceWhileAnOfferWaitsForItsName(VertxTestContext testContext) {
    byte[] bytes = content(CHUNK_BYTES * 3 + 1, 5);
    startServer().compose(server -> connectReady(server).compose(holder -> {
      holder.offer(1, "held.bin", bytes.length);
      return holder.expect(Message.Send.class).compose(send -> connect(server));
    }))
      .compose(waiter -> waiter.hello().compose(welcome -> {
        assertTrue(welcome.answersPing(), welcome::toString);
        // This offer waits for the other connection's upload of the name; the ping does not.
        waiter.offer(1, "held.bin", bytes.length);
        waiter.send(new Message.Ping());
        return waiter.next();
      }))
      .onComplete(testContext.succeeding(reply -> testContext.verify(() -> {
        assertEquals(new Message.Pong(), reply);
        testContext.completeNow();
      })));
  }
}
