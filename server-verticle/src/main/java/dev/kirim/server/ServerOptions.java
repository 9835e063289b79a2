package dev.kirim.server;

import dev.kirim.cluster.ClusterSecret;
import dev.kirim.config.ConfigException;
import dev.kirim.config.ConfigReader;
import dev.kirim.log.LogFormat;
import dev.kirim.protocol.Message;
import dev.kirim.http.HttpOptions;
import dev.kirim.tls.TlsConfig;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Set;

/**
 * The server's configuration ({@code conf/server.json}): parsed and validated in one place, every error naming
 * its key. See the README's configuration reference for what each key means.
 */
public class ServerOptions {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = Message.DEFAULT_PORT;
  public static final String DEFAULT_STORAGE_DIR = "received";
  public static final OnExisting DEFAULT_ON_EXISTING = OnExisting.SKIP;
  public static final boolean DEFAULT_FSYNC = true;
  public static final boolean DEFAULT_RESUME = true;
  public static final int DEFAULT_PARTIAL_TTL_HOURS = 24;
  static final int MAX_PORT = 65535;
  static final int MAX_PARTIAL_TTL_HOURS = 24 * 365;
  /** Offered permission bits are masked with this: group and others lose write, as with a shell's umask 022. */
  public static final int DEFAULT_UMASK = 0022;
  public static final long DEFAULT_REGISTRY_TTL_MS = 15_000;
  public static final long DEFAULT_REGISTRY_REFRESH_MS = 5_000;
  /** The longest {@code registry.ttlMs} with a cluster secret: 9 minutes, of the 10 a signed record may be valid. */
  static final long MAX_SIGNED_REGISTRY_TTL_MS = 540_000;

  /** The top-level configuration keys. */
  static final Set<String> KEYS = Set.of("host", "port", "storageDir", "onExisting", "fsync", "resume",
    "umask", "partialTtlHours", "serverId", "advertisedHost", "registry", "limits", "tls", "auth", "http", "logFormat",
    "cluster");
  /**
   * The {@code cluster} keys: {@code secret}, read here, signs the registry record; {@code tls}, the event bus's
   * TLS, is the launcher's ({@link dev.kirim.cluster.ClusterTls}).
   */
  private static final Set<String> CLUSTER_KEYS = Set.of("tls", "secret");

  private static final Logger log = LoggerFactory.getLogger(ServerOptions.class);

  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;
  private Path storageDir = Path.of(DEFAULT_STORAGE_DIR).toAbsolutePath();
  private OnExisting onExisting = DEFAULT_ON_EXISTING;
  private boolean fsync = DEFAULT_FSYNC;
  private boolean resume = DEFAULT_RESUME;
  private int umask = DEFAULT_UMASK;
  private int partialTtlHours = DEFAULT_PARTIAL_TTL_HOURS;
  private String serverId;
  private String advertisedHost;
  private long registryTtlMs = DEFAULT_REGISTRY_TTL_MS;
  // null: a third of the TTL, at most DEFAULT_REGISTRY_REFRESH_MS.
  private Long registryRefreshMs;
  private ServerLimits limits = new ServerLimits();
  // null: no TLS.
  private TlsConfig.Server tls;
  // null: no auth key, protected mode on a non-loopback address.
  private AuthOptions auth;
  // null: no HTTP port (metrics, health, status page).
  private HttpOptions http;
  private LogFormat logFormat = LogFormat.fromEnvironment();
  // null: from the environment, if there (ClusterSecret.ENV).
  private String clusterSecretFile;
  // null: registry records unsigned.
  private ClusterSecret clusterSecret;

  public ServerOptions() {
  }

  public ServerOptions(ServerOptions other) {
    this.host = other.host;
    this.port = other.port;
    this.storageDir = other.storageDir;
    this.onExisting = other.onExisting;
    this.fsync = other.fsync;
    this.resume = other.resume;
    this.umask = other.umask;
    this.partialTtlHours = other.partialTtlHours;
    this.serverId = other.serverId;
    this.advertisedHost = other.advertisedHost;
    this.registryTtlMs = other.registryTtlMs;
    this.registryRefreshMs = other.registryRefreshMs;
    this.limits = new ServerLimits(other.limits);
    this.tls = other.tls;
    this.auth = other.auth;
    this.http = other.http == null ? null : new HttpOptions(other.http);
    this.logFormat = other.logFormat;
    this.clusterSecretFile = other.clusterSecretFile;
    this.clusterSecret = other.clusterSecret;
  }

