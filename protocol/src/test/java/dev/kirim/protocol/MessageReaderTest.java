package dev.kirim.protocol;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Feeds the reader the same bytes cut in every possible way and checks that it always sees the same
 * messages and bodies; then the limits, failures and flow control.
 */
class MessageReaderTest {

  private static final int CHUNK = 7;
  private static final String BODY_END = "body-end";

  private Buffer stream;
  private List<Object> expected;
  private int longestLine;

  /** What a reader reported, in order: messages, each body's bytes joined, body ends, failures. */
  private static final class Recorder {
    final MessageReader reader;
    final List<Object> events = new ArrayList<>();
    final List<ProtocolException> failures = new ArrayList<>();
    final List<Long> remainingAfterChunk = new ArrayList<>();
    Buffer body;

    Recorder(MessageReader reader) {
      this.reader = reader;
      reader.messageHandler(message -> {
        assertNull(body, "a message arrived inside a body");
        events.add(message);
        if (message instanceof Message.Data data) {
          body = Buffer.buffer();
          assertEquals(data.length(), reader.bodyRemaining());
        } else if (message instanceof Message.Put put) {
          body = Buffer.buffer();
          assertEquals(put.size(), reader.bodyRemaining());
        }
      });
      reader.chunkHandler(chunk -> {
        assertTrue(body != null, "a chunk arrived outside a body");
        assertTrue(chunk.length() >= 1 && chunk.length() <= CHUNK, "chunk of " + chunk.length() + " bytes");
        body.appendBuffer(chunk);
        remainingAfterChunk.add(reader.bodyRemaining());
      });
      reader.bodyEndHandler(v -> {
        assertTrue(body != null, "a body end without a data message");
        events.add(body);
        events.add(BODY_END);
        body = null;
      });
      reader.exceptionHandler(failures::add);
    }

    Recorder(int maxHeaderBytes) {
      this(MessageReader.create(maxHeaderBytes, CHUNK));
    }

    Recorder feed(Buffer data) {
      reader.handle(data);
      return this;
    }

    Recorder feed(String text) {
      return feed(Buffer.buffer(text));
    }

    ProtocolException onlyFailure() {
      assertEquals(1, failures.size(), "failures: " + failures);
      assertEquals(MessageReader.State.FAILED, reader.state());
      return failures.get(0);
    }
  }

  @BeforeEach
  void buildStream() {
    Random random = new Random(7);
    byte[] body1 = new byte[50]; // not a multiple of CHUNK
    random.nextBytes(body1);
    body1[3] = '\n';
    body1[49] = '\n';
    byte[] body3 = ("\n" + line(new Message.Commit(1, "crc32c:00000000")).toString() + "{\"type\":")
      .getBytes(StandardCharsets.UTF_8); // a body that looks like headers must stay a body
    List<Object> parts = List.of(
      new Message.Hello(1, "client-ü", null),
      new Message.Offer(1, "a/b.bin", body1.length, 1_700_000_000_000L, null),
      new Message.Offer(2, "empty", 0, 0L, "sha256"),
      new Message.Data(1, 0, body1.length), Buffer.buffer(body1),
      new Message.Commit(1, "crc32c:0a0b0c0d"),
      new Message.Data(2, 0, 0), Buffer.buffer(),
      new Message.Commit(2, "sha256:" + "0".repeat(64)),
      new Message.Offer(3, "long/" + "n".repeat(150) + ".txt", body3.length, 0L, null),
      new Message.Data(3, 0, body3.length), Buffer.buffer(body3),
      new Message.Data(4, 10, CHUNK), Buffer.buffer("1234567"),
      new Message.Commit(3, "crc32c:ffffffff"),
      // A put carries its body like a data line; an empty one ends at once.
      new Message.Put(5, "small.txt", body1.length, 1L, null, "crc32c:0a0b0c0d", null, null), Buffer.buffer(body1),
      new Message.Put(6, "empty.txt", 0, 1L, null, "crc32c:00000000", 0644, false), Buffer.buffer(),
      new Message.Offer(7, "after-puts", 1, 0L, null));
    stream = Buffer.buffer();
    expected = new ArrayList<>();
    for (Object part : parts) {
      if (part instanceof Message message) {
        Buffer line = line(message);
        longestLine = Math.max(longestLine, line.length() - 1);
        stream.appendBuffer(line);
        expected.add(message);
      } else {
        stream.appendBuffer((Buffer) part);
        expected.add(part);
        expected.add(BODY_END);
      }
    }
  }

