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
        "'" + offer.name() + "' is already being uploaded; try again later"));
    }
    OnExisting policy = options.getOnExisting();
    return storage.survey(target, offer.checksumAlgorithm(), policy == OnExisting.SKIP, resumeKey(), offer.size())
      .compose(survey -> decide(target, survey))
      .andThen(ar -> {
        if (ar.failed() || !(ar.result() instanceof Message.Send)) {
          storage.release(target, connection.owner());
        }
      });
  }

  private Future<Message> decide(Path target, Storage.Survey survey) {
    OnExisting policy = options.getOnExisting();
    if (survey.existing().exists() && policy == OnExisting.FAIL) {
      return Future.failedFuture(new ProtocolException(ErrorCode.EXISTS,
        "'" + offer.name() + "' already exists on the server and its policy is onExisting=fail"));
    }
    if (survey.existing().exists() && policy == OnExisting.SKIP) {
      return Future.succeededFuture(
        new Message.Skip(offer.id(), "exists", survey.existing().size(), survey.existing().checksum()));
    }
    long needed = offer.size() - survey.partial().offset();
    long reserve = options.getLimits().getMinFreeBytes();
    if (survey.freeBytes() - needed < reserve) {
      return Future.failedFuture(new ProtocolException(ErrorCode.NO_SPACE, "'" + offer.name() + "' needs "
        + needed + " bytes, the server has " + survey.freeBytes() + " free and keeps " + reserve + " in reserve"));
    }
    if (!connection.accept(new Upload(connection.vertx(), offer, target, survey.partial(),
      options.getLimits().getChunkBytes()))) {
      return Future.failedFuture(new ProtocolException(ErrorCode.BUSY, "more than "
        + options.getLimits().getMaxPendingOffers() + " accepted offers wait for their data"));
    }
    return Future.succeededFuture(new Message.Send(offer.id(), survey.partial().offset()));
  }

  /** Identifies the same file across connections; without an mtime there is no telling, so no resume. */
  private String resumeKey() {
    if (!options.isResume() || offer.mtime() == null) {
      return null;
    }
    return offer.name() + "|" + offer.size() + "|" + offer.mtime() + "|" + offer.checksumAlgorithm().wireName();
  }
}
