package dev.kirim.server;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * Deploys a kirim server from the verticle configuration (see {@link ServerOptions}), announces every file
 * it publishes on the event bus ({@code kirim.received}) and registers the server in the server registry.
 * Holds no state of its own, so {@code -instances N} runs N event loops on one port.
 */
public class ServerVerticle extends VerticleBase {

  private KirimServer server;
  private ServerRegistration registration;

  @Override
  public Future<?> start() {
    ServerOptions options = new ServerOptions(config());
    server = KirimServer.create(vertx, options).uploadHandler(new ReceivedEventPublisher(vertx));
    return server.listen()
      .compose(s -> {
        registration = new ServerRegistration(vertx, server, options, context.getInstanceCount());
        return registration.start();
      })
      // A refused registration (a duplicate serverId) ends the start: stop listening too.
      .recover(e -> server.close().transform(closed -> Future.failedFuture(e)));
  }

  @Override
  public Future<?> stop() {
    if (server == null) {
      return Future.succeededFuture();
    }
    Future<Void> unregistered = registration == null ? Future.succeededFuture() : registration.close();
    return unregistered.eventually(() -> server.close());
  }

  /** @return the running server, for embedding and tests */
  public KirimServer server() {
    return server;
  }
}
