package dev.kirim.server;

import dev.kirim.cluster.ReceivedEvent;
import dev.kirim.net.Addresses;
import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.protocol.MessageReader;
import dev.kirim.protocol.MessageWriter;
import dev.kirim.protocol.ProtocolException;
import dev.kirim.server.auth.Namespace;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * One client connection: the protocol state machine of the receiving side, and the owner of its
 * bookkeeping (uploads waiting for data, the one receiving, replies owed, counts).
 * <p>
 * Messages are read in order. The file-system work behind an offer ({@link OfferCheck}) or a commit
 * ({@link Publication}) runs concurrently with reading what follows, so a pipelining client keeps the disk
 * busy with several fsyncs at once; {@link ReplyQueue} keeps the replies in request order. Reading pauses
 * while a partial file opens, while its write queue is full (the disk pushes back on the socket), and while
 * {@code maxPendingOffers} requests await their reply or their bodies waiting in memory reach
 * {@code maxPendingBytes} ({@link ReadFlow}).
 */
final class ServerConnection {

  private enum State { AWAIT_HELLO, READY, CLOSED }

  private final ServerContext server;
  private final NetSocket socket;
  private final Runnable onClosed;
  private final String peer;
  private final MessageReader reader;
  private final MessageWriter writer;
  private final ReplyQueue replies;
  private final ConnectionLog log;
  private final Deadline deadline;
  private final Deadline claimDeadline;
  // Built once: the deadlines are followed after every read.
  private final String headerExpired;
  private final String claimExpired;
  private final OfferCheck offerCheck;
  private final Publication publication;
  private final PutReceiver puts;
  private final ReadPacer readPacer;
  private final ReadFlow flow;
  private final long openedAt = System.nanoTime();

  private final Map<Long, Upload> accepted = new HashMap<>();
  // The accepted uploads whose `send` has been written: the client can owe data only for these. A `send`
  // waits in the reply order behind slower replies (a content compare of a large file), and the claim
  // deadline must not run for what the client has not been asked for yet.
  private final Set<Long> asked = new HashSet<>();
  // Ids of the offers being checked: checks run concurrently, and an id must not be reused meanwhile either.
  private final Set<Long> checking = new HashSet<>();
  // Every id offered on this connection: ids are never reused, even after their file finished.
  private final UsedIds usedIds = new UsedIds();
  private State state = State.AWAIT_HELLO;
  private Upload receiving;
  private String clientId = "?";
  private Namespace namespace = Namespace.OPEN;
  private int filesStored;
  private long bytesStored;

  ServerConnection(ServerContext server, NetSocket socket, Runnable onClosed) {
    this.server = server;
    this.socket = socket;
    this.onClosed = onClosed;
    this.peer = Addresses.hostPort(socket.remoteAddress().host(), socket.remoteAddress().port());
    this.writer = MessageWriter.create(server.vertx().getOrCreateContext(), socket);
    this.replies = new ReplyQueue(this::writeReply);
    this.log = new ConnectionLog(peer, server.activity());
    ServerLimits limits = server.options().getLimits();
    this.deadline = new Deadline(server.vertx(), limits.getHeaderTimeoutMs(),
      reason -> fatal(new ProtocolException(ErrorCode.TIMEOUT, reason)));
    // A client gone quiet is treated as one gone away: a body it completed stays for a resume.
    this.claimDeadline = new Deadline(server.vertx(), limits.getClaimTimeoutMs(),
      reason -> fatal(new ProtocolException(ErrorCode.TIMEOUT, reason), true));
    this.headerExpired = "header line not completed within " + limits.getHeaderTimeoutMs() + " ms";
    this.claimExpired = "an offer answered 'send' got no 'data' or 'commit' within " + limits.getClaimTimeoutMs()
      + " ms: its name is released";
    this.offerCheck = new OfferCheck(server, UUID.randomUUID().toString());
    this.publication = new Publication(server);
    this.puts = new PutReceiver(server, server.vertx().getOrCreateContext(), offerCheck.owner(),
      new PutReceiver.Outcomes() {
        @Override
        public void refused(Message.Offer offer, ReplyQueue.Slot slot, ProtocolException refusal) {
          Message reply = errorReply(offer, refusal);
          log.offerAnswered(offer, reply);
          answer(slot, reply);
        }

        @Override
        public void ended(PutBatch.Item item) {
          answerPut(item);
        }
      });
    this.reader = MessageReader.create(limits.getMaxHeaderBytes(), limits.getChunkBytes())
      .messageHandler(this::handleMessage)
      .chunkHandler(this::handleChunk)
      .bodyEndHandler(v -> handleBodyEnd())
      .exceptionHandler(this::fatal);
    // The pacer is asked at each update (see paced), so it can be made after the flow it updates.
    this.flow = new ReadFlow(reader, socket, this::paced, this::followHeaderDeadline, this::followClaimDeadline);
    this.readPacer = ReadPacer.create(server.vertx(), limits.getRateLimitPerConnection(), flow::update);
  }

