package dev.kirim.client.http;

import dev.kirim.cluster.KirimCluster;
import dev.kirim.config.ConfigException;
import dev.kirim.http.HttpEndpoints;
import dev.kirim.http.HttpOptions;
import dev.kirim.net.Addresses;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * The HTTP port of a client running as a service ({@code "service": true, "http": {...}}): {@code GET /metrics}
 * (Prometheus: Vert.x's meters and the jobs' {@code kirim_client_*}) and {@code GET /health} (200/503 JSON:
 * {@code jobs}, the service takes jobs on {@code kirim.push}; {@code cluster}, when clustered, the cluster's
 * server registry can be read).
 */
public final class ServiceHttp {

  private static final Logger log = LoggerFactory.getLogger(ServiceHttp.class);
  private static final long TIMEOUT_MS = 5_000;

  private final Vertx vertx;
  private final HttpOptions options;
  private final PrometheusMeterRegistry registry;
  private final BooleanSupplier takingJobs;
  private HttpServer httpServer;

  /**
   * @param registry   what {@code /metrics} renders
   * @param takingJobs whether the service's consumer is registered
   */
  public ServiceHttp(Vertx vertx, HttpOptions options, PrometheusMeterRegistry registry, BooleanSupplier takingJobs) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.options = new HttpOptions(Objects.requireNonNull(options, "options")).validate();
    this.registry = Objects.requireNonNull(registry, "registry");
    this.takingJobs = Objects.requireNonNull(takingJobs, "takingJobs");
  }

  /** @return this, or a {@link ConfigException} (exit code 2) naming the {@code http} address */
  public Future<ServiceHttp> listen() {
    HealthChecks checks = HealthChecks.create(vertx).register("jobs", TIMEOUT_MS, promise -> {
      JsonObject data = new JsonObject().put("address", KirimCluster.PUSH_ADDRESS);
      promise.complete(takingJobs.getAsBoolean() ? Status.OK(data) : Status.KO(data));
    });
    if (vertx.isClustered()) {
      checks.register("cluster", TIMEOUT_MS, promise -> vertx.sharedData().getAsyncMap(KirimCluster.SERVERS_MAP)
        .compose(map -> map.size())
        .onComplete(ar -> promise.complete(ar.succeeded()
          ? Status.OK(new JsonObject().put("servers", ar.result()))
          : Status.KO(new JsonObject().put("error", String.valueOf(ar.cause().getMessage()))))));
    }
    Router router = Router.router(vertx);
    router.get("/metrics").handler(HttpEndpoints.metrics(vertx, registry));
    router.get("/health").handler(HealthCheckHandler.createWithHealthChecks(checks));
    return HttpEndpoints.listen(vertx, options, router, (message, cause) -> new ConfigException(message))
      .map(server -> {
        httpServer = server;
        log.info("kirim client service: metrics and health on http://{}/ (/metrics, /health)",
          Addresses.hostPort(options.getHost(), server.actualPort()));
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
