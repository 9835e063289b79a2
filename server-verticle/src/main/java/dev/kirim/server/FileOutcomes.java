package dev.kirim.server;

import dev.kirim.protocol.Message;
import dev.kirim.cluster.KirimCluster;
import dev.kirim.cluster.ReceivedEvent;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;

/**
 * What one connection tells the world about its files: a log line per offer refused or skipped and per file
 * stored (the seed's "server read … / copied N bytes"), and a {@code kirim.received} event per file published.
 */
final class FileOutcomes {

  // The connection's logger: these lines belong with its "Connection from …" lines.
  private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);

  private final Vertx vertx;
  private final String serverId;
  private final String peer;
  private String clientId = "?";

  FileOutcomes(Vertx vertx, String serverId, String peer) {
    this.vertx = vertx;
    this.serverId = serverId;
    this.peer = peer;
  }

  void clientId(String clientId) {
    this.clientId = clientId;
  }

  void offerAnswered(Message.Offer offer, Message answer) {
    if (answer instanceof Message.Skip skip) {
      log.info("{}: server read '{}': exists ({} bytes), skipped", peer, offer.name(), skip.size());
    } else if (answer instanceof Message.Error error) {
      log.info("{}: server read '{}': refused: {}: {}", peer, offer.name(), error.code().wireName(), error.message());
    } else if (answer instanceof Message.Send send) {
      log.debug("{}: server read '{}': send from offset {}", peer, offer.name(), send.offset());
    }
  }

  void commitAnswered(Upload upload, Message answer) {
    long millis = (System.nanoTime() - upload.startedAt) / 1_000_000;
    if (answer instanceof Message.Done done) {
      log.info("{}: copied {} bytes into '{}' ({}) in {} ms", peer, done.bytes(), done.name(), done.checksum(), millis);
    } else if (answer instanceof Message.Error error) {
      log.warn("{}: '{}' failed after {} ms: {}: {}", peer, upload.offer.name(), millis, error.code().wireName(),
        error.message());
    } else {
      log.info("{}: '{}' appeared meanwhile, skipped", peer, upload.offer.name());
    }
  }

  /**
   * Tells the event bus (the cluster when clustered, this Vert.x otherwise) that a file was published: it is
   * verified, synced and under its final name, so a consumer may use it at once.
   */
  void published(String offeredName, Message.Done done) {
    ReceivedEvent event = new ReceivedEvent(offeredName, done.name(), done.bytes(), done.checksum(), serverId, peer,
      clientId, Instant.now());
    vertx.eventBus().publish(KirimCluster.RECEIVED_ADDRESS, event.toJson());
  }
}
