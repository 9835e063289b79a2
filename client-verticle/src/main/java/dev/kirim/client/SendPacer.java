package dev.kirim.client;

import dev.kirim.net.TokenBucket;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;

import java.util.concurrent.TimeUnit;

/**
 * Holds what one target is sent to the {@code rateLimit}: one {@link TokenBucket} for all the target's
 * connections, on the target's event loop.
 * <p>
 * A paced body goes out as zero-copy {@code sendFile} regions of an eighth of a second's bytes (64 KiB to
 * 1 MiB), each drawn from the bucket before it is sent; when the bucket is in debt, a Vert.x timer waits
 * for it to be repaid (the event loop is never blocked). A region follows the previous one only once that
 * one is written and the socket's write queue has room, so the socket's backpressure is kept. A small body
 * sent from memory is {@link #charge charged} after it is written; the next body waits for the debt.
 * Without a limit this is a pass-through: the body goes out in one {@code sendFile}, as it always did.
 * <p>
 * It exists apart from {@link BodySender} so that the sender stays about the protocol and pacing is one
 * place to read.
 */
final class SendPacer {

  static final long MIN_REGION_BYTES = 64 * 1024;
  static final long MAX_REGION_BYTES = 1024 * 1024;

  private final Vertx vertx;
  // null: unlimited.
  private final TokenBucket bucket;
  private final long regionBytes;

  private SendPacer(Vertx vertx, TokenBucket bucket) {
    this.vertx = vertx;
    this.bucket = bucket;
    this.regionBytes = bucket == null ? Long.MAX_VALUE
      : Math.max(MIN_REGION_BYTES, Math.min(MAX_REGION_BYTES, bucket.bytesPerSecond() / 8));
  }

  /** @param bytesPerSecond the limit; {@code null}: unlimited */
  static SendPacer create(Vertx vertx, Long bytesPerSecond) {
    TokenBucket bucket = bytesPerSecond == null ? null : TokenBucket.perSecond(bytesPerSecond, System::nanoTime);
    return new SendPacer(vertx, bucket);
  }

  /** @return whether bytes may be sent now: no limit, or the bucket is not in debt */
  boolean ready() {
    return bucket == null || bucket.nanosUntil(0) == 0;
  }

  /** @return completes, on a timer if need be, once {@link #ready()} */
  Future<Void> whenReady() {
    if (ready()) {
      return Future.succeededFuture();
    }
    Promise<Void> ready = Promise.promise();
    vertx.setTimer(millisUntilReady(), id -> whenReady().onComplete(ready));
    return ready.future();
  }

  /** Counts bytes sent without pacing (a small body from memory) against the limit. */
  void charge(long bytes) {
    if (bucket != null) {
      bucket.take(bytes);
    }
  }

  /**
   * Sends {@code length} bytes of the file from {@code offset}, paced.
   *
   * @return completes once the last region is written; fails as {@link NetSocket#sendFile} does
   */
  Future<Void> sendFile(NetSocket socket, String path, long offset, long length) {
    if (bucket == null) {
      return socket.sendFile(path, offset, length);
    }
    Promise<Void> sent = Promise.promise();
    sendRegions(socket, path, offset, offset + length, sent);
    return sent.future();
  }

  private void sendRegions(NetSocket socket, String path, long offset, long end, Promise<Void> sent) {
    if (offset >= end) {
      sent.tryComplete();
      return;
    }
    long length = Math.min(regionBytes, end - offset);
    whenReady()
      .compose(v -> whenDrained(socket))
      .compose(v -> {
        bucket.take(length);
        return sendRegion(socket, path, offset, length);
      })
      // A region can be written at once: the next one starts on a later turn, so the stack stays flat.
      .onSuccess(v -> vertx.getOrCreateContext()
        .runOnContext(x -> sendRegions(socket, path, offset + length, end, sent)))
      .onFailure(sent::tryFail);
  }

  private static Future<Void> sendRegion(NetSocket socket, String path, long offset, long length) {
    try {
      return socket.sendFile(path, offset, length);
    } catch (RuntimeException e) {
      // As BodySender does for the one sendFile: the file went away or became unreadable meanwhile.
      return Future.failedFuture(new LocalFileException(ClientErrorCode.FILE_CHANGED, e.getMessage()));
    }
  }

  /** @return completes once the socket's write queue has room: what is queued goes first */
  private static Future<Void> whenDrained(NetSocket socket) {
    if (!socket.writeQueueFull()) {
      return Future.succeededFuture();
    }
    Promise<Void> drained = Promise.promise();
    socket.drainHandler(v -> {
      socket.drainHandler(null);
      drained.tryComplete();
    });
    return drained.future();
  }

  private long millisUntilReady() {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(bucket.nanosUntil(0) + 999_999));
  }
}
