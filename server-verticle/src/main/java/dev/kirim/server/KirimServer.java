package dev.kirim.server;

import dev.kirim.cluster.ReceivedEvent;
import dev.kirim.io.IoErrors;
import dev.kirim.log.LogBurst;
import dev.kirim.net.Addresses;
import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.protocol.Printable;
import dev.kirim.protocol.ProtocolException;
import dev.kirim.server.auth.Access;
import dev.kirim.server.auth.AuthAttempts;
import dev.kirim.server.auth.Namespaces;
import dev.kirim.server.auth.QuotaAccounts;
import dev.kirim.server.auth.TokensWatch;
import io.vertx.core.Future;
import io.vertx.core.Handler;
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
 * The receiving side, embeddable in any Vert.x application: a {@link NetServer} on the configured address
 * handing each connection to a {@link ServerConnection}, within the connection limit.
 * <pre>
 * KirimServer server = KirimServer.create(vertx, new ServerOptions().setStorageDir(Path.of("inbox")));
 * server.uploadHandler(file -&gt; System.out.println("got " + file.storedAs()));
 * server.listen().onSuccess(s -&gt; System.out.println("listening on " + s.actualPort()));
 * </pre>
 */
public class KirimServer {

  private static final Logger log = LoggerFactory.getLogger(KirimServer.class);
  private static final String CONNECTIONS_MAP = "kirim.server.connections";
  private static final String PEER_CONNECTIONS_MAP = "kirim.server.peerConnections";
  // Package-private: tests look at the quota accounts it holds.
  static final String QUOTAS_MAP = "kirim.server.quotas";
  // Package-private: a test waits for the failed authentications it holds to count a guess.
  static final String AUTH_ATTEMPTS_MAP = "kirim.server.authAttempts";
  private static final String TOKENS_LOGGED_MAP = "kirim.server.tokensLogged";
  // Storage directories whose stale partials one instance sweeps while running: the others need not walk them too.
  private static final String PARTIAL_SWEEPS_MAP = "kirim.server.partialSweeps";

  private final Vertx vertx;
  private final ServerOptions options;
  private final StorageDirectory storage;
  private final PartialFiles partials;
  private volatile Handler<ReceivedEvent> uploadHandler = file -> { };
  private Handler<Void> tlsReloadHandler = v -> { };
  private NetServer netServer;
  private ConnectionCount connections;
  private PeerConnections peerConnections;
  private ServerContext context;
  private ServerTls tls;
  private ProtectedMode protectedMode;
  private ServerActivity activity;
  private volatile boolean listening;
  // Null unless the server authenticates its clients with a tokens file.
  private Access access;
  private TokensWatch tokensWatch;
  private final LogBurst peerRefusals = new LogBurst();
  // Connections this instance took (event-loop confined): shows how -instances spreads them.
  private int accepted;
  private long partialSweepMs;
  private long partialSweepTimer = -1;

