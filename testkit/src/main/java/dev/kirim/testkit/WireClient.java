package dev.kirim.testkit;

import dev.kirim.protocol.ChecksumAlgorithm;
import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.protocol.MessageReader;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A raw kirim client for server tests: it writes literal messages and bytes exactly as a test says (so it can
 * misbehave on purpose) and queues the server's replies, parsed with the protocol's own {@link MessageReader},
 * in the order they arrive.
 * <p>
 * A test chains several clients' futures across event loops, so the reply queue is guarded by this object's
 * lock; promises are completed outside it.
 */
public final class WireClient {

  /** How long a test waits for one reply before failing with a clear message instead of hanging. */
  public static final long REPLY_TIMEOUT_SECONDS = 15;

  /** The id step between the attempts of {@link #offerUntilNotBusy}. */
  public static final long RETRY_ID_STEP = 1_000_000;

  private static final int MAX_REPLY_BYTES = 64 * 1024;

  private final Vertx vertx;
  private final NetClient netClient;
  private final NetSocket socket;
  private final Promise<Void> closed = Promise.promise();
  private final Deque<Message> replies = new ArrayDeque<>();
  private final Deque<Promise<Message>> waiting = new ArrayDeque<>();
  private Throwable ended;

  private WireClient(Vertx vertx, NetClient netClient, NetSocket socket) {
    this.vertx = vertx;
    this.netClient = netClient;
    this.socket = socket;
    // Set synchronously in the connect callback, so no byte of the server's is dropped.
    MessageReader.create(socket, MAX_REPLY_BYTES, MAX_REPLY_BYTES)
      .messageHandler(this::handleReply)
      .exceptionHandler(e -> handleEnd(new AssertionError("the server sent an unreadable reply: " + e)));
    socket.closeHandler(v -> {
      handleEnd(new AssertionError("the server closed the connection"));
      closed.tryComplete();
    });
  }

  /** Connects to a server on 127.0.0.1 (no hello is sent). */
  /** The mtime of {@link #offer} and {@link #upload}: a second offer of the same size is "the same file". */
  public static final long MTIME = 1_700_000_000_000L;

  public static Future<WireClient> connect(Vertx vertx, int port) {
    NetClient netClient = vertx.createNetClient();
    return netClient.connect(port, "127.0.0.1")
      .map(socket -> new WireClient(vertx, netClient, socket))
      .onFailure(e -> netClient.close());
  }

  /** Sends a hello and expects the welcome. */
  public Future<Message.Welcome> hello() {
    send(new Message.Hello(Message.VERSION, "test-client", null));
    return expect(Message.Welcome.class);
  }

  /** @return {@code reply} without its resume id, when it is a {@code send}: for comparing replies whole */
  public static Message withoutResumeId(Message reply) {
    return reply instanceof Message.Send send ? new Message.Send(send.id(), send.offset(), null, send.algorithm()) : reply;
  }

  /** Sends a hello with {@code token} and expects the welcome. */
  public Future<Message.Welcome> hello(String token) {
    send(new Message.Hello(Message.VERSION, "test-client", token));
    return expect(Message.Welcome.class);
  }

  public Future<Void> send(Message message) {
    return socket.write(message.toBuffer());
  }

  public Future<Void> sendRaw(Buffer bytes) {
    return socket.write(bytes);
  }

  public Future<Void> sendRaw(String text) {
    return sendRaw(Buffer.buffer(text));
  }

  /** Offers a file modified at {@link #MTIME}, with the default algorithm, compared by size and mtime. */
  public Future<Void> offer(long id, String name, long size) {
    return send(new Message.Offer(id, name, size, MTIME, null));
  }

  /** Sends {@code data} and the body {@code content[offset..]} as one write. */
  public Future<Void> sendBody(long id, byte[] content, int offset) {
    Buffer bytes = new Message.Data(id, offset, content.length - offset).toBuffer()
      .appendBytes(content, offset, content.length - offset);
    return sendRaw(bytes);
  }

  /** Sends the body and a commit with the right CRC32C checksum, then expects {@code done}. */
  public Future<Message.Done> finishUpload(long id, byte[] content, int offset) {
    sendBody(id, content, offset);
    send(new Message.Commit(id, Checksums.crc32c(content)));
    return expect(Message.Done.class);
  }

  /**
   * Sends the body from {@code send.offset()} and a commit in the algorithm {@code send} asks for (SHA-256 for a
   * resume), else CRC32C, then expects {@code done}.
   */
  public Future<Message.Done> finishUpload(Message.Send send, byte[] content) {
    sendBody(send.id(), content, (int) send.offset());
    ChecksumAlgorithm algorithm = send.algorithm() == null ? ChecksumAlgorithm.CRC32C
      : ChecksumAlgorithm.fromWireName(send.algorithm());
    send(new Message.Commit(send.id(), Checksums.of(content, algorithm)));
    return expect(Message.Done.class);
  }

