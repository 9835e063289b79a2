package dev.kirim.server;

import dev.kirim.server.http.ServerHttp;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

import java.util.function.IntConsumer;

/**
 * Deploys a kirim server from the verticle configuration (see {@link ServerOptions}), announces every file
 * it publishes on the event bus ({@code kirim.received}) and registers the server in the server registry.
 * Holds no state of its own, so {@code -instances N} runs N event loops on one port.
 */
public class ServerVerticle extends VerticleBase {

  // Told, with the number of instances deployed together, when this one has started: before the deployment
  // completes, so the jar knows it has started before anything outside can see that it did.
  private final IntConsumer started;
  private KirimServer server;
  private ServerRegistration registration;
  private ServerHttp http;

  public ServerVerticle() {
    this(instances -> {
    });
  }

  ServerVerticle(IntConsumer started) {
    this.started = started;
  }

  @Override
  public Future<?> start() {
    ServerOptions options = new ServerOptions(config());
    server = KirimServer.create(vertx, options)
      .uploadHandler(new ReceivedEventPublisher(vertx, options.getClusterSecret()));
    return server.listen()
      .compose(s -> {
        ServerRegistration starting = new ServerRegistration(vertx, server, options, context.getInstanceCount());
        // Only a registration that started is closed again: a refused one holds no record of its own.
        return starting.start().onSuccess(v -> registration = starting);
      })
      .compose(v -> {
        if (options.getHttp() == null) {
          return Future.succeededFuture();
        }
        http = ServerHttp.create(vertx, server, options.getHttp());
        return http.listen();
      })
      // A refused registration (a duplicate serverId) or HTTP port ends the start: stop listening too.
      .recover(e -> stop().transform(closed -> Future.failedFuture(e)))
      .map(v -> {
        started.accept(context.getInstanceCount());
        return v;
      });
  }

  @Override
  public Future<?> stop() {
    if (server == null) {
      return Future.succeededFuture();
    }
    Future<Void> httpClosed = http == null ? Future.succeededFuture() : http.close();
    Future<Void> unregistered = registration == null ? Future.succeededFuture() : registration.close();
    return Future.join(httpClosed, unregistered).eventually(() -> server.close());
  }

  /** @return the HTTP port's server ({@code http} key), {@code null} without one; for tests */
  public ServerHttp http() {
    return http;
  }

  /** @return the running server, for embedding and tests */
  public KirimServer server() {
    return server;
  }
}
