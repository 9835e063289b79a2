package dev.kirim.client;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Notices a server that went silent — killed with its host, or cut off by the network so that no packet, not
 * even a reset, comes back — within {@code deadPeerMs}, where TCP alone would keep the connection for many
 * minutes and the idle timeout for two.
 * <p>
 * The rule: while the connection owes us something, something must move. It owes us something when we have
 * requests without a reply, or bytes queued for it. Moving is any line from the server, or the bytes queued
 * for it getting fewer (it reads, its kernel acknowledges, ours hands more to the socket). A server that works
 * on a reply for a long time (a name another upload holds, a big file's sync) still answers a {@code ping}
 * at once, when its welcome says it does: after a third of {@code deadPeerMs} without news, one ping is sent.
 * No ping goes between a body and its commit (the protocol forbids it); there the queued bytes must move, and
 * a pause of ours (checksumming the file before the commit, with nothing queued) is not the server's fault.
 * A server that does not answer pings is watched only while bytes are queued for it.
 * <p>
 * The queued bytes are read from Netty's outbound buffer of the socket's channel: Vert.x's public API says only
 * whether the write queue is full, and a body sent with {@code sendFile} sits in that buffer, whole, as one
 * file region whose progress only Netty knows; and a dead connection is closed through Netty, without the
 * flush that Vert.x's close waits for. This is the client's one reach below Vert.x's public API.
 * Event-loop confined: created and ticking on the connection's context.
 */
final class DeadPeerWatch {

  private static final Logger log = LoggerFactory.getLogger(DeadPeerWatch.class);

  private final Vertx vertx;
  private final NetSocket socket;
  private final long deadPeerMs;
  private final boolean answersPing;
  private final BooleanSupplier owed;
  private final BooleanSupplier mayPing;
  private final Runnable ping;
  private final Consumer<String> dead;
  private final String peer;
  private final long timer;
  private long lastMovedAt = System.nanoTime();
  private long lastPending = -1;
  private long lastProgress = -1;
  private boolean pinged;

  /**
   * @param owed    whether the server owes us replies or we have work under way on the connection
   * @param mayPing whether a ping may be written now (not between a body and its commit)
   * @param ping    writes a ping
   * @param dead    told once, with the line saying what was noticed; the watch stops then
   */
  DeadPeerWatch(Vertx vertx, NetSocket socket, String peer, long deadPeerMs, boolean answersPing,
                BooleanSupplier owed, BooleanSupplier mayPing, Runnable ping, Consumer<String> dead) {
    this.vertx = vertx;
    this.socket = socket;
    this.peer = peer;
    this.deadPeerMs = deadPeerMs;
    this.answersPing = answersPing;
    this.owed = owed;
    this.mayPing = mayPing;
    this.ping = ping;
    this.dead = dead;
    this.timer = vertx.setPeriodic(Math.max(20, Math.min(1000, deadPeerMs / 5)), id -> tick());
  }

  /** The server sent something. */
  void heard() {
    moved();
  }

  void stop() {
    vertx.cancelTimer(timer);
  }

  private void tick() {
    long pending = pendingBytes();
    long progress = currentProgress();
    boolean queueMoved = pending != lastPending || progress != lastProgress;
    lastPending = pending;
    lastProgress = progress;
    if (!owed.getAsBoolean() || pending > 0 && queueMoved) {
      moved();
      return;
    }
    if (pending == 0 && !(answersPing && mayPing.getAsBoolean())) {
      // Nothing queued and nothing to ask: we are the ones working (or the server cannot be asked).
      moved();
      return;
    }
    long silentMs = (System.nanoTime() - lastMovedAt) / 1_000_000;
    if (silentMs >= deadPeerMs) {
      stop();
      String verdict = "no progress from " + peer + " for " + deadPeerMs + " ms (" + (pending > 0 ? pending
        + " bytes not taken" : "no answer to a ping") + "): the server or the network to it is down";
      log.warn("Connection dropped: {}", verdict);
      dead.accept(verdict);
      // Told first: closing fails the body being sent, which would otherwise speak for the connection. Vert.x's
      // close() (which the connection just called) first flushes what is queued, which a dead peer never takes:
      // the socket would stay open, and hold the client's exit, until TCP gives up many minutes later; a close
      // through the pipeline waits for the same flush. The channel's own close drops the queue.
      Channel channel = ((NetSocketInternal) socket).channelHandlerContext().channel();
      channel.unsafe().close(channel.voidPromise());
    } else if (pending == 0 && !pinged && silentMs >= deadPeerMs / 3) {
      pinged = true;
      ping.run();
    }
  }

  private void moved() {
    lastMovedAt = System.nanoTime();
    pinged = false;
  }

  private long pendingBytes() {
    ChannelOutboundBuffer outbound = outbound();
    return outbound == null ? 0 : outbound.totalPendingWriteBytes();
  }

  private long currentProgress() {
    ChannelOutboundBuffer outbound = outbound();
    return outbound == null ? 0 : outbound.currentProgress();
  }

  // null once the channel is closed.
  private ChannelOutboundBuffer outbound() {
    return ((NetSocketInternal) socket).channelHandlerContext().channel().unsafe().outboundBuffer();
  }
}
