package dev.kirim.server.http;

import dev.kirim.cluster.KirimCluster;
import dev.kirim.server.KirimServer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;

/**
 * The checks behind {@code GET /health}, each a procedure of vertx-health-check, so that the answer is its
 * standard JSON ({@code {"status": "UP"|"DOWN", "checks": [...]}}) with 200 or 503:
 * <ul>
 *   <li>{@code storage}: a file can be created and deleted in {@code storageDir} now;</li>
 *   <li>{@code freeSpace}: the storage has more than {@code limits.minFreeBytes} usable (below it every
 *       offer is refused with {@code no_space});</li>
 *   <li>{@code listening}: the server's TCP port is open;</li>
 *   <li>{@code cluster} (clustered only): the server's record is in the cluster's server registry, so clients
 *       using {@code cluster:} targets find it.</li>
 * </ul>
 */
final class ServerHealth {

  // A check that has not answered by then is DOWN: a hung disk is unhealthy.
  private static final long TIMEOUT_MS = 5_000;

  private ServerHealth() {
  }

  static HealthChecks create(Vertx vertx, KirimServer server) {
    long minFree = server.options().getLimits().getMinFreeBytes();
    HealthChecks checks = HealthChecks.create(vertx)
      .register("storage", TIMEOUT_MS, promise -> report(promise, server.probeStorage().map(v ->
        new JsonObject().put("dir", server.options().getStorageDir().toString()))))
      .register("freeSpace", TIMEOUT_MS, promise -> server.usableSpace().onComplete(ar -> {
        if (ar.failed()) {
          promise.complete(Status.KO(new JsonObject().put("error", String.valueOf(ar.cause().getMessage()))));
          return;
        }
        JsonObject data = new JsonObject().put("freeBytes", ar.result()).put("minFreeBytes", minFree);
        promise.complete(ar.result() > minFree ? Status.OK(data) : Status.KO(data));
      }))
      .register("listening", TIMEOUT_MS, promise -> {
        ListenState state = ListenState.of(server);
        promise.complete(state.listening() ? Status.OK(state.json()) : Status.KO(state.json()));
      });
    if (vertx.isClustered()) {
      checks.register("cluster", TIMEOUT_MS, promise -> report(promise,
        vertx.sharedData().<String, Object>getAsyncMap(KirimCluster.SERVERS_MAP)
          .compose(map -> map.get(server.serverId()))
          .compose(record -> record != null ? Future.succeededFuture(new JsonObject().put("registered", true))
            : Future.failedFuture("not in the cluster's server registry " + KirimCluster.SERVERS_MAP))));
    }
    return checks;
  }

  private static void report(Promise<Status> promise, Future<JsonObject> check) {
    check.onComplete(ar -> promise.complete(ar.succeeded() ? Status.OK(ar.result())
      : Status.KO(new JsonObject().put("error", String.valueOf(ar.cause().getMessage())))));
  }

  /** Whether the TCP port is open, and where. */
  private record ListenState(boolean listening, JsonObject json) {
    static ListenState of(KirimServer server) {
      boolean open = server.isListening();
      return new ListenState(open, new JsonObject().put("address", server.activity() == null ? null
        : server.activity().address()));
    }
  }
}
