package dev.kirim.cluster;

import io.vertx.core.eventbus.Message;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Objects;

/**
 * Published on {@link KirimCluster#RECEIVED_ADDRESS} once a file is published on a server (verified, synced,
 * renamed): the moment a consumer may rely on it. A server with a cluster secret signs each event: the body
 * stays this JSON object, and the header {@link #SIGNATURE_HEADER} carries the signature, so that a consumer
 * that acts on events can tell them from events any member of the cluster could publish ({@link #verified}).
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

  /** The header of a signed event: the envelope {@link ClusterSecret} made of its body, as JSON text. */
  public static final String SIGNATURE_HEADER = "kirim-signature";
  /** How long an event's signature holds: a consumer refuses an event older than that as stale. */
  public static final long SIGNATURE_VALIDITY_MS = 60_000;

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

  /**
   * @return the event {@code message} carries, once its signature (made with the cluster's secret by the server
   *   that published it) checks out and its body is what was signed
   * @throws ClusterSecret.SignatureException saying why not: no signature, another secret, expired, or a body
   *   that is not what was signed
   */
  public static ReceivedEvent verified(Message<?> message, ClusterSecret secret)
    throws ClusterSecret.SignatureException {
    String signature = message.headers().get(SIGNATURE_HEADER);
    if (signature == null) {
      throw new ClusterSecret.SignatureException("not signed with the cluster secret (no '" + SIGNATURE_HEADER
        + "' header: the server that published it has no cluster secret)");
    }
    JsonObject envelope;
    try {
      envelope = new JsonObject(signature);
    } catch (DecodeException e) {
      throw new ClusterSecret.SignatureException("its '" + SIGNATURE_HEADER + "' header is not a signed envelope");
    }
    JsonObject signed = secret.verify(envelope, ClusterSecret.Purpose.EVENT).payload();
    if (!(message.body() instanceof JsonObject body) || !body.equals(signed)) {
      throw new ClusterSecret.SignatureException("its body is not what was signed");
    }
    try {
      return fromJson(signed);
    } catch (IllegalArgumentException e) {
      throw new ClusterSecret.SignatureException("what was signed is not a received event");
    }
  }
}
