package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.protocol.Printable;
import dev.kirim.protocol.ProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one connection logs: its opening and close, and a line per offer refused or skipped and per file
 * stored (the seed's "server read … / copied N bytes"). Everything that came from the peer (names, the
 * client id, messages quoting them) is escaped ({@link Printable}), so a name holding {@code \n} cannot forge
 * a log line.
 */
final class ConnectionLog {

  // The connection's logger: an operator filters on one name to follow connections.
  private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);

  // Names the authenticated client once it is known, so that every later line does.
  private String peer;
  private String clientId = "?";
  // A client pipelining offers of bad names gets one refusal line per burst, not one per offer.
  private final LogBurst refusals = new LogBurst();
  private boolean notReadingLogged;

  ConnectionLog(String peer) {
    this.peer = peer;
  }

  void opened() {
    log.info("Connection from {}", peer);
  }

  void clientId(String clientId) {
    this.clientId = Printable.escape(clientId);
  }

  void authenticated(String client) {
    log.info("{}: authenticated as client '{}'", peer, Printable.escape(client));
    peer = peer + " (client '" + Printable.escape(client) + "')";
  }

  void offerAnswered(Message.Offer offer, Message answer) {
    if (answer instanceof Message.Skip skip) {
      log.info("{}: server read '{}': exists ({} bytes, {}), skipped", peer, name(offer), skip.size(),
        skip.same() ? "the same" : "differs, kept by the policy");
    } else if (answer instanceof Message.Preview preview) {
      log.info("{}: server read '{}': dry run, would {} from offset {}", peer, name(offer), preview.action(),
        preview.offset());
    } else if (answer instanceof Message.Error error) {
      long left = refusals.next();
      if (left >= 0) {
        log.info("{}: server read '{}': refused: {}: {}{}", peer, name(offer), error.code().wireName(),
          Printable.escape(error.message()), LogBurst.suffix(left));
      }
    } else if (answer instanceof Message.Send send) {
      log.debug("{}: server read '{}': send from offset {}", peer, name(offer), send.offset());
    }
  }

  void commitAnswered(Upload upload, Message answer) {
    long millis = (System.nanoTime() - upload.startedAt) / 1_000_000;
    if (answer instanceof Message.Done done) {
      log.info("{}: copied {} bytes into '{}' ({}) in {} ms", peer, done.bytes(), Printable.escape(done.name()),
        done.checksum(), millis);
    } else if (answer instanceof Message.Error error && error.code() != ErrorCode.CANCELLED) {
      log.warn("{}: '{}' failed after {} ms: {}: {}", peer, name(upload.offer), millis, error.code().wireName(),
        Printable.escape(error.message()));
    } else if (answer instanceof Message.Error error && error.code() == ErrorCode.CANCELLED) {
      log.info("{}: '{}' cancelled by the client after {} ms: {}", peer, name(upload.offer), millis,
        Printable.escape(error.message()));
    } else {
      log.info("{}: '{}' appeared meanwhile, skipped", peer, name(upload.offer));
    }
  }

  void closing(ProtocolException failure) {
    if (failure.code() == ErrorCode.UNAUTHORISED) {
      // Failed authentications are logged once per burst where they are decided (Access), not once each.
      log.debug("{}: closing connection: {}", peer, Printable.escape(failure.toString()));
      return;
    }
    log.warn("{}: closing connection: {}", peer, Printable.escape(failure.toString()));
  }

  void interrupted(Upload upload, boolean kept) {
    log.info("{}: '{}' interrupted after {} of {} bytes ({})", peer, name(upload.offer), upload.received(),
      upload.offer.size(), kept ? "partial kept for resume" : "partial deleted");
  }

  void peerNotReading() {
    if (!notReadingLogged) {
      notReadingLogged = true;
      log.info("{}: the client does not read its replies fast enough: reading from it pauses until it does", peer);
    }
  }

  void socketError(Throwable error) {
    log.debug("{}: socket error: {}", peer, Printable.escape(error.toString()));
  }

  void closed(int files, long bytes, long openedAtNanos) {
    double seconds = (System.nanoTime() - openedAtNanos) / 1e9;
    long left = refusals.pending();
    log.info("Connection from {} ({}) closed: {} file(s), {} bytes stored in {} s{}", peer, clientId, files, bytes,
      String.format("%.2f", seconds), left > 0 ? ", " + left + " refused offer(s) not logged one by one" : "");
  }

  private static String name(Message.Offer offer) {
    return Printable.escape(offer.name());
  }
}
