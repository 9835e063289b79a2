package dev.kirim.server;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.function.LongConsumer;

/**
 * A small body kept in memory and written, synced and published in the one worker task of the publish: a
 * burst of small files then costs one task each, run concurrently, instead of open, write, sync and
 * publish round trips in a row. Per connection, such bodies and those of puts wait up to
 * {@code maxPendingBytes} together (beyond, the connection is not read until replies free room), which bounds
 * the memory. Not resumable: there is no partial file before the commit.
 */
final class MemoryBody implements BodySink {

  private final StorageDirectory storage;
  private final Path target;
  private final Path partial;
  private final int size;
  private final LongConsumer onDisk;
  // Allocated with the first chunk, not with the offer: accepted offers alone hold no memory.
  private Buffer body;
  private boolean dropped;

  /** @param onDisk told how many bytes {@link #persist} put into the file, once they are there */
  MemoryBody(StorageDirectory storage, Path target, Path partial, long size, LongConsumer onDisk) {
    this.onDisk = onDisk;
    this.storage = storage;
    this.target = target;
    this.partial = partial;
    this.size = (int) size;
  }

  @Override
  public Future<Void> open() {
    return Future.succeededFuture();
  }

  @Override
  public boolean write(Buffer chunk) {
    // Chunks may be slices of the socket's buffers, which cannot grow and are reused: copy into our own.
    if (dropped) {
      return false;
    }
    if (body == null) {
      body = Buffer.buffer(size);
    }
    body.appendBuffer(chunk);
    return false;
  }

  @Override
  public void drainHandler(Handler<Void> handler) {
    // Never full.
  }

  @Override
  public Throwable failure() {
    return null;
  }

  @Override
  public Future<Void> finish() {
    return Future.succeededFuture();
  }

  @Override
  public void persist(boolean fsync, MetadataStep metadata) throws IOException {
    byte[] bytes = body == null ? new byte[0] : body.getBytes();
    body = null;
    storage.createParentsNow(target);
    try (FileChannel channel = PartialFiles.create(partial)) {
      ByteBuffer remaining = ByteBuffer.wrap(bytes);
      while (remaining.hasRemaining()) {
        channel.write(remaining);
      }
      onDisk.accept(bytes.length);
      metadata.apply(partial);
      if (fsync) {
        channel.force(true);
      }
    }
  }

  @Override
  public Future<Void> abandon() {
    dropped = true;
    body = null;
    return Future.succeededFuture();
  }

  @Override
  public boolean resumable() {
    return false;
  }
}
