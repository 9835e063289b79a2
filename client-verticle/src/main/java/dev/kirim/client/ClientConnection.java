package dev.kirim.client;

import dev.kirim.protocol.ChecksumAlgorithm;
import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.protocol.MessageReader;
import dev.kirim.protocol.MessageWriter;
import dev.kirim.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One connection to a server: hello, then up to {@code window} offers in flight (fewer when the server lets
 * fewer requests wait), the accepted bodies sent one after another. Outcomes go to the owning
 * {@link TargetPush}, which decides about retries.
 */
final class ClientConnection {

  // The server sends only header lines; these bound what a misbehaving one can make us buffer.
  private static final int MAX_REPLY_BYTES = 64 * 1024;

  private final Vertx vertx;
  private final NetClient netClient;
  private final Target target;
  private final ClientOptions options;
  private final TargetPush push;
  private final LocalFacts localFacts;
  private final Map<Long, FileTask> inFlight = new LinkedHashMap<>();
  private final Deque<Long> bodies = new ArrayDeque<>();
  // Submitted in this event-loop turn, to be looked at together.
  private Map<Long, FileTask> toLookAt = new LinkedHashMap<>();
  // Offers and puts ready while a body is being sent wait here: data, body and commit go back to back
  // (PROTOCOL.md 2.3).
  private final Deque<Buffer> heldRequests = new ArrayDeque<>();
  private final Promise<String> welcomed = Promise.promise();

  private NetSocket socket;
  private MessageWriter writer;
  private long nextId;
  private boolean sendingBody;
  private boolean closed;
  private String serverId;
  // The largest file the server takes whole in a put; null: it takes offers only.
  private Integer maxPutSize;
  // Requests in flight: the configured window, or fewer if the server lets fewer wait (an offer beyond would be busy).
  private int window;
  private String authenticatedAs;
  private long welcomeTimer = -1;
  // Watches for a server gone silent once welcomed; null: not (yet) watched.
  private DeadPeerWatch watch;

  ClientConnection(Vertx vertx, NetClient netClient, Target target, ClientOptions options, TargetPush push,
                   LocalFacts localFacts) {
    this.localFacts = localFacts;
    this.vertx = vertx;
    this.netClient = netClient;
    this.target = target;
    this.options = options;
    this.push = push;
  }

  /** @return the server's id once it welcomed us */
  Future<String> open() {
    netClient.connect(ClientTls.connectOptions(target, options.getTls())).onComplete(ar -> {
      if (ar.failed()) {
        welcomed.tryFail(ClientTls.explain(ar.cause(), target, options.getTls()));
        return;
      }
      if (closed) {
        // The push ended while we were connecting.
        ar.result().close();
        welcomed.tryFail("closed before the welcome");
        return;
      }
      socket = ar.result();
      writer = MessageWriter.create(vertx.getOrCreateContext(), socket);
      MessageReader reader = MessageReader.create(socket, MAX_REPLY_BYTES, MAX_REPLY_BYTES)
        .messageHandler(this::handleMessage)
        .exceptionHandler(e -> abort("bad reply from the server: " + e.getMessage()));
      // Sets the socket's close handler: first what a close before the welcome says about TLS, then this.
      Handler<Void> lost = v -> handleClosed("the connection to " + target + " was lost");
      ClientTls.watchGreeting(socket, reader, lost, target, options.getTls(), welcomed);
      writer.write(new Message.Hello(Message.VERSION, options.getClientId(), options.getToken()));
      // Something that accepts connections but never answers (not a kirim server?) must not hold us forever.
      welcomeTimer = vertx.setTimer(options.getConnectTimeoutMs(), id -> {
        if (serverId == null) {
          abort("no welcome from " + target + " within " + options.getConnectTimeoutMs()
            + " ms: is a kirim server listening there?");
        }
      });
    });
    return welcomed.future();
  }

  String serverId() {
    return serverId;
  }

  /** @return the client name the server authenticated this connection as; {@code null} without authentication */
  String authenticatedAs() {
    return authenticatedAs;
  }

