package dev.kirim.server;

import dev.kirim.http.HttpEndpoints;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What a server is doing, for its metrics, health and status page: open connections, uploads in flight with
 * their progress, the last files stored, a per-second throughput history and the counters behind
 * {@code /metrics}.
 * <p>
 * One per listening address, shared by the instances of {@code -instances N} (a Vert.x local map value), so
 * every method may be called from any event loop: the state is in concurrent collections and atomics. The
 * receive path tells it only of events it already logs ({@link ConnectionLog}); bytes of an upload in flight
 * are read from the upload by the once-a-second {@link #sample() sample}, never counted per chunk.
 */
public final class ServerActivity implements Shareable {

  /** How many stored files the status page lists. */
  public static final int RECENT_FILES = 50;
  /** How many seconds of throughput are kept for the status page's chart. */
  public static final int HISTORY_SECONDS = 300;

  private static final String MAP = "kirim.server.activity";

  private final String serverId;
  private final String address;
  private final Instant startedAt = Instant.now();
  private final PrometheusMeterRegistry registry;
  private final ActivityMeters meters;
  private final Map<Object, Connection> connections = new ConcurrentHashMap<>();
  private final Map<Object, Transfer> transfers = new ConcurrentHashMap<>();
  private final Deque<StoredFile> recent = new ConcurrentLinkedDeque<>();
  private final Deque<long[]> history = new ConcurrentLinkedDeque<>();
  // Bytes counted since the last sample, for the throughput history.
  private final AtomicLong sinceSample = new AtomicLong();
  private final AtomicLong freeBytes = new AtomicLong(-1);
  private final AtomicInteger users = new AtomicInteger();
  // The sampling timer, -1 while none runs: the instances of one server start at once, on different event loops.
  private final AtomicLong timer = new AtomicLong(-1);

  private ServerActivity(String serverId, String address, PrometheusMeterRegistry registry) {
    this.serverId = serverId;
    this.address = address;
    this.registry = registry;
    this.meters = new ActivityMeters(registry, this);
  }

  /**
   * @return the activity of the server on {@code address}, created by the first instance to ask; every caller
   *   must {@link #release()} it once
   */
  static ServerActivity shared(Vertx vertx, String address, String serverId) {
    ServerActivity activity = vertx.sharedData().<String, ServerActivity>getLocalMap(MAP)
      .computeIfAbsent(address, k -> new ServerActivity(serverId, address, HttpEndpoints.registry(vertx)));
    activity.users.incrementAndGet();
    return activity;
  }

  /**
   * Starts the once-a-second sample (throughput, free space), unless another instance already did.
   *
   * @param usableSpace the storage's usable bytes, looked up off the event loop
   */
  void startSampling(Vertx vertx, Supplier<Future<Long>> usableSpace) {
    // -2 marks "being started" (no timer has a negative id) so that exactly one instance sets the timer.
    if (timer.compareAndSet(-1, -2)) {
      timer.set(vertx.setPeriodic(0, 1000, id -> {
        sample();
        usableSpace.get().onSuccess(freeBytes::set);
      }));
    }
  }

  /** Lets go of the activity; the last user stops the sampling and removes the meters and the shared entry. */
  void release(Vertx vertx) {
    if (users.decrementAndGet() == 0) {
      vertx.cancelTimer(timer.getAndSet(-1));
      meters.close();
      vertx.sharedData().getLocalMap(MAP).remove(address, this);
    }
  }

  // --- events, from ConnectionLog ---------------------------------------------------------------------------

  void connectionOpened(Object key, String peer) {
    connections.put(key, new Connection(peer, Instant.now()));
  }

  void clientIdentified(Object key, String clientId) {
    Connection connection = connections.get(key);
    if (connection != null) {
      connection.clientId = clientId;
    }
  }

  void connectionClosed(Object key) {
    connections.remove(key);
  }

  /**
   * The data of an accepted offer starts coming (after a resume, from {@code offset}).
   *
   * @param received the upload's byte count, read from other threads by {@link #sample()} and the status page:
   *   a plain field of the connection's event loop, so such a read may lag a little, which a display and a
   *   once-a-second sample allow; the final count is read by the connection's own thread ({@link #stored},
   *   {@link #ended})
   */
  void transferStarted(Object key, String name, String clientId, String peer, long size, long offset,
                       LongSupplier received) {
    transfers.put(key, new Transfer(name, clientId, peer, size, offset, Instant.now(), received));
  }

  /** A file was stored under {@code name} after a transfer of {@code nanos}. */
  void stored(Object key, String name, String clientId, String peer, long bytes, long nanos) {
    finish(key);
    meters.file("stored");
    meters.uploadDuration(nanos);
    recent.addFirst(new StoredFile(name, clientId, peer, bytes, nanos / 1_000_000, Instant.now()));
    while (recent.size() > RECENT_FILES) {
      recent.pollLast();
    }
  }

  /** An upload ended without a stored file: {@code result} is {@code failed}, {@code cancelled} or {@code interrupted}. */
  void ended(Object key, String result, String errorCode) {
    finish(key);
    meters.file(result);
    if (errorCode != null) {
      meters.error(errorCode);
    }
  }

  /**
   * An offer answered without a transfer: {@code skipped}, or {@code refused} with its error code; or, with a
   * {@code null} result, an error that closes the connection.
   */
  void answered(String result, String errorCode) {
    if (result != null) {
      meters.file(result);
    }
    if (errorCode != null) {
      meters.error(errorCode);
    }
  }

  private void finish(Object key) {
    Transfer transfer = transfers.remove(key);
    if (transfer != null) {
      count(transfer);
    }
  }

  /** Counts the bytes a transfer received since it was last counted: exactly once each, whoever calls. */
  private void count(Transfer transfer) {
    long now = transfer.received.getAsLong();
    long before = transfer.counted.getAndAccumulate(now, Math::max);
    long delta = Math.max(0, now - before);
    if (delta > 0) {
      meters.received(delta);
      sinceSample.addAndGet(delta);
    }
  }

  /** Once a second: counts the bytes of the transfers in flight and appends a point to the throughput history. */
  void sample() {
    transfers.values().forEach(this::count);
    history.addLast(new long[] {System.currentTimeMillis(), sinceSample.getAndSet(0)});
    while (history.size() > HISTORY_SECONDS) {
      history.pollFirst();
    }
  }

  void freeBytes(long bytes) {
    freeBytes.set(bytes);
  }

  // --- what the HTTP side reads ------------------------------------------------------------------------------

  public String serverId() {
    return serverId;
  }

  /** @return the registry with kirim's meters (and Vert.x's, when its metrics are on): what /metrics renders */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public String address() {
    return address;
  }

  public Instant startedAt() {
    return startedAt;
  }

  /** @return the storage's usable bytes as last sampled, -1 before the first sample */
  public long freeBytes() {
    return freeBytes.get();
  }

  public Collection<Connection> connections() {
    return List.copyOf(connections.values());
  }

  public Collection<Transfer> transfers() {
    return List.copyOf(transfers.values());
  }

  public List<StoredFile> recentFiles() {
    return new ArrayList<>(recent);
  }

  /** @return {@code [epoch millis, bytes received in the second before]} points, oldest first */
  public List<long[]> throughput() {
    return new ArrayList<>(history);
  }

  int activeTransfers() {
    return transfers.size();
  }

  int openConnections() {
    return connections.size();
  }

  /** An open connection; {@code clientId} is {@code ?} until its hello. Names and ids are already escaped. */
  public static final class Connection {
    public final String peer;
    public final Instant openedAt;
    public volatile String clientId = "?";

    Connection(String peer, Instant openedAt) {
      this.peer = peer;
      this.openedAt = openedAt;
    }
  }

  /** An upload whose data is coming. */
  public static final class Transfer {
    public final String name;
    public final String clientId;
    public final String peer;
    public final long size;
    public final long resumedFrom;
    public final Instant startedAt;
    private final LongSupplier received;
    private final AtomicLong counted;

    Transfer(String name, String clientId, String peer, long size, long offset, Instant startedAt,
             LongSupplier received) {
      this.name = name;
      this.clientId = clientId;
      this.peer = peer;
      this.size = size;
      this.resumedFrom = offset;
      this.startedAt = startedAt;
      this.received = received;
      this.counted = new AtomicLong(offset);
    }

    /** @return bytes of the file now on the server (the resumed part included) */
    public long received() {
      return received.getAsLong();
    }
  }

  /** A stored file, as the status page lists it. */
  public record StoredFile(String name, String clientId, String peer, long bytes, long millis, Instant at) {
  }
}
