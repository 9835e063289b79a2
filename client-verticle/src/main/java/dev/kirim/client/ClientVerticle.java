package dev.kirim.client;

import dev.kirim.client.http.ServiceHttp;
import dev.kirim.http.HttpEndpoints;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;

/**
 * Runs the client from the verticle configuration ({@link ClientConfig}): pushes its job once and completes
 * {@link #completion()} with the report. Deployment succeeds as soon as the configuration is valid; the push
 * goes on in the background. Printing the summary and writing the report file are the program's business
 * ({@link ClientApplication}), not the verticle's. With {@code "service": true} it pushes nothing by itself and
 * takes jobs on {@code kirim.push} instead (see {@link PushService}); its completion then never completes.
 */
public class ClientVerticle extends VerticleBase {

  private final Promise<PushReport> completion = Promise.promise();
  private KirimClient client;
  private PushService service;
  private ServiceMeters meters;
  private ServiceHttp http;
  private ProgressLine progress;
  private volatile String interruption;

  @Override
  public Future<?> start() {
    ClientConfig config = new ClientConfig(config());
    client = KirimClient.create(vertx, config.options());
    if (interruption != null) {
      client.interrupt(interruption);
    }
    if (config.isService()) {
      service = new PushService(vertx, client, config().copy(), config.servicePolicy(),
        config.options().getClusterSecret());
      if (config.http() == null) {
        return service.start();
      }
      PrometheusMeterRegistry registry = HttpEndpoints.registry(vertx);
      meters = new ServiceMeters(registry);
      service.meters(meters);
      http = new ServiceHttp(vertx, config.http(), registry, service::isTakingJobs);
      return service.start().compose(v -> http.listen());
    }
    if (progress == null) {
      client.push(config.job()).onComplete(completion);
    } else {
      long ticks = vertx.setPeriodic(ProgressLine.TERMINAL_REDRAW_MS, id -> progress.tick());
      client.progressHandler(progress).push(config.job()).onComplete(ar -> {
        vertx.cancelTimer(ticks);
        progress.finish();
        completion.handle(ar);
      });
    }
    return Future.succeededFuture();
  }

  /**
   * Shows the push's progress on {@code progress} (the program's business, like the summary); before deployment.
   *
   * @return this
   */
  public ClientVerticle progress(ProgressLine progress) {
    this.progress = progress;
    return this;
  }

  /**
   * Interrupts the push (see {@link KirimClient#interrupt}); from any thread. {@link #completion()} then
   * completes with a report whose undelivered files are {@code interrupted}.
   */
  public void interrupt(String reason) {
    interruption = reason;
    if (progress != null && context != null) {
      context.runOnContext(v -> progress.interrupted());
    }
    if (client != null) {
      client.interrupt(reason);
    }
  }

  @Override
  public Future<?> stop() {
    if (meters != null) {
      meters.close();
    }
    Future<Void> httpClosed = http == null ? Future.succeededFuture() : http.close();
    Future<Void> unregistered = service == null ? Future.succeededFuture() : service.close();
    return Future.join(httpClosed, unregistered)
      .eventually(() -> client == null ? Future.succeededFuture() : client.close());
  }

  /** @return a service's HTTP port ({@code http} key), {@code null} without one; for tests */
  public ServiceHttp http() {
    return http;
  }

  /** @return the report once the push is over */
  public Future<PushReport> completion() {
    return completion.future();
  }
}
