package dev.kirim.client;

import dev.kirim.protocol.ChecksumAlgorithm;
import dev.kirim.protocol.NameRules;
import dev.kirim.protocol.ProtocolException;
import dev.kirim.cluster.KirimCluster;
import dev.kirim.config.ConfigException;
import dev.kirim.config.ConfigReader;
import dev.kirim.net.Addresses;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The client's configuration ({@code conf/client.json}): what to push where, and how. Parsed and validated
 * in one place; every error names its key. See the README's configuration reference.
 */
public class ClientOptions {

  public static final int DEFAULT_PARALLEL_TARGETS = 8;
  public static final int DEFAULT_CONNECTIONS_PER_TARGET = 2;
  public static final int DEFAULT_WINDOW = 32;
  public static final int DEFAULT_RETRY_ATTEMPTS = 3;
  public static final long DEFAULT_RETRY_BACKOFF_MS = 200;
  public static final long DEFAULT_RETRY_MAX_BACKOFF_MS = 5_000;
  public static final long DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
  public static final long DEFAULT_IDLE_TIMEOUT_MS = 120_000;

  private static final Set<String> KEYS = Set.of("targets", "files", "baseDir", "remoteDir", "parallelism", "retry",
    "report", "checksum", "clientId", "window", "connectTimeoutMs", "idleTimeoutMs", "service");
  private static final List<String> CLUSTER_TARGETS = List.of(KirimCluster.TARGET_ALL, KirimCluster.TARGET_ANY);

  private List<Target> targets = new ArrayList<>();
  private List<String> clusterTargets = new ArrayList<>();
  private boolean service;
  private List<String> files = new ArrayList<>();
  private Path baseDir = Path.of("").toAbsolutePath();
  private String remoteDir = "";
  private int parallelTargets = DEFAULT_PARALLEL_TARGETS;
  private int connectionsPerTarget = DEFAULT_CONNECTIONS_PER_TARGET;
  private int window = DEFAULT_WINDOW;
  private int retryAttempts = DEFAULT_RETRY_ATTEMPTS;
  private long retryBackoffMs = DEFAULT_RETRY_BACKOFF_MS;
  private long retryMaxBackoffMs = DEFAULT_RETRY_MAX_BACKOFF_MS;
  private Path report;
  private ChecksumAlgorithm checksum = ChecksumAlgorithm.DEFAULT;
  private String clientId = defaultClientId();
  private long connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS;
  private long idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS;

  public ClientOptions() {
  }

  /**
   * @param json the verticle configuration
   * @throws ConfigException naming the first bad or missing key
   */
  public ClientOptions(JsonObject json) {
    ConfigReader config = ConfigReader.of(json).rejectUnknownKeys(KEYS);
    service = config.bool("service", false);
    parseTargets(config.strings("targets"));
    files = config.strings("files");
    if (files.isEmpty() && !service) {
      throw new ConfigException("config key 'files' is missing or empty: list files, directories or globs to push, "
        + "e.g. \"files\": [\"samples/*.txt\"]");
    }
    baseDir = Path.of(config.string("baseDir", "")).toAbsolutePath().normalize();
    remoteDir = parseRemoteDir(config);
    parseParallelism(config, json == null ? null : json.getValue("parallelism"));
    ConfigReader retry = config.object("retry").rejectUnknownKeys(Set.of("attempts", "backoffMs", "maxBackoffMs"));
    retryAttempts = retry.integer("attempts", DEFAULT_RETRY_ATTEMPTS, 1, 100);
    retryBackoffMs = retry.number("backoffMs", DEFAULT_RETRY_BACKOFF_MS, 0, 600_000);
    retryMaxBackoffMs = retry.number("maxBackoffMs", Math.max(DEFAULT_RETRY_MAX_BACKOFF_MS, retryBackoffMs),
      retryBackoffMs, 3_600_000);
    String reportPath = config.string("report", null);
    report = reportPath == null ? null : Path.of(reportPath).toAbsolutePath().normalize();
    checksum = ChecksumAlgorithm.fromWireName(config.choice("checksum", ChecksumAlgorithm.DEFAULT.wireName(),
      List.of("crc32c", "sha256")));
    clientId = config.string("clientId", defaultClientId());
    window = config.integer("window", DEFAULT_WINDOW, 1, 1024);
    connectTimeoutMs = config.number("connectTimeoutMs", DEFAULT_CONNECT_TIMEOUT_MS, 1, 3_600_000);
    idleTimeoutMs = config.number("idleTimeoutMs", DEFAULT_IDLE_TIMEOUT_MS, 1, 86_400_000);
  }

