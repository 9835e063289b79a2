package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code -instances N}: N server verticles share one port (Vert.x spreads connections over them round-robin),
 * and the one-upload-per-name rule still holds, since the claims live in Vert.x local shared data.
 */
class InstancesTest extends ServerTestBase {

  private static final String NAME = "shared/one.bin";

  @Test
  void twoInstancesOnOnePortRefuseASecondUploadOfOneName(VertxTestContext testContext) throws IOException {
    int port = freePort();
    byte[] first = content(3 * CHUNK_BYTES + 7, 1);
    byte[] second = content(2 * CHUNK_BYTES + 3, 2);
    JsonObject config = options().setPort(port).toJson().put("serverId", "two-instances");
    vertx.deployVerticle(ServerVerticle.class, new DeploymentOptions().setConfig(config).setInstances(2))
      // Two connections in a row: round-robin hands them to different instances.
      .compose(id -> WireClient.connect(vertx, port).compose(a -> a.hello().map(a)))
      .compose(a -> WireClient.connect(vertx, port).compose(b -> b.hello().map(b))
        .compose(b -> {
          a.offer(1, NAME, first.length);
          return a.expect(Message.Send.class)
            .compose(send -> {
              b.offer(1, NAME, second.length);
              return b.expectError(ErrorCode.BUSY, 1L);
            })
            .compose(busy -> a.finishUpload(1, first, 0))
            .compose(done -> Future.join(a.close(), b.close()));
        }))
      .map(v -> {
        assertStored(NAME, first);
        assertFinalFiles(NAME);
        assertEquals(0, partials().size(), "partials left: " + partials());
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
