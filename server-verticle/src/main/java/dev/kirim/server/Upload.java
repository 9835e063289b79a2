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

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;

/**
 * One file being received: its partial file, the bytes received so far and their running checksum.
 * <p>
 * A small body (at most {@link #BUFFERED_MAX_BYTES}, no resume) is kept in memory and written, synced and
 * published in one worker task after the commit: a burst of small files then costs one task each, run
 * concurrently, instead of several round trips in a row. A larger body streams into the partial file with
 * backpressure. A write failure (a full disk, say) does not break the connection: later chunks are dropped
 * and the commit is answered with the error.
 */
class Upload {

  /** Bodies up to this size are buffered; per connection at most maxPendingOffers of them wait to be written. */
  static final int BUFFERED_MAX_BYTES = 64 * 1024;
  private static final int WRITE_QUEUE_CHUNKS = 4;

  final Message.Offer offer;
  final Path target;
  final Storage.Partial partial;
  final long startedAt = System.nanoTime();

  private final Vertx vertx;
  private final boolean buffered;
  private final int chunkBytes;
  private byte[] scratch;
  private Buffer body;
  private AsyncFile file;
  // The open in progress, if any: closeFile() waits for it, so a file opened after a close cannot leak.
  private Future<Void> opening = Future.succeededFuture();
  private boolean closed;
  private long received;
  private boolean bodyComplete;
  private Throwable failure;

  Upload(Vertx vertx, Message.Offer offer, Path target, Storage.Partial partial, int chunkBytes) {
    this.vertx = vertx;
    this.chunkBytes = chunkBytes;
    this.offer = offer;
    this.target = target;
    this.partial = partial;
    this.received = partial.offset();
    this.buffered = partial.offset() == 0 && offer.size() <= BUFFERED_MAX_BYTES;
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

  /** @return whether {@link #open} must complete before the body is read */
  boolean needsOpen() {
    return !buffered;
  }

  /** Opens the partial file of a streamed body (its parent directories exist). */
  Future<Void> open() {
    if (buffered) {
      return Future.succeededFuture();
    }
    if (closed) {
      // The connection went away while the parent directories were being created: create nothing more.
      return Future.failedFuture("upload of '" + offer.name() + "' already closed");
    }
    OpenOptions options = new OpenOptions().setWrite(true).setCreate(true).setRead(false);
    // transform, not onSuccess + mapEmpty: when the open completes on a worker thread while handlers are
    // being attached, an onSuccess handler can run after the derived future (and the caller's resume).
    opening = vertx.fileSystem().open(partial.path().toString(), options).transform(ar -> {
      if (ar.failed()) {
        fail(ar.cause());
        return Future.failedFuture(ar.cause());
      }
      file = ar.result();
      file.setWritePos(partial.offset());
      // A few chunks in flight keep the disk busy without a pause/drain round trip after every chunk.
      file.setWriteQueueMaxSize(WRITE_QUEUE_CHUNKS * Math.max(1, chunkBytes));
      file.exceptionHandler(this::fail);
      return Future.succeededFuture();
    });
    return opening;
  }

  /** @return true when the file's write queue is full: the caller pauses until {@link #drainHandler}. */
  boolean write(Buffer chunk) {
    received += chunk.length();
    if (failure != null) {
      return false;
    }
    checksum(chunk);
    if (buffered) {
      // Chunks may be slices of the socket's buffers, which cannot grow: copy into our own.
      if (body == null) {
        body = Buffer.buffer((int) offer.size());
      }
      body.appendBuffer(chunk);
      return false;
    }
    if (file == null) {
      return false;
    }
    file.write(chunk).onFailure(this::fail);
    return file.writeQueueFull();
  }

  /** Feeds the checksum through one reused array: no garbage per chunk. */
  private void checksum(Buffer chunk) {
    if (scratch == null || scratch.length < chunk.length()) {
      scratch = new byte[chunk.length()];
    }
    chunk.getBytes(0, chunk.length(), scratch, 0);
    partial.checksum().update(scratch, 0, chunk.length());
  }

  void drainHandler(Handler<Void> handler) {
    file.drainHandler(handler);
  }

  /**
   * Checks size and checksum, gets every byte into the partial file, and syncs it (when {@code fsync}).
   *
   * @return the verified checksum
   */
  Future<String> finish(String announcedChecksum, boolean fsync) {
    if (failure != null || (!buffered && file == null)) {
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
    if (buffered) {
      // Written by the publish's own worker task: see bufferedWrite().
      return Future.succeededFuture(actual);
    }
    return closeFile().compose(v -> afterStreaming(fsync)).map(actual);
  }

  /**
   * @return for a buffered body, the blocking step that writes (and syncs) it into the partial file, to run
   *   right before the publish in the same worker task; {@code null} for a streamed body, already on disk
   */
  Callable<Void> bufferedWrite(boolean fsync) {
    if (!buffered) {
      return null;
    }
    byte[] bytes = body == null ? new byte[0] : body.getBytes();
    body = null;
    return () -> {
      Files.createDirectories(target.getParent());
      try (FileChannel channel = FileChannel.open(partial.path(), StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        ByteBuffer remaining = ByteBuffer.wrap(bytes);
        while (remaining.hasRemaining()) {
          channel.write(remaining);
        }
        if (fsync) {
          channel.force(true);
        }
      }
      return null;
    };
  }

  // AsyncFile.flush() does not wait for queued writes, close() does: close first, then sync the inode.
  private Future<Void> afterStreaming(boolean fsync) {
    if (failure != null) {
      return Future.failedFuture(failureAsProtocolError());
    }
    if (!fsync) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      try (FileChannel channel = FileChannel.open(partial.path(), StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      return null;
    }, false);
  }

  /**
   * Closes the file if it is open, or once it is if an open is in progress, after its queued writes; never
   * fails (a failure is recorded for the commit's answer). Drops a buffered body.
   */
  Future<Void> closeFile() {
    closed = true;
    body = null;
    return opening.transform(ignored -> {
      if (file == null) {
        return Future.succeededFuture();
      }
      AsyncFile closing = file;
      file = null;
      return closing.close().transform(ar -> {
        if (ar.failed()) {
          fail(ar.cause());
        }
        return Future.<Void>succeededFuture();
      });
    });
  }

  /** Records why the upload cannot complete; its commit is answered with this error. */
  void fail(Throwable cause) {
    if (failure == null) {
      failure = cause;
    }
  }

  private ProtocolException failureAsProtocolError() {
    if (failure instanceof ProtocolException refusal) {
      return refusal;
    }
    String reason = failure == null ? "the partial file could not be opened" : String.valueOf(failure.getMessage());
    ErrorCode code = reason.contains("No space left") ? ErrorCode.NO_SPACE : ErrorCode.INTERNAL;
    return new ProtocolException(code, "could not store '" + offer.name() + "': " + reason);
  }
}
