package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.ProtocolException;
import io.vertx.core.Future;

/**
 * The end of an upload after its commit: verify size and checksum, get the bytes durably into the partial
 * file, publish it under the final name following the existing-file policy. Any failure deletes the partial
 * file, so nothing of a failed upload remains; a full disk is told apart from other I/O failures
 * ({@link StorageDirectory#diagnose}).
 */
final class Publication {

  private final ServerContext server;

  Publication(ServerContext server) {
    this.server = server;
  }

  Future<Stored> publish(Upload upload, String announcedChecksum) {
    ServerOptions options = server.options();
    boolean fsync = options.isFsync();
    return upload.finish(announcedChecksum)
      .compose(checksum -> server.storage().publish(upload.partial.path(), upload.target, options.getOnExisting(),
          fsync, () -> {
            upload.persist(fsync);
            return null;
          })
        .compose(stored -> stored == null
          ? nameTaken(upload)
          : Future.succeededFuture(new Stored.Published(server.storage().nameOf(stored), upload.offer.size(), checksum))))
      .recover(failure -> server.storage().diagnose(failure)
        .compose(diagnosed -> upload.abandon()
          .compose(v -> server.partials().delete(upload.partial.path()))
          .transform(ignored -> Future.failedFuture(diagnosed))));
  }

  /** The name appeared while the bytes travelled (another writer on the server's disk). */
  private Future<Stored> nameTaken(Upload upload) {
    if (server.options().getOnExisting() == OnExisting.FAIL) {
      return Future.failedFuture(new ProtocolException(ErrorCode.EXISTS,
        "'" + upload.offer.name() + "' appeared on the server during the upload and its policy is onExisting=fail"));
    }
    return server.storage().inspect(upload.target, upload.offer.checksumAlgorithm(), true).map(Stored.Kept::new);
  }
}
