package dev.kirim.client;

import io.vertx.core.json.JsonObject;

/**
 * The outcome of one file on one target, as it appears in the report.
 *
 * @param status           how it ended
 * @param storedAs         the name the server stored it under (differs from {@code name} under its rename policy)
 * @param bytes            the file's size (for a skip: the size of the server's copy)
 * @param bytesTransferred body bytes this push sent for it: less than {@code bytes} after a resume, 0 for a skip
 * @param resumedFrom      where the server had the body continue (bytes it already held), 0 for a fresh upload
 * @param errorCode        a server {@link dev.kirim.protocol.ErrorCode} ({@code bad_name}, {@code busy}, …) or a
 *                         {@link ClientErrorCode} ({@code not_found}, {@code connect_failed}, …), by wire name
 * @param note             why a file {@code differs}: both versions and how to have it replaced
 */
public record FileResult(String target, String server, String name, String storedAs, String local, FileStatus status,
                         long bytes, long bytesTransferred, long resumedFrom, String checksum, String errorCode,
                         String errorMessage, long durationMs, int attempts, String note) {

  public boolean failed() {
    return status == FileStatus.FAILED;
  }

  /**
   * @return whether the target now holds this file: sent, or skipped as the same (a skip with a note is a
   *   symbolic link that was not followed: nothing of it is on the target)
   */
  public boolean delivered() {
    return status == FileStatus.SENT || status == FileStatus.SKIPPED && note == null;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("target", target)
      .put("server", server)
      .put("name", name)
      .put("storedAs", storedAs)
      .put("local", local)
      .put("status", status.wireName())
      .put("bytes", bytes)
      .put("bytesTransferred", bytesTransferred)
      .put("resumedFrom", resumedFrom)
      .put("checksum", checksum)
      .put("durationMs", durationMs)
      .put("attempts", attempts);
    json.put("error", errorCode == null ? null : new JsonObject().put("code", errorCode).put("message", errorMessage));
    if (note != null) {
      json.put("note", note);
    }
    return json;
  }
}
