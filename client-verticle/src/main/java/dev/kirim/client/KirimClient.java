package dev.kirim.client;

import dev.kirim.cluster.KirimCluster;
import dev.kirim.cluster.ServerRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The pushing side, embeddable in any Vert.x application: one client, with its connection settings, runs any
 * number of pushes. Every file of a job goes to every target, at most {@code parallelism.targets} targets at
 * once. What goes wrong with a file or a target is in the report; the future fails only for an invalid job.
 * <pre>
 * KirimClient client = KirimClient.create(vertx, new ClientOptions().setClientId("reports@host-a"));
 * client.push(new PushJob().setTargets(List.of(Target.parse("inbox:25563", "target"))).setFiles(List.of("out")))
 *   .onSuccess(report -&gt; System.out.println(report.summary()));
 * client.upload(Target.parse("inbox", "target"), Path.of("/tmp/a.csv"), "daily/a.csv")
 *   .onSuccess(result -&gt; System.out.println(result.status()));
 * </pre>
 */
public class KirimClient {

  private final Vertx vertx;
  private final ClientOptions options;
  // Held in a field: a NetClient nothing references is collected and its connections close.
  private final NetClient netClient;
  // Remembers the bad registry entries it has logged: each is logged once per client.
  private final ServerRegistry registry;
  private PushProgress progress = PushProgress.NONE;
  // Written from any thread by interrupt(); each push reads it on its own context.
  private volatile String interruption;
  private final Map<TargetPush, Context> running = new ConcurrentHashMap<>();

