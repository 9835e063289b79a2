package dev.kirim.server;

import dev.kirim.cluster.KirimCluster;
import dev.kirim.cluster.ReceivedEvent;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;

/**
 * Tells the event bus (the cluster's when clustered, this Vert.x's otherwise) of every published file, as a
 * {@link ReceivedEvent} on {@code kirim.received}: the file is verified, synced and under its final name, so a
 * consumer may use it at once. The server verticle installs it; an application embedding a
 * {@link KirimServer} installs it when it wants the events: {@code server.uploadHandler(new ReceivedEventPublisher(vertx))}.
 */
public final class ReceivedEventPublisher implements Handler<ReceivedEvent> {

  private final Vertx vertx;

  public ReceivedEventPublisher(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public void handle(ReceivedEvent event) {
    vertx.eventBus().publish(KirimCluster.RECEIVED_ADDRESS, event.toJson());
  }
}
