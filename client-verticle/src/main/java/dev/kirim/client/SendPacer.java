package dev.kirim.client;

import dev.kirim.net.TokenBucket;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;

import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Holds what one target is sent to the {@code rateLimit}: one {@link TokenBucket} for all the target's
 * connections, on the target's event loop.
 * <p>
 * A paced body goes out as zero-copy {@code sendFile} regions of an eighth of a second's bytes (64 KiB to
 * 1 MiB), each drawn from the bucket before it is sent; when the bucket is in debt, a Vert.x timer waits
 * for it to be repaid (the event loop is never blocked). A region follows the previous one only once that
 * one is written and the socket's write queue has room, so the socket's backpressure is kept. A small body
 * sent from memory is {@link #charge charged} after it is written; the next body waits for the debt.
 * Without a limit this is a pass-through: the body goes out in one {@code sendFile}, as it always did; unless
 * a progress display watches ({@link #progress}): then it goes out in regions too, unpaced, sized to take
 * about a tenth of a second each (256 KiB to 16 MiB), so that the display learns of the bytes as they go.
 * <p>
 * It exists apart from {@link BodySender} so that the sender stays about the protocol and pacing is one
 * place to read.
 */
final class SendPacer {

  static final long MIN_REGION_BYTES = 64 * 1024;
  static final long MAX_REGION_BYTES = 1024 * 1024;
  static final long MIN_PROGRESS_REGION_BYTES = 256 * 1024;
  static final long MAX_PROGRESS_REGION_BYTES = 16 * 1024 * 1024;

  private final Vertx vertx;
  // null: unlimited.
  private final TokenBucket bucket;
  private final long regionBytes;
  private PushProgress progress = PushProgress.NONE;
  private String target;
  private long progressRegionBytes = 1024 * 1024;

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

  /** Reports every body this target is sent, and its bytes as they go, to {@code progress}. */
  void progress(String target, PushProgress progress) {
    this.target = target;
    this.progress = progress;
  }

  /**
   * A body starts going out.
   *
   * @return what its bytes are counted to once sent
   */
  LongConsumer body(String name, long size, long offset) {
    if (progress == PushProgress.NONE) {
      return bytes -> { };
    }
    progress.bodyStarted(target, name, size, offset);
    return bytes -> progress.bytesSent(target, name, bytes);
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
   * @param counted told of the bytes written, region by region
   * @return completes once the last region is written; fails as {@link NetSocket#sendFile} does
   */
  Future<Void> sendFile(NetSocket socket, String path, long offset, long length, LongConsumer counted) {
    if (bucket == null && progress == PushProgress.NONE) {
      return socket.sendFile(path, offset, length);
    }
    Promise<Void> sent = Promise.promise();
    sendRegions(socket, path, offset, offset + length, counted, sent);
    return sent.future();
  }

  private void sendRegions(NetSocket socket, String path, long offset, long end, LongConsumer counted,
                           Promise<Void> sent) {
    if (offset >= end) {
      sent.tryComplete();
      return;
    }
    long length = Math.min(bucket == null ? progressRegionBytes : regionBytes, end - offset);
    long started = System.nanoTime();
    whenReady()
      .compose(v -> whenDrained(socket))
      .compose(v -> {
        if (bucket != null) {
          bucket.take(length);
        }
        return sendRegion(socket, path, offset, length);
      })
      .onSuccess(v -> {
        counted.accept(length);
        adaptProgressRegion(System.nanoTime() - started);
      })
      // A region can be written at once: the next one starts on a later turn, so the stack stays flat.
      .onSuccess(v -> vertx.getOrCreateContext()
        .runOnContext(x -> sendRegions(socket, path, offset + length, end, counted, sent)))
      .onFailure(sent::tryFail);
  }

  /** Unpaced regions for a progress display: about a tenth of a second's bytes each. */
  private void adaptProgressRegion(long nanos) {
    if (nanos < TimeUnit.MILLISECONDS.toNanos(50)) {
      progressRegionBytes = Math.min(MAX_PROGRESS_REGION_BYTES, progressRegionBytes * 2);
    } else if (nanos > TimeUnit.MILLISECONDS.toNanos(200)) {
      progressRegionBytes = Math.max(MIN_PROGRESS_REGION_BYTES, progressRegionBytes / 2);
    }
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
