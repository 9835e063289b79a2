package dev.kirim.server.http;

import dev.kirim.server.KirimServer;
import dev.kirim.server.ServerActivity;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;

/**
 * {@code GET /api/status}: what the status page shows, as JSON. Names and client ids are already escaped
 * ({@link dev.kirim.protocol.Printable}); the page inserts them as text, never as HTML.
 */
final class StatusJson {

  private StatusJson() {
  }

  static JsonObject of(KirimServer server) {
    ServerActivity activity = server.activity();
    Instant now = Instant.now();
    JsonArray connections = new JsonArray();
    activity.connections().forEach(c -> connections.add(new JsonObject()
      .put("peer", c.peer).put("client", c.clientId).put("openedAt", c.openedAt.toString())));
    JsonArray uploads = new JsonArray();
    activity.transfers().forEach(t -> uploads.add(new JsonObject()
      .put("name", t.name).put("client", t.clientId).put("peer", t.peer).put("size", t.size)
      .put("received", t.received()).put("resumedFrom", t.resumedFrom)
      .put("startedAt", t.startedAt.toString())
      .put("seconds", Duration.between(t.startedAt, now).toMillis() / 1000.0)));
    JsonArray recent = new JsonArray();
    activity.recentFiles().forEach(f -> recent.add(new JsonObject()
      .put("name", f.name()).put("client", f.clientId()).put("peer", f.peer()).put("bytes", f.bytes())
      .put("ms", f.millis()).put("at", f.at().toString())));
    JsonArray throughput = new JsonArray();
    activity.throughput().forEach(point -> throughput.add(new JsonArray().add(point[0]).add(point[1])));
    return new JsonObject()
      .put("serverId", activity.serverId())
      .put("address", activity.address())
      .put("startedAt", activity.startedAt().toString())
      .put("uptimeSeconds", Duration.between(activity.startedAt(), now).toSeconds())
      .put("now", now.toString())
      .put("storageDir", server.options().getStorageDir().toString())
      .put("freeBytes", activity.freeBytes())
      .put("minFreeBytes", server.options().getLimits().getMinFreeBytes())
      .put("connections", connections)
      .put("uploads", uploads)
      .put("recent", recent)
      .put("throughput", throughput);
  }
}
