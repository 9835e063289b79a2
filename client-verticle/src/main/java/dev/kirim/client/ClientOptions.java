package dev.kirim.client;

import dev.kirim.cluster.ClusterSecret;
import dev.kirim.config.ConfigException;
import dev.kirim.config.ConfigReader;
import dev.kirim.net.Addresses;
import dev.kirim.protocol.ChecksumAlgorithm;
import dev.kirim.tls.TlsConfig;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How a {@link KirimClient} talks to servers: its id, checksum, parallelism, pipelining window, retries and
 * timeouts; what to push where is a {@link PushJob}. Read from the same configuration object as the job
 * ({@code conf/client.json}); every error names its key. See the README's configuration reference.
 */
public class ClientOptions {

  private static final Logger log = LoggerFactory.getLogger(ClientOptions.class);

  public static final int DEFAULT_PARALLEL_TARGETS = 8;
  public static final int DEFAULT_CONNECTIONS_PER_TARGET = 2;
  public static final int DEFAULT_WINDOW = 256;
  static final int MIN_WINDOW = 1;
  static final int MAX_WINDOW = 1024;
  public static final int DEFAULT_RETRY_ATTEMPTS = 10;
  public static final long DEFAULT_RETRY_BACKOFF_MS = 200;
  public static final long DEFAULT_RETRY_MAX_BACKOFF_MS = 5_000;
  /** Long enough to ride out a server restart of a few seconds, short enough that a dead target fails soon. */
  public static final long DEFAULT_RETRY_MAX_ELAPSED_MS = 30_000;
  public static final long DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
  public static final long DEFAULT_IDLE_TIMEOUT_MS = 120_000;
  /** A connection that owes us something and shows no progress for this long is dead ({@link DeadPeerWatch}). */
  public static final long DEFAULT_DEAD_PEER_MS = 15_000;
  public static final long MIN_RATE_LIMIT = 64 * 1024;
  public static final long MAX_RATE_LIMIT = 1L << 40;

  /** How the client asks a server to tell whether its copy is the same file. */
  public enum Compare {
    /** rsync's quick check: same size and modification time (to the millisecond) means same file. */
    SIZE_MTIME,
    /** Same size and checksum: every file is read before it is offered. */
    CHECKSUM;

    public String configName() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    static Compare fromConfigName(String name) {
      return valueOf(name.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
    }
  }

  /** The configuration keys these options read. */
  static final Set<String> KEYS = Set.of("parallelism", "retry", "checksum", "clientId", "window", "connectTimeoutMs",
    "idleTimeoutMs", "deadPeerMs", "compare", "preserve", "rateLimit", "dryRun", "tls", "token", "tokenFile");

  private int parallelTargets = DEFAULT_PARALLEL_TARGETS;
  private int connectionsPerTarget = DEFAULT_CONNECTIONS_PER_TARGET;
  private int window = DEFAULT_WINDOW;
  private int retryAttempts = DEFAULT_RETRY_ATTEMPTS;
  private long retryBackoffMs = DEFAULT_RETRY_BACKOFF_MS;
  // null: the larger of DEFAULT_RETRY_MAX_BACKOFF_MS and retryBackoffMs.
  private Long retryMaxBackoffMs;
  private long retryMaxElapsedMs = DEFAULT_RETRY_MAX_ELAPSED_MS;
  private ChecksumAlgorithm checksum = ChecksumAlgorithm.DEFAULT;
  private String clientId = defaultClientId();
  private long connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS;
  private long idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS;
  private long deadPeerMs = DEFAULT_DEAD_PEER_MS;
  // null: size-mtime when mtimes are preserved, else checksum (a quick check needs the server to keep them).
  private Compare compare;
  private boolean preserveMtime = true;
  private boolean preserveMode;
  private boolean dryRun;
  // Bytes per second per target; null: unlimited.
  private Long rateLimit;
  // null: plain TCP.
  private TlsConfig.Client tls;
  // Never logged, never in toJson(): ClientToken says where it came from.
  private String token;
  // null: from the environment, if there (ClusterSecret.ENV).
  private String clusterSecretFile;
  // null: registry records and push jobs unsigned.
  private ClusterSecret clusterSecret;

  public ClientOptions() {
  }

