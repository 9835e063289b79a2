package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * One file being received: the offer it answers, its claim on the name, its partial file, the bytes received
 * so far and their running checksum. Where the bytes go is its {@link BodySink}, chosen once: a small body
 * (at most {@link #BUFFERED_MAX_BYTES}, not a resume) waits in memory, a larger one streams to disk.
 */
final class Upload {

  /**
   * Bodies up to this size wait in memory; per connection at most {@code limits.maxPendingOffers} of them, and
   * at most {@code limits.maxPendingBytes} together with the puts waiting.
   */
  static final int BUFFERED_MAX_BYTES = 64 * 1024;

  final Message.Offer offer;
  final Path target;
  final PartialFiles.Partial partial;
  final long startedAt = System.nanoTime();

  private final UploadClaims.Claim claim;
  private final BodySink body;
  private long received;
  private boolean bodyComplete;

  Upload(ServerContext server, Message.Offer offer, Path target, PartialFiles.Partial partial,
         UploadClaims.Claim claim) {
    this.offer = offer;
    this.target = target;
    this.partial = partial;
    this.claim = claim;
    this.received = partial.offset();
    this.body = partial.offset() == 0 && offer.size() <= BUFFERED_MAX_BYTES
      ? new MemoryBody(server.storage(), target, partial.path(), offer.size(), claim::written)
      : new FileBody(server.vertx(), server.storage(), server.partials(), target, partial,
        server.options().isFsync() ? FileBody.WRITE_BACK_BYTES : 0, claim::written);
  }

  long id() {
    return offer.id();
  }

  long received() {
    return received;
  }

  /** @return the body bytes this upload keeps in memory until it is published or discarded */
  long heldInMemory() {
    return body instanceof MemoryBody ? offer.size() : 0;
  }

  boolean bodyComplete() {
    return bodyComplete;
  }

  void markBodyComplete() {
    bodyComplete = true;
  }

  /** Gets the sink ready for the body; reading must wait when this does not complete at once. */
  Future<Void> open() {
    return body.open();
  }

  /** @return true when the sink is full: the caller pauses until {@link #drainHandler}. */
  boolean write(Buffer chunk) {
    received += chunk.length();
    if (body.failure() != null) {
      return false;
    }
    for (ByteBuffer bytes : DirectBuffers.nioBuffers(chunk)) {
      partial.checksum().update(bytes);
    }
    return body.write(chunk);
  }

  void drainHandler(Handler<Void> handler) {
    body.drainHandler(handler);
  }

  /**
   * Checks size and checksum and lets the sink finish its writes.
   *
   * @return the verified checksum
   */
  Future<String> finish(String announcedChecksum) {
    if (body.failure() != null) {
      return Future.failedFuture(body.failure());
    }
    try {
      String actual = verify(announcedChecksum);
      return body.finish().map(actual);
    } catch (ProtocolException mismatch) {
      return Future.failedFuture(mismatch);
    }
  }

  /**
   * @return the checksum of what was received, once it is the whole file and matches the announced one
   * @throws ProtocolException {@code size_mismatch} or {@code checksum_mismatch}
   */
  String verify(String announcedChecksum) {
    if (received != offer.size()) {
      throw new ProtocolException(ErrorCode.SIZE_MISMATCH,
        "received " + received + " bytes of '" + offer.name() + "', offered " + offer.size());
    }
    String actual = partial.checksum().value();
    if (!actual.equals(announcedChecksum)) {
      throw new ProtocolException(ErrorCode.CHECKSUM_MISMATCH,
        "checksum of '" + offer.name() + "' is " + actual + ", the client announced " + announcedChecksum);
    }
    return actual;
  }

  /**
   * Blocking, in the publish's worker task: the whole body in the partial file with its metadata, durably
   * when {@code fsync}.
   */
  void persist(boolean fsync, FileMetadata metadata, ChecksumCache checksums) throws IOException {
    body.persist(fsync, file -> metadata.applyTo(file, checksums));
  }

  /** Lets go of the body (the partial file stays); never fails. */
  Future<Void> abandon() {
    return body.abandon();
  }

  /** @return whether an interruption now leaves a partial file worth keeping for a resume */
  boolean worthResuming() {
    return partial.resumable() && body.resumable() && received > 0;
  }

  void releaseClaim() {
    claim.release();
  }
}
