package dev.kirim.client;

import dev.kirim.cluster.KirimCluster;
import dev.kirim.cluster.ServerRecord;
import dev.kirim.cluster.ServerRegistry;
import dev.kirim.net.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Turns {@code cluster:all} and {@code cluster:any} into concrete servers from the {@code kirim.servers}
 * registry when a push starts, so the push goes to the servers alive at that moment: a record whose node is not
 * a member of the cluster is ignored ({@link ServerRegistry}). The registry is Vert.x shared data: the
 * cluster's when clustered, this Vert.x's own otherwise (servers deployed next to the client).
 * {@code cluster:any} orders the live servers ({@link AnyOrder}): a random one of those with the most room for the
 * push first, the others behind it as fallbacks, which the push moves on to when a server is full, busy or
 * unreachable. With the job's {@code cluster} key ({@link ClusterExpectation}) {@code cluster:all} waits, polling
 * the registry, until enough servers are live or the wait is over.
 */
final class ClusterTargets {

  /** How often the registry is read again while waiting for servers: a bounded poll, a few reads a second. */
  static final long POLL_MS = 200;

  /**
   * @param targets    listed and resolved targets
   * @param unresolved cluster targets that found no server
   * @param shortfalls cluster targets that found fewer live servers than expected, with the line naming it
   * @param reaches    what {@code cluster:all} found, for the report
   * @param fallbacks  for the target {@code cluster:any} chose, the other servers in the order to try them
   */
  record Resolution(List<Target> targets, List<String> unresolved, Map<String, String> shortfalls,
                    List<ClusterReach> reaches, Map<Target, List<Target>> fallbacks) {

    Resolution(List<Target> targets, List<String> unresolved) {
      this(targets, unresolved, Map.of(), List.of(), Map.of());
    }

    /** @return where to go on when {@code target} is full, busy or unreachable; empty: nowhere */
    List<Target> fallbacksOf(Target target) {
      return fallbacks.getOrDefault(target, List.of());
    }
  }

  private ClusterTargets() {
  }

  /** @param files what the push sends: {@code cluster:any} looks for a server with room for all of it */
  static Future<Resolution> resolve(Vertx vertx, ServerRegistry registry, PushJob job, List<LocalFile> files) {
    if (job.getClusterTargets().isEmpty()) {
      return Future.succeededFuture(new Resolution(job.getTargets(), List.of()));
    }
    ClusterExpectation expectation = job.getClusterTargets().contains(KirimCluster.TARGET_ALL) ? job.getCluster()
      : ClusterExpectation.NONE;
    Future<Long> needed = job.getClusterTargets().contains(KirimCluster.TARGET_ANY)
      ? vertx.executeBlocking(() -> LocalFile.totalSize(files), false) : Future.succeededFuture(0L);
    long started = System.nanoTime();
    return needed.compose(bytes -> awaitServers(vertx, registry, expectation, started + expectation.waitMs() * 1_000_000)
      .map(snapshot -> resolve(job, snapshot, expectation, (System.nanoTime() - started) / 1_000_000,
        new AnyOrder(bytes, new Random()))));
  }

  /** Reads the registry until it holds enough live servers or the deadline passed. */
  private static Future<ServerRegistry.Snapshot> awaitServers(Vertx vertx, ServerRegistry registry,
                                                              ClusterExpectation expectation, long deadline) {
    return registry.read().compose(snapshot -> {
      long leftMs = (deadline - System.nanoTime()) / 1_000_000;
      if (snapshot.live().size() >= expectation.minServers() || leftMs <= 0) {
        return Future.succeededFuture(snapshot);
      }
      Promise<ServerRegistry.Snapshot> later = Promise.promise();
      vertx.setTimer(Math.max(1, Math.min(POLL_MS, leftMs)),
        id -> awaitServers(vertx, registry, expectation, deadline).onComplete(later));
      return later.future();
    });
  }

  /**
   * Listed targets first, then each cluster target's live servers that are not already in the list:
   * {@code cluster:all}'s before {@code cluster:any}'s, whatever their order in the job.
   */
  static Resolution resolve(PushJob job, List<ServerRecord> servers) {
    return resolve(job, new ServerRegistry.Snapshot(servers, List.of()), ClusterExpectation.NONE, 0,
      new AnyOrder(0, new Random()));
  }

  static Resolution resolve(PushJob job, ServerRegistry.Snapshot snapshot, ClusterExpectation expectation,
                            long waitedMs, AnyOrder anyOrder) {
    List<ServerRecord> servers = snapshot.live();
    List<Target> targets = new ArrayList<>(job.getTargets());
    Set<String> seen = new HashSet<>(targets.stream().map(Target::toString).toList());
    List<String> unresolved = new ArrayList<>();
    Map<String, String> shortfalls = new LinkedHashMap<>();
    List<ClusterReach> reaches = new ArrayList<>();
    Map<Target, List<Target>> fallbacks = new LinkedHashMap<>();
    // cluster:any last, and among the servers no other entry pushes to: a server that cluster:all or the list
    // needs must get every file itself, so cluster:any neither starts there (it would hand files on) nor
    // falls back there (the server would be pushed to twice).
    // Each once: "cluster:any" twice is one server, not two (the second would fall back onto the first's).
    List<String> clusterTargets = new ArrayList<>(new LinkedHashSet<>(job.getClusterTargets()));
    clusterTargets.sort(Comparator.comparing(KirimCluster.TARGET_ANY::equals));
    for (String clusterTarget : clusterTargets) {
      List<ServerRecord> chosen = servers;
      if (KirimCluster.TARGET_ANY.equals(clusterTarget)) {
        List<ServerRecord> ordered = anyOrder.order(servers).stream()
          .filter(server -> !seen.contains(Addresses.hostPort(server.host(), server.port()))).toList();
        chosen = ordered.isEmpty() ? List.of() : ordered.subList(0, 1);
        if (!ordered.isEmpty()) {
          fallbacks.put(new Target(ordered.get(0).host(), ordered.get(0).port(), clusterTarget),
            ordered.subList(1, ordered.size()).stream()
              .map(server -> new Target(server.host(), server.port(), clusterTarget)).toList());
        }
      }
      if (KirimCluster.TARGET_ALL.equals(clusterTarget)) {
        ClusterReach reach = new ClusterReach(clusterTarget, expectation.minServers(), chosen, snapshot.gone(),
          waitedMs);
        reaches.add(reach);
        if (reach.shortfall() > 0) {
          shortfalls.put(clusterTarget, reach.shortfallMessage());
        }
      }
      // cluster:any finds nothing new when every live server is pushed to anyway: then it is met.
      if (chosen.isEmpty() && !shortfalls.containsKey(clusterTarget) && servers.isEmpty()) {
        unresolved.add(clusterTarget);
      }
      for (ServerRecord server : chosen) {
        Target target = new Target(server.host(), server.port(), clusterTarget);
        if (seen.add(target.toString())) {
          targets.add(target);
        }
      }
    }
    return new Resolution(targets, unresolved, shortfalls, reaches, fallbacks);
  }
}