  /** Starts reading; call synchronously from the connect handler so that no byte is dropped. */
  void start() {
    log.opened();
    if (Vertx.currentContext() != null && Vertx.currentContext().isEventLoopContext()) {
      DirectBuffers.readDirect(socket, this::handleData);
    } else {
      // On a worker context Vert.x queues direct reads as tasks, which pausing the socket does not stop: a
      // server embedded in a worker verticle takes the copying path, whose pause holds reads back.
      socket.handler(this::handleData);
    }
    socket.closeHandler(v -> handleClosed());
    socket.drainHandler(v -> flow.set(ReadFlow.Hold.PEER_NOT_READING, false));
    socket.exceptionHandler(log::socketError);
    deadline.start("no hello within " + server.options().getLimits().getHeaderTimeoutMs() + " ms");
  }

  private void handleData(Buffer data) {
    if (state == State.CLOSED) {
      // Reads the socket held back while paused, handed over at the close (see handleClosed): dropped.
      return;
    }
    if (state == State.AWAIT_HELLO && ServerTls.startsTlsHandshake(data)) {
      fatal(ServerTls.tlsToPlainServer());
      return;
    }
    flow.handle(data);
    // First: while reading is held, no header deadline runs.
    holdWhilePeerDoesNotRead();
    followHeaderDeadline();
    flow.resumeIfDeferred();
  }

  /**
   * A peer that sends requests but never reads the replies would make the socket's write queue grow without
   * bound: stop reading while the socket cannot take more, until its drain. Checked after every read and
   * reply (replies of this event-loop turn are sent at its end, so they count at the next check): memory
   * held per connection is then the kernel's socket buffers, the write queue's high-water mark and the
   * replies to one read.
   */
  private void holdWhilePeerDoesNotRead() {
    if (state == State.CLOSED) {
      return;
    }
    if (socket.writeQueueFull() && !flow.holding(ReadFlow.Hold.PEER_NOT_READING)) {
      log.peerNotReading();
      flow.set(ReadFlow.Hold.PEER_NOT_READING, true);
    }
  }

