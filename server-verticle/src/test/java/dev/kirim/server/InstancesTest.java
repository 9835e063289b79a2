package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.testkit.WireClient;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.kirim.testkit.Ports.freePort;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code -instances N}: N server verticles share one port (Vert.x spreads connections over them round-robin),
 * and the one-upload-per-name rule still holds, since the claims live in Vert.x local shared data.
 */
class InstancesTest extends ServerTestBase {

  private static final String NAME = "shared/one.bin";

  @Test
  void aSecondUploadOfOneNameOnAnotherInstanceWaitsForTheFirst(VertxTestContext testContext) {
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
              // Woken across event loops when a's instance releases the name.
              return a.finishUpload(1, first, 0).compose(done -> b.expect(Message.Skip.class));
            })
            .map(skip -> {
              assertEquals(Message.Skip.DIFFERS, skip.reason());
              return skip;
            })
            .compose(skip -> Future.join(a.close(), b.close()));
        }))
      .map(v -> {
        assertOnlyStored(NAME, first);
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void connectionsAreSpreadOverTheInstances(VertxTestContext testContext) {
    int port = freePort();
    List<ServerVerticle> instances = new CopyOnWriteArrayList<>();
    JsonObject config = options().setPort(port).toJson();
    vertx.deployVerticle(() -> {
        ServerVerticle verticle = new ServerVerticle();
        instances.add(verticle);
        return verticle;
      }, new DeploymentOptions().setConfig(config).setInstances(2))
      .compose(id -> helloTimes(port, 4))
      .map(v -> {
        assertEquals(2, instances.size());
        for (ServerVerticle instance : instances) {
          assertEquals(2, instance.server().acceptedConnections(), "4 connections over 2 instances, round-robin");
        }
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  /** Round-robin puts the two connections on different instances: the third is over the per-peer limit of both. */
  @Test
  void thePerPeerLimitCountsConnectionsOnEveryInstance(VertxTestContext testContext) {
    int port = freePort();
    ServerOptions options = options().setPort(port);
    options.getLimits().setMaxConnectionsPerPeer(2);
    vertx.deployVerticle(ServerVerticle.class, new DeploymentOptions().setConfig(options.toJson()).setInstances(2))
      .compose(id -> WireClient.connect(vertx, port).compose(a -> a.hello().map(a)))
      .compose(a -> WireClient.connect(vertx, port).compose(b -> b.hello().map(b)))
      .compose(b -> WireClient.connect(vertx, port))
      .compose(c -> c.expectFatal(ErrorCode.BUSY))
      .onComplete(testContext.succeedingThenComplete());
  }

  /** Opens {@code times} connections one after the other, each saying hello, then closes them all. */
  private Future<Void> helloTimes(int port, int times) {
    List<WireClient> clients = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < times; i++) {
      chain = chain.compose(v -> WireClient.connect(vertx, port)).compose(c -> c.hello().map(w -> {
        clients.add(c);
        return null;
      }));
    }
    return chain.compose(v -> Future.join(clients.stream().map(WireClient::close).toList()).mapEmpty());
  }
}
