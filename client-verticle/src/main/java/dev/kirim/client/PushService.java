package dev.kirim.client;

import dev.kirim.cluster.KirimCluster;
import dev.kirim.config.ConfigException;
import dev.kirim.config.ConfigReader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The client as a long-lived service: push jobs arrive on {@code kirim.push} (from this Vert.x or, when
 * clustered, from any node), and each is answered with its JSON report. A job is a JSON object with the
 * job's keys ({@code targets}, {@code files}, {@code baseDir}, {@code remoteDir}, {@code exclude},
 * {@code followSymlinks}, {@code deleteAfterSend} when the service allows it) and {@code report}, merged over
 * the service's own configuration; the connection settings are the service's, shared by every job through
 * one {@link KirimClient}. A job that is not valid fails the message (code {@link #BAD_JOB}) with the same
 * one-line message the command line would print.
 */
final class PushService {

  /** Failure code of a job that is not a valid configuration. */
  static final int BAD_JOB = 400;
  /** Failure code of a job that ran but whose report could not be written. */
  static final int FAILED_JOB = 500;

  private static final Logger log = LoggerFactory.getLogger(PushService.class);
  private static final Set<String> JOB_KEYS = jobKeys();

  private final Vertx vertx;
  private final KirimClient client;
  private final JsonObject defaults;
  private MessageConsumer<Object> consumer;
  // null: no HTTP port, no meters.
  private ServiceMeters meters;

  /** @param config the service's configuration: defaults for every job's keys */
  PushService(Vertx vertx, KirimClient client, JsonObject config) {
    this.vertx = vertx;
    this.client = client;
    this.defaults = new JsonObject();
    JOB_KEYS.forEach(key -> {
      if (config.containsKey(key)) {
        defaults.put(key, config.getValue(key));
      }
    });
  }

  /** Counts every job in {@code meters} from now on. */
  PushService meters(ServiceMeters meters) {
    this.meters = meters;
    return this;
  }

  /** @return whether jobs are being taken: the consumer is registered */
  boolean isTakingJobs() {
    return consumer != null && consumer.isRegistered();
  }

  /** @return completes once the consumer is registered (cluster-wide when clustered) */
  Future<Void> start() {
    consumer = vertx.eventBus().consumer(KirimCluster.PUSH_ADDRESS, this::handleJob);
    return consumer.completion()
      .onSuccess(v -> log.info("Taking push jobs on {}", KirimCluster.PUSH_ADDRESS));
  }

  private void handleJob(Message<Object> message) {
    PushJob pushJob;
    Path reportPath;
    try {
      JsonObject job = jobConfig(message.body());
      pushJob = new PushJob(job).validate();
      String report = ConfigReader.of(job).string("report", null);
      reportPath = report == null ? null : Path.of(report).toAbsolutePath().normalize();
    } catch (ConfigException e) {
      if (meters != null) {
        meters.jobRefused();
      }
      message.fail(BAD_JOB, "bad push job: " + e.getMessage());
      return;
    }
    if (meters != null) {
      meters.jobStarted();
    }
    client.push(pushJob)
      .compose(report -> reportPath == null ? Future.succeededFuture(report)
        : vertx.executeBlocking(() -> {
          ReportWriter.write(reportPath, report);
          return report;
        }, false))
      .onSuccess(report -> {
        if (meters != null) {
          meters.jobEnded(report);
        }
        log.info("Push job done: {}", report.summary().lines().reduce((a, b) -> b).orElse(""));
        message.reply(report.toJson());
      })
      .onFailure(e -> {
        if (meters != null) {
          meters.jobFailed();
        }
        message.fail(FAILED_JOB, e.getMessage());
      });
  }

  /** The job's keys over the service's; a connection setting or {@code service} is not a job's to change. */
  JsonObject jobConfig(Object body) {
    if (!(body instanceof JsonObject job)) {
      throw new ConfigException("a push job is a JSON object with the keys " + String.join(", ", JOB_KEYS.stream()
        .sorted().toList()) + ", at least 'targets' and 'files'");
    }
    for (String key : job.fieldNames()) {
      if (!JOB_KEYS.contains(key)) {
        throw new ConfigException("config key '" + key + "' is not allowed in a push job: "
          + (ClientConfig.KEYS.contains(key) ? "it is a setting of the service client, set in its configuration"
          : "unknown key") + " (a job's keys: " + String.join(", ", JOB_KEYS.stream().sorted().toList()) + ")");
      }
    }
    JsonObject merged = defaults.copy().mergeIn(job);
    // Deleting local files on a message's word is for the operator to allow, in the service's own configuration.
    if (Boolean.TRUE.equals(job.getValue("deleteAfterSend")) && !Boolean.TRUE.equals(defaults.getValue("deleteAfterSend"))) {
      throw new ConfigException("config key 'deleteAfterSend' may be true in a push job only when the service's own "
        + "configuration sets it to true");
    }
    return merged;
  }

  Future<Void> close() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  private static Set<String> jobKeys() {
    Set<String> keys = new HashSet<>(PushJob.KEYS);
    keys.add("report");
    return Set.copyOf(keys);
  }
}
