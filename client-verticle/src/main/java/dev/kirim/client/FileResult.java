package dev.kirim.client;

import io.vertx.core.json.JsonObject;

/**
 * The outcome of one file on one target, as it appears in the report.
 *
 * @param status      {@code sent}, {@code skipped} (already on the server) or {@code failed}
 * @param storedAs    the name the server stored it under (differs from {@code name} under its rename policy)
 * @param errorCode   a server error code ({@code bad_name}, {@code busy}, …) or a local one ({@code not_found},
 *                    {@code unreadable}, {@code no_match}, {@code connect_failed}, {@code connection_lost},
 *                    {@code no_server}, …)
 * @param note        something worth knowing about a success, e.g. a skipped file whose server copy differs
 */
public record FileResult(String target, String server, String name, String storedAs, String local, String status,
                         long bytes, String checksum, String errorCode, String errorMessage, long durationMs,
                         int attempts, String note) {

  public static final String SENT = "sent";
  public static final String SKIPPED = "skipped";
  public static final String FAILED = "failed";
  /** Error code of a cluster target ({@code cluster:all|any}) when no server is registered. */
  public static final String NO_SERVER = "no_server";

  public boolean failed() {
    return FAILED.equals(status);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("target", target)
      .put("server", server)
      .put("name", name)
      .put("storedAs", storedAs)
      .put("local", local)
      .put("status", status)
      .put("bytes", bytes)
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
