package dev.kirim.server;

import dev.kirim.cluster.KirimCluster;
import dev.kirim.cluster.ServerRecord;
import dev.kirim.cluster.ServerRegistry;
import dev.kirim.launch.BuildInfo;
import dev.kirim.net.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.spi.cluster.ClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * Keeps a running server's {@link ServerRecord} in the {@code kirim.servers} map so that clients can find it
 * ({@code cluster:all}, {@code cluster:any}). The map is Vert.x shared data: cluster-wide when clustered, local
 * otherwise. The record carries a TTL and is rewritten well before it runs out, so the record of a node that
 * vanished without stopping expires by itself; a clean stop removes it at once. The record also shows the
 * space reserved by uploads in flight ({@link SpaceReservations}) and is rewritten within
 * {@link #QUICK_REFRESH_MS} of a reservation's start or end, so that clients choosing a server for
 * {@code cluster:any} a moment later see the room already promised.
 */
final class ServerRegistration {

  private static final Logger log = LoggerFactory.getLogger(ServerRegistration.class);
  /** How soon a change of the reservations reaches the record: a few writes a second at most. */
  static final long QUICK_REFRESH_MS = 250;
  private static final long SIGNATURE_MARGIN_MS = 5_000;
  // Looks at the id's holder at most this often at start: a take-over lost to another server is looked at again.
  private static final int CLAIM_ATTEMPTS = 3;
  private static final Set<String> WILDCARDS = Set.of("0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0");

  private final Vertx vertx;
  private final KirimServer server;
  private final ServerOptions options;
  private final int instances;
  private final ServerRegistry registry;
  private final SpaceReservations reservations;
  private long writtenChanges = -1;
  private long quickTimer = -1;
  // Values typed Object: whatever else is in the map (see ServerRegistry) must not break a read here.
  private AsyncMap<String, Object> map;
  private Future<Void> lastWrite = Future.succeededFuture();
  private long timer = -1;
  private boolean closed;

  /** @param options the registry's settings ({@code registry.*}, {@code advertisedHost}) and the free-space reserve */
  ServerRegistration(Vertx vertx, KirimServer server, ServerOptions options, int instances) {
    this.vertx = vertx;
    this.server = server;
    this.options = options;
    this.instances = instances;
    this.registry = new ServerRegistry(vertx, options.getClusterSecret());
    this.reservations = SpaceReservations.of(vertx);
  }

  /**
   * Claims the server id, writes the record and starts refreshing it. A registry that cannot be checked or
   * written is logged, not fatal: the refreshes keep writing the record.
   *
   * @return failed with {@link DuplicateServerIdException} when another live server holds the id
   */
  Future<Void> start() {
    return vertx.sharedData().<String, Object>getAsyncMap(KirimCluster.SERVERS_MAP)
      .compose(registry -> {
        map = registry;
        return claim().recover(e -> {
          if (e instanceof DuplicateServerIdException) {
            return Future.failedFuture(e);
          }
          // Not refused, only not checked: the refreshes write the record all the same, and go on trying.
          log.warn("Cannot check who holds serverId '{}' in {}: {}", server.serverId(), KirimCluster.SERVERS_MAP,
            e.toString());
          return Future.succeededFuture();
        });
      })
      .compose(v -> {
        timer = vertx.setPeriodic(options.getRegistryRefreshMs(), id -> refresh());
        quickTimer = vertx.setPeriodic(QUICK_REFRESH_MS, id -> {
          if (reservations.changes() != writtenChanges) {
            refresh();
          }
        });
        return refresh();
      })
      .onSuccess(v -> {
        // A standalone server's registry is its own local map: worth a line only when it is the cluster's.
        if (vertx.isClustered()) {
          log.info("Registered in {} as {} at {}", KirimCluster.SERVERS_MAP, server.serverId(),
            Addresses.hostPort(advertisedHost(), server.actualPort()));
        }
      })
      .recover(e -> {
        if (e instanceof DuplicateServerIdException) {
          return Future.failedFuture(e);
        }
        log.warn("Cannot register in {}: {}", KirimCluster.SERVERS_MAP, e.toString());
        return Future.succeededFuture();
      });
  }

  /**
   * Writes the record unless the id is taken (atomically, so that two servers starting at once cannot both
   * win), then looks at what held it: a record of this same node (another of its {@code -instances}), of a
   * node that left the cluster, or anything that is not a record is taken over by the next refresh; a record
   * of another live node refuses the start.
   */
  private Future<Void> claim() {
    return claim(CLAIM_ATTEMPTS);
  }

  /**
   * A holder that may be taken over is replaced only if it is still what was looked at (compare and set):
   * two servers that find the same stale record must not both take it over. The one that loses looks again,
   * and finds the winner.
   */
  private Future<Void> claim(int attemptsLeft) {
    return measureFreeSpace()
      .compose(free -> {
        ServerRecord own = record(free);
        Object entry = entry(own);
        return map.putIfAbsent(server.serverId(), entry, options.getRegistryTtlMs())
          .compose(existing -> existing == null ? Future.succeededFuture()
            : checkHolder(own, existing)
              // Without a TTL (the Hazelcast map has no compare-and-set with one): the refresh that follows at once
              // writes the record with it.
              .compose(v -> map.replaceIfPresent(server.serverId(), existing, entry))
              .compose(replaced -> replaced || attemptsLeft <= 1 ? Future.succeededFuture()
                : claim(attemptsLeft - 1)));
      });
  }

  private Future<Void> checkHolder(ServerRecord own, Object existing) {
    ServerRecord holder = registry.parse(server.serverId(), existing);
    if (holder == null) {
      // Not a record this server takes: without a node, or of a node gone, it is nobody's and taken over. One a
      // live node holds is another server's that this one cannot verify (another cluster secret, or none on
      // one side): taking it over would have the two overwrite each other's record on every refresh.
      String nodeId = ServerRegistry.claimedNodeId(existing);
      if (nodeId == null || nodeId.equals(own.nodeId()) || !registry.isLive(nodeId)) {
        return Future.succeededFuture();
      }
      return Future.failedFuture(new DuplicateServerIdException("serverId '" + server.serverId()
        + "' is already registered by cluster node " + nodeId + " with a record this server cannot verify: give "
        + "every member the same \"cluster.secret\" (or none), or give each server its own \"serverId\""));
    }
    // One node is one process: its -instances share the record (with port 0 they even listen on different
    // ports), and what an embedding application deploys twice under one id is its own business.
    boolean sameNode = Objects.equals(holder.nodeId(), own.nodeId());
    if (sameNode || !registry.isLive(holder.nodeId())) {
      return Future.succeededFuture();
    }
    return Future.failedFuture(new DuplicateServerIdException("serverId '" + server.serverId()
      + "' is already registered by another running server at " + holder.address()
      + (holder.nodeId() == null ? "" : " (cluster node " + holder.nodeId() + ")")
      + ": give each server its own \"serverId\" in its config (the default, hostname:port, repeats when hosts "
      + "share a host name)"));
  }

  private Future<Void> refresh() {
    if (closed) {
      return lastWrite;
    }
    writtenChanges = reservations.changes();
    lastWrite = measureFreeSpace()
      .compose(free -> closed ? Future.<Void>succeededFuture()
        : map.put(server.serverId(), entry(record(free)), options.getRegistryTtlMs()))
      .onFailure(e -> log.warn("Cannot refresh the registry record of {}: {}", server.serverId(), e.toString()));
    return lastWrite;
  }

  /**
   * @return what is stored: the record, signed when there is a cluster secret — valid a little longer than the
   *   map's TTL keeps it, so that the map drops a record before its signature expires
   */
  private Object entry(ServerRecord record) {
    return registry.entry(record, options.getRegistryTtlMs() + SIGNATURE_MARGIN_MS);
  }

  private Future<OfferCheck.FreeSpace> measureFreeSpace() {
    return vertx.executeBlocking(() -> OfferCheck.FreeSpace.measureNow(vertx, server.storage()), false);
  }

  /** @param measured the storage's free space: the record shows what an offer would find free now */
  ServerRecord record(OfferCheck.FreeSpace measured) {
    long reserved = reservations.reservedBytes();
    long free = Math.max(0, reservations.freeForReservation(
      measured.measured() - options.getLimits().getMinFreeBytes(), measured.writtenBefore()));
    String nodeId = vertx.isClustered() ? ((VertxInternal) vertx).clusterManager().getNodeId() : null;
    return new ServerRecord(server.serverId(), advertisedHost(), server.actualPort(), free, BuildInfo.version(),
      instances, nodeId, Instant.now(), reserved, reservations.uploads());
  }

  /** Stops refreshing and removes the record (after a write still under way, so that it cannot come back). */
  Future<Void> close() {
    closed = true;
    vertx.cancelTimer(timer);
    vertx.cancelTimer(quickTimer);
    if (map == null) {
      return Future.succeededFuture();
    }
    return lastWrite.transform(ignored -> map.remove(server.serverId()))
      .<Void>mapEmpty()
      .recover(e -> {
        log.warn("Cannot remove the registry record of {}: {}", server.serverId(), e.toString());
        return Future.succeededFuture();
      });
  }

  /** The configured address, else the listen address unless a wildcard, else the cluster's, else this host's. */
  String advertisedHost() {
    if (options.getAdvertisedHost() != null) {
      return options.getAdvertisedHost();
    }
    if (!WILDCARDS.contains(options.getHost())) {
      return options.getHost();
    }
    if (vertx.isClustered()) {
      ClusterManager cluster = ((VertxInternal) vertx).clusterManager();
      String clusterHost = cluster.clusterPublicHost() != null ? cluster.clusterPublicHost() : cluster.clusterHost();
      if (clusterHost != null) {
        return clusterHost;
      }
    }
    return Addresses.localHostAddress();
  }
}