  private static Buffer line(Message message) {
    return MessageCodec.encode(message);
  }

  private Recorder feedInChunksOf(int size, int maxHeaderBytes) {
    Recorder recorder = new Recorder(maxHeaderBytes);
    for (int start = 0; start < stream.length(); start += size) {
      recorder.feed(stream.getBuffer(start, Math.min(stream.length(), start + size)));
    }
    return recorder;
  }

  // --- the same events however the bytes are cut ---------------------------------------------------------

  @Test
  void everyChunkSizeGivesTheSameEvents() {
    for (int size = 1; size <= 2 * stream.length(); size++) {
      Recorder recorder = feedInChunksOf(size, longestLine);
      assertEquals(List.of(), recorder.failures, "split " + size);
      assertEquals(expected, recorder.events, "split " + size);
      assertEquals(MessageReader.State.HEADER, recorder.reader.state(), "split " + size);
      assertEquals(0, recorder.reader.bodyRemaining());
    }
  }

  @Test
  void randomSplitsGiveTheSameEvents() {
    Random random = new Random(20240601);
    for (int round = 0; round < 500; round++) {
      Recorder recorder = new Recorder(longestLine);
      int start = 0;
      while (start < stream.length()) {
        // Mostly short pieces so that many cuts fall inside lines and bodies; sometimes empty ones.
        int size = random.nextInt(10) == 0 ? random.nextInt(stream.length()) : random.nextInt(12);
        int end = Math.min(stream.length(), start + size);
        recorder.feed(stream.getBuffer(start, end));
        start = end;
      }
      assertEquals(List.of(), recorder.failures, "round " + round);
      assertEquals(expected, recorder.events, "round " + round);
    }
  }

  @Test
  void aLimitOneBelowTheLongestLineFailsWhereverTheBytesAreCut() {
    for (int size = 1; size <= 2 * stream.length(); size++) {
      Recorder recorder = feedInChunksOf(size, longestLine - 1);
      assertEquals(ErrorCode.MALFORMED, recorder.onlyFailure().code(), "split " + size);
      // What came before the failure is exactly what a correct reader had reported up to that line.
      assertEquals(expected.subList(0, recorder.events.size()), recorder.events, "split " + size);
      assertTrue(recorder.events.size() < expected.size());
    }
  }

  @Test
  void zeroLengthBodyEndsAtOnceWithoutChunks() {
    Recorder recorder = new Recorder(256).feed(line(new Message.Data(5, 0, 0)));
    assertEquals(List.of(new Message.Data(5, 0, 0), Buffer.buffer(), BODY_END), recorder.events);
    assertEquals(List.of(), recorder.remainingAfterChunk);
    assertEquals(MessageReader.State.HEADER, recorder.reader.state());
  }

  @Test
  void bodyRemainingCountsDown() {
    Recorder recorder = new Recorder(256).feed(line(new Message.Data(1, 0, 20)));
    assertEquals(MessageReader.State.BODY, recorder.reader.state());
    assertEquals(20, recorder.reader.bodyRemaining());
    // Received bytes are delivered at once, in chunks of at most CHUNK (7) bytes.
    recorder.feed("0123456789");
    assertEquals(List.of(13L, 10L), recorder.remainingAfterChunk);
    assertEquals(10, recorder.reader.bodyRemaining());
    recorder.feed("0123456789");
    assertEquals(List.of(13L, 10L, 3L, 0L), recorder.remainingAfterChunk);
    assertEquals(0, recorder.reader.bodyRemaining());
    assertEquals(MessageReader.State.HEADER, recorder.reader.state());
    assertEquals(BODY_END, recorder.events.get(recorder.events.size() - 1));
  }

  @Test
  void truncatedBodyLeavesTheReaderOwingBytes() {
    Recorder recorder = new Recorder(256).feed(line(new Message.Data(1, 0, 20)).appendString("0123456789"));
    assertEquals(MessageReader.State.BODY, recorder.reader.state());
    assertEquals(20 - 10, recorder.reader.bodyRemaining(), "every byte received is delivered before the end");
    assertFalse(recorder.events.contains(BODY_END));
    assertEquals(List.of(), recorder.failures);
  }

  // --- header length limit -------------------------------------------------------------------------------

