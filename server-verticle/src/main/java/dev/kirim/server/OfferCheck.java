package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.protocol.ProtocolException;
import io.vertx.core.Future;

import java.nio.file.Path;

/**
 * Decides the answer to an offer: accept it (with the resume offset), skip it, or refuse it (a failed future
 * carrying the {@link ProtocolException} to send). An accepted upload holds the name's claim; on any other
 * outcome the claim is released here.
 */
final class OfferCheck {

  private final ServerContext server;
  private final String owner;

  /** @param owner who claims names: one connection */
  OfferCheck(ServerContext server, String owner) {
    this.server = server;
    this.owner = owner;
  }

  Future<OfferDecision> check(Message.Offer offer) {
    Path target;
    try {
      target = server.storage().resolve(offer.name());
    } catch (ProtocolException e) {
      return Future.failedFuture(e);
    }
    long maxFileBytes = server.options().getLimits().getMaxFileBytes();
    if (offer.size() > maxFileBytes) {
      return Future.failedFuture(new ProtocolException(ErrorCode.TOO_LARGE,
        "'" + offer.name() + "' is " + offer.size() + " bytes, this server accepts at most " + maxFileBytes));
    }
    UploadClaims.Claim claim = server.claims().tryClaim(target, owner);
    if (claim == null) {
      return Future.failedFuture(new ProtocolException(ErrorCode.BUSY,
        "'" + offer.name() + "' is already being uploaded; try again later"));
    }
    return survey(offer, target)
      .compose(survey -> decide(offer, target, claim, survey))
      .andThen(ar -> {
        if (!(ar.succeeded() && ar.result() instanceof OfferDecision.Accept)) {
          claim.release();
        }
      });
  }

  /** Everything the answer depends on, in one worker task: what exists, the free space, the partial file. */
  private Future<Survey> survey(Message.Offer offer, Path target) {
    boolean skipping = server.options().getOnExisting() == OnExisting.SKIP;
    String resumeKey = PartialFiles.resumeKey(offer, server.options().isResume());
    return server.vertx().executeBlocking(() -> new Survey(
      server.storage().inspectNow(target, offer.checksumAlgorithm(), skipping),
      server.storage().usableSpaceNow(),
      server.partials().partialFor(target, resumeKey, offer.size(), offer.checksumAlgorithm()),
      resumeKey != null), false);
  }

  private Future<OfferDecision> decide(Message.Offer offer, Path target, UploadClaims.Claim claim, Survey survey) {
    OnExisting policy = server.options().getOnExisting();
    if (survey.existing().exists() && policy == OnExisting.FAIL) {
      return Future.failedFuture(new ProtocolException(ErrorCode.EXISTS,
        "'" + offer.name() + "' already exists on the server and its policy is onExisting=fail"));
    }
    if (survey.existing().exists() && policy == OnExisting.SKIP) {
      return Future.succeededFuture(new OfferDecision.Skip(survey.existing()));
    }
    long needed = offer.size() - survey.partial().offset();
    long reserve = server.options().getLimits().getMinFreeBytes();
    if (survey.freeBytes() - needed < reserve) {
      return Future.failedFuture(new ProtocolException(ErrorCode.NO_SPACE, "'" + offer.name() + "' needs "
        + needed + " bytes, the server has " + survey.freeBytes() + " free and keeps " + reserve + " in reserve"));
    }
    return Future.succeededFuture(new OfferDecision.Accept(
      new Upload(server, offer, target, survey.partial(), claim, survey.resumable())));
  }

  private record Survey(StorageDirectory.Existing existing, long freeBytes, PartialFiles.Partial partial,
                        boolean resumable) {
  }
}
