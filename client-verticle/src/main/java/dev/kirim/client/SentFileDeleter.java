package dev.kirim.client;

import dev.kirim.io.IoErrors;
import dev.kirim.protocol.ChecksumAlgorithm;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.FileProps;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * {@code deleteAfterSend}: once a push is over, deletes each local file that every target holds, and nothing
 * else. A file counts as held by a target when it was {@code sent} there ({@code done}), or skipped because the
 * server already has the same file ({@link FileResult#delivered}). The servers {@code cluster:any} went through
 * count as one target: the file needs to be on one of them. Before deleting, the file is read once more: its
 * checksum must be the one every target confirmed or reported (size and modification time are too little to
 * destroy the only other copy on: a skip under {@code compare: size-mtime} rests on them alone, and a rewrite
 * can keep both). A failed file, a skipped link, a server copy that differs, or one target short, and the file
 * is kept. So is a file modified since it was sent: the next push sends that version. A followed symbolic link
 * is deleted itself, never its target. Everything goes through {@code vertx.fileSystem()} or a worker: no event
 * loop blocks.
 */
final class SentFileDeleter {

  private static final int READ_BUFFER_BYTES = 1024 * 1024;

  private final Vertx vertx;
  private final PushReport report;
  // The local files each destination reports on (the servers cluster:any went through are one destination).
  private final List<Set<String>> reportedByDestination;

  private SentFileDeleter(Vertx vertx, PushReport report) {
    this.vertx = vertx;
    this.report = report;
    // Once for the push, not once per file (10 000 files × 10 000 results otherwise).
    this.reportedByDestination = report.destinations().stream()
      .map(servers -> servers.stream().flatMap(target -> target.results().stream()).map(FileResult::local)
        .collect(Collectors.toSet()))
      .toList();
  }

  /** @return {@code report} with what was deleted, when {@code job} asks for it; never a failed future */
  static Future<PushReport> deleteDelivered(Vertx vertx, PushJob job, PushReport report) {
    if (!job.isDeleteAfterSend()) {
      return Future.succeededFuture(report);
    }
    return new SentFileDeleter(vertx, report).run();
  }

  private Future<PushReport> run() {
    Map<String, List<FileResult>> byLocal = new LinkedHashMap<>();
    report.results().forEach(result -> byLocal.computeIfAbsent(result.local(), local -> new ArrayList<>()).add(result));
    Map<String, Deletions.Deletion> outcomes = new LinkedHashMap<>();
    List<Future<?>> deletions = new ArrayList<>();
    byLocal.forEach((local, results) -> deletions.add(decide(local, results)
      .otherwise(e -> failed("cannot delete " + local + ": " + describe(e)))
      .map(outcome -> outcomes.put(local, outcome))));
    return Future.join(deletions).transform(done -> Future.succeededFuture(new PushReport(report.startedAt(),
      report.durationMs(), report.targets(), new Deletions(true, outcomes), report.dryRun(), report.clusters())));
  }

  private Future<Deletions.Deletion> decide(String local, List<FileResult> results) {
    if (!results.stream().allMatch(FileResult::delivered) || !reachedEveryDestination(local)) {
      return Future.succeededFuture(new Deletions.Deletion(Deletions.Outcome.KEPT, null));
    }
    long size = results.get(0).bytes();
    if (results.stream().anyMatch(r -> r.bytes() != size)) {
      return Future.succeededFuture(changed("the targets hold copies of different sizes"));
    }
    return vertx.fileSystem().props(local).compose(props -> {
      String change = changeOf(props, size);
      if (change != null) {
        return Future.succeededFuture(changed(change));
      }
      return differenceFromHeld(local, size, results).compose(difference -> difference != null
        ? Future.succeededFuture(changed(difference))
        : vertx.fileSystem().delete(local).map(v -> new Deletions.Deletion(Deletions.Outcome.DELETED, null)));
    });
  }

  /**
   * Every listed and {@code cluster:all} target must report the file; the servers {@code cluster:any} went through
   * count as one, of which one reports it (the one that took it). A destination without it (which would be a
   * bug) keeps the file.
   */
  private boolean reachedEveryDestination(String local) {
    return reportedByDestination.stream().allMatch(locals -> locals.contains(local));
  }

  private String changeOf(FileProps props, long size) {
    if (!props.isRegularFile()) {
      return "no longer a regular file";
    }
    if (props.size() != size) {
      return "its size is " + props.size() + " bytes now, the targets hold " + size + ": modified during the push";
    }
    if (props.lastModifiedTime() > report.startedAt().toEpochMilli()) {
      return "modified during the push";
    }
    return null;
  }

  /**
   * Reads the file once more, in each algorithm the targets' checksums are in: what it holds now must be what
   * every target confirmed ({@code done}) or reported holding (a skip). A rewrite that kept the size and set
   * an older modification time ({@code cp -p}, {@code touch -r}, a lagging file server's clock) passes every
   * other check, and deleting it would lose the only copy of that version.
   *
   * @return null when every target holds what the file holds, else why the file is kept
   */
  private Future<String> differenceFromHeld(String local, long size, List<FileResult> results) {
    if (results.stream().anyMatch(r -> r.checksum() == null || r.checksum().indexOf(':') < 0)) {
      return Future.succeededFuture("a target's copy cannot be compared with it (no checksum)");
    }
    Set<String> held = results.stream().map(FileResult::checksum).collect(Collectors.toCollection(TreeSet::new));
    return vertx.executeBlocking(() -> {
      for (String theirs : held) {
        String ours = checksum(Path.of(local), size, theirs);
        if (!ours.equals(theirs)) {
          return "the file holds " + ours + " now, a target holds " + theirs + ": this version is not on every target";
        }
      }
      return null;
    }, false);
  }

  /** Reads {@code size} bytes of {@code path} into the algorithm {@code like} names ({@code crc32c:…}); blocking. */
  private static String checksum(Path path, long size, String like) throws IOException {
    ChecksumAlgorithm.Checksum checksum = ChecksumAlgorithm.fromWireName(like.substring(0, like.indexOf(':'))).start();
    ByteBuffer buffer = ByteBuffer.allocateDirect((int) Math.min(READ_BUFFER_BYTES, Math.max(1, size)));
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      long read = 0;
      while (read < size) {
        buffer.clear().limit((int) Math.min(buffer.capacity(), size - read));
        int n = channel.read(buffer);
        if (n < 0) {
          return "(shorter than " + size + " bytes)";
        }
        read += n;
        checksum.update(buffer.flip());
      }
    }
    return checksum.value();
  }

  private static Deletions.Deletion changed(String why) {
    return new Deletions.Deletion(Deletions.Outcome.CHANGED, why);
  }

  private static Deletions.Deletion failed(String message) {
    return new Deletions.Deletion(Deletions.Outcome.FAILED, message);
  }

  /** Vert.x wraps the NIO exception, whose type tells the kind of failure. */
  private static String describe(Throwable failure) {
    return IoErrors.describe(failure.getCause() instanceof IOException io ? io : failure);
  }
}
