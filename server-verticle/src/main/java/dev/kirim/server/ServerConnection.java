package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.protocol.MessageReader;
import dev.kirim.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * One client connection: the protocol state machine of the receiving side.
 * <p>
 * Messages are read in order. The file-system work behind an offer (checks) or a commit (sync and
 * publish) runs concurrently with reading what follows, so a pipelining client keeps the disk busy with
 * several fsyncs at once; {@link ReplyQueue} keeps the replies in request order. Reading pauses while a
 * partial file opens, while its write queue is full (the disk pushes back on the socket), and while
 * {@code maxPendingOffers} requests await their reply.
 */
class ServerConnection {

  private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);

  private enum State { AWAIT_HELLO, READY, CLOSED }

  private final Vertx vertx;
  private final NetSocket socket;
  private final ServerOptions options;
  private final Storage storage;
  private final String serverId;
  private final Runnable onClosed;
  private final String owner = UUID.randomUUID().toString();
  private final String peer;
  private final MessageReader reader;
  private final ReplyQueue replies;
  private final FileOutcomes outcomes;
  private final long openedAt = System.nanoTime();

  private final Map<Long, Upload> accepted = new HashMap<>();
  // Ids of the offers being checked: checks run concurrently, and an id must not be reused meanwhile either.
  private final Set<Long> checking = new HashSet<>();
  private State state = State.AWAIT_HELLO;
  private Upload receiving;
  private String clientId = "?";
  private long deadlineTimer = -1;
  private int filesStored;
  private long bytesStored;
  // Why reading is paused; it resumes when none holds.
  private boolean waitingForOpen;
  private boolean waitingForDisk;
  private boolean waitingForReplies;

  ServerConnection(Vertx vertx, NetSocket socket, ServerOptions options, Storage storage, String serverId,
                   Runnable onClosed) {
    this.vertx = vertx;
    this.socket = socket;
    this.options = options;
    this.storage = storage;
    this.serverId = serverId;
    this.onClosed = onClosed;
    this.peer = socket.remoteAddress().host() + ":" + socket.remoteAddress().port();
    this.replies = new ReplyQueue(message -> socket.write(message.toBuffer()));
    this.outcomes = new FileOutcomes(vertx, serverId, peer);
    ServerLimits limits = options.getLimits();
    this.reader = MessageReader.create(limits.getMaxHeaderBytes(), limits.getChunkBytes())
      .messageHandler(this::handleMessage)
      .chunkHandler(this::handleChunk)
      .bodyEndHandler(v -> handleBodyEnd())
      .exceptionHandler(this::fatal);
  }

  /** Starts reading; call synchronously from the connect handler so that no byte is dropped. */
  void start() {
    log.info("Connection from {}", peer);
    socket.handler(this::handleData);
    socket.closeHandler(v -> handleClosed());
    socket.exceptionHandler(e -> log.debug("{}: socket error: {}", peer, e.toString()));
    startDeadline("no hello within " + options.getLimits().getHeaderTimeoutMs() + " ms");
  }

  private void handleData(Buffer data) {
    reader.handle(data);
    armHeaderDeadline();
  }

  private void handleMessage(Message message) {
    if (state == State.AWAIT_HELLO) {
      handleHello(message);
    } else if (message instanceof Message.Offer offer) {
      handleOffer(offer);
    } else if (message instanceof Message.Data data) {
      handleDataHeader(data);
    } else if (message instanceof Message.Commit commit) {
      handleCommit(commit);
    } else {
      fatal(unexpected("a '" + typeOf(message) + "' message is not expected from a client"));
    }
  }

  private void handleHello(Message message) {
    if (!(message instanceof Message.Hello hello)) {
      fatal(unexpected("the first message must be 'hello', got '" + typeOf(message) + "'"));
      return;
    }
    if (hello.version() != Message.VERSION) {
      fatal(new ProtocolException(ErrorCode.UNSUPPORTED_VERSION,
        "this server speaks protocol version " + Message.VERSION + ", the client " + hello.version()));
      return;
    }
    cancelDeadline();
    clientId = hello.clientId();
    outcomes.clientId(clientId);
    state = State.READY;
    socket.write(new Message.Welcome(Message.VERSION, serverId, options.getLimits().getMaxFileBytes()).toBuffer());
  }

  private void handleOffer(Message.Offer offer) {
    if (checking.contains(offer.id()) || accepted.containsKey(offer.id())
      || (receiving != null && receiving.id() == offer.id())) {
      fatal(unexpected("offer id " + offer.id() + " is already in use on this connection"));
      return;
    }
    ReplyQueue.Slot slot = reserveReply();
    // Offers still being checked count too, so that the offers beyond the limit are the last ones sent,
    // whichever check happens to finish first.
    if (accepted.size() + checking.size() >= options.getLimits().getMaxPendingOffers()) {
      answer(slot, Message.Error.of(offer.id(), new ProtocolException(ErrorCode.BUSY,
        "more than " + options.getLimits().getMaxPendingOffers() + " accepted offers wait for their data")));
      return;
    }
    checking.add(offer.id());
    new OfferCheck(this, offer).run().onComplete(ar -> {
      checking.remove(offer.id());
      Message reply = ar.succeeded() ? ar.result() : errorReply(offer, ar.cause());
      outcomes.offerAnswered(offer, reply);
      if (state == State.CLOSED) {
        releaseQuietly(accepted.remove(offer.id()));
      }
      answer(slot, reply);
    });
  }

  /**
   * Called by {@link OfferCheck} once an offer is accepted and its name claimed.
   *
   * @return false when {@code maxPendingOffers} accepted offers already wait for their data (offers are
   *   checked concurrently, so the check in {@link #handleOffer} alone does not bound them)
   */
  boolean accept(Upload upload) {
    if (accepted.size() >= options.getLimits().getMaxPendingOffers()) {
      return false;
    }
    accepted.put(upload.id(), upload);
    return true;
  }

  private void handleDataHeader(Message.Data data) {
    Upload upload = accepted.remove(data.id());
    if (upload == null || receiving != null) {
      fatal(unexpected("'data' for id " + data.id() + " which has no accepted offer waiting for data"));
      return;
    }
    receiving = upload;
    long expected = upload.offer.size() - upload.partial.offset();
    if (data.offset() != upload.partial.offset() || data.length() != expected) {
      fatal(new ProtocolException(ErrorCode.SIZE_MISMATCH, "'data' for id " + data.id() + " announces offset "
        + data.offset() + " and length " + data.length() + ", expected " + upload.partial.offset() + " and " + expected));
      return;
    }
    if (!upload.needsOpen()) {
      return;
    }
    waitingForOpen = true;
    updateFlow();
    storage.createParents(upload.target)
      .compose(v -> upload.open())
      .onComplete(ar -> {
        if (ar.failed()) {
          upload.fail(ar.cause());
        }
        waitingForOpen = false;
        updateFlow();
      });
  }

  private void handleChunk(Buffer chunk) {
    if (receiving.write(chunk)) {
      waitingForDisk = true;
      updateFlow();
      receiving.drainHandler(v -> {
        waitingForDisk = false;
        updateFlow();
      });
    }
  }

  private void handleBodyEnd() {
    receiving.markBodyComplete();
  }

  private void handleCommit(Message.Commit commit) {
    Upload upload = receiving;
    if (upload == null || upload.id() != commit.id() || !upload.bodyComplete()) {
      fatal(unexpected("'commit' for id " + commit.id() + " before its data"));
      return;
    }
    receiving = null;
    ReplyQueue.Slot slot = reserveReply();
    new Publication(this, upload, commit).run().onComplete(ar -> {
      Message reply = ar.succeeded() ? ar.result() : errorReply(upload.offer, ar.cause());
      storage.release(upload.target, owner);
      outcomes.commitAnswered(upload, reply);
      answer(slot, reply);
    });
  }

  void countStored(long bytes) {
    filesStored++;
    bytesStored += bytes;
  }

  private ReplyQueue.Slot reserveReply() {
    ReplyQueue.Slot slot = replies.reserve();
    waitingForReplies = replies.pending() >= options.getLimits().getMaxPendingOffers();
    updateFlow();
    return slot;
  }

  private void answer(ReplyQueue.Slot slot, Message reply) {
    if (state == State.CLOSED) {
      return;
    }
    replies.fill(slot, reply);
    waitingForReplies = replies.pending() >= options.getLimits().getMaxPendingOffers();
    updateFlow();
  }

  private Message errorReply(Message.Offer offer, Throwable cause) {
    ProtocolException failure = cause instanceof ProtocolException p ? p : internal(offer, cause);
    if (failure.code().closesConnection()) {
      fatal(failure);
    }
    return Message.Error.of(offer.id(), failure);
  }

  private static ProtocolException internal(Message.Offer offer, Throwable cause) {
    String reason = cause instanceof IOException ? cause.toString() : String.valueOf(cause.getMessage());
    ErrorCode code = reason.contains("No space left") ? ErrorCode.NO_SPACE : ErrorCode.INTERNAL;
    return new ProtocolException(code, "server error on '" + offer.name() + "': " + reason);
  }

  /** Replies with the error, then closes; cleans up. Safe to call more than once. */
  private void fatal(ProtocolException failure) {
    if (state == State.CLOSED) {
      return;
    }
    log.warn("{}: closing connection: {}", peer, failure.toString());
    socket.end(Message.Error.of(null, failure).toBuffer());
    close(false);
  }

  private void handleClosed() {
    if (state != State.CLOSED) {
      close(true);
    }
    onClosed.run();
    double seconds = (System.nanoTime() - openedAt) / 1e9;
    log.info("Connection from {} ({}) closed: {} file(s), {} bytes stored in {} s", peer, clientId, filesStored,
      bytesStored, String.format("%.2f", seconds));
  }

  /**
   * The one clean-up path. An upload cut off mid-body keeps its partial file for a resume when the peer just
   * went away ({@code lost}) and resuming is on; after a protocol error it is deleted. Uploads already
   * committed finish publishing on their own and release their claims then.
   */
  private void close(boolean lost) {
    state = State.CLOSED;
    cancelDeadline();
    reader.pause();
    replies.clear();
    accepted.values().forEach(this::releaseQuietly);
    accepted.clear();
    Upload upload = receiving;
    receiving = null;
    if (upload != null) {
      boolean keep = lost && options.isResume() && upload.offer.mtime() != null && upload.received() > 0
        && upload.needsOpen();
      upload.closeFile()
        .compose(v -> keep ? Future.succeededFuture() : storage.delete(upload.partial.path()))
        .onComplete(ar -> storage.release(upload.target, owner));
      log.info("{}: '{}' interrupted after {} of {} bytes ({})", peer, upload.offer.name(), upload.received(),
        upload.offer.size(), keep ? "partial kept for resume" : "partial deleted");
    }
  }

  private void releaseQuietly(Upload upload) {
    if (upload != null) {
      storage.release(upload.target, owner);
    }
  }

  /** Pauses or resumes reading so that it runs exactly when nothing holds it back. */
  private void updateFlow() {
    if (state == State.CLOSED) {
      return;
    }
    boolean hold = waitingForOpen || waitingForDisk || waitingForReplies;
    if (hold && !reader.isPaused()) {
      reader.pause();
      socket.pause();
    } else if (!hold && reader.isPaused()) {
      socket.resume();
      reader.resume();
      armHeaderDeadline();
    }
  }

  /** A started header line must end within the header timeout: a client dripping bytes cannot hold a slot. */
  private void armHeaderDeadline() {
    if (state != State.READY) {
      return;
    }
    if (reader.midHeader()) {
      if (deadlineTimer < 0) {
        startDeadline("header line not completed within " + options.getLimits().getHeaderTimeoutMs() + " ms");
      }
    } else {
      cancelDeadline();
    }
  }

  private void startDeadline(String reason) {
    deadlineTimer = vertx.setTimer(options.getLimits().getHeaderTimeoutMs(), id -> {
      deadlineTimer = -1;
      fatal(new ProtocolException(ErrorCode.TIMEOUT, reason));
    });
  }

  private void cancelDeadline() {
    if (deadlineTimer >= 0) {
      vertx.cancelTimer(deadlineTimer);
      deadlineTimer = -1;
    }
  }

  private static ProtocolException unexpected(String message) {
    return new ProtocolException(ErrorCode.UNEXPECTED, message);
  }

  private static String typeOf(Message message) {
    return message.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
  }

  FileOutcomes outcomes() {
    return outcomes;
  }

  Vertx vertx() {
    return vertx;
  }

  ServerOptions options() {
    return options;
  }

  Storage storage() {
    return storage;
  }

  String owner() {
    return owner;
  }
}
