package dev.kirim.cluster;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Objects;

/**
 * Published on {@link KirimCluster#RECEIVED_ADDRESS} once a file is published on a server (verified, synced,
 * renamed): the moment a consumer may rely on it.
 *
 * @param name     the name the client offered
 * @param storedAs the name it was stored under (differs under {@code onExisting: rename})
 * @param bytes    its size
 * @param checksum {@code algorithm:hex}
 * @param server   the server id
 * @param client   the client's peer address ({@code host:port})
 * @param clientId the id the client introduced itself with
 * @param storedAt when it was published
 */
public record ReceivedEvent(String name, String storedAs, long bytes, String checksum, String server, String client,
                            String clientId, Instant storedAt) {

  public ReceivedEvent {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(storedAt, "storedAt");
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("name", name)
      .put("storedAs", storedAs)
      .put("bytes", bytes)
      .put("checksum", checksum)
      .put("server", server)
      .put("client", client)
      .put("clientId", clientId)
      .put("storedAt", storedAt.toString());
  }

  /** @throws IllegalArgumentException when a required field is missing or of the wrong type */
  public static ReceivedEvent fromJson(JsonObject json) {
    try {
      return new ReceivedEvent(json.getString("name"), json.getString("storedAs"), json.getLong("bytes"),
        json.getString("checksum"), json.getString("server"), json.getString("client"), json.getString("clientId"),
        Instant.parse(json.getString("storedAt")));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a kirim received event: " + json.encode(), e);
    }
  }
}
