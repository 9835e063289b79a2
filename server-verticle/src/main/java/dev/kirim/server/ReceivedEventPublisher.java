package dev.kirim.server;

import dev.kirim.cluster.ClusterSecret;
import dev.kirim.cluster.KirimCluster;
import dev.kirim.cluster.ReceivedEvent;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.util.Objects;

/**
 * Tells the event bus (the cluster's when clustered, this Vert.x's otherwise) of every published file, as a
 * {@link ReceivedEvent} on {@code kirim.received}: the file is verified, synced and under its final name, so a
 * consumer may use it at once. The server verticle installs it; an application embedding a
 * {@link KirimServer} installs it when it wants the events:
 * {@code server.uploadHandler(new ReceivedEventPublisher(vertx, options.getClusterSecret()))}. With the cluster's
 * secret, each event is signed ({@link ReceivedEvent#SIGNATURE_HEADER}, checked by {@link ReceivedEvent#verified});
 * {@link #ReceivedEventPublisher(Vertx)} publishes them unsigned.
 */
public final class ReceivedEventPublisher implements Handler<ReceivedEvent> {

  private final Vertx vertx;
  // null: events go unsigned.
  private final ClusterSecret secret;

  public ReceivedEventPublisher(Vertx vertx) {
    this(vertx, null);
  }

  /** @param secret the cluster's secret to sign every event with, or {@code null} */
  public ReceivedEventPublisher(Vertx vertx, ClusterSecret secret) {
    this.vertx = vertx;
    this.secret = secret;
  }

  @Override
  public void handle(ReceivedEvent event) {
    JsonObject json = event.toJson();
    if (secret == null) {
      vertx.eventBus().publish(KirimCluster.RECEIVED_ADDRESS, json);
      return;
    }
    JsonObject signature = secret.sign(json, ClusterSecret.Purpose.EVENT, Objects.toString(event.server(), ""),
      ReceivedEvent.SIGNATURE_VALIDITY_MS);
    vertx.eventBus().publish(KirimCluster.RECEIVED_ADDRESS, json,
      new DeliveryOptions().addHeader(ReceivedEvent.SIGNATURE_HEADER, signature.encode()));
  }
}
