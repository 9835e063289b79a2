package dev.kirim.client;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.protocol.Printable;
import dev.kirim.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pushes every selected file to one target over up to {@code perTarget} connections, retrying what may
 * succeed later (lost connections, busy names, server errors) with exponential backoff. Runs on one
 * event loop: no locking.
 * <p>
 * A target that has somewhere else to go ({@code cluster:any}, {@link #handOffToNext()}) does not wait for a
 * full, busy or unreachable server: files refused {@code no_space} or {@code busy}, and every file left when
 * no connection can be made, are handed off ({@link #handedOff()}) instead of retried or failed here.
 */
final class TargetPush {

  private static final Logger log = LoggerFactory.getLogger(TargetPush.class);

  private final Vertx vertx;
  private final NetClient netClient;
  private final Target target;
  private final ClientOptions options;
  private final List<LocalFile> files;
  private final LocalFacts localFacts;
  private final Deque<FileTask> queue = new ArrayDeque<>();
  private final List<ClientConnection> connections = new ArrayList<>();
  private final List<FileResult> results = new ArrayList<>();
  private final Promise<TargetReport> finished = Promise.promise();
  private final long startedAt = System.nanoTime();
  /** Paces what this target is sent to the rate limit, over all its connections. */
  final SendPacer pacer;

  private int outstanding;
  private int connecting;
  private int connectFailures;
  private long firstConnectFailureAt;
  private boolean reconnectScheduled;
  private String interruption;
  /** Files waiting out a backoff, by timer id: an interruption ends them at once. */
  private final Map<Long, FileTask> retrying = new HashMap<>();
  private String serverId;
  // The name the server authenticated us as, null when it does not authenticate.
  private String authenticatedAs;
  private PushProgress progress = PushProgress.NONE;
  private boolean handsOff;
  private final List<HandedOff> handedOff = new ArrayList<>();

  /** A file this target gave up on so that another server may take it, and why. */
  record HandedOff(LocalFile file, String reason) {
  }

  TargetPush(Vertx vertx, NetClient netClient, Target target, ClientOptions options, List<LocalFile> files,
             LocalFacts localFacts) {
    this.localFacts = localFacts;
    this.vertx = vertx;
    this.netClient = netClient;
    this.target = target;
    this.options = options;
    this.files = files;
    this.pacer = SendPacer.create(vertx, options.getRateLimit());
  }

  /** Tells {@code progress} how this target's push goes; before {@link #run()}. */
  TargetPush progress(PushProgress progress) {
    this.progress = progress;
    pacer.progress(target.toString(), progress);
    return this;
  }

  /** Hands files off instead of retrying a full, busy or unreachable server; before {@link #run()}. */
  TargetPush handOffToNext() {
    handsOff = true;
    return this;
  }

  /** @return the files handed off, once {@link #run()} completed */
  List<HandedOff> handedOff() {
    return List.copyOf(handedOff);
  }

  Future<TargetReport> run() {
    progress.targetStarted(target.toString());
    outstanding = files.size();
    for (LocalFile file : files) {
      FileTask task = new FileTask(file);
      if (file.pushable()) {
        queue.add(task);
      } else if (file.skipNote() != null) {
        record(task, FileStatus.SKIPPED, null, 0, 0, null, null, null, file.skipNote());
      } else {
        fail(task, file.problemCode(), file.problem());
      }
    }
    pump();
    return finished.future();
  }

  private void pump() {
    if (finished.future().isComplete()) {
      return;
    }
    if (interruption != null) {
      while (!queue.isEmpty()) {
        interrupted(queue.poll());
      }
    }
    if (outstanding == 0) {
      connections.forEach(ClientConnection::close);
      long millis = (System.nanoTime() - startedAt) / 1_000_000;
      results.sort(java.util.Comparator.comparing(FileResult::name));
      finished.complete(new TargetReport(target.toString(), target.via(), serverId, authenticatedAs,
        List.copyOf(results), millis));
      return;
    }
    for (ClientConnection connection : connections) {
      while (connection.hasRoom() && !queue.isEmpty()) {
        FileTask task = queue.poll();
        task.attempts++;
        connection.submit(task);
      }
    }
    // Once connecting has failed as often as retries allow, the connections that work carry the queue alone.
    boolean mayConnect = connections.isEmpty() || connectFailures < options.getRetryAttempts();
    if (!queue.isEmpty() && connecting == 0 && !reconnectScheduled && mayConnect && interruption == null
      && connections.size() < options.getConnectionsPerTarget()) {
      connect();
    }
  }

  /**
   * Stops the push: nothing more is offered or connected, the files in flight are abandoned (the server keeps
   * their partial bytes for a resume) and every file not yet delivered ends {@code interrupted}.
   */
  void interrupt(String reason) {
    if (interruption != null || finished.future().isComplete()) {
      return;
    }
    interruption = reason;
    retrying.forEach((timer, task) -> {
      vertx.cancelTimer(timer);
      interrupted(task);
    });
    retrying.clear();
    for (ClientConnection connection : List.copyOf(connections)) {
      connection.abandon(reason);
    }
    pump();
  }

  private void connect() {
    ClientConnection connection = new ClientConnection(vertx, netClient, target, options, this, localFacts);
    connections.add(connection);
    connecting++;
    connection.open().onComplete(ar -> {
      connecting--;
      if (ar.succeeded()) {
        connectFailures = 0;
        firstConnectFailureAt = 0;
        serverId = ar.result();
        authenticatedAs = connection.authenticatedAs();
      } else {
        connections.remove(connection);
        connectFailed(ar.cause());
      }
      pump();
    });
  }

  private void connectFailed(Throwable cause) {
    if (interruption != null) {
      return;
    }
    connectFailures++;
    if (firstConnectFailureAt == 0) {
      firstConnectFailureAt = System.nanoTime();
    }
    String reason = "cannot connect to " + target + ": " + describe(cause);
    boolean hopeless = cause instanceof ProtocolException refusal && !refusal.code().retriable()
      || cause instanceof ClientTls.TlsException;
    long delay = options.backoffMs(connectFailures);
    if (handsOff && !hopeless) {
      // Another server is waiting: no retry here, and no more connection attempts while others carry the queue.
      connectFailures = Math.max(connectFailures, options.getRetryAttempts());
      if (connections.isEmpty()) {
        while (!queue.isEmpty()) {
          handOff(queue.poll(), reason);
        }
      }
    } else if (options.mayRetry(connectFailures, firstConnectFailureAt, delay) && !hopeless) {
      log.warn("{} (try {} of {}), retrying in {} ms", Printable.escape(reason), connectFailures,
        options.getRetryAttempts(), delay);
      reconnectScheduled = true;
      vertx.setTimer(delay, id -> {
        reconnectScheduled = false;
        pump();
      });
    } else if (connections.isEmpty()) {
      String code = cause instanceof ProtocolException p ? p.code().wireName()
        : cause instanceof ClientTls.TlsException ? ClientErrorCode.TLS.wireName() : ClientErrorCode.CONNECT_FAILED.wireName();
      while (!queue.isEmpty()) {
        FileTask task = queue.poll();
        // A file that lost its connection and then found no server fails for the loss, the root cause.
        if (task.lastErrorCode != null) {
          fail(task, task.lastErrorCode, task.lastError + "; then " + reason + " (after " + task.attempts + " tries)");
        } else {
          // Never offered: its tries were the connection attempts, as the retry budget counted them.
          task.attempts = Math.max(task.attempts, connectFailures);
          fail(task, code, reason);
        }
      }
    }
  }

  void sent(FileTask task, Message.Done done) {
    record(task, FileStatus.SENT, done.name(), done.bytes(), done.bytes() - task.offset, done.checksum(), null, null,
      null);
    pump();
  }

  /**
   * The server keeps its copy. It counts as delivered only when the server says it is the same and what it
   * reports of it agrees with our file as {@code compare} looks at it; anything else is {@code differs}.
   */
  void skipped(FileTask task, Message.Skip skip) {
    LocalFacts.Facts ours = task.facts;
    boolean agrees = skip.size() == ours.size() && (ours.comparedByContent(options.getCompare())
      ? ours.checksum().equals(skip.checksum())
      : skip.mtime() != null && skip.mtime() == ours.mtime());
    // Two known checksums that differ are never "the same", whatever was compared.
    agrees &= ours.checksum() == null || skip.checksum() == null || ours.checksum().equals(skip.checksum());
    if (skip.same() && agrees) {
      record(task, FileStatus.SKIPPED, task.file.remoteName(), skip.size(), 0, skip.checksum(), null, null, null);
    } else {
      String server = skip.size() + " bytes" + (skip.mtime() == null ? "" : ", modified " + Instant.ofEpochMilli(skip.mtime()))
        + (skip.checksum() == null ? "" : ", " + skip.checksum());
      String local = ours.size() + " bytes, modified " + Instant.ofEpochMilli(ours.mtime())
        + (ours.checksum() == null ? "" : ", " + ours.checksum());
      String why = skip.same()
        ? "the server calls its copy the same, but it is " + server + " and ours " + local
        : "the server's copy differs (" + server + "; ours: " + local + ") and its policy keeps it: set onExisting to "
          + "\"update\" on the server to replace such copies";
      record(task, FileStatus.DIFFERS, task.file.remoteName(), skip.size(), 0, skip.checksum(), null, null, why);
    }
    pump();
  }

  /** Dry run: the server says what it would do with the file; nothing is sent. */
  void previewed(FileTask task, Message.Preview preview) {
    String what = switch (preview.action()) {
      case Message.Preview.CREATE -> "would be created";
      case Message.Preview.RESUME -> "would resume from byte " + preview.offset() + " of an interrupted upload";
      case Message.Preview.UPDATE -> "would replace the server's differing copy (onExisting update)";
      case Message.Preview.OVERWRITE -> "would overwrite the server's copy (onExisting overwrite)";
      case Message.Preview.RENAME -> "would be stored under a new name beside the server's differing copy";
      default -> "would be sent (" + Printable.escape(preview.action()) + ")";
    };
    record(task, FileStatus.WOULD_SEND, null, task.facts.size(), 0, null, null, null, what);
    pump();
  }

  /** The file changed while it was sent: the server discarded the bytes; another try sends the new version. */
  void changed(FileTask task, String reason) {
    localFacts.forget(task.file.path());
    retryOrFail(task, ClientErrorCode.FILE_CHANGED.wireName(), reason);
    pump();
  }

  /** The server's reply about this file broke the protocol. */
  void badReply(FileTask task, String reason) {
    fail(task, ClientErrorCode.BAD_REPLY.wireName(), reason);
    pump();
  }

  void refused(FileTask task, ProtocolException refusal) {
    if (refusal.code() == ErrorCode.CHECKSUM_MISMATCH) {
      localFacts.forget(task.file.path());
    }
    if (handsOff && (refusal.code() == ErrorCode.NO_SPACE || refusal.code() == ErrorCode.BUSY)) {
      handOff(task, refusal.code().wireName() + ": " + refusal.getMessage());
    } else if (refusal.code().retriable()) {
      retryOrFail(task, refusal.code().wireName(), refusal.getMessage());
    } else {
      fail(task, refusal.code().wireName(), refusal.getMessage());
    }
    pump();
  }

  /** The local file cannot be read or sent as offered: no retry helps. */
  void localFailure(FileTask task, LocalFileException failure) {
    if (failure.code() == ClientErrorCode.FILE_CHANGED) {
      // A file being written may be whole on the next look.
      localFacts.forget(task.file.path());
      retryOrFail(task, failure.code().wireName(), failure.getMessage());
    } else {
      fail(task, failure.code().wireName(), failure.getMessage());
    }
    pump();
  }

  void connectionEnded(ClientConnection connection, List<FileTask> unfinished, String reason) {
    connections.remove(connection);
    for (FileTask task : unfinished) {
      if (interruption != null) {
        interrupted(task);
        continue;
      }
      retryOrFail(task, ClientErrorCode.CONNECTION_LOST.wireName(), reason);
    }
    pump();
  }

  private void retryOrFail(FileTask task, String code, String message) {
    if (interruption != null) {
      interrupted(task);
      return;
    }
    if (task.firstFailureAt == 0) {
      task.firstFailureAt = System.nanoTime();
    }
    task.lastErrorCode = code;
    task.lastError = message;
    long delay = options.backoffMs(task.attempts);
    if (!options.mayRetry(task.attempts, task.firstFailureAt, delay)) {
      fail(task, code, message + " (after " + task.attempts + " tries in "
        + (System.nanoTime() - task.firstFailureAt) / 1_000_000 + " ms)");
      return;
    }
    log.debug("{} → {}: {}: {}; retrying in {} ms", Printable.escape(task.file.remoteName()), target, code,
      Printable.escape(message), delay);
    long timer = vertx.setTimer(delay, id -> {
      retrying.remove(id);
      queue.add(task);
      pump();
    });
    retrying.put(timer, task);
  }

  private void handOff(FileTask task, String reason) {
    handedOff.add(new HandedOff(task.file, reason));
    outstanding--;
  }

  private void interrupted(FileTask task) {
    record(task, FileStatus.INTERRUPTED, null, 0, 0, null, null, null, interruption);
  }

  private void fail(FileTask task, String code, String message) {
    record(task, FileStatus.FAILED, null, 0, 0, null, code, message, null);
  }

  private void record(FileTask task, FileStatus status, String storedAs, long bytes, long bytesTransferred,
                      String checksum, String errorCode, String errorMessage, String note) {
    long resumedFrom = status == FileStatus.SENT ? task.offset : 0;
    results.add(new FileResult(target.toString(), serverId, task.file.remoteName(), storedAs,
      task.file.path().toString(), status, bytes, bytesTransferred, resumedFrom, checksum, errorCode, errorMessage,
      task.elapsedMs(), task.attempts, note));
    progress.fileFinished(results.get(results.size() - 1));
    outstanding--;
  }

  private static String describe(Throwable cause) {
    if (cause instanceof java.net.UnknownHostException) {
      // Netty's resolver says "Failed to resolve 'h' [A(1), AAAA(28)] after 2 queries": the DNS, not the server.
      return "the host name cannot be resolved (" + cause.getMessage().strip() + ")";
    }
    return cause instanceof ProtocolException p ? p.code().wireName() + ": " + p.getMessage()
      : String.valueOf(cause.getMessage());
  }
}
