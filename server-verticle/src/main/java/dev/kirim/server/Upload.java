package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;

import java.nio.file.Path;

/**
 * One file being received: its partial file, the bytes written so far and their running checksum.
 * A write failure (a full disk, say) does not break the connection: later chunks are dropped and the
 * commit is answered with the error.
 */
class Upload {

  final Message.Offer offer;
  final Path target;
  final Storage.Partial partial;
  final long startedAt = System.nanoTime();

  private AsyncFile file;
  // The open in progress, if any: closeFile() waits for it, so a file opened after a close cannot leak.
  private Future<Void> opening = Future.succeededFuture();
  private boolean closed;
  private long received;
  private boolean bodyComplete;
  private Throwable failure;

  Upload(Message.Offer offer, Path target, Storage.Partial partial) {
    this.offer = offer;
    this.target = target;
    this.partial = partial;
    this.received = partial.offset();
  }

  long id() {
    return offer.id();
  }

  long received() {
    return received;
  }

  boolean bodyComplete() {
    return bodyComplete;
  }

  void markBodyComplete() {
    bodyComplete = true;
  }

  Future<Void> open(Vertx vertx) {
    if (closed) {
      // The connection went away while the parent directories were being created: create nothing more.
      return Future.failedFuture("upload of '" + offer.name() + "' already closed");
    }
    OpenOptions options = new OpenOptions().setWrite(true).setCreate(true).setRead(false);
    opening = vertx.fileSystem().open(partial.path().toString(), options)
      .onSuccess(opened -> {
        file = opened;
        file.setWritePos(partial.offset());
        file.exceptionHandler(this::fail);
      })
      .onFailure(this::fail)
      .mapEmpty();
    return opening;
  }

  /** @return true when the file's write queue is full: the caller pauses until {@link #drainHandler}. */
  boolean write(Buffer chunk) {
    received += chunk.length();
    if (failure != null || file == null) {
      return false;
    }
    partial.checksum().update(chunk.getBytes());
    file.write(chunk).onFailure(this::fail);
    return file.writeQueueFull();
  }

  void drainHandler(Handler<Void> handler) {
    file.drainHandler(handler);
  }

  /**
   * Checks size and checksum, then flushes (when {@code fsync}) and closes the partial file.
   *
   * @return the verified checksum
   */
  Future<String> finish(String announcedChecksum, boolean fsync) {
    if (failure != null || file == null) {
      return Future.failedFuture(failureAsProtocolError());
    }
    if (received != offer.size()) {
      return Future.failedFuture(new ProtocolException(ErrorCode.SIZE_MISMATCH,
        "received " + received + " bytes of '" + offer.name() + "', offered " + offer.size()));
    }
    String actual = partial.checksum().value();
    if (!actual.equals(announcedChecksum)) {
      return Future.failedFuture(new ProtocolException(ErrorCode.CHECKSUM_MISMATCH,
        "checksum of '" + offer.name() + "' is " + actual + ", the client announced " + announcedChecksum));
    }
    Future<Void> flushed = fsync ? file.flush() : Future.succeededFuture();
    return flushed.compose(v -> closeFile()).map(actual);
  }

  /** Closes the file if it is open, or once it is if an open is in progress; never fails. */
  Future<Void> closeFile() {
    closed = true;
    return opening.transform(ignored -> {
      if (file == null) {
        return Future.succeededFuture();
      }
      AsyncFile closing = file;
      file = null;
      return closing.close().otherwise((Void) null);
    });
  }

  private void fail(Throwable cause) {
    if (failure == null) {
      failure = cause;
    }
  }

  private ProtocolException failureAsProtocolError() {
    String reason = failure == null ? "the partial file could not be opened" : String.valueOf(failure.getMessage());
    ErrorCode code = reason.contains("No space left") ? ErrorCode.NO_SPACE : ErrorCode.INTERNAL;
    return new ProtocolException(code, "could not store '" + offer.name() + "': " + reason);
  }
}
