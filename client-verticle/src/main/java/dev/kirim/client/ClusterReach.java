package dev.kirim.client;

import dev.kirim.cluster.ServerRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What {@code cluster:all} found and reached, for the report: the servers expected ({@code cluster.expect} /
 * {@code minServers}, when set), those live in the registry, those reached (every file delivered) and those
 * missing: live but not reached, registered by a node that left the cluster, or — when fewer servers are live
 * than expected — not registered at all.
 *
 * @param clusterTarget the cluster target, {@code cluster:all}
 * @param expected      the live servers it had to find; 0 when not set
 * @param live          the live servers it pushed to
 * @param gone          records whose node has left the cluster (ignored)
 * @param waitedMs      how long the push waited for servers to register
 */
public record ClusterReach(String clusterTarget, int expected, List<ServerRecord> live, List<ServerRecord> gone,
                           long waitedMs) {

  public ClusterReach {
    Objects.requireNonNull(clusterTarget, "clusterTarget");
    live = List.copyOf(live);
    gone = List.copyOf(gone);
  }

  /** @return how many live servers were missing from the expected number; 0 when enough were found */
  public int shortfall() {
    return Math.max(0, expected - live.size());
  }

  /** @return one line naming the shortfall, for each file's error */
  String shortfallMessage() {
    StringBuilder message = new StringBuilder(String.format(Locale.ROOT,
      "%s expected %d live server(s), found %d after waiting %.1f s", clusterTarget, expected, live.size(),
      waitedMs / 1000.0));
    if (!live.isEmpty()) {
      message.append(" (").append(String.join(", ", live.stream().map(ServerRecord::serverId).toList())).append(')');
    }
    if (!gone.isEmpty()) {
      message.append("; registered but their node left the cluster: ")
        .append(String.join(", ", gone.stream().map(ServerRecord::serverId).toList()));
    }
    int unknown = shortfall() - gone.size();
    if (unknown > 0) {
      message.append("; ").append(unknown).append(" not registered at all");
    }
    return message.toString();
  }

  /** @param targets every target's report: those found through this cluster target tell what was reached */
  JsonObject toJson(List<TargetReport> targets) {
    JsonArray reached = new JsonArray();
    JsonArray missing = new JsonArray();
    for (ServerRecord server : live) {
      TargetReport report = targets.stream()
        .filter(t -> t.target().equals(server.address()))
        .findFirst().orElse(null);
      FileResult failed = report == null ? null
        : report.results().stream().filter(FileResult::failed).findFirst().orElse(null);
      if (report != null && failed == null) {
        reached.add(server.serverId());
      } else {
        missing.add(new JsonObject().put("server", server.serverId()).put("address", server.address())
          .put("reason", failed == null ? "not pushed to" : "not reached: " + failed.errorCode() + ": "
            + failed.errorMessage()));
      }
    }
    gone.forEach(server -> missing.add(new JsonObject().put("server", server.serverId())
      .put("address", server.address()).put("reason", "its node left the cluster")));
    for (int i = gone.size(); i < shortfall(); i++) {
      missing.add(new JsonObject().putNull("server").put("reason", "not registered"));
    }
    return new JsonObject()
      .put("target", clusterTarget)
      .put("expected", expected > 0 ? expected : null)
      .put("live", new JsonArray(live.stream().map(ServerRecord::serverId).toList()))
      .put("reached", reached)
      .put("missing", missing)
      .put("waitedMs", waitedMs);
  }

  static List<JsonObject> toJson(List<ClusterReach> reaches, List<TargetReport> targets) {
    List<JsonObject> json = new ArrayList<>();
    reaches.forEach(reach -> json.add(reach.toJson(targets)));
    return json;
  }
}
