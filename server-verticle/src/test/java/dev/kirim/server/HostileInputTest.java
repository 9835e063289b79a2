package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.testkit.WireClient;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 9 point 6: a hostile client is bounded in what it can hold and cannot squat or garble. */
class HostileInputTest extends ServerTestBase {

  @Test
  void connectionsBeyondThePerPeerLimitGetBusy(VertxTestContext testContext) {
    ServerOptions options = options();
    options.getLimits().setMaxConnections(10).setMaxConnectionsPerPeer(2);
    startServer(options)
      .compose(server -> connectReady(server)
        .compose(first -> connectReady(server)
          .compose(second -> connect(server))
          .compose(third -> third.expectFatal(ErrorCode.BUSY))
          .map(busy -> {
            assertTrue(busy.message().contains("per peer"), busy.message());
            return null;
          })
          .compose(v -> first.close()))
        .compose(v -> connectWhenFree(server, RETRIES)))
      .compose(client -> client.upload(1, "after.bin", content(100, 1)))
      .onComplete(testContext.succeedingThenComplete());
  }

  private Future<WireClient> connectWhenFree(KirimServer server, int attempts) {
    return connect(server).compose(client -> {
      client.send(new Message.Hello(Message.VERSION, "late", null));
      return client.next().compose(reply -> {
        if (reply instanceof Message.Welcome) {
          return Future.succeededFuture(client);
        }
        WireClient.check(reply instanceof Message.Error error && error.code() == ErrorCode.BUSY && attempts > 1,
          "expected welcome or busy, got " + reply);
        return client.close()
          .compose(v -> vertx.timer(20, TimeUnit.MILLISECONDS))
          .compose(v -> connectWhenFree(server, attempts - 1));
      });
    });
  }

  @Test
  void zeroLengthDataForAnUnknownIdIsUnexpected(VertxTestContext testContext) {
    startServer()
      .compose(server -> connectReady(server))
      .compose(client -> {
        client.sendRaw("{\"type\":\"data\",\"id\":77,\"offset\":0,\"length\":0}\n");
        return client.expectFatal(ErrorCode.UNEXPECTED);
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void anOfferIdCannotBeReusedAfterItsDone(VertxTestContext testContext) {
    startServer()
      .compose(server -> connectReady(server))
      .compose(client -> client.upload(5, "one.bin", content(10, 1))
        .compose(done -> client.offer(5, "two.bin", 10))
        .compose(v -> client.expectFatal(ErrorCode.UNEXPECTED)))
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void anOfferIdCannotBeReusedAfterItsSkip(VertxTestContext testContext) {
    startServer()
      .compose(server -> connectReady(server))
      .compose(client -> client.upload(5, "one.bin", content(10, 1))
        .compose(done -> client.offer(6, "one.bin", 10))
        .compose(v -> client.expect(Message.Skip.class))
        .compose(skip -> client.offer(6, "three.bin", 10))
        .compose(v -> client.expectFatal(ErrorCode.UNEXPECTED)))
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void anOfferIdCannotBeReusedAfterItsError(VertxTestContext testContext) {
    startServer()
      .compose(server -> connectReady(server))
      .compose(client -> client.offer(7, "../bad", 10)
        .compose(v -> client.expectError(ErrorCode.BAD_NAME, 7L))
        .compose(err -> client.offer(7, "good.bin", 10))
        .compose(v -> client.expectFatal(ErrorCode.UNEXPECTED)))
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void anOverlongSlashInANameIsMalformedOnTheWire(VertxTestContext testContext) {
    Buffer line = Buffer.buffer("{\"type\":\"offer\",\"id\":1,\"name\":\"..")
      .appendBytes(new byte[] {(byte) 0xc0, (byte) 0xaf})
      .appendString("etc\",\"size\":1,\"mtime\":0}\n");
    startServer()
      .compose(server -> connectReady(server))
      .compose(client -> client.sendRaw(line).compose(v -> client.expectFatal(ErrorCode.MALFORMED)))
      .map(error -> {
        assertTrue(error.message().contains("UTF-8"), error.message());
        assertFinalFiles();
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void aHelloWithAByteOrderMarkIsMalformedOnTheWire(VertxTestContext testContext) {
    startServer()
      .compose(server -> connect(server))
      .compose(client -> client.sendRaw(Buffer.buffer(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf})
          .appendString("{\"type\":\"hello\",\"version\":1,\"clientId\":\"c\"}\n"))
        .compose(v -> client.expectFatal(ErrorCode.MALFORMED)))
      .onComplete(testContext.succeedingThenComplete());
  }
}