  /** {@code host:port} entries become {@link Target}s; {@code cluster:all|any} are resolved when a push starts. */
  private void parseTargets(List<String> specs) {
    if (specs.isEmpty() && !service) {
      throw new ConfigException("config key 'targets' is missing or empty: list the servers to push to, "
        + "e.g. \"targets\": [\"127.0.0.1:25563\"] or [\"" + KirimCluster.TARGET_ALL + "\"]");
    }
    for (int i = 0; i < specs.size(); i++) {
      String spec = specs.get(i).strip();
      if (spec.startsWith("cluster:")) {
        if (!CLUSTER_TARGETS.contains(spec)) {
          throw new ConfigException("config key 'targets[" + i + "]' is \"" + spec + "\", expected "
            + String.join(" or ", CLUSTER_TARGETS) + " (or \"host:port\")");
        }
        clusterTargets.add(spec);
      } else {
        targets.add(Target.parse(spec, "targets[" + i + "]"));
      }
    }
  }

  private static String parseRemoteDir(ConfigReader config) {
    String dir = config.text("remoteDir", "");
    String trimmed = dir.replaceAll("^/+|/+$", "");
    if (trimmed.isEmpty()) {
      return "";
    }
    try {
      return NameRules.check(trimmed);
    } catch (ProtocolException e) {
      throw new ConfigException("config key 'remoteDir' is \"" + dir + "\": " + e.getMessage());
    }
  }

  /** {@code parallelism} is either a number (targets at once) or {@code {"targets": N, "perTarget": M}}. */
  private void parseParallelism(ConfigReader config, Object value) {
    if (value instanceof Number) {
      parallelTargets = config.integer("parallelism", DEFAULT_PARALLEL_TARGETS, 1, 10_000);
      return;
    }
    if (value != null && !(value instanceof JsonObject)) {
      throw config.bad("parallelism", value, "a number (targets at once) or {\"targets\": N, \"perTarget\": M}");
    }
    ConfigReader parallelism = config.object("parallelism").rejectUnknownKeys(Set.of("targets", "perTarget"));
    parallelTargets = parallelism.integer("targets", DEFAULT_PARALLEL_TARGETS, 1, 10_000);
    connectionsPerTarget = parallelism.integer("perTarget", DEFAULT_CONNECTIONS_PER_TARGET, 1, 64);
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("targets", new JsonArray(java.util.stream.Stream.concat(targets.stream().map(Target::toString),
        clusterTargets.stream()).toList()))
      .put("service", service)
      .put("files", new JsonArray(files))
      .put("baseDir", baseDir.toString())
      .put("remoteDir", remoteDir)
      .put("parallelism", new JsonObject().put("targets", parallelTargets).put("perTarget", connectionsPerTarget))
      .put("retry", new JsonObject().put("attempts", retryAttempts).put("backoffMs", retryBackoffMs)
        .put("maxBackoffMs", retryMaxBackoffMs))
      .put("report", report == null ? null : report.toString())
      .put("checksum", checksum.wireName())
      .put("clientId", clientId)
      .put("window", window)
      .put("connectTimeoutMs", connectTimeoutMs)
      .put("idleTimeoutMs", idleTimeoutMs);
  }

  private static String defaultClientId() {
    return System.getProperty("user.name", "user") + "@" + Addresses.localHostName();
  }

  public List<Target> getTargets() {
    return targets;
  }

  public ClientOptions setTargets(List<Target> targets) {
    this.targets = targets;
    return this;
  }

