package dev.kirim.server;

import dev.kirim.cluster.KirimCluster;
import dev.kirim.cluster.ReceivedEvent;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;

/**
 * Tells the event bus (the cluster's when clustered, this Vert.x's otherwise) of every published file, as a
 * {@link ReceivedEvent} on {@code kirim.received}: the file is verified, synced and under its final name, so a
 * consumer may use it at once. The server verticle installs it; a server embedded elsewhere need not.
 */
final class ReceivedEventPublisher implements Handler<StoredFile> {

  private final Vertx vertx;

  ReceivedEventPublisher(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public void handle(StoredFile file) {
    ReceivedEvent event = new ReceivedEvent(file.name(), file.storedAs(), file.bytes(), file.checksum(),
      file.serverId(), file.peer(), file.clientId(), file.storedAt());
    vertx.eventBus().publish(KirimCluster.RECEIVED_ADDRESS, event.toJson());
  }
}
