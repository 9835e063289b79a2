package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.protocol.ProtocolException;
import io.vertx.core.Future;

import java.nio.file.Path;

/**
 * The end of an upload after its commit: verify size and checksum, sync, publish under the final name
 * following the existing-file policy, and say so (to the client, and as a {@code kirim.received} event). Any
 * failure deletes the partial file, so nothing of a failed upload remains.
 */
class Publication {

  private final ServerConnection connection;
  private final Upload upload;
  private final Message.Commit commit;
  private final Storage storage;
  private final ServerOptions options;

  Publication(ServerConnection connection, Upload upload, Message.Commit commit) {
    this.connection = connection;
    this.upload = upload;
    this.commit = commit;
    this.storage = connection.storage();
    this.options = connection.options();
  }

  Future<Message> run() {
    Path partial = upload.partial.path();
    return upload.finish(commit.checksum(), options.isFsync())
      .compose(checksum -> storage.publish(partial, upload.target, options.getOnExisting(), options.isFsync(),
          upload.bufferedWrite(options.isFsync()))
        .compose(stored -> stored == null ? nameTaken() : Future.succeededFuture(done(stored, checksum))))
      .recover(failure -> upload.closeFile()
        .compose(v -> storage.delete(partial))
        .transform(ignored -> Future.failedFuture(failure)));
  }

  private Message done(Path stored, String checksum) {
    connection.countStored(upload.offer.size());
    Message.Done done = new Message.Done(upload.id(), storage.nameOf(stored), upload.offer.size(), checksum);
    connection.outcomes().published(upload.offer.name(), done);
    return done;
  }

  /** The name appeared while the bytes travelled (another writer on the server's disk). */
  private Future<Message> nameTaken() {
    if (options.getOnExisting() == OnExisting.FAIL) {
      return Future.failedFuture(new ProtocolException(ErrorCode.EXISTS,
        "'" + upload.offer.name() + "' appeared on the server during the upload and its policy is onExisting=fail"));
    }
    return storage.inspect(upload.target, upload.offer.checksumAlgorithm(), true)
      .map(existing -> new Message.Skip(upload.id(), "exists", existing.size(), existing.checksum()));
  }
}