  public ClientOptions(ClientOptions other) {
    this.parallelTargets = other.parallelTargets;
    this.connectionsPerTarget = other.connectionsPerTarget;
    this.window = other.window;
    this.retryAttempts = other.retryAttempts;
    this.retryBackoffMs = other.retryBackoffMs;
    this.retryMaxBackoffMs = other.retryMaxBackoffMs;
    this.retryMaxElapsedMs = other.retryMaxElapsedMs;
    this.checksum = other.checksum;
    this.clientId = other.clientId;
    this.connectTimeoutMs = other.connectTimeoutMs;
    this.idleTimeoutMs = other.idleTimeoutMs;
    this.deadPeerMs = other.deadPeerMs;
    this.compare = other.compare;
    this.preserveMtime = other.preserveMtime;
    this.preserveMode = other.preserveMode;
    this.dryRun = other.dryRun;
    this.rateLimit = other.rateLimit;
    this.tls = other.tls;
    this.token = other.token;
    this.clusterSecretFile = other.clusterSecretFile;
    this.clusterSecret = other.clusterSecret;
  }

  /**
   * Reads {@link #KEYS} from a configuration object; other keys are left to whoever reads them (the job).
   *
   * @throws ConfigException naming the first bad key
   */
  public ClientOptions(JsonObject json) {
    ConfigReader config = ConfigReader.of(json);
    parseParallelism(config, json == null ? null : json.getValue("parallelism"));
    ConfigReader retry = config.object("retry").rejectUnknownKeys(Set.of("attempts", "backoffMs", "maxBackoffMs",
      "maxElapsedMs"));
    retryAttempts = retry.integer("attempts", DEFAULT_RETRY_ATTEMPTS);
    retryBackoffMs = retry.number("backoffMs", DEFAULT_RETRY_BACKOFF_MS);
    retryMaxBackoffMs = retry.has("maxBackoffMs") ? retry.number("maxBackoffMs", DEFAULT_RETRY_MAX_BACKOFF_MS) : null;
    retryMaxElapsedMs = retry.number("maxElapsedMs", DEFAULT_RETRY_MAX_ELAPSED_MS);
    checksum = ChecksumAlgorithm.fromWireName(config.choice("checksum", ChecksumAlgorithm.DEFAULT.wireName(),
      List.of("crc32c", "sha256")));
    clientId = config.string("clientId", defaultClientId());
    window = config.integer("window", DEFAULT_WINDOW, MIN_WINDOW, MAX_WINDOW);
    connectTimeoutMs = config.number("connectTimeoutMs", DEFAULT_CONNECT_TIMEOUT_MS);
    deadPeerMs = config.number("deadPeerMs", DEFAULT_DEAD_PEER_MS);
    idleTimeoutMs = config.number("idleTimeoutMs", DEFAULT_IDLE_TIMEOUT_MS);
    compare = config.has("compare") ? Compare.fromConfigName(config.choice("compare", null,
      List.of(Compare.SIZE_MTIME.configName(), Compare.CHECKSUM.configName()))) : null;
    ConfigReader preserve = config.object("preserve").rejectUnknownKeys(Set.of("mtime", "mode"));
    preserveMtime = preserve.bool("mtime", true);
    preserveMode = preserve.bool("mode", false);
    dryRun = config.bool("dryRun", false);
    rateLimit = config.byteSize("rateLimit", null, MIN_RATE_LIMIT, MAX_RATE_LIMIT);
    tls = TlsConfig.Client.parse(json == null ? null : json.getValue("tls"), "tls");
    token = ClientToken.resolve(config.string("token", null), config.string("tokenFile", null), System::getenv);
    // The cluster key is the job's (ClusterExpectation) but for this connection setting.
    clusterSecretFile = config.object("cluster").string("secret", null);
    clusterSecret = ClusterSecret.resolve(clusterSecretFile, System::getenv, log::warn);
    validate();
  }

  /** {@code parallelism} is either a number (targets at once) or {@code {"targets": N, "perTarget": M}}. */
  private void parseParallelism(ConfigReader config, Object value) {
    if (value instanceof Number) {
      parallelTargets = config.integer("parallelism", DEFAULT_PARALLEL_TARGETS);
      ConfigReader.requireRange("parallelism", parallelTargets, 1, 10_000);
      return;
    }
    if (value != null && !(value instanceof JsonObject)) {
      throw config.bad("parallelism", value, "a number (targets at once) or {\"targets\": N, \"perTarget\": M}");
    }
    ConfigReader parallelism = config.object("parallelism").rejectUnknownKeys(Set.of("targets", "perTarget"));
    parallelTargets = parallelism.integer("targets", DEFAULT_PARALLEL_TARGETS);
    connectionsPerTarget = parallelism.integer("perTarget", DEFAULT_CONNECTIONS_PER_TARGET);
  }

