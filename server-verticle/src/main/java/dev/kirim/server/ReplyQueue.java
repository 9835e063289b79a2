package dev.kirim.server;

import dev.kirim.protocol.Message;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * Sends replies in the order their requests arrived, whatever order the work behind them finishes in: a
 * slow fsync of one file may overlap the checks of the next offers without reordering the answers.
 */
final class ReplyQueue {

  /** A reserved place in the reply order, filled once. */
  static final class Slot {
    private Message reply;
  }

  private final Deque<Slot> slots = new ArrayDeque<>();
  private final Consumer<Message> writer;

  ReplyQueue(Consumer<Message> writer) {
    this.writer = writer;
  }

  Slot reserve() {
    Slot slot = new Slot();
    slots.add(slot);
    return slot;
  }

  /** Fills {@code slot} and writes every reply that is now at the head of the order. */
  void fill(Slot slot, Message reply) {
    slot.reply = reply;
    while (!slots.isEmpty() && slots.peek().reply != null) {
      writer.accept(slots.poll().reply);
    }
  }

  /** @return requests still waiting for their reply */
  int pending() {
    return slots.size();
  }

  void clear() {
    slots.clear();
  }
}
