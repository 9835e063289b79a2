package dev.kirim.server;

import dev.kirim.log.LogBurst;
import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.protocol.Printable;
import dev.kirim.protocol.ProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

import java.util.HashMap;
import java.util.Map;

/**
 * What one connection logs: its opening and close, and a line per offer refused or skipped and per file
 * stored (the seed's "server read … / copied N bytes"). Everything that came from the peer (names, the
 * client id, messages quoting them) is escaped ({@link Printable}), so a name holding {@code \n} cannot forge
 * a log line. Every per-file line starts with the peer and the client id, {@code 127.0.0.1:53422 (alice@a):},
 * so that one grep follows one client.
 * <p>
 * The same events feed the server's {@link ServerActivity} (metrics, status page): one place sees them all.
 */
final class ConnectionLog {

  // The connection's logger: an operator filters on one name to follow connections.
  private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);

  private final String peer;
  private final ServerActivity activity;
  // The authenticated client's name once it is known (escaped), so that every later line names it.
  private String authenticatedAs;
  private String clientId = "?";
  // When each upload's data started (event-loop confined): a duration measures the transfer, not the time an
  // accepted offer waited behind the files before it on the connection.
  private final Map<Upload, Long> transferStarts = new HashMap<>();
  // A client pipelining offers of bad names gets one refusal line per burst, not one per offer.
  private final LogBurst refusals = new LogBurst();
  private boolean notReadingLogged;

  ConnectionLog(String peer, ServerActivity activity) {
    this.peer = peer;
    this.activity = activity;
  }

  void opened() {
    log.info("Connection from {}", peer);
    activity.connectionOpened(this, peer);
  }

  void clientId(String clientId) {
    this.clientId = Printable.escape(clientId);
    activity.clientIdentified(this, this.clientId);
  }

  /** The upload's data starts: a resume says from where, at INFO, since the bytes sent this time are fewer. */
  void receiving(Upload upload) {
    transferStarts.put(upload, System.nanoTime());
    long offset = upload.partial.offset();
    if (offset > 0) {
      at(Level.INFO).addKeyValue("file", name(upload.offer)).addKeyValue("offset", offset)
        .addKeyValue("size", upload.offer.size())
        .log("{}: resuming '{}' at offset {} of {} bytes", who(), name(upload.offer), offset, upload.offer.size());
    }
    activity.transferStarted(upload, name(upload.offer), clientId, peer, upload.offer.size(), offset, upload::received);
  }

  void authenticated(String client) {
    authenticatedAs = Printable.escape(client);
    at(Level.INFO).log("{}: authenticated as client '{}'", who(), authenticatedAs);
  }

  void offerAnswered(Message.Offer offer, Message answer) {
    if (answer instanceof Message.Skip skip) {
      at(Level.INFO).addKeyValue("file", name(offer)).addKeyValue("result", "skipped")
        .addKeyValue("bytes", skip.size()).addKeyValue("same", skip.same())
        .log("{}: server read '{}': exists ({} bytes, {}), skipped", who(), name(offer), skip.size(),
          skip.same() ? "the same" : "differs, kept by the policy");
      activity.answered("skipped", null);
    } else if (answer instanceof Message.Preview preview) {
      at(Level.INFO).addKeyValue("file", name(offer)).addKeyValue("result", "dry_run")
        .addKeyValue("offset", preview.offset())
        .log("{}: server read '{}': dry run, would {} from offset {}", who(), name(offer), preview.action(),
          preview.offset());
    } else if (answer instanceof Message.Error error) {
      long left = refusals.next();
      if (left >= 0) {
        at(Level.INFO).addKeyValue("file", name(offer)).addKeyValue("result", "refused")
          .addKeyValue("code", error.code().wireName())
          .log("{}: server read '{}': refused: {}: {}{}", who(), name(offer), error.code().wireName(),
            Printable.escape(error.message()), LogBurst.suffix(left));
      }
      activity.answered("refused", error.code().wireName());
    } else if (answer instanceof Message.Send send) {
      at(Level.DEBUG).addKeyValue("file", name(offer)).addKeyValue("offset", send.offset())
        .log("{}: server read '{}': send from offset {}", who(), name(offer), send.offset());
    }
  }

  void commitAnswered(Upload upload, Message answer) {
    Long started = transferStarts.remove(upload);
    long nanos = System.nanoTime() - (started != null ? started : upload.startedAt);
    long millis = nanos / 1_000_000;
    if (answer instanceof Message.Done done) {
      at(Level.INFO).addKeyValue("file", Printable.escape(done.name())).addKeyValue("result", "stored")
        .addKeyValue("bytes", done.bytes()).addKeyValue("checksum", done.checksum())
        .addKeyValue("resumedFrom", upload.partial.offset()).addKeyValue("durationMs", millis)
        .log("{}: copied {} bytes into '{}' ({}) in {} ms", who(), done.bytes(), Printable.escape(done.name()),
          done.checksum(), millis);
      activity.stored(upload, Printable.escape(done.name()), clientId, peer, done.bytes(), nanos);
    } else if (answer instanceof Message.Error error && error.code() != ErrorCode.CANCELLED) {
      at(Level.WARN).addKeyValue("file", name(upload.offer)).addKeyValue("result", "failed")
        .addKeyValue("code", error.code().wireName()).addKeyValue("durationMs", millis)
        .log("{}: '{}' failed after {} ms: {}: {}", who(), name(upload.offer), millis, error.code().wireName(),
          Printable.escape(error.message()));
      activity.ended(upload, "failed", error.code().wireName());
    } else if (answer instanceof Message.Error error && error.code() == ErrorCode.CANCELLED) {
      at(Level.INFO).addKeyValue("file", name(upload.offer)).addKeyValue("result", "cancelled")
        .addKeyValue("durationMs", millis)
        .log("{}: '{}' cancelled by the client after {} ms: {}", who(), name(upload.offer), millis,
          Printable.escape(error.message()));
      activity.ended(upload, "cancelled", null);
    } else {
      at(Level.INFO).addKeyValue("file", name(upload.offer)).addKeyValue("result", "skipped")
        .log("{}: '{}' appeared meanwhile, skipped", who(), name(upload.offer));
      activity.ended(upload, "skipped", null);
    }
  }

  /**
   * A put's answer after its batch: stored or failed (a put skipped is logged as an offer is). A put is
   * received whole before it is answered, so its duration runs from its line to its answer.
   */
  void putAnswered(PutBatch.Item item, Message answer) {
    long nanos = System.nanoTime() - item.receivedAt;
    long millis = nanos / 1_000_000;
    if (answer instanceof Message.Done done) {
      at(Level.INFO).addKeyValue("file", Printable.escape(done.name())).addKeyValue("result", "stored")
        .addKeyValue("bytes", done.bytes()).addKeyValue("checksum", done.checksum()).addKeyValue("durationMs", millis)
        .log("{}: copied {} bytes into '{}' ({}) in {} ms", who(), done.bytes(), Printable.escape(done.name()),
          done.checksum(), millis);
      // Its bytes count as received once it is stored: a put is never in flight for the status page.
      activity.transferStarted(item, name(item.offer), clientId, peer, done.bytes(), 0, () -> done.bytes());
      activity.stored(item, Printable.escape(done.name()), clientId, peer, done.bytes(), nanos);
    } else if (answer instanceof Message.Error error) {
      at(Level.WARN).addKeyValue("file", name(item.offer)).addKeyValue("result", "failed")
        .addKeyValue("code", error.code().wireName()).addKeyValue("durationMs", millis)
        .log("{}: '{}' failed after {} ms: {}: {}", who(), name(item.offer), millis, error.code().wireName(),
          Printable.escape(error.message()));
      activity.answered("failed", error.code().wireName());
    } else {
      offerAnswered(item.offer, answer);
    }
  }

  void closing(ProtocolException failure) {
    activity.answered(null, failure.code().wireName());
    if (failure.code() == ErrorCode.UNAUTHORISED) {
      // Failed authentications are logged once per burst where they are decided (Access), not once each.
      log.debug("{}: closing connection: {}", who(), Printable.escape(failure.toString()));
      return;
    }
    at(Level.WARN).addKeyValue("code", failure.code().wireName())
      .log("{}: closing connection: {}", who(), Printable.escape(failure.toString()));
  }

  void interrupted(Upload upload, boolean kept) {
    transferStarts.remove(upload);
    at(Level.INFO).addKeyValue("file", name(upload.offer)).addKeyValue("result", "interrupted")
      .addKeyValue("bytes", upload.received()).addKeyValue("size", upload.offer.size())
      .log("{}: '{}' interrupted after {} of {} bytes ({})", who(), name(upload.offer), upload.received(),
        upload.offer.size(), kept ? "partial kept for resume" : "partial deleted");
    activity.ended(upload, "interrupted", null);
  }

  void peerNotReading() {
    if (!notReadingLogged) {
      notReadingLogged = true;
      log.info("{}: the client does not read its replies fast enough: reading from it pauses until it does", who());
    }
  }

  void socketError(Throwable error) {
    log.debug("{}: socket error: {}", who(), Printable.escape(error.toString()));
  }

  void closed(int files, long bytes, long openedAtNanos) {
    double seconds = (System.nanoTime() - openedAtNanos) / 1e9;
    long left = refusals.pending();
    at(Level.INFO).addKeyValue("files", files).addKeyValue("bytes", bytes)
      .log("Connection from {} ({}) closed: {} file(s), {} bytes stored in {} s{}", peer, clientId, files, bytes,
        String.format("%.2f", seconds), left > 0 ? ", " + left + " refused offer(s) not logged one by one" : "");
    activity.connectionClosed(this);
  }

  /**
   * @return a line at {@code level} carrying the peer and the client id as fields: the JSON log format
   *   ({@code logFormat}) writes them as keys; the text format has them in the message
   */
  private LoggingEventBuilder at(Level level) {
    LoggingEventBuilder line = log.atLevel(level).addKeyValue("peer", peer).addKeyValue("client", clientId);
    return authenticatedAs == null ? line : line.addKeyValue("authenticatedAs", authenticatedAs);
  }

  /** @return the peer and the client id (escaped), the start of every per-file line */
  private String who() {
    return peer + " (" + clientId + (authenticatedAs == null ? "" : ", client '" + authenticatedAs + "'") + ")";
  }

  private static String name(Message.Offer offer) {
    return Printable.escape(offer.name());
  }
}
