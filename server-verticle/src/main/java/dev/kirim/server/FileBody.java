package dev.kirim.server;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A large body streamed into its partial file as it arrives, from the resume offset on, with backpressure:
 * a full write queue pauses the socket until the disk catches up. What is written stays in the partial file
 * when the upload is interrupted, so that a later connection can resume it.
 */
final class FileBody implements BodySink {

  private static final int WRITE_QUEUE_CHUNKS = 4;

  private final Vertx vertx;
  private final StorageDirectory storage;
  private final Path target;
  private final Path partial;
  private final long offset;
  private final int chunkBytes;
  private AsyncFile file;
  // The open in progress, if any: abandon() waits for it, so a file opened after an abandon cannot leak.
  private Future<Void> opening = Future.succeededFuture();
  private boolean opened;
  private boolean closed;
  private Throwable failure;

  FileBody(Vertx vertx, StorageDirectory storage, Path target, Path partial, long offset, int chunkBytes) {
    this.vertx = vertx;
    this.storage = storage;
    this.target = target;
    this.partial = partial;
    this.offset = offset;
    this.chunkBytes = chunkBytes;
  }

  /** Creates the target's parent directories (never through a symbolic link), then opens the partial file. */
  @Override
  public Future<Void> open() {
    // transform, not onSuccess + mapEmpty: when the open completes on a worker thread while handlers are
    // being attached, an onSuccess handler can run after the derived future (and the caller's resume).
    opening = storage.createParents(target)
      .compose(v -> closed
        // The connection went away while the directories were being created: create nothing more.
        ? Future.failedFuture(new IOException("upload of " + target.getFileName() + " already closed"))
        : vertx.fileSystem().open(partial.toString(), new OpenOptions().setWrite(true).setCreate(true).setRead(false)))
      .transform(ar -> {
        if (ar.failed()) {
          fail(ar.cause());
          return Future.failedFuture(ar.cause());
        }
        file = ar.result();
        opened = true;
        file.setWritePos(offset);
        // A few chunks in flight keep the disk busy without a pause/drain round trip after every chunk.
        file.setWriteQueueMaxSize(WRITE_QUEUE_CHUNKS * Math.max(1, chunkBytes));
        file.exceptionHandler(this::fail);
        return Future.succeededFuture();
      });
    return opening;
  }

  @Override
  public boolean write(Buffer chunk) {
    if (failure != null || file == null) {
      return false;
    }
    file.write(chunk).onFailure(this::fail);
    return file.writeQueueFull();
  }

  @Override
  public void drainHandler(Handler<Void> handler) {
    file.drainHandler(handler);
  }

  @Override
  public Throwable failure() {
    return failure;
  }

  /** AsyncFile.flush() does not wait for queued writes, close() does: close first, sync in {@link #persist}. */
  @Override
  public Future<Void> finish() {
    if (!opened) {
      fail(new IOException("the partial file of " + target.getFileName() + " was never opened"));
    }
    return abandon().compose(v -> failure == null ? Future.succeededFuture() : Future.failedFuture(failure));
  }

  @Override
  public void persist(boolean fsync) throws IOException {
    if (fsync) {
      try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
    }
  }

  /** Closes the file if it is open, or once it is if an open is in progress, after its queued writes. */
  @Override
  public Future<Void> abandon() {
    closed = true;
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

  @Override
  public boolean resumable() {
    return true;
  }

  private void fail(Throwable cause) {
    if (failure == null) {
      failure = cause;
    }
  }
}
