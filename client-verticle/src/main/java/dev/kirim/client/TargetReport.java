package dev.kirim.client;

import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * What happened on one target: every file's result and the totals. {@code via} is the cluster target the
 * server was found through, {@code null} for a listed {@code host:port}; {@code client} the name the server
 * authenticated this client as, {@code null} when it does not authenticate.
 */
public record TargetReport(String target, String via, String server, String client, List<FileResult> results,
                           long durationMs) {

  public TargetReport(String target, String via, String server, List<FileResult> results, long durationMs) {
    this(target, via, server, null, results, durationMs);
  }

  /** Every file failed on a cluster target that named no server: nothing was tried. */
  static TargetReport noServer(String clusterTarget, List<LocalFile> files, String message) {
    List<FileResult> results = files.stream()
      .map(file -> new FileResult(clusterTarget, null, file.remoteName(), null, file.path().toString(),
        FileStatus.FAILED, 0, 0, 0, null, ClientErrorCode.NO_SERVER.wireName(), message, 0, 0, null))
      .toList();
    return new TargetReport(clusterTarget, clusterTarget, null, results, 0);
  }

  public long count(FileStatus status) {
    return results.stream().filter(r -> r.status() == status).count();
  }

  /** @return bytes of the files sent (skipped files moved no bytes) */
  public long bytesSent() {
    return results.stream().filter(r -> r.status() == FileStatus.SENT).mapToLong(FileResult::bytes).sum();
  }

  /** @return body bytes this push sent: less than {@link #bytesSent()} when uploads resumed */
  public long bytesTransferred() {
    return results.stream().mapToLong(FileResult::bytesTransferred).sum();
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("target", target);
    if (via != null) {
      json.put("via", via);
    }
    json
      .put("server", server);
    if (client != null) {
      json.put("client", client);
    }
    json
      .put("sent", count(FileStatus.SENT))
      .put("skipped", count(FileStatus.SKIPPED))
      .put("differs", count(FileStatus.DIFFERS))
      .put("failed", count(FileStatus.FAILED));
    long wouldSend = count(FileStatus.WOULD_SEND);
    if (wouldSend > 0) {
      json.put("wouldSend", wouldSend);
    }
    long interrupted = count(FileStatus.INTERRUPTED);
    if (interrupted > 0) {
      json.put("interrupted", interrupted);
    }
    return json
      .put("bytesSent", bytesSent())
      .put("bytesTransferred", bytesTransferred())
      .put("durationMs", durationMs);
  }
}
