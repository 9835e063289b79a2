package dev.kirim.client;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import java.nio.file.Path;

/**
 * Pushes the files of its configuration (see {@link ClientOptions}) once, prints the summary, writes the
 * JSON report when asked, and completes {@link #completion()}. Deployment succeeds as soon as the
 * configuration is valid; the push goes on in the background. With {@code "service": true} it pushes nothing
 * by itself and takes jobs on {@code kirim.push} instead (see {@link PushService}); its completion then never
 * completes.
 */
public class ClientVerticle extends VerticleBase {

  private final Promise<PushReport> completion = Promise.promise();
  private KirimClient client;
  private PushService service;

  @Override
  public Future<?> start() {
    ClientOptions options = new ClientOptions(config());
    if (options.isService()) {
      service = new PushService(vertx, config());
      return service.start();
    }
    client = KirimClient.create(vertx, options);
    client.push()
      .compose(report -> writeReport(vertx, options.getReport(), report))
      .onSuccess(report -> System.out.println(report.summary()))
      .onComplete(completion);
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    if (service != null) {
      return service.close();
    }
    return client == null ? Future.succeededFuture() : client.close();
  }

  /** @return the report once the push is over; fails only when the report file cannot be written */
  public Future<PushReport> completion() {
    return completion.future();
  }

  static Future<PushReport> writeReport(Vertx vertx, Path path, PushReport report) {
    if (path == null) {
      return Future.succeededFuture(report);
    }
    Buffer json = Buffer.buffer(report.toJson().encodePrettily()).appendString("\n");
    return vertx.fileSystem().mkdirs(path.getParent().toString())
      .compose(v -> vertx.fileSystem().writeFile(path.toString(), json))
      .map(report)
      .recover(e -> Future.failedFuture("cannot write the report to " + path + ": " + e.getMessage()
        + ": check the 'report' path"));
  }
}
