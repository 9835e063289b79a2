package dev.kirim.server;

import dev.kirim.protocol.MessageReader;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import java.util.EnumSet;
import java.util.function.BooleanSupplier;

/**
 * Whether a connection reads: paused while anything holds it back, resumed exactly when nothing does.
 * <p>
 * Both the socket and the {@link MessageReader} pause, since one socket read may hold several messages: the
 * reader keeps what it has not handed out yet. A resume asked for while a read is being handled waits until
 * that read is done ({@link #resumeIfDeferred}), because resuming the socket hands over the reads it held at
 * once, and reads must be handled in order. Event-loop confined.
 */
final class ReadFlow {

  /** What can hold reading back, besides the rate limit. */
  enum Hold {
    /** A partial file is being opened for the body that follows. */
    FILE_OPENING,
    /** The body's writes to disk are queued up to their bound: the disk pushes back on the socket. */
    DISK,
    /** {@code maxPendingOffers} requests await their reply, or their bodies in memory reach {@code maxPendingBytes}. */
    REPLIES,
    /** The socket's write queue is full: the peer does not read its replies. */
    PEER_NOT_READING
  }

  private final MessageReader reader;
  private final NetSocket socket;
  private final BooleanSupplier paced;
  private final Runnable resumed;
  private final Runnable updated;
  private final EnumSet<Hold> holds = EnumSet.noneOf(Hold.class);
  private boolean handlingData;
  private boolean resumeAfterData;
  private boolean closed;

  /**
   * @param paced   whether the rate limit holds reading back now
   * @param resumed called after reading resumed
   * @param updated called after every update, paused or not (the connection's deadlines follow the pause)
   */
  ReadFlow(MessageReader reader, NetSocket socket, BooleanSupplier paced, Runnable resumed, Runnable updated) {
    this.reader = reader;
    this.socket = socket;
    this.paced = paced;
    this.resumed = resumed;
    this.updated = updated;
  }

  /** Hands one socket read to the reader; a resume asked for meanwhile waits for {@link #resumeIfDeferred}. */
  void handle(Buffer data) {
    handlingData = true;
    try {
      reader.handle(data);
    } finally {
      handlingData = false;
    }
  }

  /** Call once the read handed to {@link #handle} is fully dealt with. */
  void resumeIfDeferred() {
    if (resumeAfterData) {
      resumeAfterData = false;
      update();
    }
  }

  /** @return whether a read is being handled now */
  boolean handlingData() {
    return handlingData;
  }

  void set(Hold reason, boolean holding) {
    if (holding) {
      holds.add(reason);
    } else {
      holds.remove(reason);
    }
    update();
  }

  boolean holding(Hold reason) {
    return holds.contains(reason);
  }

  boolean paused() {
    return reader.isPaused();
  }

  /** Pauses or resumes reading so that it runs exactly when nothing holds it back. */
  void update() {
    if (closed) {
      return;
    }
    boolean hold = !holds.isEmpty() || paced.getAsBoolean();
    if (hold && !reader.isPaused()) {
      reader.pause();
      socket.pause();
    } else if (!hold && reader.isPaused()) {
      if (handlingData) {
        resumeAfterData = true;
        return;
      }
      // The reader first, with what it holds; then the socket, with the reads it held back (several may
      // come at once), unless the reader paused again meanwhile.
      reader.resume();
      if (!reader.isPaused()) {
        socket.resume();
      }
      resumed.run();
    }
    updated.run();
  }

  /** Stops reading for good: what the socket still delivers is the connection's to drop. */
  void close() {
    closed = true;
    reader.pause();
  }
}
