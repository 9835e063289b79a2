package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.protocol.ProtocolException;
import dev.kirim.net.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.shareddata.LocalMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.BindException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The receiving side: a {@link NetServer} on the configured address handing each connection to a
 * {@link ServerConnection}, within the connection limit.
 */
public class KirimServer {

  private static final Logger log = LoggerFactory.getLogger(KirimServer.class);
  private static final String CONNECTIONS_MAP = "kirim.server.connections";

  private final Vertx vertx;
  private final ServerOptions options;
  private final Storage storage;
  private NetServer netServer;
  private ConnectionCount connections;
  private String serverId;
  // Connections this instance took (event-loop confined): shows how -instances spreads them.
  private int accepted;

  private KirimServer(Vertx vertx, ServerOptions options) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.options = Objects.requireNonNull(options, "options");
    this.storage = new Storage(vertx, options.getStorageDir());
  }

  public static KirimServer create(Vertx vertx, ServerOptions options) {
    return new KirimServer(vertx, options);
  }

  /**
   * Prepares the storage directory and starts listening.
   *
   * @return this server, or a failure: {@link ListenException} when the address cannot be bound
   */
  public Future<KirimServer> listen() {
    NetServerOptions netOptions = new NetServerOptions()
      .setHost(options.getHost())
      .setPort(options.getPort())
      .setIdleTimeout((int) options.getLimits().getIdleTimeoutMs())
      .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    netServer = vertx.createNetServer(netOptions).connectHandler(this::handleConnection);
    return storage.prepare(Duration.ofHours(options.getPartialTtlHours()))
      .onSuccess(removed -> {
        if (removed > 0) {
          log.info("Removed {} partial upload(s) older than {} h from {}", removed, options.getPartialTtlHours(),
            storage.root());
        }
      })
      .recover(e -> Future.failedFuture(new ListenException("cannot use storage directory " + storage.root()
        + ": " + describe(e) + ": check 'storageDir' and its permissions", e)))
      .compose(v -> netServer.listen())
      .recover(this::explainListenFailure)
      .map(server -> {
        String address = options.getHost() + ":" + server.actualPort();
        LocalMap<String, ConnectionCount> counts = vertx.sharedData().getLocalMap(CONNECTIONS_MAP);
        connections = counts.computeIfAbsent(address, k -> new ConnectionCount());
        serverId = options.getServerId() != null ? options.getServerId() : Addresses.localHostName() + ":" + server.actualPort();
        log.info("kirim server {} listening on {}, storing into {} (onExisting={}, fsync={})", serverId, address,
          storage.root(), options.getOnExisting().configName(), options.isFsync());
        return this;
      });
  }

  private Future<NetServer> explainListenFailure(Throwable failure) {
    if (failure instanceof ListenException) {
      return Future.failedFuture(failure);
    }
    String address = options.getHost() + ":" + options.getPort();
    String message = failure instanceof BindException && String.valueOf(failure.getMessage()).contains("in use")
      ? "cannot listen on " + address + ": " + address + " is already in use (another kirim server?): stop it or set another 'port'"
      : "cannot listen on " + address + ": " + failure.getMessage() + ": check 'host' and 'port'";
    return Future.failedFuture(new ListenException(message, failure));
  }

  private void handleConnection(NetSocket socket) {
    int max = options.getLimits().getMaxConnections();
    if (!connections.tryAcquire(max)) {
      log.warn("Connection from {} refused: {} connections open, the limit is {}", socket.remoteAddress(), max, max);
      socket.end(Message.Error.of(null, new ProtocolException(ErrorCode.BUSY,
        "the server has " + max + " connections open, its limit; try again later")).toBuffer());
      return;
    }
    accepted++;
    new ServerConnection(vertx, socket, options, storage, serverId, connections::release).start();
  }

  /** @return the port listened on (the chosen one when configured as 0) */
  public int actualPort() {
    return netServer.actualPort();
  }

  /** @return connections this server instance has accepted since it started listening */
  public int acceptedConnections() {
    return accepted;
  }

  public String serverId() {
    return serverId;
  }

  public ServerOptions options() {
    return options;
  }

  Storage storage() {
    return storage;
  }

  public Future<Void> close() {
    return netServer == null ? Future.succeededFuture() : netServer.close();
  }

  /** NIO exceptions often carry only a path as message: say what happened too. */
  private static String describe(Throwable e) {
    String kind = switch (e.getClass().getSimpleName()) {
      case "NoSuchFileException" -> "no such file or directory";
      case "AccessDeniedException" -> "permission denied";
      case "FileAlreadyExistsException" -> "a file is in the way";
      case "FileSystemException" -> "file system error";
      default -> e.getClass().getSimpleName();
    };
    return kind + " (" + e.getMessage() + ")";
  }
}
