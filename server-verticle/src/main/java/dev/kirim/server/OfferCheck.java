package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.protocol.ProtocolException;
import io.vertx.core.Future;

import java.nio.file.Path;

/**
 * Decides the answer to one offer: {@code send} (with the resume offset), {@code skip} or an error. On
 * {@code send} the name stays claimed for this connection until its upload ends; otherwise it is released.
 */
class OfferCheck {

  private final ServerConnection connection;
  private final Message.Offer offer;
  private final Storage storage;
  private final ServerOptions options;

  OfferCheck(ServerConnection connection, Message.Offer offer) {
    this.connection = connection;
    this.offer = offer;
    this.storage = connection.storage();
    this.options = connection.options();
  }

  Future<Message> run() {
    Path target;
    try {
      target = storage.resolve(offer.name());
    } catch (ProtocolException e) {
      return Future.failedFuture(e);
    }
    long maxFileBytes = options.getLimits().getMaxFileBytes();
    if (offer.size() > maxFileBytes) {
      return Future.failedFuture(new ProtocolException(ErrorCode.TOO_LARGE,
        "'" + offer.name() + "' is " + offer.size() + " bytes, this server accepts at most " + maxFileBytes));
    }
    if (!storage.claim(target, connection.owner())) {
      return Future.failedFuture(new ProtocolException(ErrorCode.BUSY,
        "'" + offer.name() + "' is being uploaded by another connection; try again later"));
    }
    return checkExisting(target)
      .compose(skip -> skip != null ? Future.succeededFuture(skip) : checkSpace().compose(v -> accept(target)))
      .andThen(ar -> {
        if (ar.failed() || !(ar.result() instanceof Message.Send)) {
          storage.release(target, connection.owner());
        }
      });
  }

  /** @return a {@code skip} when the existing file is to be kept, {@code null} to go on */
  private Future<Message> checkExisting(Path target) {
    OnExisting policy = options.getOnExisting();
    return storage.inspect(target, offer.checksumAlgorithm(), policy == OnExisting.SKIP).compose(existing -> {
      if (!existing.exists() || policy == OnExisting.OVERWRITE || policy == OnExisting.RENAME) {
        return Future.succeededFuture();
      }
      if (policy == OnExisting.FAIL) {
        return Future.failedFuture(new ProtocolException(ErrorCode.EXISTS,
          "'" + offer.name() + "' already exists on the server and its policy is onExisting=fail"));
      }
      return Future.succeededFuture(new Message.Skip(offer.id(), "exists", existing.size(), existing.checksum()));
    });
  }

  private Future<Void> checkSpace() {
    long reserve = options.getLimits().getMinFreeBytes();
    return storage.freeBytes().compose(free -> {
      if (free - offer.size() < reserve) {
        return Future.failedFuture(new ProtocolException(ErrorCode.NO_SPACE, "'" + offer.name() + "' needs "
          + offer.size() + " bytes, the server has " + free + " free and keeps " + reserve + " in reserve"));
      }
      return Future.succeededFuture();
    });
  }

  private Future<Message> accept(Path target) {
    String resumeKey = options.isResume() && offer.mtime() != null
      ? offer.name() + "|" + offer.size() + "|" + offer.mtime() + "|" + offer.checksumAlgorithm().wireName()
      : null;
    return storage.partialFor(target, resumeKey, offer.size(), offer.checksumAlgorithm()).map(partial -> {
      connection.accept(new Upload(offer, target, partial));
      return new Message.Send(offer.id(), partial.offset());
    });
  }
}
