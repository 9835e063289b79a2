package dev.kirim.client;

import dev.kirim.cluster.KirimCluster;
import dev.kirim.cluster.ServerRecord;
import dev.kirim.protocol.Printable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Turns {@code cluster:all} and {@code cluster:any} into concrete servers from the {@code kirim.servers}
 * registry when a push starts, so the push goes to the servers alive at that moment. The registry is Vert.x
 * shared data: the cluster's when clustered, this Vert.x's own otherwise (servers deployed next to the client).
 * {@code cluster:any} picks the server with the most free space (ties: the smallest server id).
 */
final class ClusterTargets {

  private static final Logger log = LoggerFactory.getLogger(ClusterTargets.class);

  /** @param targets listed and resolved targets; @param unresolved cluster targets that found no server */
  record Resolution(List<Target> targets, List<String> unresolved) {
  }

  private ClusterTargets() {
  }

  static Future<Resolution> resolve(Vertx vertx, PushJob job) {
    if (job.getClusterTargets().isEmpty()) {
      return Future.succeededFuture(new Resolution(job.getTargets(), List.of()));
    }
    return vertx.sharedData().<String, JsonObject>getAsyncMap(KirimCluster.SERVERS_MAP)
      .compose(AsyncMap::values)
      .map(values -> resolve(job, records(values)));
  }

  /** Listed targets first, then each cluster target's servers that are not already in the list. */
  static Resolution resolve(PushJob job, List<ServerRecord> servers) {
    List<Target> targets = new ArrayList<>(job.getTargets());
    Set<String> seen = new HashSet<>(targets.stream().map(Target::toString).toList());
    List<String> unresolved = new ArrayList<>();
    for (String clusterTarget : job.getClusterTargets()) {
      List<ServerRecord> chosen = choose(clusterTarget, servers);
      if (chosen.isEmpty()) {
        unresolved.add(clusterTarget);
      }
      for (ServerRecord server : chosen) {
        Target target = new Target(server.host(), server.port(), clusterTarget);
        if (seen.add(target.toString())) {
          targets.add(target);
        }
      }
    }
    return new Resolution(targets, unresolved);
  }

  private static List<ServerRecord> choose(String clusterTarget, List<ServerRecord> servers) {
    if (KirimCluster.TARGET_ANY.equals(clusterTarget)) {
      return servers.stream()
        .max(Comparator.comparingLong(ServerRecord::freeBytes)
          .thenComparing(ServerRecord::serverId, Comparator.reverseOrder()))
        .map(List::of).orElse(List.of());
    }
    return servers;
  }

  private static List<ServerRecord> records(List<JsonObject> values) {
    return values.stream()
      .map(ClusterTargets::record)
      .flatMap(Optional::stream)
      .sorted(Comparator.comparing(ServerRecord::serverId))
      .toList();
  }

  private static Optional<ServerRecord> record(JsonObject json) {
    try {
      return Optional.of(ServerRecord.fromJson(json));
    } catch (IllegalArgumentException e) {
      log.warn("Ignoring a bad entry in {}: {}", KirimCluster.SERVERS_MAP, Printable.escape(e.getMessage()));
      return Optional.empty();
    }
  }
}
