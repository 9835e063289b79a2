package dev.kirim.client;

import dev.kirim.cluster.ClusterSecret;
import dev.kirim.cluster.KirimCluster;
import dev.kirim.cluster.ReplayGuard;
import dev.kirim.config.ConfigException;
import dev.kirim.log.LogBurst;
import dev.kirim.protocol.Printable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client as a long-lived service: push jobs arrive on {@code kirim.push} (from this Vert.x or, when
 * clustered, from any node), and each is answered with its JSON report. A job is a JSON object with the
 * job's keys ({@code targets}, {@code files}, {@code baseDir}, {@code remoteDir}, {@code exclude},
 * {@code followSymlinks}, {@code cluster} — its {@code expect}/{@code minServers}/{@code waitMs} —, and
 * {@code deleteAfterSend} when the service allows it), merged over the service's own configuration; the
 * connection settings are the service's, shared by every job through one {@link KirimClient}.
 * <p>
 * A job is a request from the network, so the service decides what it may do ({@link ServicePolicy}): it reads
 * only under {@code service.allowedRoots}, pushes only to {@code service.allowedTargets}, and never writes a
 * local file on a job's word (no {@code report} key: the report is the reply). With a cluster secret
 * ({@code cluster.secret}) only jobs signed with it are taken, each once ({@link ClusterSecret},
 * {@link ReplayGuard}): once by this service, and once by any service of the cluster, since the event bus
 * hands the jobs on {@code kirim.push} round-robin to every service taking them (a cluster-wide map of the
 * nonces taken, {@link #NONCES_TAKEN}, each kept until its job expires). Each job taken is logged with its
 * sender, files and targets. A job refused fails the message with one line saying why: {@link #BAD_JOB} for
 * a job that is not valid or not allowed, {@link #UNSIGNED_JOB} for one without a valid signature,
 * {@link #NOT_TAKEN} for one whose nonce could not be recorded, {@link #BUSY} for one more than
 * {@code service.maxJobs}.
 */
final class PushService {

  /** Failure code of a job that is not a valid configuration, or asks for what the service does not allow. */
  static final int BAD_JOB = 400;
  /** Failure code of a job that is not signed with the cluster secret (or is stale, or replayed). */
  static final int UNSIGNED_JOB = 401;
  /** Failure code of a job that ran but failed as a whole. */
  static final int FAILED_JOB = 500;
  /**
   * Failure code of a signed job not taken because the cluster's record of the nonces taken could not be reached:
   * it may or may not hold this job's nonce now, so the job must be signed again (a new nonce) before it is sent.
   */
  static final int NOT_TAKEN = 503;
  /** Failure code of a job refused because {@code service.maxJobs} jobs are running: send it again later. */
  static final int BUSY = 429;
  /** The shared map of the nonces of the signed jobs taken: local standalone, the cluster's when clustered. */
  static final String NONCES_TAKEN = "kirim.push.nonces";
  private static final String RUNNING_JOBS = "kirim.push.running";

  private static final Logger log = LoggerFactory.getLogger(PushService.class);
  private static final Set<String> JOB_KEYS = PushJob.KEYS;

  private final Vertx vertx;
  private final KirimClient client;
  private final JsonObject defaults;
  private final ServicePolicy policy;
  // null: jobs are taken unsigned.
  private final ClusterSecret secret;
  private final ReplayGuard replays = new ReplayGuard();
  private final LogBurst refusals = new LogBurst();
  private MessageConsumer<Object> consumer;
  // Jobs taken and not yet ended in this process, from the moment one is found valid (before its nonce is
  // recorded); one count for every instance (-instances N), set by start().
  private AtomicInteger running;
  // null: no HTTP port, no meters.
  private ServiceMeters meters;

  /**
   * @param config the service's configuration: defaults for every job's keys
   * @param policy what its jobs may do
   */
  PushService(Vertx vertx, KirimClient client, JsonObject config, ServicePolicy policy, ClusterSecret secret) {
    this.vertx = vertx;
    this.client = client;
    this.policy = policy;
    this.secret = secret;
    this.defaults = new JsonObject();
    JOB_KEYS.forEach(key -> {
      if (config.containsKey(key)) {
        defaults.put(key, config.getValue(key));
      }
    });
    // The service's own connection settings under 'cluster' are not defaults for a job.
    if (defaults.getValue(ClusterExpectation.KEY) instanceof JsonObject cluster) {
      JsonObject expectation = cluster.copy();
      ClusterExpectation.SETTINGS.forEach(expectation::remove);
      defaults.put(ClusterExpectation.KEY, expectation.isEmpty() ? null : expectation);
    }
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
    running = vertx.sharedData().<String, RunningJobs>getLocalMap(RUNNING_JOBS)
      .computeIfAbsent(RUNNING_JOBS, key -> new RunningJobs()).count;
    consumer = vertx.eventBus().consumer(KirimCluster.PUSH_ADDRESS, this::handleJob);
    return consumer.completion()
      .onSuccess(v -> {
        log.info("Taking push jobs on {}: reading under {}, pushing to {}{}", KirimCluster.PUSH_ADDRESS,
          policy.allowedRoots(), policy.allowedTargets(), secret == null ? "" : ", signed with the cluster secret");
        if (secret == null && vertx.isClustered()) {
          log.warn("Push jobs are taken unsigned: any member of the cluster can ask for a push within the allowed "
            + "roots and targets; set 'cluster.secret' (or {}) on every member to take only signed jobs",
            ClusterSecret.ENV);
        }
      });
  }

  private void handleJob(Message<Object> message) {
    String sender;
    PushJob pushJob;
    ClusterSecret.Verified verified = null;
    try {
      Object body = message.body();
      if (secret != null) {
        verified = verify(body);
        sender = verified.sender();
        body = verified.payload();
      } else if (ClusterSecret.isEnvelope(body)) {
        throw new UnsignedJobException("a signed push job, and this service has no cluster secret to check it: "
          + "set the cluster's 'cluster.secret' (or " + ClusterSecret.ENV + ") on the service too");
      } else {
        sender = "an unsigned sender";
      }
      pushJob = policy.confine(new PushJob(jobConfig(body)).validate());
    } catch (UnsignedJobException e) {
      refuse(message, UNSIGNED_JOB, "unsigned push job refused: " + e.getMessage());
      return;
    } catch (ConfigException e) {
      refuse(message, BAD_JOB, "bad push job: " + e.getMessage());
      return;
    }
    if (running.incrementAndGet() > policy.maxJobs()) {
      running.decrementAndGet();
      // Before the nonce is recorded, here or cluster-wide: the same signed job may be sent again as it is.
      refuse(message, BUSY, "push job refused: busy: the service already runs " + policy.maxJobs() + " job(s), its "
        + "service.maxJobs: send it again once one has ended");
      return;
    }
    String replayed = verified == null ? null : replays.firstUse(verified);
    if (replayed != null) {
      running.decrementAndGet();
      refuse(message, UNSIGNED_JOB, "unsigned push job refused: " + replayed);
      return;
    }
    String from = sender;
    PushJob job = pushJob;
    (verified == null ? Future.<Void>succeededFuture() : takeClusterWide(verified))
      .onSuccess(v -> run(message, from, job))
      .onFailure(e -> {
        running.decrementAndGet();
        if (e instanceof ReplayedJobException) {
          refuse(message, UNSIGNED_JOB, "unsigned push job refused: " + e.getMessage());
        } else {
          refuse(message, NOT_TAKEN, "push job not taken: the cluster's record of the jobs taken could not be "
            + "checked (" + e.getMessage() + "); sign the job again (a new nonce) and send it");
        }
      });
  }

  /**
   * Records the job's nonce in {@link #NONCES_TAKEN} until the job expires; fails with {@link ReplayedJobException}
   * when another service (or this one) already took it, with the map's failure when it cannot be reached: a job
   * that might be a replay is not run.
   */
  private Future<Void> takeClusterWide(ClusterSecret.Verified job) {
    long ttl = Math.max(1, job.expiresAt() - System.currentTimeMillis());
    return vertx.sharedData().<String, Long>getAsyncMap(NONCES_TAKEN)
      .compose(nonces -> nonces.putIfAbsent(job.nonce(), job.expiresAt(), ttl))
      .compose(taken -> taken == null ? Future.succeededFuture()
        : Future.failedFuture(new ReplayedJobException()));
  }

  private void run(Message<Object> message, String sender, PushJob pushJob) {
    log.info("Push job from {}: files {} to {}", Printable.escape(sender),
      Printable.escape(pushJob.getFiles().toString()), Printable.escape(pushJob.targetSpecs().toString()));
    if (meters != null) {
      meters.jobStarted();
    }
    client.push(pushJob)
      .onComplete(ar -> running.decrementAndGet())
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

  private ClusterSecret.Verified verify(Object body) throws UnsignedJobException {
    ClusterSecret.Verified verified;
    try {
      verified = secret.verify(body, ClusterSecret.Purpose.JOB);
    } catch (ClusterSecret.SignatureException e) {
      throw new UnsignedJobException(e.getMessage());
    }
    return verified;
  }

  /** Fails the message; the log gets a line per burst of refusals, not one per job (a sender in a loop). */
  private void refuse(Message<Object> message, int code, String reason) {
    if (meters != null) {
      meters.jobRefused();
    }
    long left = refusals.next();
    if (left >= 0) {
      log.warn("{}{}", Printable.escape(reason), LogBurst.suffix(left));
    }
    message.fail(code, reason);
  }

  /** The job's keys over the service's; a connection setting or {@code service} is not a job's to change. */
  JsonObject jobConfig(Object body) {
    if (!(body instanceof JsonObject job)) {
      throw new ConfigException("a push job is a JSON object with the keys " + String.join(", ", JOB_KEYS.stream()
        .sorted().toList()) + ", at least 'targets' and 'files'");
    }
    for (String key : job.fieldNames()) {
      if (!JOB_KEYS.contains(key)) {
        throw new ConfigException("config key '" + key + "' is not allowed in a push job: " + whyNot(key)
          + " (a job's keys: " + String.join(", ", JOB_KEYS.stream().sorted().toList()) + ")");
      }
    }
    if (job.getValue(ClusterExpectation.KEY) instanceof JsonObject cluster) {
      for (String setting : ClusterExpectation.SETTINGS) {
        if (cluster.containsKey(setting)) {
          throw new ConfigException("config key 'cluster." + setting + "' is not allowed in a push job: it is a "
            + "setting of the service client, set in its configuration");
        }
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

  private static String whyNot(String key) {
    if (key.equals("report")) {
      return "a job cannot make the service write a local file; the report is the reply to the job";
    }
    return ClientConfig.KEYS.contains(key) ? "it is a setting of the service client, set in its configuration"
      : "unknown key";
  }

  /** A job without a valid signature, or one already taken. */
  private static final class UnsignedJobException extends Exception {

    UnsignedJobException(String message) {
      super(message, null, false, false);
    }
  }

  /** The jobs running in this process, shared by its instances through a local map. */
  private static final class RunningJobs implements Shareable {
    final AtomicInteger count = new AtomicInteger();
  }

  /** The job's nonce is in the cluster's record already: another service, or this one, took the job. */
  private static final class ReplayedJobException extends RuntimeException {
    ReplayedJobException() {
      super("replayed: a job with this nonce was already taken by another push service", null, false, false);
    }
  }
}
