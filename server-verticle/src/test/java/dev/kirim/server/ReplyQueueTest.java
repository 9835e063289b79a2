package dev.kirim.server;

import dev.kirim.protocol.Message;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ReplyQueueTest {

  private final List<Message> written = new ArrayList<>();
  private final ReplyQueue queue = new ReplyQueue(written::add);

  @Test
  void repliesLeaveInRequestOrderWhateverOrderTheyAreReadyIn() {
    ReplyQueue.Slot first = queue.reserve(0);
    ReplyQueue.Slot second = queue.reserve(0);
    ReplyQueue.Slot third = queue.reserve(0);

    queue.fill(third, new Message.Send(3, 0));
    queue.fill(second, new Message.Send(2, 0));
    assertEquals(List.of(), written, "nothing may overtake the first request's reply");
    assertEquals(3, queue.pending());

    queue.fill(first, new Message.Send(1, 0));
    assertEquals(List.of(new Message.Send(1, 0), new Message.Send(2, 0), new Message.Send(3, 0)), written);
    assertEquals(0, queue.pending());
  }

  @Test
  void aReplyReadyAtTheHeadIsWrittenAtOnce() {
    ReplyQueue.Slot first = queue.reserve(0);
    ReplyQueue.Slot second = queue.reserve(0);

    queue.fill(first, new Message.Send(1, 0));
    assertEquals(List.of(new Message.Send(1, 0)), written);
    assertEquals(1, queue.pending());

    queue.fill(second, new Message.Send(2, 5));
    assertEquals(List.of(new Message.Send(1, 0), new Message.Send(2, 5)), written);
  }

  @Test
  void theBytesHeldAreCountedUntilTheirReplyIsWritten() {
    ReplyQueue.Slot put = queue.reserve(4096);
    ReplyQueue.Slot offer = queue.reserve(0);
    ReplyQueue.Slot commit = queue.reserve(65_536);
    assertEquals(69_632, queue.heldBytes());

    queue.fill(commit, new Message.Send(3, 0));
    assertEquals(69_632, queue.heldBytes(), "a reply not yet written still holds its request's body");
    queue.fill(put, new Message.Send(1, 0));
    assertEquals(65_536, queue.heldBytes());
    queue.fill(offer, new Message.Send(2, 0));
    assertEquals(0, queue.heldBytes());

    queue.reserve(100);
    queue.clear();
    assertEquals(0, queue.heldBytes());
  }

  @Test
  void clearDropsWhatWasNotYetWritten() {
    ReplyQueue.Slot first = queue.reserve(0);
    queue.reserve(0);
    queue.clear();
    assertEquals(0, queue.pending());
    queue.fill(first, new Message.Send(1, 0));
    assertEquals(List.of(), written, "a slot of a cleared queue writes nothing");
  }
}
