package dev.kirim.server;

import dev.kirim.protocol.Message;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * Sends replies in the order their requests arrived, whatever order the work behind them finishes in: a
 * slow fsync of one file may overlap the checks of the next offers without reordering the answers. It also
 * counts what the waiting requests hold: how many there are, and the body bytes they keep in memory until
 * answered (a put's, a small offered file's), which bound how far the connection is read ahead.
 */
final class ReplyQueue {

  /** A reserved place in the reply order, filled once. */
  static final class Slot {
    private final long heldBytes;
    private Message reply;

    private Slot(long heldBytes) {
      this.heldBytes = heldBytes;
    }
  }

  private final Deque<Slot> slots = new ArrayDeque<>();
  private final Consumer<Message> writer;
  private long heldBytes;

  ReplyQueue(Consumer<Message> writer) {
    this.writer = writer;
  }

  /** @param heldBytes the body bytes the request keeps in memory until it is answered */
  Slot reserve(long heldBytes) {
    Slot slot = new Slot(heldBytes);
    slots.add(slot);
    this.heldBytes += heldBytes;
    return slot;
  }

  /** Fills {@code slot} and writes every reply that is now at the head of the order. */
  void fill(Slot slot, Message reply) {
    slot.reply = reply;
    while (!slots.isEmpty() && slots.peek().reply != null) {
      Slot head = slots.poll();
      heldBytes -= head.heldBytes;
      writer.accept(head.reply);
    }
  }

  /** @return requests still waiting for their reply */
  int pending() {
    return slots.size();
  }

  /** @return the body bytes the requests still waiting keep in memory */
  long heldBytes() {
    return heldBytes;
  }

  void clear() {
    slots.clear();
    heldBytes = 0;
  }
}