  private KirimServer(Vertx vertx, ServerOptions options) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.options = new ServerOptions(Objects.requireNonNull(options, "options")).validate();
    this.storage = new StorageDirectory(vertx, this.options.getStorageDir(), this.options.isFsync());
    this.partials = new PartialFiles(vertx, storage);
    this.partialSweepMs = partialSweepIntervalMs(this.options.getPartialTtlHours());
  }

  /**
   * Half the TTL: a partial nobody resumes goes between one and one and a half TTLs after its last write, on a
   * server that runs for months as on one that restarts. 0 (no sweep while running) for a TTL of 0, which
   * makes every partial stale at once, those being written included: that one sweeps at start-up only.
   */
  static long partialSweepIntervalMs(int ttlHours) {
    return TimeUnit.HOURS.toMillis(ttlHours) / 2;
  }

  /** For tests: sweeps every {@code ms} instead, from {@link #listen()} on. */
  KirimServer sweepPartialsEvery(long ms) {
    partialSweepMs = ms;
    return this;
  }

  /**
   * @param options copied: changing them afterwards does not change the server
   * @throws dev.kirim.config.ConfigException naming the first invalid option
   */
  public static KirimServer create(Vertx vertx, ServerOptions options) {
    return new KirimServer(vertx, options);
  }

  /**
   * Called on the connection's event loop for every file published (verified, synced, under its final name).
   * A handler that throws is logged; the client still gets its answer.
   */
  public KirimServer uploadHandler(Handler<ReceivedEvent> handler) {
    this.uploadHandler = Objects.requireNonNull(handler, "handler");
    return this;
  }

  /**
   * Called each time the TLS certificate is reloaded because its files changed (see the {@code tls} key), once
   * the new one is in use for new connections; before {@link #listen()}. Nothing is called without TLS.
   */
  public KirimServer tlsReloadHandler(Handler<Void> handler) {
    this.tlsReloadHandler = Objects.requireNonNull(handler, "handler");
    return this;
  }

  /**
   * Prepares the storage directory and starts listening.
   *
   * @return this server, or a failure: {@link ListenException} when the address cannot be bound or the storage
   *   directory cannot be used
   */
  public Future<KirimServer> listen() {
    NetServerOptions netOptions = new NetServerOptions()
      .setHost(options.getHost())
      .setPort(options.getPort())
      .setIdleTimeout((int) options.getLimits().getIdleTimeoutMs())
      .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    tls = ServerTls.create(vertx, options);
    protectedMode = ProtectedMode.create(vertx, options);
    netServer = vertx.createNetServer(tls == null ? netOptions : tls.configure(netOptions))
      .connectHandler(this::handleConnection);
    if (tls != null) {
      netServer.exceptionHandler(tls::handshakeFailed);
    }
    return prepareStorage()
      .compose(v -> prepareAccess())
      .compose(v -> netServer.listen())
      .recover(this::explainListenFailure)
      .map(server -> {
        String address = Addresses.hostPort(options.getHost(), server.actualPort());
        LocalMap<String, ConnectionCount> counts = vertx.sharedData().getLocalMap(CONNECTIONS_MAP);
        connections = counts.computeIfAbsent(address, k -> new ConnectionCount());
        LocalMap<String, PeerConnections> peers = vertx.sharedData().getLocalMap(PEER_CONNECTIONS_MAP);
        peerConnections = peers.computeIfAbsent(address, k -> new PeerConnections());
        String serverId = options.getServerId() != null ? options.getServerId()
          : Addresses.localHostName() + ":" + server.actualPort();
        activity = ServerActivity.shared(vertx, address, serverId);
        activity.startSampling(vertx, storage::usableSpace);
        context = new ServerContext(vertx, options, serverId, storage, partials, new UploadClaims(vertx),
          this::handleUpload, activity, access);
        log.info("kirim server {} listening on {}, storing into {} (onExisting={}, fsync={})", serverId, address,
          storage.root(), options.getOnExisting().configName(), options.isFsync());
        protectedMode.announce(address);
        if (partialSweepMs > 0 && sweeps().putIfAbsent(storage.root().toString(), Boolean.TRUE) == null) {
          partialSweepTimer = vertx.setPeriodic(partialSweepMs, id -> sweepPartials()
            .onFailure(e -> log.warn("Cannot sweep stale partial uploads in {}: {}", storage.root(),
              IoErrors.describe(Failures.unwrap(e)))));
        }
        listening = true;
        if (tls != null) {
          tls.watch(netServer, address, tlsReloadHandler);
        }
        if (tokensWatch != null) {
          tokensWatch.start(options.getAuth().getTokensStamp());
        }
        return this;
      });
  }

  /** Creates the storage directory and removes partial files older than {@code partialTtlHours}. */
  private Future<Void> prepareStorage() {
    return storage.create()
      .onSuccess(v -> {
        if (!storage.attributes().supported()) {
          log.warn("The file system of {} keeps no extended attributes: interrupted uploads cannot be resumed, and "
            + "checksum compares read the stored file each time; use ext4, xfs, btrfs (or tmpfs from Linux 6.6) to have both",
            storage.root());
        }
        if (storage.mtimeStepMillis() > 1) {
          log.warn("The file system of {} keeps modification times only to {} ms (vfat, exFAT): a client comparing "
            + "size and mtime (compare: size-mtime, the default) finds every stored copy over 16 KiB different; "
            + "have clients push here with \"compare\": \"checksum\", or use ext4, xfs or btrfs",
            storage.root(), storage.mtimeStepMillis());
        }
      })
      .compose(v -> sweepPartials())
      .recover(e -> Future.failedFuture(new ListenException("cannot use storage directory " + storage.root()
        + ": " + IoErrors.describe(Failures.unwrap(e)) + ": check 'storageDir' and its permissions", e)));
  }

  private LocalMap<String, Boolean> sweeps() {
    return vertx.sharedData().getLocalMap(PARTIAL_SWEEPS_MAP);
  }

  /** Removes the partial files older than {@code partialTtlHours}, and says so when there were any. */
  private Future<Void> sweepPartials() {
    return partials.sweep(Duration.ofHours(options.getPartialTtlHours()))
      .onSuccess(removed -> {
        if (removed > 0) {
          log.info("Removed {} partial upload(s) older than {} h from {}", removed, options.getPartialTtlHours(),
            storage.root());
        }
      })
      .mapEmpty();
  }

  /**
   * With a tokens file: the clients' directories ready ({@link Namespaces}) and their quotas counted
   * ({@link QuotaAccounts}).
   */
  private Future<Void> prepareAccess() {
    AuthOptions auth = options.getAuth();
    if (auth == null || auth.isNone()) {
      return Future.succeededFuture();
    }
    QuotaAccounts accounts = new QuotaAccounts(storage.root(), vertx.sharedData().getLocalMap(QUOTAS_MAP));
    LocalMap<String, AuthAttempts> attempts = vertx.sharedData().getLocalMap(AUTH_ATTEMPTS_MAP);
    return vertx.executeBlocking(() -> {
        Namespaces.prepare(storage.root(), auth.getClients());
        accounts.update(auth.getClients());
        return null;
      }, false)
      .map(v -> {
        access = new Access(vertx, auth.getClients(), accounts,
          attempts.computeIfAbsent(storage.root().toString(), k -> new AuthAttempts()));
        tokensWatch = new TokensWatch(vertx, auth.getTokensFile(), storage.root(), access, accounts,
          vertx.sharedData().getLocalMap(TOKENS_LOGGED_MAP));
        log.info("Authentication on: {} client(s) from {}, each confined to its directory", auth.getClients().size(),
          auth.getTokensFile());
        return (Void) null;
      })
      .recover(e -> Future.failedFuture(new ListenException("cannot prepare the clients' directories: "
        + (e instanceof IllegalStateException ? e.getMessage() : IoErrors.describe(Failures.unwrap(e))), e)));
  }

  private Future<NetServer> explainListenFailure(Throwable failure) {
    if (failure instanceof ListenException) {
      return Future.failedFuture(failure);
    }
    String address = Addresses.hostPort(options.getHost(), options.getPort());
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
    String peer = socket.remoteAddress().host();
    int perPeer = options.getLimits().getMaxConnectionsPerPeer();
    if (!peerConnections.tryAcquire(peer, perPeer)) {
      connections.release();
      long left = peerRefusals.next();
      if (left >= 0) {
        log.warn("Connection from {} refused: it has {} connections open, the limit per peer{}", peer, perPeer,
          LogBurst.suffix(left));
      }
      socket.end(Message.Error.of(null, new ProtocolException(ErrorCode.BUSY,
        "this address has " + perPeer + " connections open, the limit per peer; try again later")).toBuffer());
      return;
    }
    Runnable release = () -> {
      peerConnections.release(peer);
      connections.release();
    };
    if (protectedMode.refuse(socket, release)) {
      return;
    }
    accepted++;
    new ServerConnection(context, socket, release).start();
  }

  private void handleUpload(ReceivedEvent file) {
    try {
      uploadHandler.handle(file);
    } catch (RuntimeException e) {
      log.warn("The upload handler failed on '{}': {}", Printable.escape(file.storedAs()), e.toString());
    }
  }

  /** @return the port listened on (the chosen one when configured as 0) */
  public int actualPort() {
    return netServer.actualPort();
  }

  /** @return connections this server instance has accepted since it started listening */
  public int acceptedConnections() {
    return accepted;
  }

  /** @return the id this server reports to clients; {@code null} until it listens */
  public String serverId() {
    return context == null ? null : context.serverId();
  }

  /** @return a copy of the options this server runs with */
  public ServerOptions options() {
    return new ServerOptions(options);
  }

  StorageDirectory storage() {
    return storage;
  }

  /** @return what this server (all its instances) is doing, for metrics and status; {@code null} until it listens */
  public ServerActivity activity() {
    return activity;
  }

  /** @return succeeded when a file can be created and deleted in the storage directory now (a health check) */
  public Future<Void> probeStorage() {
    return vertx.executeBlocking(() -> {
      java.nio.file.Files.delete(java.nio.file.Files.createTempFile(storage.root(), ".kirim-probe-", ".tmp"));
      return null;
    }, false);
  }

  /** @return whether the TCP port is open: between a successful {@link #listen()} and {@link #close()} */
  public boolean isListening() {
    return listening;
  }

  /** @return the usable bytes on the storage's file system now */
  public Future<Long> usableSpace() {
    return storage.usableSpace();
  }

  public Future<Void> close() {
    if (tls != null) {
      tls.close();
    }
    listening = false;
    if (partialSweepTimer >= 0) {
      vertx.cancelTimer(partialSweepTimer);
      partialSweepTimer = -1;
      sweeps().remove(storage.root().toString());
    }
    if (activity != null) {
      activity.release(vertx);
      activity = null;
    }
    if (tokensWatch != null) {
      tokensWatch.close();
    }
    return netServer == null ? Future.succeededFuture() : netServer.close();
  }
}
