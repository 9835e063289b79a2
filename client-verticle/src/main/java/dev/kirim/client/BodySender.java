package dev.kirim.client;

import dev.kirim.protocol.Message;
import dev.kirim.protocol.MessageWriter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import java.io.FileNotFoundException;
import java.nio.file.FileSystemException;
import java.time.Instant;
import java.util.function.LongConsumer;

/**
 * Sends one accepted file: the {@code data} line, the bytes from the server's offset on, then the
 * {@code commit} with the checksum of the whole file.
 * <p>
 * A small file was read whole when it was looked at and goes out from memory. A larger one goes out with
 * zero-copy {@code sendFile} (the kernel moves the pages from the page cache to the socket: no copy, no
 * garbage, whatever the size), while a worker reads the file once more from the page cache to checksum it,
 * unless an earlier send already knows the checksum. Once both are done the file is looked at again: when its
 * size and mtime are still as offered the {@code commit} goes out; when not (rewritten in place meanwhile, so
 * the bytes sent may mix two versions) a {@code cancel} does, and the server discards them. A file that is
 * shorter than offered before its bytes go fails with {@code file_changed} at once (sent short, the server
 * would take the next line for body bytes).
 */
final class BodySender {

  private final Vertx vertx;
  private final NetSocket socket;
  private final MessageWriter writer;
  private final FileTask task;
  private final long id;
  private final LocalFacts localFacts;
  private final SendPacer pacer;
  private final Promise<Void> finished = Promise.promise();

  /** @param writer the connection's writer, for the data line, a small body and the commit */
  BodySender(Vertx vertx, NetSocket socket, MessageWriter writer, FileTask task, long id, LocalFacts localFacts,
             SendPacer pacer) {
    this.pacer = pacer;
    this.vertx = vertx;
    this.socket = socket;
    this.writer = writer;
    this.task = task;
    this.id = id;
    this.localFacts = localFacts;
  }

  /**
   * @return completes once the commit is written; fails with a {@link LocalFileException} when the file could
   *   not be sent as offered (the connection is then unusable: the server still expects bytes)
   */
  Future<Void> send() {
    if (!pacer.ready()) {
      // Under a rate limit, the bytes sent ahead of it are paid for before this body starts.
      return pacer.whenReady().compose(v -> send());
    }
    LocalFacts.Facts facts = task.facts;
    long length = facts.size() - task.offset;
    LongConsumer counted = pacer.body(task.file.remoteName(), facts.size(), task.offset);
    writer.write(new Message.Data(id, task.offset, length));
    byte[] content = facts.content();
    if (content != null) {
      writer.write(content, (int) task.offset, content.length - (int) task.offset);
      task.facts = facts.withChecksum(facts.checksum());
      pacer.charge(length);
      counted.accept(length);
      // Read between two looks that agreed (LocalFacts): these bytes are one version of the file.
      commit(task.commitAlgorithm == null ? facts.checksum() : checksumOf(content));
      return finished.future();
    }
    // The data line must be on its way before the file's pages are.
    writer.flush();
    Future<Void> body = length == 0 ? Future.succeededFuture() : sendFile(facts.size(), length, counted);
    // A resume commits in the algorithm the server asked (SHA-256), whatever the offer's.
    Future<String> checksum = task.commitAlgorithm != null
      ? localFacts.checksumShared(task.file.path(), facts, task.commitAlgorithm)
      : facts.checksum() != null ? Future.succeededFuture(facts.checksum())
      : localFacts.checksumShared(task.file.path(), facts);
    Future.all(body, checksum).onComplete(ar -> {
      if (body.failed() && isSocketFailure(body.cause())) {
        // The socket failed (the connection was lost or abandoned), not the file: the connection says so.
        finished.tryFail(body.cause());
      } else if (body.failed()) {
        fail(body.cause() instanceof LocalFileException local ? local.code() : ClientErrorCode.UNREADABLE,
          body.cause().getMessage());
      } else if (checksum.failed()) {
        fail(checksum.cause() instanceof LocalFileException local ? local.code() : ClientErrorCode.UNREADABLE,
          checksum.cause().getMessage());
      } else {
        commitIfUnchanged(facts, checksum.result());
      }
    });
    return finished.future();
  }

  /** Commits when the file is still the version offered, else cancels: its bytes may mix two versions. */
  private void commitIfUnchanged(LocalFacts.Facts offered, String checksum) {
    vertx.executeBlocking(() -> localFacts.restat(task.file.path()), false).onComplete(ar -> {
      if (ar.succeeded() && ar.result().sameVersion(offered)) {
        if (task.commitAlgorithm == null) {
          localFacts.learned(task.file.path(), offered.withChecksum(checksum));
        }
        commit(checksum);
        return;
      }
      String now = ar.succeeded() ? ar.result().size() + " bytes, modified " + Instant.ofEpochMilli(ar.result().mtime())
        : ar.cause().getMessage();
      task.cancelledBecause = task.file.path() + " changed while being sent (offered " + offered.size()
        + " bytes, modified " + Instant.ofEpochMilli(offered.mtime()) + "; now " + now + ")";
      writer.write(new Message.Cancel(id, "the file changed while being sent"));
      finished.tryComplete();
    });
  }

  /**
   * Checks the file is still as long as offered (Vert.x would quietly send fewer bytes), then sends
   * {@code length} bytes from the offset with zero copy.
   */
  private Future<Void> sendFile(long size, long length, LongConsumer counted) {
    String path = task.file.path().toString();
    return vertx.executeBlocking(() -> java.nio.file.Files.size(task.file.path()), false)
      .recover(e -> Future.failedFuture(new LocalFileException(ClientErrorCode.UNREADABLE, String.valueOf(e))))
      .compose(now -> {
        if (now < size) {
          return Future.failedFuture(new LocalFileException(ClientErrorCode.FILE_CHANGED,
            path + " shrank to " + now + " bytes before being sent"));
        }
        try {
          return pacer.sendFile(socket, path, task.offset, length, counted);
        } catch (RuntimeException e) {
          return Future.failedFuture(new LocalFileException(ClientErrorCode.FILE_CHANGED, e.getMessage()));
        }
      });
  }

  /**
   * @return whether a failed body is the socket's doing (closed, reset, broken pipe), not the local file's: the
   *   file's own failures are LocalFileExceptions, or the file system's exceptions from opening it
   */
  private static boolean isSocketFailure(Throwable cause) {
    return !(cause instanceof LocalFileException || cause instanceof FileSystemException
      || cause instanceof FileNotFoundException);
  }

  private String checksumOf(byte[] content) {
    dev.kirim.protocol.ChecksumAlgorithm.Checksum checksum = task.commitAlgorithm.start();
    checksum.update(content);
    return checksum.value();
  }

  private void commit(String value) {
    task.committedChecksum = value;
    writer.write(new Message.Commit(id, value));
    finished.tryComplete();
  }

  private void fail(ClientErrorCode code, String reason) {
    finished.tryFail(new LocalFileException(code, "cannot send " + task.file.path() + " as offered ("
      + task.facts.size() + " bytes): " + reason));
  }
}
