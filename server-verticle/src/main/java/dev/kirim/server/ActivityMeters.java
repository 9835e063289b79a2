package dev.kirim.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * kirim's own meters, in the registry {@code /metrics} scrapes. Micrometer names, rendered by the Prometheus
 * registry as {@code kirim_files_total{result}}, {@code kirim_errors_total{code}},
 * {@code kirim_received_bytes_total}, {@code kirim_active_uploads}, {@code kirim_connections},
 * {@code kirim_upload_duration_seconds} (a histogram) and {@code kirim_storage_free_bytes}.
 */
final class ActivityMeters {

  // Upload durations from a few milliseconds (small files) to an hour (a large file over a slow link).
  private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(25), Duration.ofMillis(100),
    Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30),
    Duration.ofMinutes(2), Duration.ofMinutes(10), Duration.ofHours(1)};

  private final MeterRegistry registry;
  private final List<Meter> meters = new CopyOnWriteArrayList<>();
  private final Map<String, Counter> files = new ConcurrentHashMap<>();
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();
  private final Counter received;
  private final Timer duration;

  ActivityMeters(MeterRegistry registry, ServerActivity activity) {
    this.registry = registry;
    received = add(Counter.builder("kirim.received").baseUnit("bytes")
      .description("Body bytes received, resumed uploads counting only what was sent this time").register(registry));
    duration = add(Timer.builder("kirim.upload.duration")
      .description("Time from an upload's first data to its answer (done or error), queueing before it excluded")
      .serviceLevelObjectives(BUCKETS).register(registry));
    add(Gauge.builder("kirim.active.uploads", activity, ServerActivity::activeTransfers)
      .description("Uploads whose data is being received").register(registry));
    add(Gauge.builder("kirim.connections", activity, ServerActivity::openConnections)
      .description("Open client connections").register(registry));
    add(Gauge.builder("kirim.storage.free", activity, ServerActivity::freeBytes).baseUnit("bytes")
      .description("Usable bytes on the storage's file system, sampled every second").register(registry));
    // Present from the start with 0, so that rate() and alerts see every result before it first happens.
    for (String result : List.of("stored", "skipped", "refused", "failed", "cancelled", "interrupted")) {
      file(result, 0);
    }
  }

  private <M extends Meter> M add(M meter) {
    meters.add(meter);
    return meter;
  }

  void file(String result) {
    file(result, 1);
  }

  private void file(String result, double amount) {
    files.computeIfAbsent(result, r -> add(Counter.builder("kirim.files").tag("result", r)
      .description("Files offered, by how they ended").register(registry))).increment(amount);
  }

  void error(String code) {
    errors.computeIfAbsent(code, c -> add(Counter.builder("kirim.errors").tag("code", c)
      .description("Error replies, by protocol error code").register(registry))).increment();
  }

  void received(long bytes) {
    received.increment(bytes);
  }

  void uploadDuration(long nanos) {
    duration.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Removes the meters: a server that stops takes its numbers with it (a new one starts from zero). */
  void close() {
    meters.forEach(registry::remove);
    meters.clear();
  }
}