  boolean hasRoom() {
    return !closed && serverId != null && inFlight.size() < window;
  }

  /**
   * Learns the local file's size and checksum, then offers it; a local failure costs no connection. The files
   * submitted in one event-loop turn are looked at together, in one worker task.
   */
  void submit(FileTask task) {
    long id = nextId++;
    inFlight.put(id, task);
    if (toLookAt.isEmpty()) {
      vertx.runOnContext(v -> lookAtSubmitted());
    }
    toLookAt.put(id, task);
  }

  private void lookAtSubmitted() {
    Map<Long, FileTask> batch = toLookAt;
    toLookAt = new LinkedHashMap<>();
    List<java.nio.file.Path> paths = batch.values().stream().map(task -> task.file.path()).toList();
    localFacts.ofAll(paths).onComplete(ar -> {
      int i = 0;
      for (Map.Entry<Long, FileTask> entry : batch.entrySet()) {
        Object outcome = ar.succeeded() ? ar.result().get(i++) : ar.cause();
        looked(entry.getKey(), entry.getValue(), outcome);
      }
    });
  }

  private void looked(long id, FileTask task, Object outcome) {
    if (closed) {
      return;
    }
    if (outcome instanceof Throwable failure) {
      inFlight.remove(id);
      push.localFailure(task, LocalFacts.asLocalFailure(task.file.path(), failure));
      return;
    }
    task.facts = (LocalFacts.Facts) outcome;
    task.committedChecksum = null;
    task.cancelledBecause = null;
    task.put = canPut(task.facts) && !task.offerOnly;
    if (task.put) {
      writePut(id, task);
    } else {
      writeRequest(offerOf(id, task).toBuffer(), null);
    }
  }

  /**
   * A small file whose bytes we hold goes whole in one {@code put} (offer, body and commit at once) when the
   * server takes puts: a burst of them is stored by the server in one go. Not in a dry run, nor under a rate
   * limit (whose pacing works per body), nor for files the offer would compare by size and mtime only.
   */
  private boolean canPut(LocalFacts.Facts facts) {
    return maxPutSize != null && facts.content() != null && facts.size() <= maxPutSize
      && facts.comparedByContent(options.getCompare()) && !options.isDryRun() && options.getRateLimit() == null;
  }

  private void writePut(long id, FileTask task) {
    LocalFacts.Facts facts = task.facts;
    Message.Put put = new Message.Put(id, task.file.remoteName(), facts.size(), facts.mtime(),
      options.getChecksum().wireName(), facts.checksum(), options.isPreserveMode() ? facts.mode() : null,
      options.isPreserveMtime() ? null : Boolean.FALSE);
    task.offset = 0;
    task.committedChecksum = facts.checksum();
    push.pacer.body(task.file.remoteName(), facts.size(), 0).accept(facts.size());
    writeRequest(put.toBuffer(), facts.content());
    // The bytes are on their way (copied into the writer's buffer): not held beyond the send.
    task.facts = facts.withChecksum(facts.checksum());
  }

  private Message.Offer offerOf(long id, FileTask task) {
    LocalFacts.Facts facts = task.facts;
    boolean byContent = facts.comparedByContent(options.getCompare());
    return new Message.Offer(id, task.file.remoteName(), facts.size(), facts.mtime(), options.getChecksum().wireName(),
      byContent ? facts.checksum() : null, options.isPreserveMode() ? facts.mode() : null,
      options.isPreserveMtime() ? null : Boolean.FALSE, options.isDryRun() ? Boolean.TRUE : null, task.resumeId);
  }

  /**
   * Writes an offer, or a put and its bytes, now, or after the body on the wire: its data, bytes and commit go
   * back to back. Written now, line and bytes go straight into the writer's buffer (one copy of a file's bytes
   * before the socket's); held, they are joined.
   */
  private void writeRequest(Buffer line, byte[] bytes) {
    if (sendingBody) {
      heldRequests.add(bytes == null ? line : line.appendBytes(bytes));
    } else {
      writer.write(line);
      if (bytes != null) {
        writer.write(bytes, 0, bytes.length);
      }
    }
  }

