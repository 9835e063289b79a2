package dev.kirim.server;

import dev.kirim.config.ConfigException;
import dev.kirim.config.ConfigReader;
import io.vertx.core.json.JsonObject;

import java.util.Set;

/** The server's bounds on every resource a client can make it spend: the {@code limits} config object. */
public class ServerLimits {

  public static final int DEFAULT_MAX_HEADER_BYTES = 8 * 1024;
  public static final long DEFAULT_MAX_FILE_BYTES = 1L << 40;
  public static final int DEFAULT_MAX_CONNECTIONS = 256;
  public static final int DEFAULT_MAX_CONNECTIONS_PER_PEER = 32;
  public static final int DEFAULT_MAX_PENDING_OFFERS = 256;
  /** 64 bodies of 64 KiB: the most one connection could hold in memory before its requests were counted in bytes. */
  public static final int DEFAULT_MAX_PENDING_BYTES = 4 * 1024 * 1024;
  public static final long DEFAULT_HEADER_TIMEOUT_MS = 10_000;
  public static final long DEFAULT_IDLE_TIMEOUT_MS = 120_000;
  public static final long DEFAULT_CLAIM_TIMEOUT_MS = 60_000;
  public static final long DEFAULT_MIN_FREE_BYTES = 64L * 1024 * 1024;
  public static final int DEFAULT_CHUNK_BYTES = 256 * 1024;
  public static final long MIN_RATE_LIMIT = 64 * 1024;
  public static final long MAX_RATE_LIMIT = 1L << 40;

  private static final Set<String> KEYS = Set.of("maxHeaderBytes", "maxFileBytes", "maxConnections",
    "maxConnectionsPerPeer", "maxPendingOffers", "maxPendingBytes", "headerTimeoutMs", "idleTimeoutMs",
    "sameNameWaitMs", "claimTimeoutMs", "minFreeBytes", "chunkBytes", "rateLimitPerConnection");

  private int maxHeaderBytes = DEFAULT_MAX_HEADER_BYTES;
  private long maxFileBytes = DEFAULT_MAX_FILE_BYTES;
  private int maxConnections = DEFAULT_MAX_CONNECTIONS;
  private int maxConnectionsPerPeer = DEFAULT_MAX_CONNECTIONS_PER_PEER;
  private int maxPendingOffers = DEFAULT_MAX_PENDING_OFFERS;
  private int maxPendingBytes = DEFAULT_MAX_PENDING_BYTES;
  private long headerTimeoutMs = DEFAULT_HEADER_TIMEOUT_MS;
  private long idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS;
  /** {@code null}: half the idle timeout, whatever that is set to. */
  private Long sameNameWaitMs;
  /** {@code null}: the default, or the idle timeout when that is shorter. */
  private Long claimTimeoutMs;
  private long minFreeBytes = DEFAULT_MIN_FREE_BYTES;
  private int chunkBytes = DEFAULT_CHUNK_BYTES;
  // Bytes per second one connection's bodies are read at; null: unlimited.
  private Long rateLimitPerConnection;

  public ServerLimits() {
  }

  public ServerLimits(ServerLimits other) {
    this.maxHeaderBytes = other.maxHeaderBytes;
    this.maxFileBytes = other.maxFileBytes;
    this.maxConnections = other.maxConnections;
    this.maxConnectionsPerPeer = other.maxConnectionsPerPeer;
    this.maxPendingOffers = other.maxPendingOffers;
    this.maxPendingBytes = other.maxPendingBytes;
    this.headerTimeoutMs = other.headerTimeoutMs;
    this.idleTimeoutMs = other.idleTimeoutMs;
    this.sameNameWaitMs = other.sameNameWaitMs;
    this.claimTimeoutMs = other.claimTimeoutMs;
    this.minFreeBytes = other.minFreeBytes;
    this.chunkBytes = other.chunkBytes;
    this.rateLimitPerConnection = other.rateLimitPerConnection;
  }

