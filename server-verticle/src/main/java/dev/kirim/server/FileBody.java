package dev.kirim.server;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * A large body streamed into its partial file as it arrives, from the resume offset on. Chunks are kept as
 * they came off the socket (see {@link DirectBuffers}) and written in batches with one gathering write on a
 * worker thread, one batch at a time: a page-cache write can block (dirty-page throttling), so never on the
 * event loop, and one worker task per batch instead of one per chunk. A batch goes to the writer when it
 * reaches {@link #BATCH_BYTES}, when the write before it ends (whatever gathered meanwhile), or
 * {@link #LINGER_MS} after its first chunk, so that bytes never wait long in memory. At most
 * {@link #MAX_QUEUED_BYTES} wait or are being written; beyond that the socket pauses until the disk catches
 * up. Abandoning writes what is held first: an interrupted upload's partial file keeps every byte received,
 * for a later connection to resume.
 * <p>
 * A durable body is also flushed to disk as it arrives ({@link #writeBackBytes}): every so many bytes written,
 * a {@code fdatasync} runs on another worker while the writes go on, one at a time. Left alone, the kernel
 * starts writing back only once dirty pages pass a share of the RAM (gigabytes here), so the final sync of a
 * big file would flush all of it while the client waits; this way it flushes only the tail. Event-loop
 * confined, but for the batch being written and the sync under way.
 */
final class FileBody implements BodySink {

  static final int BATCH_BYTES = 1024 * 1024;
  static final int MAX_QUEUED_BYTES = 4 * BATCH_BYTES;
  static final long LINGER_MS = 20;
  /** How many bytes a durable body writes between two early syncs. */
  static final long WRITE_BACK_BYTES = 64L * 1024 * 1024;

  private final Vertx vertx;
  private final StorageDirectory storage;
  private final PartialFiles partials;
  private final Path target;
  private final Path partial;
  private final long offset;
  // Labels a new partial file for a resume; null when it cannot be resumed.
  private final String resumeKey;
  // Bytes written between two early syncs; 0: no early syncs (the body is not durable).
  private final long writeBackBytes;
  // Told of every batch once it is in the file (on a worker): the upload's space reservation shrinks by it.
  private final LongConsumer onDisk;
  private FileChannel channel;
  // The open in progress, then the last batch write: each batch starts once the one before has ended.
  private Future<Void> writing = Future.succeededFuture();
  // The early sync under way, if any: finishing and closing wait for it.
  private Future<Void> syncing = Future.succeededFuture();
  private long writtenSinceSync;
  private int earlySyncs;
  private List<Buffer> batch = new ArrayList<>();
  private long batchBytes;
  private long writingBytes;
  private long lingerTimer = -1;
  private Handler<Void> drainHandler;
  private boolean opened;
  private boolean closed;
  private Throwable failure;

  /**
   * @param writeBackBytes bytes written between two early syncs ({@link #WRITE_BACK_BYTES} for a durable
   *                       body), or 0 for none
   * @param onDisk         told how many bytes each write put into the file, from the worker that wrote them
   */
  FileBody(Vertx vertx, StorageDirectory storage, PartialFiles partials, Path target, PartialFiles.Partial partial,
           long writeBackBytes, LongConsumer onDisk) {
    this.vertx = vertx;
    this.writeBackBytes = writeBackBytes;
    this.onDisk = onDisk;
    this.storage = storage;
    this.partials = partials;
    this.target = target;
    this.partial = partial.path();
    this.offset = partial.offset();
    this.resumeKey = partial.resumeKey();
  }

  /** Creates the target's parent directories (never through a symbolic link), then opens the partial file. */
  @Override
  public Future<Void> open() {
    // transform, not onSuccess + mapEmpty: the caller's handlers must run after ours.
    writing = storage.createParents(target)
      .compose(v -> vertx.executeBlocking(this::openChannel, false))
      .transform(ar -> {
        if (ar.failed()) {
          fail(ar.cause());
          return Future.failedFuture(ar.cause());
        }
        channel = ar.result();
        opened = true;
        if (closed) {
          // The connection went away while the file was being opened.
          return closeChannel();
        }
        return Future.succeededFuture();
      });
    return writing;
  }

  /** Continues a partial file from the offset, or starts it afresh with its resume label. */
  private FileChannel openChannel() throws IOException {
    if (offset > 0) {
      // Found a regular file when the offer was checked; never followed should a link have replaced it since.
      FileChannel opening = FileChannel.open(partial, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
      opening.position(offset);
      return opening;
    }
    FileChannel opening = PartialFiles.create(partial);
    if (resumeKey != null) {
      partials.label(partial, resumeKey);
    }
    return opening;
  }

  @Override
  public boolean write(Buffer chunk) {
    if (failure != null || channel == null || closed) {
      return false;
    }
    batch.add(DirectBuffers.retain(chunk));
    batchBytes += chunk.length();
    if (writingBytes == 0) {
      if (batchBytes >= BATCH_BYTES) {
        flush();
      } else if (lingerTimer < 0) {
        lingerTimer = vertx.setTimer(LINGER_MS, id -> {
          lingerTimer = -1;
          if (writingBytes == 0) {
            flush();
          }
        });
      }
    }
    return batchBytes + writingBytes >= MAX_QUEUED_BYTES;
  }

  /** Hands the batch to the writer: after the batch before it, on a worker, and released when written. */
  private void flush() {
    if (lingerTimer >= 0) {
      vertx.cancelTimer(lingerTimer);
      lingerTimer = -1;
    }
    if (batch.isEmpty()) {
      return;
    }
    List<Buffer> chunks = batch;
    long bytes = batchBytes;
    batch = new ArrayList<>();
    batchBytes = 0;
    writingBytes += bytes;
    writing = writing.transform(previous -> failure != null
        ? Future.<Void>succeededFuture()
        : vertx.<Void>executeBlocking(() -> writeAll(chunks), false))
      .transform(ar -> {
        chunks.forEach(DirectBuffers::release);
        writingBytes -= bytes;
        if (ar.failed()) {
          fail(ar.cause());
        } else {
          writtenSinceSync += bytes;
          syncEarlyWhenDue();
        }
        if (writingBytes == 0 && !closed) {
          // What gathered while this batch was written goes next.
          flush();
        }
        signalDrain();
        return Future.<Void>succeededFuture();
      });
  }

  /** Starts an early sync once {@link #writeBackBytes} were written since the last, unless one is under way. */
  private void syncEarlyWhenDue() {
    if (writeBackBytes == 0 || writtenSinceSync < writeBackBytes || !syncing.isComplete() || closed) {
      return;
    }
    writtenSinceSync = 0;
    earlySyncs++;
    FileChannel syncingChannel = channel;
    syncing = vertx.<Void>executeBlocking(() -> {
      syncingChannel.force(false);
      return null;
    }, false).recover(cause -> {
      fail(cause);
      return Future.succeededFuture();
    });
  }

  /** @return how many early syncs this body started */
  int earlySyncs() {
    return earlySyncs;
  }

  private Void writeAll(List<Buffer> chunks) throws IOException {
    List<ByteBuffer> views = new ArrayList<>(chunks.size());
    for (Buffer chunk : chunks) {
      views.addAll(List.of(DirectBuffers.nioBuffers(chunk)));
    }
    ByteBuffer[] sources = views.toArray(ByteBuffer[]::new);
    long remaining = 0;
    for (ByteBuffer source : sources) {
      remaining += source.remaining();
    }
    while (remaining > 0) {
      long written = channel.write(sources);
      remaining -= written;
      onDisk.accept(written);
    }
    return null;
  }

  private void signalDrain() {
    Handler<Void> handler = drainHandler;
    if (handler != null && batchBytes + writingBytes < MAX_QUEUED_BYTES / 2) {
      drainHandler = null;
      handler.handle(null);
    }
  }

  /** Called from a later event-loop task, never from within the call that sets it. */
  @Override
  public void drainHandler(Handler<Void> handler) {
    drainHandler = handler;
  }

  @Override
  public Throwable failure() {
    return failure;
  }

  /** Writes what is left and waits for every write; the file stays open for {@link #persist}. */
  @Override
  public Future<Void> finish() {
    if (!opened) {
      fail(new IOException("the partial file of " + target.getFileName() + " was never opened"));
    }
    flush();
    return writing
      .compose(v -> syncing)
      .compose(v -> failure == null ? Future.succeededFuture() : Future.failedFuture(failure));
  }

  /** Sets the metadata, syncs the file when {@code fsync}, and closes it: blocking, in the publish's worker task. */
  @Override
  public void persist(boolean fsync, MetadataStep metadata) throws IOException {
    try (FileChannel closing = channel) {
      if (resumeKey != null) {
        partials.unlabel(partial);
      }
      metadata.apply(partial);
      if (fsync) {
        closing.force(true);
      }
    }
  }

  /** Writes what it holds, waits for the writes, closes the file. */
  @Override
  public Future<Void> abandon() {
    if (!closed) {
      flush();
      closed = true;
    }
    return writing.transform(ignored -> syncing).transform(ignored -> closeChannel());
  }

  private Future<Void> closeChannel() {
    FileChannel closing = channel;
    if (closing == null || !closing.isOpen()) {
      return Future.succeededFuture();
    }
    return vertx.<Void>executeBlocking(() -> {
      closing.close();
      return null;
    }, false).otherwiseEmpty();
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
