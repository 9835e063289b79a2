package dev.kirim.server.auth;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Printable;
import dev.kirim.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLPeerUnverifiedException;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Who a connection is: the client of the tokens file whose token it presented in its hello (compared in
 * constant time, on the SHA-256), or, without a token, whose {@code certSubject} is the subject of its verified
 * TLS client certificate. Failures are answered {@code unauthorised} after a delay that grows with each failure
 * from the peer's address ({@link AuthAttempts}), and logged once per burst, never with the token.
 */
public final class Access {

  private static final Logger log = LoggerFactory.getLogger("dev.kirim.server.KirimServer");

  private final Vertx vertx;
  // Replaced whole when the tokens file changes (TokensWatch); connections admitted keep their client. Their
  // quotas are not kept with them: the accounts follow the tokens file (QuotaAccounts).
  private volatile List<ClientEntry> clients;
  private final QuotaAccounts accounts;
  private final AuthAttempts attempts;

  public Access(Vertx vertx, List<ClientEntry> clients, QuotaAccounts accounts, AuthAttempts attempts) {
    this.vertx = vertx;
    this.clients = List.copyOf(clients);
    this.accounts = accounts;
    this.attempts = attempts;
  }

  /** A changed tokens file: new connections are admitted by {@code clients} from now on. */
  public void update(List<ClientEntry> clients) {
    this.clients = List.copyOf(clients);
  }

  /**
   * @param token    the hello's token, {@code null} when it has none
   * @param clientId the hello's client id, for the log
   * @return the client's namespace, or (after the backoff delay) a failed future with {@code unauthorised}
   */
  public Future<Namespace> admit(String token, String clientId, NetSocket socket) {
    String peer = socket.remoteAddress().host();
    long blocked = attempts.blockedFor(peer);
    if (blocked > 0) {
      // Not checked at all: parallel guesses while blocked learn nothing, even a right one.
      return refuse(blocked, "too many failed authentications from " + peer + ": attempts from this address are "
        + "refused for " + blocked + " ms more; check the client's token and try again later");
    }
    ClientEntry client = token != null ? byToken(token) : byCertificate(socket);
    if (client == null) {
      long delay = attempts.failed(peer);
      logFailure(peer, clientId, token == null);
      return refuse(delay, token == null
        ? "this server requires authentication: give the client its token ('token' or 'tokenFile' in its "
          + "configuration, or the KIRIM_TOKEN environment variable)" + (socket.isSsl() ? ", or a client "
          + "certificate whose subject the server's tokens file lists" : "")
        : "the token is not accepted by this server: check the client's token against the server's tokens file");
    }
    attempts.succeeded(peer);
    return Future.succeededFuture(new Namespace(client, accounts.accountOf(client)));
  }

  private ClientEntry byToken(String token) {
    byte[] hash = TokenHash.of(token);
    ClientEntry found = null;
    // Every entry is compared, each in constant time: how long this takes says nothing of the token.
    for (ClientEntry client : clients) {
      if (client.tokenSha256() != null && MessageDigest.isEqual(hash, client.tokenSha256()) && found == null) {
        found = client;
      }
    }
    return found;
  }

  private ClientEntry byCertificate(NetSocket socket) {
    if (!socket.isSsl()) {
      return null;
    }
    List<Certificate> chain;
    try {
      chain = socket.peerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
    if (chain == null || chain.isEmpty() || !(chain.get(0) instanceof X509Certificate certificate)) {
      return null;
    }
    for (ClientEntry client : clients) {
      if (certificate.getSubjectX500Principal().equals(client.certSubject())) {
        return client;
      }
    }
    return null;
  }

  private Future<Namespace> refuse(long delayMs, String message) {
    Promise<Namespace> refused = Promise.promise();
    ProtocolException failure = new ProtocolException(ErrorCode.UNAUTHORISED, message);
    vertx.setTimer(Math.max(1, delayMs), id -> refused.fail(failure));
    return refused.future();
  }

  /** The first failure of a burst, then every tenfold count: one line per burst, not per attempt. */
  private void logFailure(String peer, String clientId, boolean noToken) {
    int failures = attempts.failures(peer);
    if (failures == 1) {
      log.warn("Authentication failed for {} (client id '{}'): {}; further failures from this address are slowed "
        + "down and summarised", peer, Printable.escape(clientId), noToken ? "no token" : "wrong token");
    } else if (isPowerOfTen(failures)) {
      log.warn("Authentication failed {} times in a row for {}: its attempts are blocked for up to {} s each",
        failures, peer, AuthAttempts.MAX_MS / 1000);
    }
  }

  private static boolean isPowerOfTen(int n) {
    while (n >= 10 && n % 10 == 0) {
      n /= 10;
    }
    return n == 1;
  }
}