  /**
   * Checks every option, however it was set; {@link KirimClient#create} calls it.
   *
   * @return this
   * @throws ConfigException naming the first option out of range by its config key
   */
  public ClientOptions validate() {
    ConfigReader.requireRange("parallelism.targets", parallelTargets, 1, 10_000);
    ConfigReader.requireRange("parallelism.perTarget", connectionsPerTarget, 1, 64);
    ConfigReader.requireRange("retry.attempts", retryAttempts, 1, 100);
    ConfigReader.requireRange("retry.backoffMs", retryBackoffMs, 0, 600_000);
    ConfigReader.requireRange("retry.maxBackoffMs", getRetryMaxBackoffMs(), retryBackoffMs, 3_600_000);
    ConfigReader.requireRange("retry.maxElapsedMs", retryMaxElapsedMs, 0, 86_400_000);
    if (checksum == null) {
      throw new ConfigException("config key 'checksum' is not set, expected crc32c or sha256");
    }
    if (clientId == null || clientId.isBlank()) {
      throw new ConfigException("config key 'clientId' is empty, expected how the client introduces itself");
    }
    ConfigReader.requireRange("window", window, MIN_WINDOW, MAX_WINDOW);
    // Vert.x takes both timeouts as an int.
    ConfigReader.requireRange("connectTimeoutMs", connectTimeoutMs, 1, 3_600_000);
    ConfigReader.requireRange("idleTimeoutMs", idleTimeoutMs, 1, 86_400_000);
    if (deadPeerMs != 0 && (deadPeerMs < 100 || deadPeerMs > 86_400_000)) {
      throw new ConfigException("config key 'deadPeerMs' is " + deadPeerMs + ", expected 0 (off) or a whole number "
        + "from 100 to 86400000");
    }
    if (compare == Compare.SIZE_MTIME && !preserveMtime) {
      throw new ConfigException("config key 'compare' is \"size-mtime\" while 'preserve.mtime' is false: the server's "
        + "copies would never have our mtimes to compare with; set compare to \"checksum\" or preserve.mtime to true");
    }
    if (rateLimit != null) {
      ConfigReader.requireByteRange("rateLimit", rateLimit, MIN_RATE_LIMIT, MAX_RATE_LIMIT);
    }
    return this;
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("parallelism", new JsonObject().put("targets", parallelTargets).put("perTarget", connectionsPerTarget))
      .put("retry", new JsonObject().put("attempts", retryAttempts).put("backoffMs", retryBackoffMs)
        .put("maxBackoffMs", getRetryMaxBackoffMs()).put("maxElapsedMs", retryMaxElapsedMs))
      .put("rateLimit", rateLimit)
      .put("checksum", checksum.wireName())
      .put("clientId", clientId)
      .put("window", window)
      .put("connectTimeoutMs", connectTimeoutMs)
      .put("idleTimeoutMs", idleTimeoutMs)
      .put("deadPeerMs", deadPeerMs)
      .put("compare", getCompare().configName())
      .put("preserve", new JsonObject().put("mtime", preserveMtime).put("mode", preserveMode))
      .put("dryRun", dryRun)
      .put("tls", tls == null ? null : tls.toJson())
      .put("cluster", clusterSecretFile == null ? null : new JsonObject().put("secret", clusterSecretFile));
  }

