package dev.kirim.client;

import dev.kirim.cluster.KirimCluster;
import dev.kirim.config.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client as a long-lived service: push jobs arrive on {@code kirim.push} (from this Vert.x or, when
 * clustered, from any node), each a JSON object with the configuration's keys merged over the service's own
 * configuration, and each is answered with its JSON report. A job that is not a valid configuration fails the
 * message (code {@link #BAD_JOB}) with the same one-line message the command line would print.
 */
final class PushService {

  /** Failure code of a job that is not a valid configuration. */
  static final int BAD_JOB = 400;
  /** Failure code of a job that ran but whose report could not be written. */
  static final int FAILED_JOB = 500;

  private static final Logger log = LoggerFactory.getLogger(PushService.class);

  private final Vertx vertx;
  private final JsonObject defaults;
  private MessageConsumer<Object> consumer;

  PushService(Vertx vertx, JsonObject config) {
    this.vertx = vertx;
    this.defaults = config.copy();
    this.defaults.remove("service");
  }

  /** @return completes once the consumer is registered (cluster-wide when clustered) */
  Future<Void> start() {
    consumer = vertx.eventBus().consumer(KirimCluster.PUSH_ADDRESS, this::handleJob);
    return consumer.completion()
      .onSuccess(v -> log.info("Taking push jobs on {}", KirimCluster.PUSH_ADDRESS));
  }

  private void handleJob(Message<Object> message) {
    ClientOptions options;
    try {
      options = jobOptions(message.body());
    } catch (ConfigException e) {
      message.fail(BAD_JOB, "bad push job: " + e.getMessage());
      return;
    }
    KirimClient client = KirimClient.create(vertx, options);
    client.push()
      .compose(report -> ClientVerticle.writeReport(vertx, options.getReport(), report))
      .eventually(client::close)
      .onSuccess(report -> {
        log.info("Push job done: {}", report.summary().lines().reduce((a, b) -> b).orElse(""));
        message.reply(report.toJson());
      })
      .onFailure(e -> message.fail(FAILED_JOB, e.getMessage()));
  }

  /** The job's keys over the service's; it must name targets and files, and cannot turn into a service. */
  ClientOptions jobOptions(Object body) {
    if (!(body instanceof JsonObject job)) {
      throw new ConfigException("a push job is a JSON object with the config keys, at least 'targets' and 'files'");
    }
    if (job.containsKey("service")) {
      throw new ConfigException("config key 'service' is not allowed in a push job");
    }
    return new ClientOptions(defaults.copy().mergeIn(job));
  }

  Future<Void> close() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }
}
