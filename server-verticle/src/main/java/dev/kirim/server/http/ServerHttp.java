package dev.kirim.server.http;

import dev.kirim.http.HttpEndpoints;
import dev.kirim.http.HttpOptions;
import dev.kirim.net.Addresses;
import dev.kirim.server.KirimServer;
import dev.kirim.server.ListenException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;

/**
 * The server's HTTP port ({@code http} key): {@code GET /metrics} (Prometheus text), {@code GET /health}
 * (200/503 JSON), {@code GET /api/status} (JSON) and the status page at {@code GET /}, its files served from
 * the jar. Read-only; nothing here changes the server.
 * <p>
 * With {@code -instances N} every instance listens on the same port, which Vert.x shares between them; they
 * all read the same {@link dev.kirim.server.ServerActivity}, so any one answers for the whole server.
 */
public final class ServerHttp {

  private static final Logger log = LoggerFactory.getLogger(ServerHttp.class);
  private static final String PAGE_ROOT = "kirim-status";

  private final Vertx vertx;
  private final KirimServer server;
  private final HttpOptions options;
  private HttpServer httpServer;

  private ServerHttp(Vertx vertx, KirimServer server, HttpOptions options) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.server = Objects.requireNonNull(server, "server");
    this.options = new HttpOptions(Objects.requireNonNull(options, "options")).validate();
  }

  /** @param server a listening server: its activity is what this port shows */
  public static ServerHttp create(Vertx vertx, KirimServer server, HttpOptions options) {
    return new ServerHttp(vertx, server, options);
  }

  /** @return this, or a {@link ListenException} naming the {@code http} address */
  public Future<ServerHttp> listen() {
    Router router = Router.router(vertx);
    PrometheusMeterRegistry registry = server.activity().registry();
    router.get("/metrics").handler(HttpEndpoints.metrics(vertx, registry));
    router.get("/health").handler(HealthCheckHandler.createWithHealthChecks(ServerHealth.create(vertx, server)));
    router.get("/api/status").handler(ctx -> ctx.json(StatusJson.of(server)));
    router.get("/*").handler(StaticHandler.create(PAGE_ROOT).setIndexPage("index.html").setCachingEnabled(false));
    return HttpEndpoints.listen(vertx, options, router, ListenException::new)
      .map(s -> {
        httpServer = s;
        log.info("kirim server {}: metrics, health and status on http://{}/ (/metrics, /health, /api/status)",
          server.serverId(), Addresses.hostPort(options.getHost(), s.actualPort()));
        return this;
      });
  }

  /** @return the HTTP port listened on (the chosen one when configured as 0) */
  public int actualPort() {
    return httpServer.actualPort();
  }

  public Future<Void> close() {
    return httpServer == null ? Future.succeededFuture() : httpServer.close();
  }
}