  /** A valid hello line of exactly {@code bytes} bytes, newline excluded. */
  private static String helloOfLength(int bytes) {
    String prefix = "{\"type\":\"hello\",\"version\":1,\"clientId\":\"";
    String suffix = "\"}";
    String text = prefix + "c".repeat(bytes - prefix.length() - suffix.length()) + suffix;
    assertEquals(bytes, text.getBytes(StandardCharsets.UTF_8).length);
    return text;
  }

  @Test
  void headerOfExactlyMaxHeaderBytesIsAccepted() {
    Recorder recorder = new Recorder(128).feed(helloOfLength(128) + "\n");
    assertEquals(List.of(), recorder.failures);
    assertEquals(1, recorder.events.size());
  }

  @Test
  void headerOfMaxHeaderBytesPlusOneIsRejected() {
    Recorder recorder = new Recorder(128).feed(helloOfLength(129) + "\n");
    assertEquals(ErrorCode.MALFORMED, recorder.onlyFailure().code());
    assertTrue(recorder.onlyFailure().getMessage().contains("128"), recorder.onlyFailure().getMessage());
    assertEquals(List.of(), recorder.events);
  }

  @Test
  void unterminatedLineOfMaxHeaderBytesWaitsForItsNewline() {
    Recorder recorder = new Recorder(128).feed(helloOfLength(128));
    assertEquals(List.of(), recorder.failures);
    assertEquals(MessageReader.State.HEADER, recorder.reader.state());
    recorder.feed("\n");
    assertEquals(1, recorder.events.size());
  }

  @Test
  void unterminatedLineOneByteTooLongFailsWithoutWaitingForTheNewline() {
    Recorder recorder = new Recorder(128).feed(helloOfLength(129).substring(0, 128));
    assertEquals(List.of(), recorder.failures);
    recorder.feed("c");
    assertEquals(ErrorCode.MALFORMED, recorder.onlyFailure().code());
  }

  @Test
  void unterminatedLineTooLongInOneBufferFails() {
    Recorder recorder = new Recorder(128).feed("x".repeat(129));
    assertEquals(ErrorCode.MALFORMED, recorder.onlyFailure().code());
  }

  @Test
  void unterminatedLineTooLongByteByByteFails() {
    Recorder recorder = new Recorder(128);
    for (int i = 0; i < 128; i++) {
      recorder.feed("x");
    }
    assertEquals(List.of(), recorder.failures);
    recorder.feed("x");
    assertEquals(ErrorCode.MALFORMED, recorder.onlyFailure().code());
  }

  @Test
  void partialLineAfterABodyIsMeasuredFromItsOwnStart() {
    // 20 body bytes, then a partial header of exactly the limit: the body bytes must not count against it.
    Buffer data = line(new Message.Data(1, 0, 20)).appendString("b".repeat(20)).appendString(helloOfLength(128));
    Recorder recorder = new Recorder(128).feed(data);
    assertEquals(List.of(), recorder.failures);
    recorder.feed("\n");
    assertEquals(4, recorder.events.size(), "data, body, body end, hello: " + recorder.events);
  }

  // --- failures ------------------------------------------------------------------------------------------

  @Test
  void garbageIsMalformed() {
    Recorder recorder = new Recorder(256).feed(Buffer.buffer(new byte[] {(byte) 0xfe, 0x01, '{', 'x', '\n'}));
    assertEquals(ErrorCode.MALFORMED, recorder.onlyFailure().code());
    assertEquals(List.of(), recorder.events);
  }

  @Test
  void emptyLineIsMalformed() {
    Recorder recorder = new Recorder(256).feed("\n");
    assertEquals(ErrorCode.MALFORMED, recorder.onlyFailure().code());
  }

  @Test
  void nothingIsEmittedAfterAFailureAndTheHandlerRunsOnce() {
    Recorder recorder = new Recorder(256)
      .feed(line(new Message.Send(1, 0)))
      .feed("{\"type\":\"nonsense\"}\n" + line(new Message.Send(2, 0)));
    assertEquals(List.of(new Message.Send(1, 0)), recorder.events);
    ProtocolException failure = recorder.onlyFailure();
    assertTrue(failure.getMessage().contains("nonsense"), failure.getMessage());
    recorder.feed(line(new Message.Send(3, 0)));
    recorder.feed("more garbage\n");
    recorder.feed("x".repeat(1000));
    recorder.reader.resume();
    recorder.feed(line(new Message.Data(4, 0, 3)).appendString("abc"));
    assertEquals(List.of(new Message.Send(1, 0)), recorder.events);
    assertEquals(1, recorder.failures.size());
  }

