package dev.kirim.server;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.buffer.impl.BufferImpl;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;

import java.nio.ByteBuffer;

/**
 * The one place the server reaches below Vert.x's public API, for the receive path's sake.
 * <p>
 * Through its public API, Vert.x copies every socket read into a fresh heap buffer
 * ({@code VertxHandler.safeBuffer}); on a 1 GiB upload that was a quarter of the server's CPU time and a
 * gigabyte of garbage. Here the socket's reads arrive as Netty's own pooled direct buffers, wrapped without a
 * copy: the checksum runs over them in place and the disk writer hands them to the kernel as they are. The
 * price is reference counting: a read is released once its handler returns, so whoever keeps a buffer beyond
 * that (a queued disk write) {@link #retain}s it and {@link #release}s it when done. vertx-mqtt reaches for
 * {@link NetSocketInternal} the same way for its Netty codec.
 */
final class DirectBuffers {

  private DirectBuffers() {
  }

  /**
   * Has {@code handler} receive what {@code socket} reads, as buffers over Netty's memory that are released
   * when the handler returns. Pause and resume of the socket keep working; a read already under way when the
   * socket pauses may still arrive.
   */
  static void readDirect(NetSocket socket, Handler<Buffer> handler) {
    ((NetSocketInternal) socket).messageHandler(message -> {
      if (message instanceof ByteBuf bytes) {
        try {
          handler.handle(BufferInternal.buffer(bytes));
        } finally {
          bytes.release();
        }
      } else {
        ReferenceCountUtil.release(message);
      }
    });
  }

  /** Keeps {@code buffer}'s memory (or its parent's, for a slice) alive until {@link #release}. */
  static Buffer retain(Buffer buffer) {
    byteBuf(buffer).retain();
    return buffer;
  }

  static void release(Buffer buffer) {
    byteBuf(buffer).release();
  }

  /** @return views of {@code buffer}'s bytes, without a copy, for a checksum or a gathering write */
  static ByteBuffer[] nioBuffers(Buffer buffer) {
    ByteBuf bytes = byteBuf(buffer);
    return bytes.nioBuffers(bytes.readerIndex(), bytes.readableBytes());
  }

  // The buffer's own ByteBuf: BufferInternal.getByteBuf() hands out an unreleasable view of a direct one, on
  // which retain() and release() do nothing.
  private static ByteBuf byteBuf(Buffer buffer) {
    return ((BufferImpl) buffer).byteBuf();
  }
}
