package dev.kirim.client;

import dev.kirim.cluster.KirimCluster;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The pushing side: every selected file to every target, at most {@code parallelism.targets} targets at once.
 * Cluster targets are resolved to servers when the push starts.
 */
public class KirimClient {

  private final Vertx vertx;
  private final ClientOptions options;
  // Held in a field: a NetClient nothing references is collected and its connections close.
  private final NetClient netClient;

  private KirimClient(Vertx vertx, ClientOptions options) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.options = Objects.requireNonNull(options, "options");
    this.netClient = vertx.createNetClient(new NetClientOptions()
      .setConnectTimeout((int) options.getConnectTimeoutMs())
      .setIdleTimeout((int) options.getIdleTimeoutMs())
      .setIdleTimeoutUnit(TimeUnit.MILLISECONDS));
  }

  public static KirimClient create(Vertx vertx, ClientOptions options) {
    return new KirimClient(vertx, options);
  }

  /** Selects the configured files and pushes them to the configured targets. Never fails: failures are in the report. */
  public Future<PushReport> push() {
    // Everything of one push runs on one context (the caller's, or a new one when called from outside
    // Vert.x), so that its state needs no locking.
    Promise<PushReport> report = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> pushOnContext().onComplete(report));
    return report.future();
  }

  private Future<PushReport> pushOnContext() {
    Instant startedAt = Instant.now();
    long started = System.nanoTime();
    return vertx.executeBlocking(() -> FileSelector.select(options))
      .compose(files -> ClusterTargets.resolve(vertx, options)
        .compose(resolution -> pushToAll(resolution, files, new LocalFacts(vertx, options.getChecksum()))))
      .map(reports -> new PushReport(startedAt, (System.nanoTime() - started) / 1_000_000, reports));
  }

  private Future<List<TargetReport>> pushToAll(ClusterTargets.Resolution resolution, List<LocalFile> files,
                                               LocalFacts facts) {
    Deque<Target> waiting = new ArrayDeque<>(resolution.targets());
    List<Future<TargetReport>> reports = new ArrayList<>();
    List<Future<Void>> lanes = new ArrayList<>();
    for (int i = 0; i < Math.min(options.getParallelTargets(), waiting.size()); i++) {
      lanes.add(runLane(waiting, files, facts, reports));
    }
    // Lanes never fail (a target's failures are in its report), so all() completes once every target is done.
    return Future.all(lanes).map(done -> {
      List<TargetReport> all = new ArrayList<>(reports.stream().map(Future::result).toList());
      resolution.unresolved().forEach(clusterTarget -> all.add(TargetReport.noServer(clusterTarget, files,
        "no kirim server is registered in '" + KirimCluster.SERVERS_MAP + "'" + (vertx.isClustered() ? ""
          : " (this client is not clustered: run it with -cluster to see the cluster's servers)"))));
      return all;
    });
  }

  /** One lane pushes to one target after another until none is left waiting. */
  private Future<Void> runLane(Deque<Target> waiting, List<LocalFile> files, LocalFacts facts,
                               List<Future<TargetReport>> reports) {
    Target target = waiting.poll();
    if (target == null) {
      return Future.succeededFuture();
    }
    Future<TargetReport> report = new TargetPush(vertx, netClient, target, options, files, facts).run();
    reports.add(report);
    return report.compose(r -> runLane(waiting, files, facts, reports));
  }

  public Future<Void> close() {
    return netClient.close();
  }
}