  /**
   * One socket read of megabytes (a server whose socket has a large receive buffer reads that much at once)
   * that arrives while the reader is paused after a data line, as the server pauses while the file opens:
   * the body and the line after it are read in full once it resumes, not taken for an overlong header line.
   */
  @Test
  void aReadOfMegabytesHeldWhilePausedIsReadWholeOnResume() {
    MessageReader reader = MessageReader.create(8192, 256 * 1024);
    List<Message> messages = new ArrayList<>();
    List<ProtocolException> failures = new ArrayList<>();
    long[] bodyBytes = {0};
    reader.messageHandler(message -> {
      messages.add(message);
      if (message instanceof Message.Data) {
        reader.pause();
      }
    });
    reader.chunkHandler(chunk -> bodyBytes[0] += chunk.length());
    reader.exceptionHandler(failures::add);
    byte[] body = new byte[3 * 1024 * 1024];
    new Random(3).nextBytes(body);
    Message.Commit commit = new Message.Commit(1, "crc32c:0a0b0c0d");
    reader.handle(line(new Message.Data(1, 0, body.length)).appendBytes(body).appendBuffer(line(commit)));
    assertEquals(List.of(new Message.Data(1, 0, body.length)), messages);
    assertEquals(0, bodyBytes[0], "paused: nothing of the body is delivered yet");

    reader.resume();

    assertEquals(List.of(), failures);
    assertEquals(body.length, bodyBytes[0]);
    assertEquals(List.of(new Message.Data(1, 0, body.length), commit), messages);
  }

  /** A line that is too long is refused when the reader resumes, if it was held while paused. */
  @Test
  void anOverlongLineHeldWhilePausedFailsOnResume() {
    Recorder recorder = new Recorder(256);
    recorder.reader.pause();
    recorder.feed(line(new Message.Send(1, 0)).appendString("x".repeat(300)));
    assertEquals(List.of(), recorder.failures, "paused: nothing is parsed yet");
    recorder.reader.resume();
    assertEquals(List.of(new Message.Send(1, 0)), recorder.events);
    assertEquals(ErrorCode.MALFORMED, recorder.onlyFailure().code());
  }

  /**
   * A handler that pauses and resumes the reader while the lines held during a pause are being read (the
   * server does, when a hold is set and lifted within one message) does not make the lines still to be read
   * look like one overlong line.
   */
  @Test
  void aPauseAndResumeInsideAHandlerReadsOnThroughWhatWasHeld() {
    MessageReader reader = MessageReader.create(256, CHUNK);
    List<Message> messages = new ArrayList<>();
    List<ProtocolException> failures = new ArrayList<>();
    reader.messageHandler(message -> {
      messages.add(message);
      reader.pause();
      reader.resume();
    });
    reader.exceptionHandler(failures::add);
    reader.pause();
    Buffer held = Buffer.buffer();
    for (int i = 0; i < 40; i++) {
      held.appendBuffer(line(new Message.Ping()));
    }
    assertTrue(held.length() > 256, "more than one line's limit is held");
    reader.handle(held);

    reader.resume();

    assertEquals(List.of(), failures);
    assertEquals(40, messages.size());
  }

  @Test
  void failureInsideOneBufferStopsTheRestOfThatBuffer() {
    Recorder recorder = new Recorder(256)
      .feed(line(new Message.Send(1, 0)).appendString("oops\n").appendBuffer(line(new Message.Send(2, 0))));
    assertEquals(List.of(new Message.Send(1, 0)), recorder.events);
    assertEquals(ErrorCode.MALFORMED, recorder.onlyFailure().code());
  }

  @Test
  void bodyLongerThanAnnouncedIsReadAsAHeaderAndFails() {
    Recorder recorder = new Recorder(256).feed(line(new Message.Data(1, 0, 5)).appendString("12345678\n"));
    assertEquals(List.of(new Message.Data(1, 0, 5), Buffer.buffer("12345"), BODY_END), recorder.events);
    assertEquals(ErrorCode.MALFORMED, recorder.onlyFailure().code());
  }

  @Test
  void invalidMessageFailsWithItsOwnReason() {
    Recorder recorder = new Recorder(256).feed("{\"type\":\"data\",\"id\":1,\"offset\":0,\"length\":-1}\n");
    assertTrue(recorder.onlyFailure().getMessage().contains("length"), recorder.onlyFailure().getMessage());
    assertEquals(List.of(), recorder.events);
  }

