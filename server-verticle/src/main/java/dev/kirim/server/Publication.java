package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.protocol.ProtocolException;
import dev.kirim.server.auth.Namespace;
import io.vertx.core.Future;

import java.io.IOException;

/**
 * The end of an upload after its commit: verify size and checksum, get the bytes durably into the partial
 * file, publish it under the final name following the existing-file policy. Any failure deletes the partial
 * file, so nothing of a failed upload remains; a full disk is told apart from other I/O failures
 * ({@link StorageDirectory#diagnose}).
 */
final class Publication {

  private final ServerContext server;
  private Namespace namespace = Namespace.OPEN;

  Publication(ServerContext server) {
    this.server = server;
  }

  /** Names published are told to the client relative to its namespace, whose quota counts them. */
  void confine(Namespace namespace) {
    this.namespace = namespace;
  }

  Future<Stored> publish(Upload upload, String announcedChecksum) {
    ServerOptions options = server.options();
    boolean fsync = options.isFsync();
    return upload.finish(announcedChecksum)
      .compose(checksum -> server.storage().publish(upload.partial.path(), upload.target, options.getOnExisting(),
          fsync, () -> {
            upload.persist(fsync, FileMetadata.of(upload.offer, options.getUmask(), checksum), server.storage().checksums());
            return null;
          })
        .compose(stored -> stored == null
          ? nameTaken(upload)
          : Future.succeededFuture(published(upload, stored, checksum))))
      .recover(failure -> server.storage().diagnose(failure)
        .compose(diagnosed -> upload.abandon()
          .compose(v -> server.partials().delete(upload.partial.path()))
          .transform(ignored -> Future.failedFuture(diagnosed))));
  }

  private Stored published(Upload upload, java.nio.file.Path stored, String checksum) {
    namespace.published(upload.target);
    return new Stored.Published(namespace.clientName(server.storage().nameOf(stored)), upload.offer.size(), checksum);
  }

  /**
   * The name appeared while the bytes travelled (another writer on the server's disk) and the policy keeps it:
   * compared with the offer as at offer time, it is kept as the same file, or as a differing one.
   */
  private Future<Stored> nameTaken(Upload upload) {
    return server.vertx().executeBlocking(() -> nameTakenNow(server, upload), false);
  }

  /** Blocking {@link #nameTaken}, for callers already on a worker. */
  static Stored nameTakenNow(ServerContext server, Upload upload) throws IOException {
    StorageDirectory storage = server.storage();
    Message.Offer offer = upload.offer;
    StorageDirectory.Existing existing = OfferCheck.existing(storage, offer, upload.target, false);
    boolean same = existing.exists() && Sameness.same(offer, existing);
    if (!same && server.options().getOnExisting() == OnExisting.FAIL) {
      throw new ProtocolException(ErrorCode.EXISTS, "'" + offer.name()
        + "' appeared on the server during the upload, differs, and its policy is onExisting=fail");
    }
    return new Stored.Kept(existing, same);
  }
}
