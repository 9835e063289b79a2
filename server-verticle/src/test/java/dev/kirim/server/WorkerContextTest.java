package dev.kirim.server;

import dev.kirim.protocol.Message;
import dev.kirim.testkit.Checksums;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A server embedded in a worker verticle: there Vert.x queues socket reads as tasks, and the server must
 * still pause the socket when its disk writer is behind, so a large upload arrives intact.
 */
class WorkerContextTest extends ServerTestBase {

  @Test
  void aServerInAWorkerVerticleStoresALargeUpload(VertxTestContext testContext) {
    byte[] content = content(48 * 1024 * 1024 + 7, 3);
    Promise<KirimServer> started = Promise.promise();
    vertx.deployVerticle(new VerticleBase() {
        @Override
        public Future<?> start() {
          KirimServer server = KirimServer.create(vertx, options());
          servers.add(server);
          return server.listen().onComplete(started);
        }
      }, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
      .compose(id -> started.future())
      .compose(this::connectReady)
      .compose(client -> client.upload(1, "big.bin", content))
      .onComplete(testContext.succeeding(done -> testContext.verify(() -> {
        assertEquals(new Message.Done(1, "big.bin", content.length, Checksums.crc32c(content)), done);
        assertOnlyStored("big.bin", content);
        testContext.completeNow();
      })));
  }
}
