package dev.kirim.client;

import dev.kirim.cluster.KirimCluster;
import dev.kirim.protocol.Printable;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * The outcome of a push: per target and per file, with totals, as text for people and JSON for scripts. Text
 * that came from a server or the file system is escaped in the summary ({@link Printable}).
 */
public record PushReport(Instant startedAt, long durationMs, List<TargetReport> targets, Deletions deletions,
                         boolean dryRun, List<ClusterReach> clusters) {

  /** A report without cluster targets' reach ({@code cluster:all}). */
  public PushReport(Instant startedAt, long durationMs, List<TargetReport> targets, Deletions deletions,
                    boolean dryRun) {
    this(startedAt, durationMs, targets, deletions, dryRun, List.of());
  }

  /** A report without {@code deleteAfterSend}. */
  public PushReport(Instant startedAt, long durationMs, List<TargetReport> targets) {
    this(startedAt, durationMs, targets, Deletions.NONE);
  }

  /** A report of a real push, not a dry run. */
  public PushReport(Instant startedAt, long durationMs, List<TargetReport> targets, Deletions deletions) {
    this(startedAt, durationMs, targets, deletions, false);
  }

  /** Every file reached every target (sent or already there). */
  public static final int EXIT_OK = 0;
  /** At least one file failed, or differs, on at least one target. */
  public static final int EXIT_FAILED = 1;

  public int exitCode() {
    return Math.max(count(FileStatus.FAILED) + count(FileStatus.DIFFERS) + count(FileStatus.INTERRUPTED) == 0
        ? EXIT_OK : EXIT_FAILED,
      deletions.exitCode());
  }

  public List<FileResult> results() {
    return targets.stream().flatMap(t -> t.results().stream()).toList();
  }

  /**
   * @return the targets grouped by what the job named: each listed or {@code cluster:all} server on its own, and
   *   the servers {@code cluster:any} went through (the one it chose and those it fell back to) together, since a
   *   file needs to reach only one of them
   */
  public Collection<List<TargetReport>> destinations() {
    Map<String, List<TargetReport>> byDestination = new LinkedHashMap<>();
    targets.forEach(target -> byDestination.computeIfAbsent(KirimCluster.TARGET_ANY.equals(target.via())
      ? KirimCluster.TARGET_ANY : target.target(), key -> new ArrayList<>()).add(target));
    return byDestination.values();
  }

  /** @return how many local files the push reported on */
  private long fileCount() {
    return results().stream().map(FileResult::local).distinct().count();
  }

  public long count(FileStatus status) {
    return targets.stream().mapToLong(t -> t.count(status)).sum();
  }

  public long bytesSent() {
    return targets.stream().mapToLong(TargetReport::bytesSent).sum();
  }

  public JsonObject toJson() {
    JsonObject totals = new JsonObject()
      .put("targets", targets.size())
      .put("files", results().size())
      .put("sent", count(FileStatus.SENT))
      .put("skipped", count(FileStatus.SKIPPED))
      .put("differs", count(FileStatus.DIFFERS))
      .put("failed", count(FileStatus.FAILED))
      .put("bytesSent", bytesSent())
      .put("bytesTransferred", targets.stream().mapToLong(TargetReport::bytesTransferred).sum());
    if (count(FileStatus.INTERRUPTED) > 0) {
      totals.put("interrupted", count(FileStatus.INTERRUPTED));
    }
    JsonObject json = new JsonObject();
    if (!clusters.isEmpty()) {
      json.put("cluster", new JsonArray(ClusterReach.toJson(clusters, targets)));
    }
    if (dryRun) {
      json.put("dryRun", true);
      totals.put("wouldSend", count(FileStatus.WOULD_SEND));
    }
    return deletions.addTo(json
      .put("startedAt", startedAt.toString())
      .put("durationMs", durationMs)
      .put("exitCode", exitCode())
      .put("totals", totals)
      .put("targets", new JsonArray(targets.stream().map(TargetReport::toJson).toList()))
      .put("files", new JsonArray(results().stream().map(deletions::toJson).toList())));
  }

  /** @return the readable summary: one line per target, one per failed file, one verdict line */
  public String summary() {
    StringBuilder out = new StringBuilder();
    for (TargetReport target : targets) {
      out.append(String.format(Locale.ROOT, "%-22s %s: %d %s, %d skipped, %s%d failed%s; %s in %.2f s (%s/s)%n",
        label(target), target.server() == null ? "(no server reached)" : "server " + Printable.escape(target.server()),
        sentOrWouldBe(target.count(FileStatus.SENT), target.count(FileStatus.WOULD_SEND)), sentLabel(),
        target.count(FileStatus.SKIPPED), differs(target.count(FileStatus.DIFFERS)),
        target.count(FileStatus.FAILED), interrupted(target.count(FileStatus.INTERRUPTED)),
        bytes(target.bytesSent()), target.durationMs() / 1000.0, bytes(rate(target.bytesSent(), target.durationMs()))));
      out.append(FailureLines.of(target));
      for (FileResult result : target.results()) {
        if (result.failed()) {
          // Listed above, identical failures collapsed.
          continue;
        }
        if (result.status() == FileStatus.DIFFERS) {
          out.append(String.format("  DIFFERS %s (%s): %s%n", Printable.escape(result.name()),
            Printable.escape(result.local()), Printable.escape(result.note())));
        } else if (result.status() == FileStatus.INTERRUPTED) {
          out.append(String.format("  INTERRUPTED %s (%s): %s%n", Printable.escape(result.name()),
            Printable.escape(result.local()), Printable.escape(result.note())));
        } else if (result.status() == FileStatus.WOULD_SEND) {
          out.append(String.format("  WOULD SEND %s (%s): %s%n", Printable.escape(result.name()),
            Printable.escape(result.local()), Printable.escape(result.note())));
        } else if (result.note() != null) {
          out.append(String.format("  NOTE %s (%s): %s%n", Printable.escape(result.name()),
            Printable.escape(result.local()), Printable.escape(result.note())));
        }
      }
    }
    out.append(deletions.summary());
    long failed = count(FileStatus.FAILED);
    long differs = count(FileStatus.DIFFERS);
    long interrupted = count(FileStatus.INTERRUPTED);
    out.append(String.format(Locale.ROOT,
      "kirim: %s%d file(s) x %d target(s): %d %s, %d skipped, %s%d failed%s; %s in %.2f s%s",
      dryRun ? "DRY RUN, nothing was sent: " : "", fileCount(), destinations().size(),
      sentOrWouldBe(count(FileStatus.SENT), count(FileStatus.WOULD_SEND)), sentLabel(),
      count(FileStatus.SKIPPED), differs(differs), failed, interrupted(interrupted), bytes(bytesSent()),
      durationMs / 1000.0, interrupted > 0 ? " — INTERRUPTED: " + againAfterInterruption()
        : failed + differs > 0 ? (failed == 0 ? " — NOT DELIVERED: copies that differ above" : " — FAILURES above")
        : fileCount() == 0 ? " — nothing to push: no file selected (see 'files' and 'exclude')"
        : dryRun ? "" : " — all delivered"));
    return out.toString();
  }

  /**
   * A new run resumes an interrupted upload only on a server that authenticated this client (its partials are
   * labelled with the client's name); an anonymous client's resume id lived in the interrupted process only.
   */
  private String againAfterInterruption() {
    boolean resumes = targets.stream()
      .filter(target -> target.count(FileStatus.INTERRUPTED) > 0)
      .allMatch(target -> target.client() != null);
    return resumes ? "run it again to resume"
      : "run it again to send the rest (from the start: only a server that authenticates this client resumes)";
  }

  /** In a dry run, the files that would be sent take the place of those sent. */
  private long sentOrWouldBe(long sent, long wouldSend) {
    return dryRun ? wouldSend : sent;
  }

  private String sentLabel() {
    return dryRun ? "would be sent" : "sent";
  }

  /** "N differ, " when some do: the count is left out on the usual day so that the line stays short. */
  private static String differs(long count) {
    return count == 0 ? "" : count + " differ, ";
  }

  /** ", N interrupted" when some were: only an interrupted push mentions it. */
  private static String interrupted(long count) {
    return count == 0 ? "" : ", " + count + " interrupted";
  }

  /** {@code host:port}, and the cluster target it came from when resolved from one */
  private static String label(TargetReport target) {
    return target.via() == null || target.via().equals(target.target()) ? target.target()
      : target.target() + " (" + target.via() + ")";
  }

  private static long rate(long bytes, long millis) {
    return millis <= 0 ? bytes : bytes * 1000 / millis;
  }

  static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}
