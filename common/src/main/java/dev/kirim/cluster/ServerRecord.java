package dev.kirim.cluster;

import dev.kirim.net.Addresses;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Objects;

/**
 * What a running server says about itself in the {@link KirimCluster#SERVERS_MAP registry}: enough for a
 * client to connect ({@code host}, {@code port}) and to choose ({@code freeBytes}).
 *
 * @param serverId  the id the server reports in its {@code welcome}; the registry key
 * @param host      an address clients can reach (the server's {@code advertisedHost})
 * @param port      its TCP port
 * @param freeBytes room for new uploads: usable space on its storage above its {@code limits.minFreeBytes}
 *                  reserve, less what uploads in flight will still write ({@code reservedBytes})
 * @param version   the kirim version it runs
 * @param instances how many server verticle instances share the port
 * @param nodeId    the Vert.x cluster node id, {@code null} when not clustered
 * @param updatedAt when the record was last written
 * @param reservedBytes space promised to uploads in flight that they have not written yet
 * @param uploads   uploads in flight holding such a reservation
 */
public record ServerRecord(String serverId, String host, int port, long freeBytes, String version, int instances,
                           String nodeId, Instant updatedAt, long reservedBytes, int uploads) {

  public ServerRecord {
    Objects.requireNonNull(serverId, "serverId");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  /** A record with no upload in flight. */
  public ServerRecord(String serverId, String host, int port, long freeBytes, String version, int instances,
                      String nodeId, Instant updatedAt) {
    this(serverId, host, port, freeBytes, version, instances, nodeId, updatedAt, 0, 0);
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("serverId", serverId)
      .put("host", host)
      .put("port", port)
      .put("freeBytes", freeBytes)
      .put("version", version)
      .put("instances", instances)
      .put("nodeId", nodeId)
      .put("updatedAt", updatedAt.toString())
      .put("reservedBytes", reservedBytes)
      .put("uploads", uploads);
  }

  /**
   * @throws IllegalArgumentException when a required field is missing or of the wrong type
   */
  public static ServerRecord fromJson(JsonObject json) {
    try {
      return new ServerRecord(json.getString("serverId"), json.getString("host"), json.getInteger("port"),
        json.getLong("freeBytes", 0L), json.getString("version"), json.getInteger("instances", 1),
        json.getString("nodeId"), Instant.parse(json.getString("updatedAt")), json.getLong("reservedBytes", 0L),
        json.getInteger("uploads", 0));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a kirim server record: " + json.encode(), e);
    }
  }

  /** @return {@code host:port}, IPv6 literals in brackets: the form a client target takes */
  public String address() {
    return Addresses.hostPort(host, port);
  }
}