  @Test
  void constructorRefusesSillyLimits() {
    assertThrows(IllegalArgumentException.class, () -> MessageReader.create(63, 1024));
    assertThrows(IllegalArgumentException.class, () -> MessageReader.create(64, 0));
    MessageReader.create(64, 1);
  }

  // --- flow control --------------------------------------------------------------------------------------

  @Test
  void pauseInsideABodyThenResumeDeliversTheRestInOrder() {
    Recorder recorder = new Recorder(longestLine);
    boolean[] pausedOnce = {false};
    Handler<Buffer> record = chunk -> {
      recorder.body.appendBuffer(chunk);
      if (!pausedOnce[0]) {
        pausedOnce[0] = true;
        recorder.reader.pause();
      }
    };
    recorder.reader.chunkHandler(record);
    int half = stream.length() / 2;
    recorder.feed(stream.getBuffer(0, half));
    // Stopped right after the first chunk of the first body: no later chunk, no body end, no message.
    assertEquals(expected.subList(0, 4), recorder.events);
    assertEquals(CHUNK, recorder.body.length());
    assertEquals(MessageReader.State.BODY, recorder.reader.state());
    assertEquals(50 - CHUNK, recorder.reader.bodyRemaining());
    recorder.feed(stream.getBuffer(half, stream.length()));
    assertEquals(4, recorder.events.size(), "paused: bytes are kept, not delivered");
    recorder.reader.resume();
    assertEquals(List.of(), recorder.failures);
    assertEquals(expected, recorder.events);
  }

  @Test
  void pausingAtEveryEventAndResumingFromOutsideGivesTheSameEvents() {
    for (int size : new int[] {1, 5, 64, stream.length()}) {
      Recorder recorder = new Recorder(longestLine);
      MessageReader reader = recorder.reader;
      int[] calls = {0};
      // Replace each handler by one that pauses the reader after every event.
      reader.messageHandler(message -> {
        calls[0]++;
        recorder.events.add(message);
        if (message instanceof Message.Data || message instanceof Message.Put) {
          recorder.body = Buffer.buffer();
        }
        reader.pause();
      });
      reader.chunkHandler(chunk -> {
        calls[0]++;
        assertTrue(chunk.length() <= CHUNK);
        recorder.body.appendBuffer(chunk);
        reader.pause();
      });
      reader.bodyEndHandler(v -> {
        calls[0]++;
        recorder.events.add(recorder.body);
        recorder.events.add(BODY_END);
        recorder.body = null;
        reader.pause();
      });
      for (int start = 0; start < stream.length(); start += size) {
        recorder.feed(stream.getBuffer(start, Math.min(stream.length(), start + size)));
        // Each resume delivers at most one event; stop when one delivers nothing (all buffered bytes used).
        int before;
        do {
          before = calls[0];
          reader.resume();
        } while (calls[0] > before);
      }
      assertEquals(List.of(), recorder.failures, "split " + size);
      assertEquals(expected, recorder.events, "split " + size);
    }
  }

  @Test
  void pausingTheReaderPausesItsSource() {
    FakeStream source = new FakeStream();
    MessageReader reader = MessageReader.create(source, 256, CHUNK);
    List<Buffer> chunks = new ArrayList<>();
    reader.chunkHandler(chunk -> {
      chunks.add(chunk);
      if (chunks.size() == 1) {
        reader.pause();
      }
    });
    source.emit(line(new Message.Data(1, 0, 10)).appendString("0123456789"));
    assertTrue(source.paused, "the source is paused with the reader");
    assertEquals(List.of(Buffer.buffer("0123456")), chunks);
    reader.resume();
    assertFalse(source.paused, "resuming the reader resumes the source");
    assertEquals(List.of(Buffer.buffer("0123456"), Buffer.buffer("789")), chunks);
  }

  /** The smallest {@link ReadStream} that records whether it was paused. */
  private static final class FakeStream implements ReadStream<Buffer> {
    Handler<Buffer> handler;
    boolean paused;

    void emit(Buffer data) {
      handler.handle(data);
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> handler) {
      this.handler = handler;
      return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
      paused = true;
      return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
      paused = false;
      return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
      paused = false;
      return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
      return this;
    }
  }
}
