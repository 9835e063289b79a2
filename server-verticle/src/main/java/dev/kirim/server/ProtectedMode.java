package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.protocol.ProtocolException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * Protected by default, like Redis: a server with no {@code auth} key that listens on an address other hosts
 * can reach accepts connections from loopback only. Another peer gets {@code unauthorised} with a message
 * saying how to open the server, once it has sent its hello (replying before reading it could reset the
 * connection and lose the reply). Refusals are logged once per burst, not once per connection.
 */
final class ProtectedMode {

  private static final Logger log = LoggerFactory.getLogger(KirimServer.class);
  private static final String WARNED_MAP = "kirim.server.protected-mode";
  private static final long LOG_EVERY_MS = 10_000;

  private final Vertx vertx;
  private final boolean active;
  private final String host;
  private final long headerTimeoutMs;
  private final Buffer refusal;
  private long lastLogged = -LOG_EVERY_MS;
  private long refusedSinceLog;

  private ProtectedMode(Vertx vertx, ServerOptions options) {
    this.vertx = vertx;
    this.host = options.getHost();
    this.active = options.getAuth() == null && !isLoopback(host);
    this.headerTimeoutMs = options.getLimits().getHeaderTimeoutMs();
    this.refusal = Message.Error.of(null, new ProtocolException(ErrorCode.UNAUTHORISED, "this server is in "
      + "protected mode: it has no 'auth' key and accepts connections from its own host only; on the server, set "
      + "\"auth\": \"none\" to accept every client, or \"auth\": {\"tokensFile\": \"tokens.json\"} to accept the clients it "
      + "lists, or connect from the server's host")).toBuffer();
  }

  static ProtectedMode create(Vertx vertx, ServerOptions options) {
    return new ProtectedMode(vertx, options);
  }

  /** @return whether non-loopback peers are refused */
  boolean active() {
    return active;
  }

  /** Logs the one WARN line at start (once per address, whatever the number of instances). */
  void announce(String address) {
    if (active && vertx.sharedData().getLocalMap(WARNED_MAP).putIfAbsent(address, Boolean.TRUE) == null) {
      log.warn("Protected mode: {} has no 'auth' key, so only clients on this host may connect; set \"auth\": "
        + "\"none\" to accept every client, \"auth\": {\"tokensFile\": …} to accept the clients it lists, or listen on "
        + "127.0.0.1", address);
    }
  }

  /**
   * Refuses {@code socket} when its peer is not on this host: answers its hello with {@code unauthorised}
   * and closes.
   *
   * @param onClosed run once the refused socket is closed
   * @return whether the socket was refused (and is no longer the caller's)
   */
  boolean refuse(NetSocket socket, Runnable onClosed) {
    if (!active || isLoopback(socket.remoteAddress().host())) {
      return false;
    }
    logRefusal(socket.remoteAddress().host());
    long timer = vertx.setTimer(headerTimeoutMs, id -> socket.end(refusal));
    socket.closeHandler(v -> {
      vertx.cancelTimer(timer);
      onClosed.run();
    });
    socket.handler(new Handler<>() {
      private boolean answered;

      @Override
      public void handle(Buffer data) {
        // Only the hello's line is waited for; what follows it is dropped.
        if (!answered && data.toString(StandardCharsets.ISO_8859_1).indexOf('\n') >= 0) {
          answered = true;
          socket.end(refusal);
        }
      }
    });
    return true;
  }

  private void logRefusal(String peer) {
    refusedSinceLog++;
    long now = System.nanoTime() / 1_000_000;
    if (now - lastLogged >= LOG_EVERY_MS) {
      log.warn("Protected mode: refused a connection from {}{}: only clients on this host may connect while "
        + "'auth' is not set", peer, refusedSinceLog > 1 ? " (" + refusedSinceLog + " refused since the last such line)" : "");
      lastLogged = now;
      refusedSinceLog = 0;
    }
  }

  static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
