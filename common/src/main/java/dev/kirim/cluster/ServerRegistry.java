package dev.kirim.cluster;

import dev.kirim.protocol.Printable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads the {@link KirimCluster#SERVERS_MAP registry} the way every reader should: an entry that is not a server
 * record (not JSON, a foreign object, a record under another key, a host that is no host name) is left out and
 * logged once per reader, and a record is <em>live</em> only while its node is a member of the cluster — the record
 * of a node that left (killed, partitioned away) is set apart at once instead of lingering until its TTL runs out.
 * Without a cluster every record is live: the registry is then this Vert.x's own map.
 */
public final class ServerRegistry {

  private static final Logger log = LoggerFactory.getLogger(ServerRegistry.class);
  /** Bounds what one reader remembers of bad entries, so that a flood of them cannot grow it without end. */
  private static final int MAX_REMEMBERED = 10_000;

  /**
   * @param live servers whose node is a member (all, without a cluster), by server id
   * @param gone records whose node is no longer a member (or that name no node in a cluster), by server id
   */
  public record Snapshot(List<ServerRecord> live, List<ServerRecord> gone) {

    /** @return the live record of {@code serverId}, or {@code null} */
    public ServerRecord live(String serverId) {
      return live.stream().filter(r -> r.serverId().equals(serverId)).findFirst().orElse(null);
    }
  }

  private final Vertx vertx;
  // null: records are plain JSON, trusted as they are.
  private final ClusterSecret secret;
  private final Set<String> logged = ConcurrentHashMap.newKeySet();

  /** A reader of unsigned records: for a cluster without {@code cluster.secret}. */
  public ServerRegistry(Vertx vertx) {
    this(vertx, null);
  }

  /**
   * @param secret when set, only records signed with it count ({@link ClusterSecret}); an unsigned, forged or
   *               stale entry is ignored and logged once
   */
  public ServerRegistry(Vertx vertx, ClusterSecret secret) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.secret = secret;
  }

  /**
   * @return what to store under the server's key for {@code record}: the record signed with the secret (valid
   *   for {@code validForMs}), or the record itself without one
   */
  public Object entry(ServerRecord record, long validForMs) {
    JsonObject json = record.toJson();
    return secret == null ? json : secret.sign(json, ClusterSecret.Purpose.RECORD, record.serverId(),
      Math.min(validForMs, ClusterSecret.MAX_VALIDITY_MS));
  }


  /** @return the registry now; fails only when the map cannot be read */
  public Future<Snapshot> read() {
    // Keys as Object: any member may write any key, and one that is not a string must be ignored, not break
    // every reader with a ClassCastException.
    return vertx.sharedData().<Object, Object>getAsyncMap(KirimCluster.SERVERS_MAP)
      .compose(AsyncMap::entries)
      .map(this::snapshot);
  }

  /** @return whether {@code nodeId} is a member of the cluster now (without a cluster: whether it is null) */
  public boolean isLive(String nodeId) {
    return liveNodes().map(nodes -> nodeId != null && nodes.contains(nodeId)).orElse(nodeId == null);
  }

  private java.util.Optional<Set<String>> liveNodes() {
    if (!vertx.isClustered()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(new HashSet<>(((VertxInternal) vertx).clusterManager().getNodes()));
  }

  private Snapshot snapshot(Map<Object, Object> entries) {
    java.util.Optional<Set<String>> nodes = liveNodes();
    List<ServerRecord> live = new ArrayList<>();
    List<ServerRecord> gone = new ArrayList<>();
    entries.forEach((key, value) -> {
      ServerRecord record = key instanceof String id ? parse(id, value)
        : logOnce(String.valueOf(key), "a key of type " + (key == null ? "null" : key.getClass().getSimpleName())
          + ", not a server id");
      if (record == null) {
        return;
      }
      boolean isLive = nodes.map(members -> record.nodeId() != null && members.contains(record.nodeId()))
        .orElse(true);
      (isLive ? live : gone).add(record);
    });
    live.sort(Comparator.comparing(ServerRecord::serverId));
    gone.sort(Comparator.comparing(ServerRecord::serverId));
    return new Snapshot(List.copyOf(live), List.copyOf(gone));
  }

  /**
   * @return the record an entry holds, or {@code null} for an entry this reader does not take: not a record, or
   *   (with a secret) not one signed with it (logged the first time this reader sees it)
   */
  public ServerRecord parse(String key, Object value) {
    String problem;
    Object unwrapped = value;
    if (secret != null) {
      try {
        unwrapped = secret.verify(value, ClusterSecret.Purpose.RECORD).payload();
      } catch (ClusterSecret.SignatureException e) {
        return logOnce(key, e.getMessage());
      }
    } else if (ClusterSecret.isEnvelope(value)) {
      return logOnce(key, "a signed record, and this node has no cluster secret to check it: set the "
        + "cluster's 'cluster.secret' (or " + ClusterSecret.ENV + ") here too");
    }
    if (unwrapped instanceof JsonObject json) {
      try {
        ServerRecord record = ServerRecord.fromJson(json);
        if (!record.serverId().equals(key)) {
          problem = "a record of server '" + record.serverId() + "' under another key";
        } else if (!isHostName(record.host())) {
          // No server is reachable there, and the host would reach summaries, progress lines and logs as it is.
          problem = "a record whose host '" + record.host() + "' is not a host name or address";
        } else {
          return record;
        }
      } catch (IllegalArgumentException e) {
        problem = "a JSON object that is not a server record";
      }
    } else {
      problem = value == null ? "null" : "a " + value.getClass().getSimpleName() + ", not a JSON object";
    }
    return logOnce(key, problem);
  }

  /** @return whether {@code host} may be a host name or address: not empty, no space, control or format character */
  private static boolean isHostName(String host) {
    return !host.isEmpty() && Printable.escape(host).equals(host) && host.chars().noneMatch(Character::isWhitespace);
  }

  /**
   * @return the cluster node an entry says it belongs to, without believing anything else in it (its signature
   *   is not checked), or {@code null} when it names none: for telling whether a live node holds a server id
   */
  public static String claimedNodeId(Object value) {
    return ClusterSecret.unverifiedPayload(value) instanceof JsonObject json
      && json.getValue("nodeId") instanceof String nodeId ? nodeId : null;
  }

  private ServerRecord logOnce(String key, String problem) {
    // Once per entry and kind of problem: a signed value changes with every refresh, and the numbers in a
    // problem (how long ago it expired) with every read.
    if (logged.size() < MAX_REMEMBERED && logged.add(key + "\u0000" + problem.replaceAll("\\d+", "#"))) {
      log.warn("Ignoring entry '{}' in {}: {}", Printable.escape(String.valueOf(key)), KirimCluster.SERVERS_MAP,
        Printable.escape(problem));
    }
    return null;
  }
}