  private static String defaultClientId() {
    return System.getProperty("user.name", "user") + "@" + Addresses.localHostName();
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

  /**
   * @return how many offers and puts one connection keeps in flight (pipelining for many small files), at most:
   *   fewer when the server says it lets fewer wait
   */
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

  /** @return the longest wait between tries: unless set, 5 s or the first backoff when that is longer */
  public long getRetryMaxBackoffMs() {
    return retryMaxBackoffMs != null ? retryMaxBackoffMs : Math.max(DEFAULT_RETRY_MAX_BACKOFF_MS, retryBackoffMs);
  }

  public ClientOptions setRetryMaxBackoffMs(long retryMaxBackoffMs) {
    this.retryMaxBackoffMs = retryMaxBackoffMs;
    return this;
  }

  /**
   * @return how long a file (or a target that cannot be reached) keeps being retried after its first failure,
   *   whatever {@link #getRetryAttempts()} still allows; 0: only the count bounds the retries
   */
  public long getRetryMaxElapsedMs() {
    return retryMaxElapsedMs;
  }

  public ClientOptions setRetryMaxElapsedMs(long retryMaxElapsedMs) {
    this.retryMaxElapsedMs = retryMaxElapsedMs;
    return this;
  }

  /**
   * @return the wait before try number {@code attempt + 1}: exponential from backoffMs, capped, with jitter (the
   *   upper half of the range at random) so that clients cut off together do not come back together
   */
  long backoffMs(int attempt) {
    long delay = Math.max(1, Math.min(retryBackoffMs << Math.min(attempt - 1, 20), getRetryMaxBackoffMs()));
    return delay - ThreadLocalRandom.current().nextLong(delay / 2 + 1);
  }

  /**
   * @param tries          tries made so far
   * @param firstFailureAt {@link System#nanoTime()} of the first failure
   * @param delayMs        the wait before the next try
   * @return whether another try is within both budgets: {@code retry.attempts} and {@code retry.maxElapsedMs}
   */
  boolean mayRetry(int tries, long firstFailureAt, long delayMs) {
    long elapsedMs = (System.nanoTime() - firstFailureAt) / 1_000_000;
    return tries < retryAttempts && (retryMaxElapsedMs == 0 || elapsedMs + delayMs <= retryMaxElapsedMs);
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

  /** @return how long a connection that owes replies or data may show no progress; 0: not watched */
  public long getDeadPeerMs() {
    return deadPeerMs;
  }

  public ClientOptions setDeadPeerMs(long deadPeerMs) {
    this.deadPeerMs = deadPeerMs;
    return this;
  }

  /** @return how servers tell whether their copy is the same file; see {@link Compare} */
  public Compare getCompare() {
    return compare != null ? compare : preserveMtime ? Compare.SIZE_MTIME : Compare.CHECKSUM;
  }

  public ClientOptions setCompare(Compare compare) {
    this.compare = compare;
    return this;
  }

  /** @return whether servers give their copies our modification times (the default; size-mtime needs it) */
  public boolean isPreserveMtime() {
    return preserveMtime;
  }

  public ClientOptions setPreserveMtime(boolean preserveMtime) {
    this.preserveMtime = preserveMtime;
    return this;
  }

  /**
   * @return whether this is a dry run: every file is offered and each server says what it would do with it,
   *   but no byte is sent and nothing is created or changed on any server
   */
  public boolean isDryRun() {
    return dryRun;
  }

  public ClientOptions setDryRun(boolean dryRun) {
    this.dryRun = dryRun;
    return this;
  }

  /** @return whether servers give their copies our permission bits (less their umask); off by default */
  public boolean isPreserveMode() {
    return preserveMode;
  }

  public ClientOptions setPreserveMode(boolean preserveMode) {
    this.preserveMode = preserveMode;
    return this;
  }

  /** @return the most bytes per second sent to one target, over all its connections; {@code null}: unlimited */
  public Long getRateLimit() {
    return rateLimit;
  }

  public ClientOptions setRateLimit(Long rateLimit) {
    this.rateLimit = rateLimit;
    return this;
  }

  /** @return the token sent in the hello, {@code null} for none */
  public String getToken() {
    return token;
  }

  public ClientOptions setToken(String token) {
    this.token = token;
    return this;
  }

  /**
   * @return the secret the cluster's registry records and push jobs must be signed with ({@code cluster.secret},
   *   else {@value ClusterSecret#ENV}), {@code null} to take them unsigned
   */
  public ClusterSecret getClusterSecret() {
    return clusterSecret;
  }

  /** Sets the secret itself (an embedding application's way; the configuration names a file). */
  public ClientOptions setClusterSecret(ClusterSecret clusterSecret) {
    this.clusterSecret = clusterSecret;
    this.clusterSecretFile = null;
    return this;
  }

  /** @return the TLS settings, {@code null} for plain TCP */
  public TlsConfig.Client getTls() {
    return tls;
  }

  public ClientOptions setTls(TlsConfig.Client tls) {
    this.tls = tls;
    return this;
  }
}
