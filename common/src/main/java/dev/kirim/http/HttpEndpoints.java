package dev.kirim.http;

import dev.kirim.net.Addresses;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;

import java.net.BindException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.function.BiFunction;

/**
 * What the server's and the service client's HTTP ports share: Vert.x metrics switched on for them, the
 * registry {@code /metrics} renders, the scrape itself, and listening with a one-line failure that names the
 * {@code http} keys.
 */
public final class HttpEndpoints {

  private HttpEndpoints() {
  }

  /**
   * Turns on Vert.x's Micrometer metrics with the Prometheus backend and the JVM's meters, unless metrics
   * options were given already ({@code -options}): then Vert.x's net, pool and JVM meters join kirim's on
   * {@code /metrics}. Without an HTTP port nothing calls this, and Vert.x keeps no metrics at all.
   *
   * @return {@code options}
   */
  public static VertxOptions withMetrics(VertxOptions options) {
    if (options.getMetricsOptions() == null || !options.getMetricsOptions().isEnabled()) {
      options.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
    }
    return options;
  }

  /**
   * @return the registry {@code /metrics} renders: Vert.x's own when this Vertx instance was built with
   *   Micrometer metrics and the Prometheus backend ({@link #withMetrics}), so that Vert.x's meters come along;
   *   else a new one, for kirim's meters only, so that several servers embedded in one Vertx keep their
   *   numbers apart
   */
  public static PrometheusMeterRegistry registry(Vertx vertx) {
    // The default backend registry is static (one per JVM): take it only when this Vertx instance feeds it.
    MeterRegistry vertxRegistry = vertx.isMetricsEnabled() ? BackendRegistries.getDefaultNow() : null;
    return vertxRegistry instanceof PrometheusMeterRegistry prometheus ? prometheus
      : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /** @return {@code GET /metrics}: the registry in the Prometheus text format, rendered off the event loop */
  public static Handler<RoutingContext> metrics(Vertx vertx, PrometheusMeterRegistry registry) {
    return ctx -> vertx.executeBlocking(registry::scrape, false).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(ar.result());
    });
  }

  /**
   * A port bound to loopback answers only requests addressed to a loopback name (or to its own {@code http.host}):
   * a web page from elsewhere, open in a browser on this host, can point a name of its own at 127.0.0.1 (DNS
   * rebinding) and would otherwise read the status API as if it were its own. A request without a host passes.
   */
  private static Handler<HttpServerRequest> loopbackNamesOnly(String boundHost, Router router) {
    return request -> {
      HostAndPort authority = request.authority();
      String host = authority == null ? null : authority.host();
      if (host == null || host.equalsIgnoreCase(boundHost) || Addresses.isLoopbackName(host)) {
        router.handle(request);
        return;
      }
      request.response().setStatusCode(403).putHeader("Content-Type", "text/plain; charset=utf-8")
        .end("This port listens on " + boundHost + " and answers requests addressed to localhost or a loopback "
          + "address only, not to the name in this request's Host header.\n");
    };
  }

  private static boolean boundToLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      // The listen fails on it and says so.
      return false;
    }
  }

  /**
   * Listens with {@code router} where {@code options} say.
   *
   * @param failure makes the caller's exception (its exit code) from a one-line message and the cause
   * @return the listening server, or the failure naming the address and the {@code http} key to change
   */
  public static Future<HttpServer> listen(Vertx vertx, HttpOptions options, Router router,
                                          BiFunction<String, Throwable, RuntimeException> failure) {
    String address = Addresses.hostPort(options.getHost(), options.getPort());
    return vertx.createHttpServer(new HttpServerOptions().setHost(options.getHost()).setPort(options.getPort()))
      .requestHandler(boundToLoopback(options.getHost()) ? loopbackNamesOnly(options.getHost(), router) : router)
      .listen()
      .recover(e -> Future.failedFuture(failure.apply(e instanceof BindException
        && String.valueOf(e.getMessage()).contains("in use")
        ? "cannot listen on " + address + " for 'http': " + address + " is already in use: set another 'http.port'"
        : "cannot listen on " + address + " for 'http': " + e.getMessage() + ": check 'http.host' and 'http.port'",
        e)));
  }
}
