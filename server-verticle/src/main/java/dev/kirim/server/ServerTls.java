package dev.kirim.server;

import dev.kirim.config.ConfigException;
import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.ProtocolException;
import dev.kirim.tls.PemFiles;
import dev.kirim.tls.TlsConfig;
import io.netty.handler.ssl.NotSslRecordException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * TLS on the server's data path, with Vert.x core's SSL: the {@code tls} key's PEM files on the
 * {@link NetServer}, TLS 1.2+ with the JDK's default suites, client certificates required when
 * {@code clientCa} is set.
 * <p>
 * Certificates are reloaded without a restart by <b>watching the files</b>: every {@link #CHECK_MS} ms their
 * size and modification time are compared with those last loaded; on a change they are read and checked
 * again and handed to {@link NetServer#updateSSLOptions}, which new connections use while open ones keep
 * theirs. A half-written renewal (a new certificate with the old key) fails the check, keeps the old
 * certificate and is tried again at the next change. Watching was chosen over SIGHUP because the JDK has no
 * public signal API and because it needs nothing from the tool that renews the certificates.
 */
final class ServerTls {

  private static final Logger log = LoggerFactory.getLogger(KirimServer.class);
  static final long CHECK_MS = 2_000;
  private static final String WATCHERS_MAP = "kirim.server.tls-watchers";

  private final Vertx vertx;
  private final TlsConfig.Server config;
  private final long handshakeTimeoutMs;
  private NetServer server;
  private List<Object> loadedStamps;
  private List<Object> failedStamps;
  private long timer = -1;
  private String watchedAddress;
  private Handler<Void> reloaded;
  // Failed handshakes are logged once per burst: a scanner or a misconfigured client in a loop is one line
  // every LOG_EVERY_MS, with the count of those not logged.
  private static final long LOG_EVERY_MS = 10_000;
  private long lastLogged = -LOG_EVERY_MS;
  private long failedSinceLog;
  // A certificate in use that expires within EXPIRY_WARNING, or has expired, is a WARN line once a day: clients
  // refuse an expired one, and a long-running server would otherwise say nothing until they do.
  static final Duration EXPIRY_WARNING = Duration.ofDays(14);
  private static final long EXPIRY_LOG_EVERY_MS = Duration.ofDays(1).toMillis();
  private Instant expiresAt;
  private long expiryLoggedAt = -1;

  private ServerTls(Vertx vertx, TlsConfig.Server config, long handshakeTimeoutMs) {
    this.vertx = vertx;
    this.config = config;
    this.handshakeTimeoutMs = handshakeTimeoutMs;
  }

  /** @return the server's TLS, or {@code null} when it has no {@code tls} key */
  static ServerTls create(Vertx vertx, ServerOptions options) {
    TlsConfig.Server config = options.getTls();
    return config == null ? null : new ServerTls(vertx, config, options.getLimits().getHeaderTimeoutMs());
  }

  /**
   * Turns TLS on in {@code options}. The handshake must end within the header timeout, as a header line
   * must: a client cannot hold a connection by handshaking slowly.
   *
   * @throws ConfigException when the files changed since the configuration was read and are now wrong
   */
  NetServerOptions configure(NetServerOptions options) {
    loadedStamps = stamps();
    TlsConfig.Material material = config.load("tls");
    expiresAt = PemFiles.expiry("tls.cert", config.cert(), material.certificates());
    ServerSSLOptions ssl = sslOptions(material);
    options.setSsl(true)
      .setKeyCertOptions(ssl.getKeyCertOptions())
      .setTrustOptions(ssl.getTrustOptions())
      .setClientAuth(ssl.getClientAuth())
      .setEnabledSecureTransportProtocols(ssl.getEnabledSecureTransportProtocols())
      .setSslHandshakeTimeout(handshakeTimeoutMs)
      .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
    return options;
  }

  /**
   * Starts watching the files once {@code server} listens on {@code address}. With {@code -instances N} the
   * instances share one server, whose TLS any of them updates: the first watches (and logs), the others
   * do not. {@code reloaded} is called after each reload that took.
   */
  void watch(NetServer server, String address, Handler<Void> reloaded) {
    this.server = Objects.requireNonNull(server, "server");
    this.reloaded = Objects.requireNonNull(reloaded, "reloaded");
    if (vertx.sharedData().getLocalMap(WATCHERS_MAP).putIfAbsent(address, Boolean.TRUE) != null) {
      return;
    }
    watchedAddress = address;
    log.info("TLS on ({}), certificate {}, {}; reloaded when its files change", String.join(", ",
      TlsConfig.PROTOCOLS), config.cert(), config.clientCertificateRequired()
      ? "client certificates issued by " + config.clientCa() + " required" : "no client certificate asked for");
    warnIfExpiring();
    timer = vertx.setPeriodic(CHECK_MS, id -> check());
  }

  void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    if (watchedAddress != null) {
      vertx.sharedData().getLocalMap(WATCHERS_MAP).remove(watchedAddress);
      watchedAddress = null;
    }
  }

  /**
   * Logs a connection that ended before its TLS handshake completed, in one line, at most one per
   * {@link #LOG_EVERY_MS} ms. (Vert.x reports these without the peer's address.)
   */
  void handshakeFailed(Throwable failure) {
    failedSinceLog++;
    long now = System.nanoTime() / 1_000_000;
    if (now - lastLogged >= LOG_EVERY_MS) {
      log.warn("TLS handshake failed: {}{}", describe(failure), failedSinceLog > 1
        ? " (" + (failedSinceLog - 1) + " more failed since the last such line)" : "");
      lastLogged = now;
      failedSinceLog = 0;
    }
  }

  static String describe(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof NotSslRecordException) {
        return "a client spoke plain text to this TLS server: it needs \"tls\" in its configuration";
      }
    }
    Throwable root = failure;
    while (root.getCause() != null && !(root instanceof SSLException && root.getMessage() != null)) {
      root = root.getCause();
    }
    String message = String.valueOf(root.getMessage());
    if (message.contains("Empty client certificate chain") || message.contains("certificate_required")) {
      return "a client presented no certificate, and this server requires one issued by 'tls.clientCa'";
    }
    return message.replaceAll("[\\p{Cntrl}]", " ");
  }

  /** A TLS ClientHello where a plain server expects its hello line: a TLS record starts with 0x16. */
  static boolean startsTlsHandshake(Buffer data) {
    return data.length() > 0 && data.getByte(0) == 0x16;
  }

  static ProtocolException tlsToPlainServer() {
    return new ProtocolException(ErrorCode.MALFORMED, "this server does not use TLS, and the client started a TLS "
      + "handshake: remove \"tls\" from the client's configuration, or give the server a \"tls\" key");
  }

  private void check() {
    warnIfExpiring();
    List<Object> now = stamps();
    if (now.equals(loadedStamps) || now.equals(failedStamps)) {
      return;
    }
    TlsConfig.Material material;
    try {
      material = config.load("tls");
    } catch (ConfigException e) {
      failedStamps = now;
      log.warn("TLS certificate not reloaded, the previous one stays in use: {}", e.getMessage());
      return;
    }
    server.updateSSLOptions(sslOptions(material), true).onComplete(ar -> {
      if (ar.succeeded()) {
        loadedStamps = now;
        failedStamps = null;
        log.info("TLS certificate reloaded from {}", config.cert());
        expiresAt = PemFiles.expiry("tls.cert", config.cert(), material.certificates());
        expiryLoggedAt = -1;
        warnIfExpiring();
        reloaded.handle(null);
      } else {
        failedStamps = now;
        log.warn("TLS certificate not reloaded, the previous one stays in use: {}", describe(ar.cause()));
      }
    });
  }

  private void warnIfExpiring() {
    long now = System.currentTimeMillis();
    if (expiresAt == null || now < expiresAt.toEpochMilli() - EXPIRY_WARNING.toMillis()
      || expiryLoggedAt >= 0 && now - expiryLoggedAt < EXPIRY_LOG_EVERY_MS) {
      return;
    }
    expiryLoggedAt = now;
    if (now >= expiresAt.toEpochMilli()) {
      log.warn("TLS certificate {} expired at {}: clients refuse it; put a renewed certificate and key in place "
        + "(they are reloaded when the files change)", config.cert(), expiresAt);
    } else {
      log.warn("TLS certificate {} expires at {}, in {} day(s): put a renewed certificate and key in place (they "
        + "are reloaded when the files change)", config.cert(), expiresAt,
        Duration.ofMillis(expiresAt.toEpochMilli() - now).toDays());
    }
  }

  private ServerSSLOptions sslOptions(TlsConfig.Material material) {
    ServerSSLOptions ssl = new ServerSSLOptions()
      .setKeyCertOptions(new PemKeyCertOptions().addCertValue(material.certificates())
        .addKeyValue(material.privateKey()))
      .setEnabledSecureTransportProtocols(TlsConfig.PROTOCOLS)
      .setSslHandshakeTimeout(handshakeTimeoutMs)
      .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
    if (material.authorities() != null) {
      ssl.setTrustOptions(new PemTrustOptions().addCertValue(material.authorities()))
        .setClientAuth(ClientAuth.REQUIRED);
    }
    return ssl;
  }

  /**
   * Size and modification time of each file: what a change is noticed by. Three stat calls every
   * {@link #CHECK_MS} ms, done on the event loop: cheaper than a hop to a worker and back.
   */
  private List<Object> stamps() {
    List<Object> stamps = new ArrayList<>();
    for (Path file : new Path[] {config.cert(), config.key(), config.clientCa()}) {
      if (file == null) {
        continue;
      }
      try {
        stamps.add(Files.size(file) + "@" + Files.getLastModifiedTime(file).toMillis());
      } catch (IOException e) {
        stamps.add("missing");
      }
    }
    return stamps;
  }
}