  /** @return the {@code cluster:all} / {@code cluster:any} entries of {@code targets}, resolved when a push starts */
  public List<String> getClusterTargets() {
    return clusterTargets;
  }

  public ClientOptions setClusterTargets(List<String> clusterTargets) {
    this.clusterTargets = clusterTargets;
    return this;
  }

  /** @return whether the client runs as a service taking jobs on {@code kirim.push} instead of pushing once */
  public boolean isService() {
    return service;
  }

  public ClientOptions setService(boolean service) {
    this.service = service;
    return this;
  }

  public List<String> getFiles() {
    return files;
  }

  public ClientOptions setFiles(List<String> files) {
    this.files = files;
    return this;
  }

  /** @return the directory relative {@code files} resolve against (absolute) */
  public Path getBaseDir() {
    return baseDir;
  }

  public ClientOptions setBaseDir(Path baseDir) {
    this.baseDir = baseDir.toAbsolutePath().normalize();
    return this;
  }

  /** @return the prefix put before every remote name, without leading or trailing {@code /}; may be empty */
  public String getRemoteDir() {
    return remoteDir;
  }

  public ClientOptions setRemoteDir(String remoteDir) {
    this.remoteDir = remoteDir;
    return this;
  }

  public int getParallelTargets() {
    return parallelTargets;
  }

  public ClientOptions setParallelTargets(int parallelTargets) {
    this.parallelTargets = parallelTargets;
    return this;
  }

  public int getConnectionsPerTarget() {
    return connectionsPerTarget;
  }

  public ClientOptions setConnectionsPerTarget(int connectionsPerTarget) {
    this.connectionsPerTarget = connectionsPerTarget;
    return this;
  }

  /** @return how many offers one connection keeps in flight (pipelining for many small files) */
  public int getWindow() {
    return window;
  }

  public ClientOptions setWindow(int window) {
    this.window = window;
    return this;
  }

  /** @return tries per file and target, the first included */
  public int getRetryAttempts() {
    return retryAttempts;
  }

  public ClientOptions setRetryAttempts(int retryAttempts) {
    this.retryAttempts = retryAttempts;
    return this;
  }

  public long getRetryBackoffMs() {
    return retryBackoffMs;
  }

  public ClientOptions setRetryBackoffMs(long retryBackoffMs) {
    this.retryBackoffMs = retryBackoffMs;
    return this;
  }

  public long getRetryMaxBackoffMs() {
    return retryMaxBackoffMs;
  }

  public ClientOptions setRetryMaxBackoffMs(long retryMaxBackoffMs) {
    this.retryMaxBackoffMs = retryMaxBackoffMs;
    return this;
  }

  /** @return the wait before try number {@code attempt + 1}: exponential from backoffMs, capped */
  long backoffMs(int attempt) {
    long delay = retryBackoffMs << Math.min(attempt - 1, 20);
    return Math.max(1, Math.min(delay, retryMaxBackoffMs));
  }

  /** @return where to write the JSON report, or {@code null} */
  public Path getReport() {
    return report;
  }

  public ClientOptions setReport(Path report) {
    this.report = report;
    return this;
  }

  public ChecksumAlgorithm getChecksum() {
    return checksum;
  }

  public ClientOptions setChecksum(ChecksumAlgorithm checksum) {
    this.checksum = checksum;
    return this;
  }

  public String getClientId() {
    return clientId;
  }

  public ClientOptions setClientId(String clientId) {
    this.clientId = clientId;
    return this;
  }

  public long getConnectTimeoutMs() {
    return connectTimeoutMs;
  }

  public ClientOptions setConnectTimeoutMs(long connectTimeoutMs) {
    this.connectTimeoutMs = connectTimeoutMs;
    return this;
  }

  public long getIdleTimeoutMs() {
    return idleTimeoutMs;
  }

  public ClientOptions setIdleTimeoutMs(long idleTimeoutMs) {
    this.idleTimeoutMs = idleTimeoutMs;
    return this;
  }
}
