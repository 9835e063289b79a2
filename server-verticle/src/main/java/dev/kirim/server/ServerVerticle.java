package dev.kirim.server;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * Deploys a kirim server from the verticle configuration (see {@link ServerOptions}). Holds no state of its
 * own, so {@code -instances N} runs N event loops on one port.
 */
public class ServerVerticle extends VerticleBase {

  private KirimServer server;

  @Override
  public Future<?> start() {
    server = KirimServer.create(vertx, new ServerOptions(config()));
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** @return the running server, for embedding and tests */
  public KirimServer server() {
    return server;
  }
}
