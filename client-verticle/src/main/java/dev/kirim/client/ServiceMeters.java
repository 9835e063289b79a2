package dev.kirim.client;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The meters of a client running as a service ({@code "service": true} with {@code http}), fed by
 * {@link PushService} once per job: {@code kirim_client_jobs_total{result}} ({@code done}, {@code failed}: the
 * push ran and some file was not delivered, {@code error}: it could not run or report, {@code refused}: not a
 * valid job), {@code kirim_client_files_total{status}} (the report's statuses), {@code kirim_client_sent_bytes_total}
 * (body bytes that crossed the network), {@code kirim_client_job_duration_seconds} and
 * {@code kirim_client_active_jobs}. The registry may be shared by several verticle instances: meters of one
 * name are one meter.
 */
public final class ServiceMeters {

  private final MeterRegistry registry;
  private final List<Meter> meters = new CopyOnWriteArrayList<>();
  private final Map<String, Counter> jobs = new ConcurrentHashMap<>();
  private final Map<FileStatus, Counter> files = new ConcurrentHashMap<>();
  private final AtomicInteger active = new AtomicInteger();
  private final Counter sent;
  private final Timer duration;

  public ServiceMeters(MeterRegistry registry) {
    this.registry = registry;
    sent = add(Counter.builder("kirim.client.sent").baseUnit("bytes")
      .description("Body bytes sent by push jobs (resumed files: only the part sent)").register(registry));
    duration = add(Timer.builder("kirim.client.job.duration").description("Duration of push jobs")
      .publishPercentileHistogram().register(registry));
    add(Gauge.builder("kirim.client.active.jobs", active, AtomicInteger::get)
      .description("Push jobs running").register(registry));
    for (String result : List.of("done", "failed", "error", "refused")) {
      jobs(result, 0);
    }
  }

  void jobStarted() {
    active.incrementAndGet();
  }

  /** A job that ran: its report's numbers, and {@code done} or {@code failed} by its exit code. */
  void jobEnded(PushReport report) {
    active.decrementAndGet();
    jobs(report.exitCode() == PushReport.EXIT_OK ? "done" : "failed", 1);
    for (FileStatus status : FileStatus.values()) {
      long count = report.count(status);
      if (count > 0) {
        files.computeIfAbsent(status, s -> add(Counter.builder("kirim.client.files").tag("status", s.wireName())
          .description("Files of push jobs, by their report status").register(registry))).increment(count);
      }
    }
    sent.increment(report.targets().stream().mapToLong(TargetReport::bytesTransferred).sum());
    duration.record(report.durationMs(), TimeUnit.MILLISECONDS);
  }

  /** A job that started and could not finish (its report not written). */
  void jobFailed() {
    active.decrementAndGet();
    jobs("error", 1);
  }

  /** A message that was not a valid job. */
  void jobRefused() {
    jobs("refused", 1);
  }

  private void jobs(String result, double amount) {
    jobs.computeIfAbsent(result, r -> add(Counter.builder("kirim.client.jobs").tag("result", r)
      .description("Push jobs taken on kirim.push, by how they ended").register(registry))).increment(amount);
  }

  private <M extends Meter> M add(M meter) {
    meters.add(meter);
    return meter;
  }

  /** Removes the meters from the registry. */
  public void close() {
    meters.forEach(registry::remove);
    meters.clear();
  }
}