  /** Reads the {@code limits} object; the values are checked by {@link #validate()}. */
  ServerLimits(ConfigReader config) {
    config.rejectUnknownKeys(KEYS);
    maxHeaderBytes = config.integer("maxHeaderBytes", DEFAULT_MAX_HEADER_BYTES);
    maxFileBytes = config.number("maxFileBytes", DEFAULT_MAX_FILE_BYTES);
    maxConnections = config.integer("maxConnections", DEFAULT_MAX_CONNECTIONS);
    maxConnectionsPerPeer = config.integer("maxConnectionsPerPeer", DEFAULT_MAX_CONNECTIONS_PER_PEER);
    maxPendingOffers = config.integer("maxPendingOffers", DEFAULT_MAX_PENDING_OFFERS);
    maxPendingBytes = config.integer("maxPendingBytes", DEFAULT_MAX_PENDING_BYTES);
    headerTimeoutMs = config.number("headerTimeoutMs", DEFAULT_HEADER_TIMEOUT_MS);
    idleTimeoutMs = config.number("idleTimeoutMs", DEFAULT_IDLE_TIMEOUT_MS);
    sameNameWaitMs = config.has("sameNameWaitMs") ? config.number("sameNameWaitMs", 0) : null;
    claimTimeoutMs = config.has("claimTimeoutMs") ? config.number("claimTimeoutMs", 0) : null;
    minFreeBytes = config.number("minFreeBytes", DEFAULT_MIN_FREE_BYTES);
    chunkBytes = config.integer("chunkBytes", DEFAULT_CHUNK_BYTES);
    rateLimitPerConnection = config.byteSize("rateLimitPerConnection", null, MIN_RATE_LIMIT, MAX_RATE_LIMIT);
  }

  /**
   * Checks every limit, however it was set.
   *
   * @return this
   * @throws ConfigException naming the first limit out of range, as {@code limits.KEY}
   */
  public ServerLimits validate() {
    ConfigReader.requireRange("limits.maxHeaderBytes", maxHeaderBytes, 256, 1024 * 1024);
    ConfigReader.requireRange("limits.maxFileBytes", maxFileBytes, 0, Long.MAX_VALUE);
    ConfigReader.requireRange("limits.maxConnections", maxConnections, 1, 1_000_000);
    ConfigReader.requireRange("limits.maxConnectionsPerPeer", maxConnectionsPerPeer, 1, 1_000_000);
    ConfigReader.requireRange("limits.maxPendingOffers", maxPendingOffers, 1, 100_000);
    // At least one body of the largest size kept in memory, so that any single request can be read.
    ConfigReader.requireRange("limits.maxPendingBytes", maxPendingBytes, Upload.BUFFERED_MAX_BYTES, 1 << 30);
    ConfigReader.requireRange("limits.headerTimeoutMs", headerTimeoutMs, 1, 86_400_000);
    // Vert.x takes the idle timeout as an int.
    ConfigReader.requireRange("limits.idleTimeoutMs", idleTimeoutMs, 1, 86_400_000);
    // A waiting offer's connection is silent: it must get its answer before the idle timeout closes it.
    ConfigReader.requireRange("limits.sameNameWaitMs", getSameNameWaitMs(), 0, idleTimeoutMs - 1);
    // A silent connection is closed by the idle timeout anyway: a longer claim timeout would never fire.
    ConfigReader.requireRange("limits.claimTimeoutMs", getClaimTimeoutMs(), 1, idleTimeoutMs);
    ConfigReader.requireRange("limits.minFreeBytes", minFreeBytes, 0, Long.MAX_VALUE);
    ConfigReader.requireRange("limits.chunkBytes", chunkBytes, 4096, 16 * 1024 * 1024);
    if (rateLimitPerConnection != null) {
      ConfigReader.requireByteRange("limits.rateLimitPerConnection", rateLimitPerConnection, MIN_RATE_LIMIT,
        MAX_RATE_LIMIT);
    }
    return this;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("maxHeaderBytes", maxHeaderBytes)
      .put("maxFileBytes", maxFileBytes)
      .put("maxConnections", maxConnections)
      .put("maxConnectionsPerPeer", maxConnectionsPerPeer)
      .put("maxPendingOffers", maxPendingOffers)
      .put("maxPendingBytes", maxPendingBytes)
      .put("headerTimeoutMs", headerTimeoutMs)
      .put("idleTimeoutMs", idleTimeoutMs)
      .put("minFreeBytes", minFreeBytes)
      .put("rateLimitPerConnection", rateLimitPerConnection)
      .put("chunkBytes", chunkBytes);
    if (sameNameWaitMs != null) {
      json.put("sameNameWaitMs", sameNameWaitMs);
    }
    if (claimTimeoutMs != null) {
      json.put("claimTimeoutMs", claimTimeoutMs);
    }
    return json;
  }