  private void handleMessage(Message message) {
    if (watch != null) {
      watch.heard();
    }
    if (message instanceof Message.Pong && serverId != null) {
      return;
    }
    if (serverId == null) {
      handleGreeting(message);
    } else if (message instanceof Message.Send send) {
      withTask(send.id(), task -> {
        if (send.offset() > task.facts.size()) {
          badReply(send.id(), task, "the server asked for '" + task.file.remoteName() + "' from offset " + send.offset()
            + ", beyond its " + task.facts.size() + " bytes");
          return;
        }
        if (options.isDryRun()) {
          badReply(send.id(), task, "the server asked for the bytes of '" + task.file.remoteName()
            + "' in a dry run (an old or broken server): nothing was sent");
          return;
        }
        task.offset = send.offset();
        // Kept for the next try of this file in this run: only who holds it can resume the server's partial.
        task.resumeId = send.resumeId();
        task.commitAlgorithm = send.algorithm() == null ? null : ChecksumAlgorithm.fromWireName(send.algorithm());
        bodies.add(send.id());
        sendNextBody();
      });
    } else if (message instanceof Message.Skip skip) {
      withTask(skip.id(), task -> {
        String checksum = skip.checksum();
        if (checksum != null && !options.getChecksum().isWellFormed(checksum)) {
          badReply(skip.id(), task, "the server's skip of '" + task.file.remoteName() + "' carries checksum '"
            + checksum + "', not a " + options.getChecksum().wireName() + " checksum");
        } else {
          finish(skip.id()).skipped(task, skip);
        }
      });
    } else if (message instanceof Message.Preview preview) {
      withTask(preview.id(), task -> {
        if (!options.isDryRun() || preview.offset() > task.facts.size()) {
          badReply(preview.id(), task, "the server answered '" + task.file.remoteName() + "' with a preview ("
            + preview.action() + " from offset " + preview.offset() + ") "
            + (options.isDryRun() ? "beyond its " + task.facts.size() + " bytes" : "although this is no dry run"));
        } else {
          finish(preview.id()).previewed(task, preview);
        }
      });
    } else if (message instanceof Message.Done done) {
      withTask(done.id(), task -> {
        if (done.bytes() != task.facts.size() || !done.checksum().equals(task.committedChecksum)) {
          badReply(done.id(), task, "the server confirmed '" + task.file.remoteName() + "' as " + done.bytes()
            + " bytes with checksum " + done.checksum() + ", but we sent " + task.facts.size() + " bytes with "
            + task.committedChecksum);
        } else {
          finish(done.id()).sent(task, done);
        }
      });
    } else if (message instanceof Message.Error error && error.id() != null) {
      withTask(error.id(), task -> {
        if (error.code() == ErrorCode.BUSY && task.put) {
          // Another connection uploads the name; an offer waits for it where a put cannot.
          task.offerOnly = true;
        }
        if (error.code() == ErrorCode.CANCELLED && task.cancelledBecause != null) {
          finish(error.id()).changed(task, task.cancelledBecause);
        } else {
          finish(error.id()).refused(task, error.toException());
        }
      });
    } else if (message instanceof Message.Error error) {
      abort("the server closed the connection: " + error.code().wireName() + ": " + error.message());
    } else {
      abort("unexpected '" + message.getClass().getSimpleName() + "' from the server");
    }
  }

