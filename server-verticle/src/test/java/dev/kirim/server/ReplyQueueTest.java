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
    ReplyQueue.Slot first = queue.reserve();
    ReplyQueue.Slot second = queue.reserve();
    ReplyQueue.Slot third = queue.reserve();

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
    ReplyQueue.Slot first = queue.reserve();
    ReplyQueue.Slot second = queue.reserve();

    queue.fill(first, new Message.Send(1, 0));
    assertEquals(List.of(new Message.Send(1, 0)), written);
    assertEquals(1, queue.pending());

    queue.fill(second, new Message.Send(2, 5));
    assertEquals(List.of(new Message.Send(1, 0), new Message.Send(2, 5)), written);
  }

  @Test
  void clearDropsWhatWasNotYetWritten() {
    ReplyQueue.Slot first = queue.reserve();
    queue.reserve();
    queue.clear();
    assertEquals(0, queue.pending());
    queue.fill(first, new Message.Send(1, 0));
    assertEquals(List.of(), written, "a slot of a cleared queue writes nothing");
  }
}