  /** The whole upload of a new file: offer, expect {@code send} from offset 0, body, commit, expect {@code done}. */
  public Future<Message.Done> upload(long id, String name, byte[] content) {
    offer(id, name, content.length);
    return expect(Message.Send.class)
      .map(send -> {
        check(send.id() == id && send.offset() == 0, "expected send{id=" + id + ", offset=0}, got " + send);
        return send;
      })
      .compose(send -> finishUpload(id, content, 0));
  }

  /**
   * Offers until the server stops answering {@code busy}: a connection that just went away may still hold the
   * name's claim while the server finishes cleaning up after it. Ids are never reused on a connection, so
   * attempt {@code k} uses id {@code offer.id() + k * RETRY_ID_STEP}. Bounded: at most {@code attempts}
   * offers, 20 ms apart.
   *
   * @return the first reply that is not {@code busy}
   */
  public Future<Message> offerUntilNotBusy(Message.Offer offer, int attempts) {
    return offerUntilNotBusy(offer, 0, attempts);
  }

  /** Like {@link #offerUntilNotBusy}, and the reply must be {@code send}. */
  public Future<Message.Send> offerUntilSent(Message.Offer offer, int attempts) {
    return offerUntilNotBusy(offer, attempts).map(reply -> {
      check(reply instanceof Message.Send, "expected a 'send' reply, got " + reply);
      return (Message.Send) reply;
    });
  }

  private Future<Message> offerUntilNotBusy(Message.Offer offer, int attempt, int attempts) {
    send(new Message.Offer(offer.id() + attempt * RETRY_ID_STEP, offer.name(), offer.size(), offer.mtime(),
      offer.algorithm(), offer.checksum(), offer.mode(), offer.setMtime(), offer.dryRun(), offer.resumeId()));
    return next().compose(reply -> {
      boolean busy = reply instanceof Message.Error error && error.code() == ErrorCode.BUSY;
      if (!busy) {
        return Future.succeededFuture(reply);
      }
      if (attempt + 1 >= attempts) {
        return Future.failedFuture(new AssertionError("still busy after " + attempts + " attempts: " + reply));
      }
      return vertx.timer(20, TimeUnit.MILLISECONDS).compose(v -> offerUntilNotBusy(offer, attempt + 1, attempts));
    });
  }

  /** @return the next reply, in arrival order; fails once the connection is closed and no reply is left */
  public Future<Message> next() {
    Promise<Message> promise = Promise.promise();
    Message reply;
    Throwable end;
    synchronized (this) {
      reply = replies.poll();
      end = ended;
      if (reply == null && end == null) {
        waiting.add(promise);
      }
    }
    if (reply != null) {
      promise.complete(reply);
    } else if (end != null) {
      promise.fail(end);
    }
    return promise.future().timeout(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS)
      .recover(e -> Future.failedFuture(e instanceof AssertionError ? e
        : new AssertionError("no reply from the server: " + e.getMessage(), e)));
  }

  /** @return the next reply, which must be of {@code type} */
  public <T extends Message> Future<T> expect(Class<T> type) {
    return next().map(reply -> {
      check(type.isInstance(reply), "expected a '" + type.getSimpleName().toLowerCase(java.util.Locale.ROOT) + "' reply, got " + reply);
      return type.cast(reply);
    });
  }

  /** @return the next reply, which must be an error with {@code code} about offer {@code id} ({@code null}: the connection) */
  public Future<Message.Error> expectError(ErrorCode code, Long id) {
    return expect(Message.Error.class).map(error -> {
      check(error.code() == code && java.util.Objects.equals(error.id(), id),
        "expected error " + code.wireName() + " with id " + id + ", got " + error);
      return error;
    });
  }

  /** @return the next reply, which must be a connection-level error with {@code code}, followed by the server closing */
  public Future<Message.Error> expectFatal(ErrorCode code) {
    return expectError(code, null).compose(error -> closed().map(error));
  }

  /** Completes when the server (or this client) has closed the connection. */
  public Future<Void> closed() {
    return closed.future().timeout(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS)
      .recover(e -> Future.failedFuture(new AssertionError("the server did not close the connection", e)));
  }

  public boolean isClosed() {
    return closed.future().isComplete();
  }

  public Future<Void> close() {
    return socket.close().transform(ar -> netClient.close());
  }

  public static byte[] slice(byte[] content, int from, int to) {
    return Arrays.copyOfRange(content, from, to);
  }

  /** Throws an {@link AssertionError}, which fails the future chain it is thrown in. */
  public static void check(boolean condition, String message) {
    if (!condition) {
      throw new AssertionError(message);
    }
  }

  private void handleReply(Message reply) {
    Promise<Message> promise;
    synchronized (this) {
      promise = waiting.poll();
      if (promise == null) {
        replies.add(reply);
        return;
      }
    }
    promise.tryComplete(reply);
  }

  private void handleEnd(Throwable cause) {
    List<Promise<Message>> toFail;
    synchronized (this) {
      if (ended == null) {
        ended = cause;
      }
      toFail = new ArrayList<>(waiting);
      waiting.clear();
    }
    toFail.forEach(promise -> promise.tryFail(cause));
  }

  @Override
  public String toString() {
    return "WireClient[" + socket.localAddress() + "]";
  }
}
