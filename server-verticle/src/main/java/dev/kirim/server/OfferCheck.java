package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.protocol.NameRules;
import dev.kirim.protocol.ProtocolException;
import dev.kirim.server.auth.Namespace;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Decides the answer to an offer: accept it (with the resume offset), skip it, refuse it (a failed future
 * carrying the {@link ProtocolException} to send), or, for a dry run, say what a real offer would do. An
 * accepted upload holds the name's claim; on any other outcome the claim is released here.
 * <p>
 * Whether a stored copy is the same as the offered file is decided by {@link Sameness}; the policy then
 * decides what happens to a copy that differs. Nothing here reads a stored file's bytes unless the offer asks
 * for a content comparison and the copy's checksum is not remembered ({@link ChecksumCache}), or the copy is
 * smaller than {@link ChecksumCache#SMALLEST_REMEMBERED} (read for the checksum a skip tells).
 */
final class OfferCheck {

  private final ServerContext server;
  private final String owner;
  // Completes when this connection's latest wait for a name is over. Later offers claim only after it: a
  // name they claimed would stay held while their send waits behind the waiting reply, and two connections
  // could then wait for each other.
  private Future<Void> waitsBefore = Future.succeededFuture();
  private boolean closed;
  private Namespace namespace = Namespace.OPEN;

  /** @param owner who claims names: one connection */
  OfferCheck(ServerContext server, String owner) {
    this.server = server;
    this.owner = owner;
  }

  /** From the hello on: the client's names resolve in {@code namespace}, and count against its quota. */
  void confine(Namespace namespace) {
    this.namespace = namespace;
  }

  Future<OfferDecision> check(Message.Offer offer) {
    Path target;
    try {
      // A name that would leave the namespace breaks the name rules ('..'): bad_name, as anywhere.
      target = server.storage().resolve(namespace.storedName(NameRules.check(offer.name())));
    } catch (ProtocolException e) {
      return Future.failedFuture(e);
    }
    long maxFileBytes = server.options().getLimits().getMaxFileBytes();
    if (offer.size() > maxFileBytes) {
      return Future.failedFuture(new ProtocolException(ErrorCode.TOO_LARGE,
        "'" + offer.name() + "' is " + offer.size() + " bytes, this server accepts at most " + maxFileBytes));
    }
    if (offer.previewOnly()) {
      // A dry run claims nothing: it may answer differently from a real offer racing with another upload.
      return survey(offer, target, true).compose(survey -> decide(offer, target, null, survey));
    }
    // Another connection's upload of the name is waited for, within the idle timeout of this one.
    long waitMs = server.options().getLimits().getSameNameWaitMs();
    UploadClaims claims = server.claims();
    Future<UploadClaims.Claim> claimed = waitsBefore.isComplete() ? claims.claim(target, owner, waitMs)
      : waitsBefore.transform(ar -> closed ? Future.succeededFuture(null) : claims.claim(target, owner, waitMs));
    if (!claimed.isComplete()) {
      waitsBefore = claimed.transform(ar -> Future.succeededFuture());
    }
    return claimed.compose(claim -> {
      if (claim != null && !closed) {
        return checkClaimed(offer, target, claim);
      }
      if (claim != null) {
        // Won after the connection went: nothing may be changed for an offer nobody waits for.
        claim.release();
      }
      return Future.failedFuture(new ProtocolException(ErrorCode.BUSY, "'" + offer.name()
        + "' is being uploaded by this connection, or was by another for " + waitMs + " ms; try again later"));
    });
  }

  /** @return who this check claims names for: its connection */
  String owner() {
    return owner;
  }

  /** The connection is gone: its offers still waiting for a name stop waiting (and answer nobody). */
  void close() {
    closed = true;
    server.claims().abandonWaits(owner);
  }

  private Future<OfferDecision> checkClaimed(Message.Offer offer, Path target, UploadClaims.Claim claim) {
    return survey(offer, target, false)
      .compose(survey -> decide(offer, target, claim, survey))
      .andThen(ar -> {
        if (!(ar.succeeded() && ar.result() instanceof OfferDecision.Accept)) {
          claim.release();
        }
      });
  }

  /**
   * Everything the answer depends on, in one worker task: what exists (with its checksum when the offer
   * compares contents and the sizes agree), the free space, the partial file.
   */
  private Future<Survey> survey(Message.Offer offer, Path target, boolean dryRun) {
    Namespace confinedTo = namespace;
    return server.vertx().executeBlocking(() -> surveyNow(server, confinedTo, offer, target, dryRun), false);
  }

  /** Blocking {@link #survey}, for callers already on a worker. */
  static Survey surveyNow(ServerContext server, Namespace namespace, Message.Offer offer, Path target, boolean dryRun)
    throws IOException {
    StorageDirectory storage = server.storage();
    String resumeKey = PartialFiles.resumeKey(offer, namespace.clientName(), server.options().isResume());
    StorageDirectory.Existing existing = existing(storage, offer, target, dryRun);
    return new Survey(existing, FreeSpace.measureNow(server),
      server.partials().partialFor(target, resumeKey, offer.resumeId(), namespace.clientName() != null, offer.size(),
        offer.checksumAlgorithm(), dryRun));
  }

  /**
   * Blocking {@link #surveyNow} for a put: its body is all here, so no partial is looked for (one to resume
   * would add nothing) and the put writes a partial of its own ({@link PartialFiles#wholeBody}). Two fewer
   * file-system calls and no resume id per small file. The free space is measured by the caller, once for a
   * batch of puts ({@link PutBatch}).
   */
  static Survey surveyPutNow(ServerContext server, Message.Offer offer, Path target, FreeSpace free)
    throws IOException {
    StorageDirectory storage = server.storage();
    OnExisting policy = server.options().getOnExisting();
    // A put publishes at once, in the same task: under a policy that publishes by linking, a name that looks
    // free but is not (a dangling link) makes that link fail, and is looked at properly then.
    StorageDirectory.Existing found = policy == OnExisting.SKIP || policy == OnExisting.FAIL
      ? storage.inspectFreeNameNow(target)
      : storage.inspectNow(target);
    return new Survey(withChecksum(storage, offer, target, false, found), free,
      PartialFiles.wholeBody(target, offer.checksumAlgorithm()));
  }

  /**
   * The stored copy under {@code target}, with its checksum when deciding needs it or it is known (blocking).
   * Only a caller holding the name's claim may pass {@code dryRun} false: a checksum read is then remembered.
   */
  static StorageDirectory.Existing existing(StorageDirectory storage, Message.Offer offer, Path target,
                                            boolean dryRun) throws IOException {
    return withChecksum(storage, offer, target, dryRun, storage.inspectNow(target));
  }

  private static StorageDirectory.Existing withChecksum(StorageDirectory storage, Message.Offer offer, Path target,
                                                        boolean dryRun, StorageDirectory.Existing existing)
    throws IOException {
    return Sameness.needsChecksum(offer, existing)
      ? storage.withChecksumNow(target, existing, offer.checksumAlgorithm(), !dryRun)
      : storage.withKnownChecksumNow(target, existing, offer.checksumAlgorithm());
  }

  private Future<OfferDecision> decide(Message.Offer offer, Path target, UploadClaims.Claim claim, Survey survey) {
    try {
      return Future.succeededFuture(decideNow(server, namespace, offer, target, claim, survey));
    } catch (ProtocolException refusal) {
      return Future.failedFuture(refusal);
    }
  }

  /**
   * The answer to an offer, from its survey: skip, preview (no {@code claim}: a dry run) or accept. An accepted
   * upload's size counts against {@code namespace}'s quota until its claim is released.
   *
   * @throws ProtocolException the refusal to send
   */
  static OfferDecision decideNow(ServerContext server, Namespace namespace, Message.Offer offer, Path target,
                                 UploadClaims.Claim claim, Survey survey) {
    OnExisting policy = server.options().getOnExisting();
    StorageDirectory.Existing existing = survey.existing();
    String action = Message.Preview.CREATE;
    if (existing.exists()) {
      boolean same = Sameness.same(offer, existing);
      if (same && policy != OnExisting.OVERWRITE) {
        return new OfferDecision.Skip(existing, true);
      }
      switch (policy) {
        case SKIP -> {
          return new OfferDecision.Skip(existing, false);
        }
        case FAIL -> {
          throw new ProtocolException(ErrorCode.EXISTS, "'" + offer.name()
            + "' exists on the server and differs (" + Sameness.describe(existing) + ", offered "
            + Sameness.describe(offer) + ") and its policy is onExisting=fail");
        }
        case UPDATE -> action = Message.Preview.UPDATE;
        case OVERWRITE -> action = Message.Preview.OVERWRITE;
        case RENAME -> action = Message.Preview.RENAME;
        default -> throw new IllegalStateException("unknown policy " + policy);
      }
    }
    long needed = offer.size() - survey.partial().offset();
    long reserve = server.options().getLimits().getMinFreeBytes();
    // What uploads in flight will still write is taken too: offers racing for the last room get it once.
    SpaceReservations reservations = SpaceReservations.of(server.vertx());
    FreeSpace free = survey.free();
    long available = free.measured() - reserve;
    if (claim == null ? reservations.freeForReservation(available, free.writtenBefore()) < needed
      : !holdReservation(claim, reservations.tryReserve(needed, available, free.writtenBefore()))) {
      throw new ProtocolException(ErrorCode.NO_SPACE, "'" + offer.name() + "' needs "
        + needed + " bytes, the server has " + free.now(reservations) + " free, keeps " + reserve
        + " in reserve and has promised " + reservations.reservedBytes() + " to " + reservations.uploads()
        + " upload(s) in flight");
    }
    String overQuota = namespace.reserve(target, offer.size(), claim == null);
    if (overQuota != null) {
      throw new ProtocolException(ErrorCode.QUOTA_EXCEEDED, "'" + offer.name() + "' refused: " + overQuota);
    }
    if (claim == null) {
      boolean resumes = survey.partial().offset() > 0 && action.equals(Message.Preview.CREATE);
      return new OfferDecision.Preview(resumes ? Message.Preview.RESUME : action, survey.partial().offset());
    }
    claim.onRelease(() -> namespace.ended(target));
    return new OfferDecision.Accept(new Upload(server, offer, target, survey.partial(), claim));
  }

  private static boolean holdReservation(UploadClaims.Claim claim, SpaceReservations.Reservation reservation) {
    if (reservation == null) {
      return false;
    }
    claim.hold(reservation);
    return true;
  }

  record Survey(StorageDirectory.Existing existing, FreeSpace free, PartialFiles.Partial partial) {
  }

  /**
   * The storage's free space as measured, and what reserved uploads had written by then. Between the
   * measurement and the decision another upload may write: its reservation shrinks by those bytes, and the
   * measurement does not show them yet, so they would count as free twice and two uploads could get the last
   * room. The decision ({@link SpaceReservations#tryReserve}) takes them off; at worst bytes written just
   * before the measurement count twice: a refusal a moment early, never a half-written file. It also lets one
   * measurement serve a batch of puts.
   */
  record FreeSpace(long measured, long writtenBefore) {

    /** Blocking: measures the storage's free space. */
    static FreeSpace measureNow(ServerContext server) throws IOException {
      return measureNow(server.vertx(), server.storage());
    }

    /** Blocking: measures {@code storage}'s free space. */
    static FreeSpace measureNow(Vertx vertx, StorageDirectory storage) throws IOException {
      long written = SpaceReservations.of(vertx).writtenBytes();
      return new FreeSpace(storage.usableSpaceNow(), written);
    }

    /** @return the free space now: the measurement less what reserved uploads wrote since */
    long now(SpaceReservations reservations) {
      return Math.max(0, measured - (reservations.writtenBytes() - writtenBefore));
    }
  }
}