  private void handleGreeting(Message message) {
    if (message instanceof Message.Welcome welcome && welcome.version() != Message.VERSION) {
      // A server must refuse a hello of another version; one that welcomes it would misread our offers.
      vertx.cancelTimer(welcomeTimer);
      welcomed.tryFail(new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, "the server at " + target
        + " speaks protocol version " + welcome.version() + ", this client " + Message.VERSION + ": upgrade the "
        + (welcome.version() < Message.VERSION ? "server" : "client") + " so that both speak the same version"));
      close();
    } else if (message instanceof Message.Welcome welcome) {
      vertx.cancelTimer(welcomeTimer);
      serverId = welcome.serverId();
      maxPutSize = welcome.maxPutSize();
      window = Math.min(options.getWindow(), welcome.pendingLimit());
      authenticatedAs = welcome.client();
      watchPeer(welcome.answersPing());
      welcomed.tryComplete(serverId);
    } else if (message instanceof Message.Error error) {
      welcomed.tryFail(error.toException());
      close();
    } else {
      welcomed.tryFail("unexpected first reply from " + target);
      close();
    }
  }

  /** From the welcome on, a server that owes us something and goes silent for deadPeerMs ends the connection. */
  private void watchPeer(boolean answersPing) {
    if (options.getDeadPeerMs() > 0) {
      watch = new DeadPeerWatch(vertx, socket, target.toString(), options.getDeadPeerMs(), answersPing,
        () -> !inFlight.isEmpty() || sendingBody, () -> !sendingBody, () -> writer.write(new Message.Ping()),
        this::abort);
    }
  }

  private void withTask(long id, java.util.function.Consumer<FileTask> action) {
    FileTask task = inFlight.get(id);
    if (task == null) {
      abort("the server answered for unknown id " + id);
    } else {
      action.accept(task);
    }
  }

  /**
   * A reply that breaks the protocol: the file fails at once (no retry can make the server's answer right)
   * and the connection closes, its other files going back to the push.
   */
  private void badReply(long id, FileTask task, String reason) {
    inFlight.remove(id);
    abort("bad reply from the server: " + reason);
    push.badReply(task, reason);
  }

  private TargetPush finish(long id) {
    inFlight.remove(id);
    return push;
  }

  private void sendNextBody() {
    if (sendingBody || bodies.isEmpty() || closed) {
      return;
    }
    long id = bodies.poll();
    FileTask task = inFlight.get(id);
    sendingBody = true;
    BodySender body = new BodySender(vertx, socket, writer, task, id, localFacts, push.pacer);
    body.send().onComplete(ar -> {
      sendingBody = false;
      if (ar.failed() && !(ar.cause() instanceof LocalFileException)) {
        // BodySender fails with a LocalFileException unless the socket broke under the body.
        // The socket broke under the body: a lost connection, retried as such with the other files in flight.
        abort("the connection to " + target + " was lost while sending '" + task.file.remoteName() + "': "
          + (ar.cause().getMessage() == null ? ar.cause().getClass().getSimpleName() : ar.cause().getMessage()));
      } else if (ar.failed()) {
        // The server still expects bytes we cannot give: this connection is done, its other files go back to
        // the push (closing first, so that they are not handed to this connection again); this one fails on
        // its own, unless the connection was already gone and took it along.
        boolean ours = inFlight.remove(id) != null;
        abort(ar.cause().getMessage());
        if (ours) {
          push.localFailure(task, (LocalFileException) ar.cause());
        }
      } else {
        while (!heldRequests.isEmpty()) {
          writer.write(heldRequests.poll());
        }
        sendNextBody();
      }
    });
  }

  /** Closes after a failure; unfinished tasks go back to the push. */
  private void abort(String reason) {
    if (socket != null) {
      socket.close();
    }
    handleClosed(reason);
  }

  /** Closes an idle connection at the end of a push. */
  void close() {
    closed = true;
    stopWatch();
    if (socket != null) {
      socket.close();
    }
  }

  /**
   * Abandons the connection at once: its unfinished files go back to the push (which is interrupted), and the
   * server keeps what it received of a body as a partial file.
   */
  void abandon(String reason) {
    handleClosed(reason);
    if (socket != null) {
      // A body being written fails with a ClosedChannelException that Vert.x would log: it is the point here.
      socket.exceptionHandler(e -> { });
      socket.close();
    }
  }

  private void handleClosed(String reason) {
    if (closed) {
      return;
    }
    closed = true;
    stopWatch();
    welcomed.tryFail(reason);
    List<FileTask> unfinished = new ArrayList<>(inFlight.values());
    inFlight.clear();
    push.connectionEnded(this, unfinished, reason);
  }

  private void stopWatch() {
    if (watch != null) {
      watch.stop();
    }
  }
}