  public int getMaxHeaderBytes() {
    return maxHeaderBytes;
  }

  public ServerLimits setMaxHeaderBytes(int maxHeaderBytes) {
    this.maxHeaderBytes = maxHeaderBytes;
    return this;
  }

  public long getMaxFileBytes() {
    return maxFileBytes;
  }

  public ServerLimits setMaxFileBytes(long maxFileBytes) {
    this.maxFileBytes = maxFileBytes;
    return this;
  }

  public int getMaxConnections() {
    return maxConnections;
  }

  public ServerLimits setMaxConnections(int maxConnections) {
    this.maxConnections = maxConnections;
    return this;
  }

  /** @return the most connections open at once from one remote IP address, across all instances */
  public int getMaxConnectionsPerPeer() {
    return maxConnectionsPerPeer;
  }

  public ServerLimits setMaxConnectionsPerPeer(int maxConnectionsPerPeer) {
    this.maxConnectionsPerPeer = maxConnectionsPerPeer;
    return this;
  }

  public int getMaxPendingOffers() {
    return maxPendingOffers;
  }

  public ServerLimits setMaxPendingOffers(int maxPendingOffers) {
    this.maxPendingOffers = maxPendingOffers;
    return this;
  }

  /** @return the body bytes one connection's unanswered requests may hold in memory before it is no longer read */
  public int getMaxPendingBytes() {
    return maxPendingBytes;
  }

  public ServerLimits setMaxPendingBytes(int maxPendingBytes) {
    this.maxPendingBytes = maxPendingBytes;
    return this;
  }

  public long getHeaderTimeoutMs() {
    return headerTimeoutMs;
  }

  public ServerLimits setHeaderTimeoutMs(long headerTimeoutMs) {
    this.headerTimeoutMs = headerTimeoutMs;
    return this;
  }

  /**
   * @return how long an offer of a name that another connection is uploading waits for that upload to end
   *   before it is answered {@code busy}; half the idle timeout unless set
   */
  public long getSameNameWaitMs() {
    return sameNameWaitMs != null ? sameNameWaitMs : idleTimeoutMs / 2;
  }

  public ServerLimits setSameNameWaitMs(long sameNameWaitMs) {
    this.sameNameWaitMs = sameNameWaitMs;
    return this;
  }

  /**
   * @return how long a connection may hold a name it was answered {@code send} for without sending its data
   *   or commit (while it is not sending another body); 60 s, or the idle timeout when shorter, unless set
   */
  public long getClaimTimeoutMs() {
    return claimTimeoutMs != null ? claimTimeoutMs : Math.min(DEFAULT_CLAIM_TIMEOUT_MS, idleTimeoutMs);
  }

  public ServerLimits setClaimTimeoutMs(long claimTimeoutMs) {
    this.claimTimeoutMs = claimTimeoutMs;
    return this;
  }

  public long getIdleTimeoutMs() {
    return idleTimeoutMs;
  }

  public ServerLimits setIdleTimeoutMs(long idleTimeoutMs) {
    this.idleTimeoutMs = idleTimeoutMs;
    return this;
  }

  public long getMinFreeBytes() {
    return minFreeBytes;
  }

  public ServerLimits setMinFreeBytes(long minFreeBytes) {
    this.minFreeBytes = minFreeBytes;
    return this;
  }

  public int getChunkBytes() {
    return chunkBytes;
  }

  public ServerLimits setChunkBytes(int chunkBytes) {
    this.chunkBytes = chunkBytes;
    return this;
  }

  /** @return the most body bytes per second read from one connection; {@code null}: unlimited */
  public Long getRateLimitPerConnection() {
    return rateLimitPerConnection;
  }

  public ServerLimits setRateLimitPerConnection(Long rateLimitPerConnection) {
    this.rateLimitPerConnection = rateLimitPerConnection;
    return this;
  }
}