  /**
   * @param json the verticle configuration
   * @throws ConfigException naming the first bad key
   */
  public ServerOptions(JsonObject json) {
    ConfigReader config = ConfigReader.of(json).rejectUnknownKeys(KEYS);
    host = config.string("host", DEFAULT_HOST);
    port = config.integer("port", DEFAULT_PORT, 0, MAX_PORT);
    storageDir = config.path("storageDir", DEFAULT_STORAGE_DIR);
    onExisting = OnExisting.fromConfigName(
      config.choice("onExisting", DEFAULT_ON_EXISTING.configName(), OnExisting.configNames()));
    fsync = config.bool("fsync", DEFAULT_FSYNC);
    resume = config.bool("resume", DEFAULT_RESUME);
    umask = parseUmask(config);
    partialTtlHours = config.integer("partialTtlHours", DEFAULT_PARTIAL_TTL_HOURS, 0, MAX_PARTIAL_TTL_HOURS);
    serverId = config.string("serverId", null);
    advertisedHost = config.string("advertisedHost", null);
    ConfigReader registry = config.object("registry").rejectUnknownKeys(Set.of("ttlMs", "refreshMs"));
    registryTtlMs = registry.number("ttlMs", DEFAULT_REGISTRY_TTL_MS);
    registryRefreshMs = registry.has("refreshMs") ? registry.number("refreshMs", DEFAULT_REGISTRY_REFRESH_MS) : null;
    limits = new ServerLimits(config.object("limits"));
    tls = TlsConfig.Server.parse(json.getValue("tls"), "tls");
    auth = AuthOptions.parse(json.getValue("auth"));
    http = json.getValue("http") == null ? null : new HttpOptions(config.object("http"));
    logFormat = LogFormat.fromConfig(config.choice("logFormat", LogFormat.fromEnvironment().configName(),
      LogFormat.configNames()));
    clusterSecretFile = config.object("cluster").rejectUnknownKeys(CLUSTER_KEYS).string("secret", null);
    clusterSecret = ClusterSecret.resolve(clusterSecretFile, System::getenv, log::warn);
    validate();
  }

  /** {@code umask} is written as in a shell, octal digits in a string: {@code "022"}, {@code "077"}. */
  private static int parseUmask(ConfigReader config) {
    String expected = "octal permission bits to remove, as a string, e.g. \"022\" or \"077\"";
    // A number (18 for 022, or 22 meant as octal) is told what to write instead.
    String value = config.string("umask", null, expected);
    if (value == null) {
      return DEFAULT_UMASK;
    }
    if (!value.matches("0?[0-7]{1,3}")) {
      throw config.bad("umask", value, expected);
    }
    return Integer.parseInt(value, 8);
  }

  /**
   * Checks every option, however it was set; {@link KirimServer#create} calls it.
   *
   * @return this
   * @throws ConfigException naming the first option out of range by its config key
   */
  public ServerOptions validate() {
    if (host == null || host.isBlank()) {
      throw new ConfigException("config key 'host' is empty, expected an address to listen on, e.g. \"0.0.0.0\"");
    }
    ConfigReader.requireRange("port", port, 0, MAX_PORT);
    if (storageDir == null) {
      throw new ConfigException("config key 'storageDir' is not set, expected the directory to store into");
    }
    if (onExisting == null) {
      throw new ConfigException("config key 'onExisting' is not set, expected one of "
        + String.join(", ", OnExisting.configNames()));
    }
    ConfigReader.requireRange("umask", umask, 0, 0777);
    ConfigReader.requireRange("partialTtlHours", partialTtlHours, 0, MAX_PARTIAL_TTL_HOURS);
    ConfigReader.requireRange("registry.ttlMs", registryTtlMs, 100, 86_400_000);
    ConfigReader.requireRange("registry.refreshMs", getRegistryRefreshMs(), 10, 86_400_000);
    // The record lives ttlMs unless refreshed: refreshing must come well before it expires.
    if (getRegistryRefreshMs() >= registryTtlMs) {
      throw new ConfigException("config key 'registry.refreshMs' is " + getRegistryRefreshMs() + ", expected less than "
        + "registry.ttlMs (" + registryTtlMs + "), ideally a third of it, so that the record is refreshed before it expires");
    }
    // A signed record is valid for ttlMs and a few seconds more, and a reader refuses one valid for longer than
    // ClusterSecret.MAX_VALIDITY_MS: keep a minute of it for clocks that differ.
    if (clusterSecret != null && registryTtlMs > MAX_SIGNED_REGISTRY_TTL_MS) {
      throw new ConfigException("config key 'registry.ttlMs' is " + registryTtlMs + ", expected at most "
        + MAX_SIGNED_REGISTRY_TTL_MS + " with a cluster secret: signed records are valid at most "
        + ClusterSecret.MAX_VALIDITY_MS / 60_000 + " minutes");
    }
    if (limits == null) {
      throw new ConfigException("config key 'limits' is not set");
    }
    limits.validate();
    if (http != null) {
      http.validate();
    }
    return this;
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("host", host)
      .put("port", port)
      .put("storageDir", storageDir.toString())
      .put("onExisting", onExisting.configName())
      .put("fsync", fsync)
      .put("resume", resume)
      .put("umask", String.format("%03o", umask))
      .put("partialTtlHours", partialTtlHours)
      .put("serverId", serverId)
      .put("advertisedHost", advertisedHost)
      .put("registry", new JsonObject().put("ttlMs", registryTtlMs).put("refreshMs", getRegistryRefreshMs()))
      .put("limits", limits.toJson())
      .put("tls", tls == null ? null : tls.toJson())
      .put("auth", auth == null ? null : auth.toJson())
      .put("http", http == null ? null : http.toJson())
      .put("logFormat", logFormat.configName())
      .put("cluster", clusterSecretFile == null ? null : new JsonObject().put("secret", clusterSecretFile));
  }

