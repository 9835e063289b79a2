package dev.kirim.client;

import io.vertx.core.json.JsonObject;

import java.util.List;

/** What happened on one target: every file's result and the totals. */
public record TargetReport(String target, String server, List<FileResult> results, long durationMs) {

  public long count(String status) {
    return results.stream().filter(r -> r.status().equals(status)).count();
  }

  /** @return bytes of the files sent (skipped files moved no bytes) */
  public long bytesSent() {
    return results.stream().filter(r -> r.status().equals(FileResult.SENT)).mapToLong(FileResult::bytes).sum();
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("target", target)
      .put("server", server)
      .put("sent", count(FileResult.SENT))
      .put("skipped", count(FileResult.SKIPPED))
      .put("failed", count(FileResult.FAILED))
      .put("bytesSent", bytesSent())
      .put("durationMs", durationMs);
  }
}