  private void handleMessage(Message message) {
    if (state == State.READY) {
      // A header line ended: the next one gets the whole header timeout from its own start (followHeaderDeadline
      // starts it after this read if one is under way), not what this one left of it.
      deadline.cancel();
    }
    if (state == State.AWAIT_HELLO) {
      handleHello(message);
    } else if (message instanceof Message.Offer offer) {
      handleOffer(offer);
    } else if (message instanceof Message.Data data) {
      handleDataHeader(data);
    } else if (message instanceof Message.Put put) {
      handlePut(put);
    } else if (message instanceof Message.Commit commit) {
      handleCommit(commit);
    } else if (message instanceof Message.Cancel cancel) {
      handleCancel(cancel);
    } else if (message instanceof Message.Ping) {
      // Out of the reply order on purpose: it says the server is there while replies are being worked on.
      writer.write(new Message.Pong());
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
      fatal(new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, "this server speaks protocol version "
        + Message.VERSION + ", the client " + hello.version() + ": upgrade the "
        + (hello.version() < Message.VERSION ? "client" : "server") + " so that both speak the same version"));
      return;
    }
    deadline.cancel();
    clientId = hello.clientId();
    log.clientId(clientId);
    if (server.access() == null) {
      welcome(Namespace.OPEN);
      return;
    }
    Future<Namespace> admitted = server.access().admit(hello.token(), clientId, socket);
    if (admitted.succeeded()) {
      welcome(admitted.result());
      return;
    }
    // A refusal comes after a backoff delay: nothing more is read meanwhile, then the connection closes.
    reader.pause();
    socket.pause();
    admitted.onFailure(e -> fatal((ProtocolException) e));
  }

  /** The session starts, its names confined to {@code namespace}. */
  private void welcome(Namespace namespace) {
    if (state == State.CLOSED) {
      return;
    }
    this.namespace = namespace;
    offerCheck.confine(namespace);
    publication.confine(namespace);
    puts.confine(namespace);
    if (namespace.clientName() != null) {
      log.authenticated(namespace.clientName());
    }
    state = State.READY;
    writer.write(new Message.Welcome(Message.VERSION, server.serverId(),
      server.options().getLimits().getMaxFileBytes(), Message.Put.MAX_SIZE, namespace.clientName(), true,
      maxPendingOffers()));
  }

  /** @return whether {@code id} is new on this connection (else the connection is closed) */
  private boolean takeId(long id) {
    if (usedIds.contains(id)) {
      fatal(unexpected("offer id " + id + " was already used on this connection"));
      return false;
    }
    if (usedIds.full()) {
      fatal(new ProtocolException(ErrorCode.BUSY, "more than " + UsedIds.MAX_RANGES
        + " scattered offer ids on one connection: number offers consecutively, or open a new connection"));
      return false;
    }
    usedIds.add(id);
    return true;
  }

  private void handleOffer(Message.Offer offer) {
    if (!takeId(offer.id())) {
      return;
    }
    ReplyQueue.Slot slot = reserveReply(0);
    // Offers still being checked count too, so that the offers beyond the limit are the last ones sent,
    // whichever check happens to finish first.
    if (accepted.size() + checking.size() >= maxPendingOffers()) {
      answer(slot, Message.Error.of(offer.id(), tooManyPending()));
      return;
    }
    checking.add(offer.id());
    offerCheck.check(offer).onComplete(ar -> {
      checking.remove(offer.id());
      Message reply = ar.succeeded() ? reply(offer, ar.result()) : errorReply(offer, ar.cause());
      log.offerAnswered(offer, reply);
      answer(slot, reply);
    });
  }

  /** Takes an accepted upload into the bookkeeping, unless the connection closed or is at its limit meanwhile. */
  private Message reply(Message.Offer offer, OfferDecision decision) {
    if (decision instanceof OfferDecision.Skip skip) {
      return skip(offer.id(), skip.existing(), skip.same());
    }
    if (decision instanceof OfferDecision.Preview preview) {
      return new Message.Preview(offer.id(), preview.action(), preview.offset());
    }
    Upload upload = ((OfferDecision.Accept) decision).upload();
    if (state == State.CLOSED) {
      upload.releaseClaim();
      return PartialFiles.send(offer.id(), offer.size(), upload.partial);
    }
    // Checks run concurrently: the limit checked when the offer arrived does not bound them alone.
    if (accepted.size() >= maxPendingOffers()) {
      upload.releaseClaim();
      return Message.Error.of(offer.id(), tooManyPending());
    }
    accepted.put(upload.id(), upload);
    followClaimDeadline();
    return PartialFiles.send(offer.id(), offer.size(), upload.partial);
  }

  private void handleDataHeader(Message.Data data) {
    Upload upload = receiving == null ? accepted.remove(data.id()) : null;
    asked.remove(data.id());
    if (upload == null) {
      // Whatever stays in accepted is released by the close that follows.
      fatal(unexpected("'data' for id " + data.id() + " which has no accepted offer waiting for data"));
      return;
    }
    receiving = upload;
    followClaimDeadline();
    long expected = upload.offer.size() - upload.partial.offset();
    if (data.offset() != upload.partial.offset() || data.length() != expected) {
      fatal(new ProtocolException(ErrorCode.SIZE_MISMATCH, "'data' for id " + data.id() + " announces offset "
        + data.offset() + " and length " + data.length() + ", expected " + upload.partial.offset() + " and " + expected));
      return;
    }
    log.receiving(upload);
    Future<Void> opened = upload.open();
    if (opened.isComplete()) {
      return;
    }
    flow.set(ReadFlow.Hold.FILE_OPENING, true);
    // A failed open is kept by the upload and answers its commit: reading goes on either way.
    opened.onComplete(ar -> flow.set(ReadFlow.Hold.FILE_OPENING, false));
  }

  private void handleChunk(Buffer chunk) {
    readPacer.consumed(chunk.length());
    if (puts.receiving()) {
      puts.chunk(chunk);
      return;
    }
    if (receiving.write(chunk)) {
      flow.set(ReadFlow.Hold.DISK, true);
      receiving.drainHandler(v -> flow.set(ReadFlow.Hold.DISK, false));
    }
  }

  private void handleBodyEnd() {
    if (puts.receiving()) {
      puts.bodyEnd();
      flow.set(ReadFlow.Hold.REPLIES, repliesHoldReading());
      return;
    }
    // After a fatal error on the data line itself (a wrong length) the body's end still comes: nothing to do.
    if (receiving != null) {
      receiving.markBodyComplete();
      followClaimDeadline();
    }
  }

  /** A small file whole: its body is read into memory (at most {@link Message.Put#MAX_SIZE} bytes). */
  private void handlePut(Message.Put put) {
    if (receiving != null) {
      fatal(unexpected("'put' for id " + put.id() + " between the body of id " + receiving.id() + " and its commit"));
      return;
    }
    if (!takeId(put.id())) {
      return;
    }
    // Its reply's place is taken now; whether reading pauses for it is looked at once its body is in
    // (handleBodyEnd, repliesHoldReading).
    puts.start(put, replies.reserve(put.size()));
  }

  private void answerPut(PutBatch.Item item) {
    if (item.stored() instanceof Stored.Published) {
      namespace.published(item.target);
    }
    item.claim.release();
    Message reply = item.failure() != null ? errorReply(item.offer, item.failure()) : reply(item.put.id(), item.stored());
    log.putAnswered(item, reply);
    answer(item.slot, reply);
    if (reply instanceof Message.Done done) {
      server.uploadHandler().handle(new ReceivedEvent(namespace.storedName(item.offer.name()),
        namespace.storedName(done.name()), done.bytes(), done.checksum(), server.serverId(), peer, clientId,
        Instant.now()));
    }
  }

  private void handleCommit(Message.Commit commit) {
    Upload upload = receiving;
    if (upload == null || upload.id() != commit.id() || !upload.bodyComplete()) {
      fatal(unexpected("'commit' for id " + commit.id() + " before its data"));
      return;
    }
    receiving = null;
    followClaimDeadline();
    ReplyQueue.Slot slot = reserveReply(upload.heldInMemory());
    publication.publish(upload, commit.checksum()).onComplete(ar -> {
      upload.releaseClaim();
      Message reply = ar.succeeded() ? reply(upload.id(), ar.result()) : errorReply(upload.offer, ar.cause());
      log.commitAnswered(upload, reply);
      answer(slot, reply);
      if (reply instanceof Message.Done done) {
        // Names as stored under storageDir: with authentication, inside the client's directory.
        server.uploadHandler().handle(new ReceivedEvent(namespace.storedName(upload.offer.name()),
          namespace.storedName(done.name()), done.bytes(),
          done.checksum(), server.serverId(), peer, clientId, Instant.now()));
      }
    });
  }

  /** The client saw its file change while sending it: the bytes are discarded, never published. */
  private void handleCancel(Message.Cancel cancel) {
    Upload upload = receiving;
    if (upload == null || upload.id() != cancel.id() || !upload.bodyComplete()) {
      fatal(unexpected("'cancel' for id " + cancel.id() + " before its data"));
      return;
    }
    receiving = null;
    followClaimDeadline();
    ReplyQueue.Slot slot = reserveReply(upload.heldInMemory());
    upload.abandon()
      .compose(v -> server.partials().delete(upload.partial.path()))
      .onComplete(ar -> {
        upload.releaseClaim();
        Message reply = Message.Error.of(cancel.id(), new ProtocolException(ErrorCode.CANCELLED,
          "'" + upload.offer.name() + "' discarded as the client asked: " + cancel.reason()));
        log.commitAnswered(upload, reply);
        answer(slot, reply);
      });
  }

  private Message reply(long id, Stored stored) {
    if (stored instanceof Stored.Kept kept) {
      return skip(id, kept.existing(), kept.same());
    }
    Stored.Published published = (Stored.Published) stored;
    filesStored++;
    bytesStored += published.bytes();
    return new Message.Done(id, published.name(), published.bytes(), published.checksum());
  }

  private static Message.Skip skip(long id, StorageDirectory.Existing existing, boolean same) {
    return new Message.Skip(id, same ? Message.Skip.SAME : Message.Skip.DIFFERS, existing.size(),
      existing.mtimeMillis(), existing.checksum());
  }

  /** @param heldBytes the body bytes the request keeps in memory until it is answered */
  private ReplyQueue.Slot reserveReply(long heldBytes) {
    ReplyQueue.Slot slot = replies.reserve(heldBytes);
    flow.set(ReadFlow.Hold.REPLIES, repliesHoldReading());
    return slot;
  }

  /**
   * Too many requests wait for their reply, or their bodies hold too much memory, to read more. Never while a
   * put's body is read: that put is answered only once its body is in, so a pause there could end only by the
   * idle timeout; its body's end looks again.
   */
  private boolean repliesHoldReading() {
    if (puts.receiving()) {
      return false;
    }
    ServerLimits limits = server.options().getLimits();
    return replies.pending() >= limits.getMaxPendingOffers() || replies.heldBytes() >= limits.getMaxPendingBytes();
  }

  private void answer(ReplyQueue.Slot slot, Message reply) {
    if (state == State.CLOSED) {
      return;
    }
    replies.fill(slot, reply);
    flow.set(ReadFlow.Hold.REPLIES, repliesHoldReading());
    if (!flow.handlingData()) {
      holdWhilePeerDoesNotRead();
    }
  }

  /** An error reply for one offer; a failure that ends the connection also closes it. */
  private Message errorReply(Message.Offer offer, Throwable cause) {
    ProtocolException failure = Failures.toProtocolException(cause, offer.name());
    if (failure.code().closesConnection()) {
      fatal(failure);
    }
    return Message.Error.of(offer.id(), failure);
  }

  /** Replies with the error, then closes; cleans up. Safe to call more than once. */
  private void fatal(ProtocolException failure) {
    fatal(failure, false);
  }

  /**
   * @param keepForResume whether an upload cut off keeps its partial file for a resume, as when the peer is lost
   *   (a deadline the client let pass), rather than losing it (a protocol error)
   */
  private void fatal(ProtocolException failure, boolean keepForResume) {
    if (state == State.CLOSED) {
      return;
    }
    log.closing(failure);
    writer.write(Message.Error.of(null, failure)).flush().onComplete(ar -> socket.end());
    // A peer that does not read may never take the error reply: it does not hold the connection open.
    server.vertx().setTimer(server.options().getLimits().getHeaderTimeoutMs(), id -> socket.close());
    close(keepForResume);
  }

  private void handleClosed() {
    if (state != State.CLOSED) {
      close(true);
    }
    // Reads the socket held back while paused are Netty buffers that only a delivery releases: let them come.
    socket.resume();
    onClosed.run();
    log.closed(filesStored, bytesStored, openedAt);
  }

  /**
   * The one clean-up path. An upload cut off mid-body (or after its body, before the commit) keeps its partial
   * file for a resume when the peer just went away or let the claim deadline pass ({@code lost}) and resuming is
   * on; after a protocol error it is deleted. Uploads already
   * committed finish publishing on their own and release their claims then.
   */
  private void close(boolean lost) {
    state = State.CLOSED;
    deadline.cancel();
    claimDeadline.cancel();
    readPacer.close();
    flow.close();
    replies.clear();
    offerCheck.close();
    accepted.values().forEach(Upload::releaseClaim);
    accepted.clear();
    asked.clear();
    puts.close();
    Upload upload = receiving;
    receiving = null;
    if (upload != null) {
      boolean keep = lost && upload.worthResuming();
      upload.abandon()
        .compose(v -> keep ? Future.succeededFuture() : server.partials().delete(upload.partial.path()))
        .onComplete(ar -> upload.releaseClaim());
      log.interrupted(upload, keep);
    }
  }

  /**
   * Claimed names must be fed: while the connection owes data or a commit, is not in the middle of a body and
   * is read, its deadline runs; it restarts at each body, so one large file after another is never cut off.
   */
  private void followClaimDeadline() {
    boolean midBody = receiving != null && !receiving.bodyComplete();
    boolean owing = !asked.isEmpty() || (receiving != null && receiving.bodyComplete());
    claimDeadline.follow(state == State.READY && owing && !midBody && !flow.paused(), claimExpired);
  }

  private void writeReply(Message reply) {
    writer.write(reply);
    if (reply instanceof Message.Send send && accepted.containsKey(send.id())) {
      asked.add(send.id());
      followClaimDeadline();
    }
  }

  /** Once past the hello, a started header line must end within the header timeout. */
  private void followHeaderDeadline() {
    if (state == State.READY) {
      deadline.follow(reader.midHeader(), headerExpired);
    }
  }

  private boolean paced() {
    return readPacer.holding();
  }

  private int maxPendingOffers() {
    return server.options().getLimits().getMaxPendingOffers();
  }

  private ProtocolException tooManyPending() {
    return new ProtocolException(ErrorCode.BUSY, "more than " + maxPendingOffers()
      + " accepted offers wait for their data");
  }

  private static ProtocolException unexpected(String message) {
    return new ProtocolException(ErrorCode.UNEXPECTED, message);
  }

  private static String typeOf(Message message) {
    return message.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
  }
}
