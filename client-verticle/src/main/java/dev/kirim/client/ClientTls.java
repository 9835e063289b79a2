package dev.kirim.client;

import dev.kirim.tls.TlsConfig;
import io.netty.handler.ssl.NotSslRecordException;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;

import javax.net.ssl.SSLException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateException;

/**
 * TLS on the client's connections, with Vert.x core's SSL: the {@code tls} key on the {@code NetClient}
 * (TLS 1.2+, the JDK's default suites, the server's host name verified), and the one-line explanations of
 * what goes wrong — a plain server, an untrusted, expired or misnamed certificate, a refused client
 * certificate — as {@link TlsException}s, which no retry can fix.
 */
final class ClientTls {

  private ClientTls() {
  }

  /** A TLS failure: the report's code is {@code tls}, and the target is not retried. */
  static final class TlsException extends RuntimeException {
    TlsException(String message) {
      super(message, null, false, false);
    }
  }

  /** Turns TLS on in {@code options} when {@code tls} is set. */
  static NetClientOptions configure(NetClientOptions options, TlsConfig.Client tls) {
    if (tls == null) {
      return options;
    }
    TlsConfig.Material material = tls.load("tls");
    options.setSsl(true)
      // The server's certificate must name the host connected to (or tls.serverName): never off.
      .setHostnameVerificationAlgorithm("HTTPS")
      .setEnabledSecureTransportProtocols(TlsConfig.PROTOCOLS)
      // A server that accepts the connection but never handshakes gets connectTimeoutMs, like one that never
      // welcomes us.
      .setSslHandshakeTimeout(options.getConnectTimeout())
      .setSslHandshakeTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS);
    if (material.authorities() != null) {
      options.setTrustOptions(new PemTrustOptions().addCertValue(material.authorities()));
    }
    if (material.certificates() != null) {
      options.setKeyCertOptions(new PemKeyCertOptions().addCertValue(material.certificates())
        .addKeyValue(material.privateKey()));
    }
    return options;
  }

  /**
   * @return where to connect for {@code target}, with TLS when it is set (the client's own TLS settings); with {@code tls.serverName}, the certificate is checked for
   *   that name (and it is sent as SNI) while the connection goes to the target's address
   */
  static ConnectOptions connectOptions(Target target, TlsConfig.Client tls) {
    ConnectOptions connect = new ConnectOptions().setRemoteAddress(SocketAddress.inetSocketAddress(target.port(),
      target.host())).setSsl(tls != null);
    if (tls != null && tls.serverName() != null) {
      connect.setHost(tls.serverName()).setPort(target.port()).setSniServerName(tls.serverName());
    }
    return connect;
  }

  /**
   * Watches a connection until the welcome, for what the handshake alone does not tell.
   * <p>
   * Plain: the signs of a TLS server — a TLS record (an alert, 0x15, or a handshake, 0x16, from a TLS proxy)
   * instead of a JSON line, or, what a Vert.x TLS server does with a plain hello, a close without a byte of
   * answer (a kirim server without TLS always answers the hello, even when it refuses it).
   * <p>
   * TLS: a refusal after the handshake. In TLS 1.3 the client's handshake is over before the server has
   * checked the client's certificate; a server that refuses it sends an alert, which arrives as an exception
   * on the socket, and closes.
   * <p>
   * Either way {@code welcomed} fails with a {@link TlsException} saying so, before {@code closed} runs.
   * Becomes the socket's data handler (feeding {@code reader}), exception handler and close handler.
   */
  static void watchGreeting(NetSocket socket, Handler<Buffer> reader, Handler<Void> closed, Target target,
                            TlsConfig.Client tls, Promise<String> welcomed) {
    boolean[] received = {false};
    Throwable[] alert = {null};
    socket.exceptionHandler(e -> alert[0] = alert[0] == null ? e : alert[0]);
    socket.closeHandler(v -> {
      if (tls == null && !received[0]) {
        welcomed.tryFail(new TlsException("the server at " + target + " closed the connection without answering the "
          + "hello: it most likely requires TLS; add \"tls\" to the client's configuration"));
      } else if (tls != null && alert[0] != null && isTls(alert[0])) {
        welcomed.tryFail(explain(alert[0], target, tls));
      }
      closed.handle(v);
    });
    socket.handler(data -> {
      if (tls == null && !received[0] && data.length() >= 2 && (data.getByte(0) == 0x15 || data.getByte(0) == 0x16)
        && data.getByte(1) == 0x03) {
        welcomed.tryFail(new TlsException("the server at " + target + " requires TLS (it answered with a TLS "
          + "record): add \"tls\" to the client's configuration"));
        socket.close();
        return;
      }
      received[0] = received[0] || data.length() > 0;
      reader.handle(data);
    });
  }

  /**
   * @return the failure to connect, explained in one line when it is about TLS; else {@code failure} itself
   */
  static Throwable explain(Throwable failure, Target target, TlsConfig.Client tls) {
    if (tls == null) {
      return failure;
    }
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof NotSslRecordException) {
        return new TlsException("the server at " + target + " answered in plain text, not TLS: it does not use "
          + "TLS; remove \"tls\" from the client's configuration, or give the server a \"tls\" key");
      }
      if (cause instanceof CertificateExpiredException) {
        return new TlsException("the certificate of the server at " + target + " has expired (" + cause.getMessage()
          + "): renew it on the server");
      }
    }
    if (!isTls(failure)) {
      return failure;
    }
    String message = rootMessage(failure);
    String name = tls.serverName() != null ? tls.serverName() : target.host();
    if (message.contains("No subject alternative") || message.contains("doesn't match")) {
      return new TlsException("the certificate of the server at " + target + " is not issued for '" + name
        + "' (" + message + "): connect by a name it carries, or set tls.serverName");
    }
    if (message.contains("PKIX path") || message.contains("unable to find valid certification path")) {
      return new TlsException("the certificate of the server at " + target + " is not signed by a CA this client "
        + "trusts (" + (tls.ca() == null ? "the system's CAs" : "tls.ca " + tls.ca()) + "): set tls.ca to the "
        + "server's CA");
    }
    if (message.contains("certificate_required") || message.contains("bad_certificate")
      || message.contains("certificate_unknown") && tls.cert() == null) {
      return new TlsException("the server at " + target + " refused the TLS handshake (" + message + "): it "
        + "requires a client certificate" + (tls.cert() == null ? "; set tls.cert and tls.key" : " issued by its CA"));
    }
    return new TlsException("the TLS handshake with " + target + " failed: " + message);
  }

  private static boolean isTls(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof SSLException || cause instanceof CertificateException) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return message.replaceAll("\\p{Cntrl}", " ");
  }
}
