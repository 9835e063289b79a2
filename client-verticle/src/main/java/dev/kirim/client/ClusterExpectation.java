package dev.kirim.client;

import dev.kirim.cluster.KirimCluster;
import dev.kirim.config.ConfigException;
import dev.kirim.config.ConfigReader;
import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * What {@code cluster:all} must find, from the job's {@code cluster} key: {@code {"expect": N}} or
 * {@code {"minServers": N, "waitMs": T}} (the two names mean the same). With fewer live servers the push waits up
 * to {@code waitMs} for more to register, then pushes to those it found and fails (exit 1) naming the
 * shortfall. Without the key, {@code cluster:all} is whatever is live when the push starts, however few.
 * <p>
 * The same {@code cluster} object also holds keys this record does not read: {@code tls}, the event bus's TLS,
 * which the launcher applies ({@link dev.kirim.cluster.ClusterTls}), and {@code secret}. A {@code cluster} object
 * holding only those expects nothing.
 *
 * @param minServers live servers {@code cluster:all} needs; 0 when not set
 * @param waitMs     how long to wait for them
 */
public record ClusterExpectation(int minServers, long waitMs) {

  public static final long DEFAULT_WAIT_MS = 10_000;
  public static final ClusterExpectation NONE = new ClusterExpectation(0, 0);
  static final String KEY = "cluster";
  private static final Set<String> KEYS = Set.of("expect", "minServers", "waitMs");
  /**
   * The connection settings that share the {@code cluster} key, not this class's to read: {@code tls} (the event
   * bus's, the launcher's) and {@code secret} ({@link ClientOptions}).
   */
  static final Set<String> SETTINGS = Set.of("tls", "secret");

  /** @throws ConfigException naming the bad key */
  static ClusterExpectation parse(ConfigReader json) {
    if (!json.has(KEY)) {
      return NONE;
    }
    ConfigReader cluster = json.object(KEY).rejectUnknownKeys(union(KEYS, SETTINGS));
    if (KEYS.stream().noneMatch(cluster::has) && SETTINGS.stream().anyMatch(cluster::has)) {
      return NONE;
    }
    if (cluster.has("expect") == cluster.has("minServers")) {
      throw new ConfigException("config key '" + KEY + "' needs one of 'expect' or 'minServers' (the same: the "
        + "number of live servers " + KirimCluster.TARGET_ALL + " must reach), e.g. {\"expect\": 3} or "
        + "{\"minServers\": 3, \"waitMs\": 30000}");
    }
    String countKey = cluster.has("expect") ? "expect" : "minServers";
    return new ClusterExpectation(cluster.integer(countKey, 0, 1, 100_000),
      cluster.number("waitMs", DEFAULT_WAIT_MS, 0, 3_600_000));
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new java.util.HashSet<>(a);
    all.addAll(b);
    return Set.copyOf(all);
  }

  public boolean isSet() {
    return minServers > 0;
  }

  /** @return the key's value, or {@code null} when not set */
  JsonObject toJson() {
    return isSet() ? new JsonObject().put("minServers", minServers).put("waitMs", waitMs) : null;
  }
}