  public String getHost() {
    return host;
  }

  public ServerOptions setHost(String host) {
    this.host = host;
    return this;
  }

  public int getPort() {
    return port;
  }

  public ServerOptions setPort(int port) {
    this.port = port;
    return this;
  }

  /** @return the absolute storage directory (a relative one resolves against the working directory) */
  public Path getStorageDir() {
    return storageDir;
  }

  public ServerOptions setStorageDir(Path storageDir) {
    this.storageDir = storageDir.toAbsolutePath().normalize();
    return this;
  }

  public OnExisting getOnExisting() {
    return onExisting;
  }

  public ServerOptions setOnExisting(OnExisting onExisting) {
    this.onExisting = onExisting;
    return this;
  }

  /** @return the permission bits removed from a mode a client sends (setuid, setgid and sticky always are) */
  public int getUmask() {
    return umask;
  }

  public ServerOptions setUmask(int umask) {
    this.umask = umask;
    return this;
  }

  /** @return whether files and directories are fsynced before {@code done} (off trades durability for speed) */
  public boolean isFsync() {
    return fsync;
  }

  public ServerOptions setFsync(boolean fsync) {
    this.fsync = fsync;
    return this;
  }

  /** @return whether partial uploads are kept after a lost connection so that the client can resume */
  public boolean isResume() {
    return resume;
  }

  public ServerOptions setResume(boolean resume) {
    this.resume = resume;
    return this;
  }

  public int getPartialTtlHours() {
    return partialTtlHours;
  }

  public ServerOptions setPartialTtlHours(int partialTtlHours) {
    this.partialTtlHours = partialTtlHours;
    return this;
  }

  /** @return the configured id, or {@code null} to derive one from the host name and port */
  public String getServerId() {
    return serverId;
  }

  public ServerOptions setServerId(String serverId) {
    this.serverId = serverId;
    return this;
  }

  /**
   * @return the address put in the registry for clients to connect to, or {@code null} to derive it: the listen
   *     host unless it is a wildcard, then the cluster host when clustered, else this host's address
   */
  public String getAdvertisedHost() {
    return advertisedHost;
  }

  public ServerOptions setAdvertisedHost(String advertisedHost) {
    this.advertisedHost = advertisedHost;
    return this;
  }

  /** @return how long the registry record lives unless refreshed (so that a vanished node's record expires) */
  public long getRegistryTtlMs() {
    return registryTtlMs;
  }

  public ServerOptions setRegistryTtlMs(long registryTtlMs) {
    this.registryTtlMs = registryTtlMs;
    return this;
  }

  /** @return how often the registry record (and its free space) is rewritten: unless set, a third of the TTL, at most 5 s */
  public long getRegistryRefreshMs() {
    return registryRefreshMs != null ? registryRefreshMs : Math.min(DEFAULT_REGISTRY_REFRESH_MS, registryTtlMs / 3);
  }

  public ServerOptions setRegistryRefreshMs(long registryRefreshMs) {
    this.registryRefreshMs = registryRefreshMs;
    return this;
  }

  public ServerLimits getLimits() {
    return limits;
  }

  public ServerOptions setLimits(ServerLimits limits) {
    this.limits = limits;
    return this;
  }

  /** @return the TLS settings, {@code null} for plain TCP */
  public TlsConfig.Server getTls() {
    return tls;
  }

  public ServerOptions setTls(TlsConfig.Server tls) {
    this.tls = tls;
    return this;
  }

  /** @return who may push; {@code null}: the key is absent, so a non-loopback address runs in protected mode */
  public AuthOptions getAuth() {
    return auth;
  }

  public ServerOptions setAuth(AuthOptions auth) {
    this.auth = auth;
    return this;
  }

  /** @return the HTTP port's settings (metrics, health, status page), {@code null} for none */
  public HttpOptions getHttp() {
    return http;
  }

  public ServerOptions setHttp(HttpOptions http) {
    this.http = http;
    return this;
  }

  /**
   * @return the secret registry records are signed with ({@code cluster.secret}, else {@value ClusterSecret#ENV}),
   *   {@code null} for unsigned records
   */
  public ClusterSecret getClusterSecret() {
    return clusterSecret;
  }

  /** Sets the secret itself (an embedding application's way; the configuration names a file). */
  public ServerOptions setClusterSecret(ClusterSecret clusterSecret) {
    this.clusterSecret = clusterSecret;
    this.clusterSecretFile = null;
    return this;
  }

  /** @return how the server jar writes its log lines: {@code KIRIM_LOG_FORMAT}, else the {@code logFormat} key */
  public LogFormat getLogFormat() {
    return logFormat;
  }

  public ServerOptions setLogFormat(LogFormat logFormat) {
    this.logFormat = logFormat;
    return this;
  }
}