  private KirimClient(Vertx vertx, ClientOptions options) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.options = new ClientOptions(Objects.requireNonNull(options, "options")).validate();
    this.netClient = vertx.createNetClient(ClientTls.configure(new NetClientOptions()
      .setConnectTimeout((int) this.options.getConnectTimeoutMs())
      .setIdleTimeout((int) this.options.getIdleTimeoutMs())
      .setIdleTimeoutUnit(TimeUnit.MILLISECONDS), this.options.getTls()));
    this.registry = new ServerRegistry(vertx, options.getClusterSecret());
  }

  /**
   * @param options copied: changing them afterwards does not change the client
   * @throws dev.kirim.config.ConfigException naming the first invalid option
   */
  public static KirimClient create(Vertx vertx, ClientOptions options) {
    return new KirimClient(vertx, options);
  }

  /**
   * Tells {@code progress} how every push of this client goes, for a progress display ({@link ProgressLine}).
   *
   * @return this
   */
  public KirimClient progressHandler(PushProgress progress) {
    this.progress = Objects.requireNonNull(progress, "progress");
    return this;
  }

  /**
   * Selects the job's files and pushes them to its targets.
   *
   * @return the report; failed only when the job itself is invalid
   */
  public Future<PushReport> push(PushJob job) {
    PushJob checked;
    try {
      checked = new PushJob(Objects.requireNonNull(job, "job")).validate();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    // A dry run sends nothing, so it deletes nothing, whatever the job says.
    return onContext(() -> run(checked).compose(report -> options.isDryRun() ? Future.succeededFuture(report)
      : SentFileDeleter.deleteDelivered(vertx, checked, report)));
  }

  /**
   * Pushes one local file to one target under {@code remoteName}.
   *
   * @return its result: {@code sent}, {@code skipped} or {@code failed} with the reason
   */
  public Future<FileResult> upload(Target target, Path localPath, String remoteName) {
    LocalFile file = FileSelector.checked(LocalFile.of(localPath.toAbsolutePath().normalize(),
      Objects.requireNonNull(remoteName, "remoteName")));
    return onContext(() -> new TargetPush(vertx, netClient, Objects.requireNonNull(target, "target"), options,
      List.of(file), new LocalFacts(vertx, options)).run())
      .map(report -> report.results().get(0));
  }

  /**
   * Runs {@code work} on one context (the caller's, or a new one when called from outside Vert.x), so that
   * everything of one push runs on one event loop and its state needs no locking.
   */
  private <T> Future<T> onContext(Callable<Future<T>> work) {
    Promise<T> result = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> {
      try {
        work.call().onComplete(result);
      } catch (Exception e) {
        result.fail(e);
      }
    });
    return result.future();
  }

  private Future<PushReport> run(PushJob job) {
    Instant startedAt = Instant.now();
    long started = System.nanoTime();
    return vertx.executeBlocking(() -> FileSelector.select(job))
      .compose(this::announce)
      .compose(files -> ClusterTargets.resolve(vertx, registry, job, files)
        .compose(resolution -> pushToAll(resolution, files, new LocalFacts(vertx, options))
          .map(reports -> new PushReport(startedAt, (System.nanoTime() - started) / 1_000_000, reports,
            Deletions.NONE, options.isDryRun(), resolution.reaches()))));
  }

  /** Tells the progress handler, if any, what was selected: counting the bytes costs a stat per file. */
  private Future<List<LocalFile>> announce(List<LocalFile> files) {
    if (progress == PushProgress.NONE) {
      return Future.succeededFuture(files);
    }
    return vertx.executeBlocking(() -> LocalFile.totalSize(files)).map(bytes -> {
      progress.selected(files.size(), bytes);
      return files;
    });
  }

  private Future<List<TargetReport>> pushToAll(ClusterTargets.Resolution resolution, List<LocalFile> files,
                                               LocalFacts facts) {
    Deque<Target> waiting = new ArrayDeque<>(resolution.targets());
    List<Future<List<TargetReport>>> reports = new ArrayList<>();
    List<Future<Void>> lanes = new ArrayList<>();
    // Counted before the loop: each lane takes its first target from waiting at once.
    int laneCount = Math.min(options.getParallelTargets(), waiting.size());
    for (int i = 0; i < laneCount; i++) {
      lanes.add(runLane(waiting, resolution, files, facts, reports));
    }
    // Lanes never fail (a target's failures are in its report), so all() completes once every target is done.
    return Future.all(lanes).map(done -> {
      List<TargetReport> all = new ArrayList<>(reports.stream().flatMap(report -> report.result().stream()).toList());
      resolution.unresolved().forEach(clusterTarget -> all.add(TargetReport.noServer(clusterTarget, files,
        "no kirim server is registered in '" + KirimCluster.SERVERS_MAP + "'" + (vertx.isClustered() ? ""
          : " (this client is not clustered: run it with -cluster to see the cluster's servers)"))));
      resolution.shortfalls().forEach((clusterTarget, message) ->
        all.add(TargetReport.noServer(clusterTarget, files, message)));
      return all;
    });
  }

  /**
   * One lane pushes to one target after another until none is left waiting; a {@code cluster:any} target moves
   * on to its fallbacks ({@link FallbackPush}).
   */
  private Future<Void> runLane(Deque<Target> waiting, ClusterTargets.Resolution resolution, List<LocalFile> files,
                               LocalFacts facts, List<Future<List<TargetReport>>> reports) {
    Target target = waiting.poll();
    if (target == null) {
      return Future.succeededFuture();
    }
    Future<List<TargetReport>> report = new FallbackPush(
      (to, some) -> new TargetPush(vertx, netClient, to, options, some, facts).progress(progress), this::start)
      .run(target, resolution.fallbacksOf(target), files);
    reports.add(report);
    return report.compose(r -> runLane(waiting, resolution, files, facts, reports));
  }

  /** Runs one target's push where an interruption can reach it. */
  private Future<TargetReport> start(TargetPush push) {
    running.put(push, vertx.getOrCreateContext());
    Future<TargetReport> report = push.run();
    if (interruption != null) {
      push.interrupt(interruption);
    }
    report.onComplete(ar -> running.remove(push));
    return report;
  }

  /**
   * Interrupts every push of this client, from any thread: nothing more is offered, uploads in flight are
   * abandoned (the servers keep their partial files for a resume), and every file not yet delivered is reported
   * {@link FileStatus#INTERRUPTED}. The pushes' futures then complete with their reports.
   *
   * @param reason why, in each interrupted file's note, e.g. {@code interrupted by SIGINT}
   */
  public void interrupt(String reason) {
    interruption = Objects.requireNonNull(reason, "reason");
    running.forEach((push, context) -> context.runOnContext(v -> push.interrupt(reason)));
  }

  public Future<Void> close() {
    return netClient.close();
  }
}
